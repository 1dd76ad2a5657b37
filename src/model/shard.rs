//! One file of a checkpoint: a safetensors file or a GGUF file, behind the few calls the
//! checkpoint needs of either.

use super::checkpoint::Checkpoint;
use super::gguf_file::GgufFile;
use std::path::Path;

/// One file of a checkpoint.
#[derive(Debug)]
pub enum Shard {
    /// A `.safetensors` file.
    Safetensors(Checkpoint),
    /// A `.gguf` file.
    Gguf(GgufFile),
}

impl Shard {
    /// Path of the file.
    pub fn path(&self) -> &Path {
        match self {
            Shard::Safetensors(c) => c.path(),
            Shard::Gguf(g) => g.path(),
        }
    }

    /// The whole file's bytes.
    pub fn file_bytes(&self) -> &[u8] {
        match self {
            Shard::Safetensors(c) => c.file_bytes(),
            Shard::Gguf(g) => g.file_bytes(),
        }
    }

    /// Size of the file in bytes.
    pub fn file_len(&self) -> usize {
        self.file_bytes().len()
    }

    /// A tensor's stored bytes.
    pub fn bytes(&self, name: &str) -> Result<&[u8], String> {
        match self {
            Shard::Safetensors(c) => c.bytes(name),
            Shard::Gguf(g) => g.bytes(name),
        }
    }

    /// A tensor's values as f32 (a GGUF tensor: decoded as ggml does), with its shape.
    pub fn values_f32(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>), String> {
        match self {
            Shard::Safetensors(c) => c.values_f32(name),
            Shard::Gguf(g) => g.values_f32(name),
        }
    }

    /// A tensor's values as f64, with its shape.
    pub fn values_f64(&self, name: &str) -> Result<(Vec<f64>, Vec<usize>), String> {
        match self {
            Shard::Safetensors(c) => c.values_f64(name),
            Shard::Gguf(g) => g
                .values_f32(name)
                .map(|(v, s)| (v.into_iter().map(f64::from).collect(), s)),
        }
    }

    /// The GGUF file, if this is one.
    pub fn gguf(&self) -> Option<&GgufFile> {
        match self {
            Shard::Gguf(g) => Some(g),
            Shard::Safetensors(_) => None,
        }
    }
}
