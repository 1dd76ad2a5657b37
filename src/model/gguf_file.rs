//! One `.gguf` file, memory-mapped read-only (or, in the browser, held in memory), its header
//! read and checked by [`crate::gguf::parse`]. The file is never written; tensors are decoded
//! on demand with [`crate::ggml::dequantize`].

use super::file_bytes::FileBytes;
use crate::ggml::{GgmlType, dequant};
use crate::gguf::{Header, TensorInfo};
use std::path::{Path, PathBuf};

/// An open GGUF file.
pub struct GgufFile {
    path: PathBuf,
    bytes: FileBytes,
    header: Header,
}

impl std::fmt::Debug for GgufFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufFile")
            .field("path", &self.path)
            .finish()
    }
}

impl GgufFile {
    /// Open and check `path`; an error names the file and says what is wrong.
    pub fn open(path: &Path) -> Result<GgufFile, String> {
        Self::check(path, FileBytes::map(path)?)
    }

    /// Check a file's bytes held in memory; `path` names it in messages.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<GgufFile, String> {
        Self::check(path, FileBytes::Owned(bytes))
    }

    fn check(path: &Path, bytes: FileBytes) -> Result<GgufFile, String> {
        let header = crate::gguf::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(GgufFile {
            path: path.to_path_buf(),
            bytes,
            header,
        })
    }

    /// Path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The header: version, metadata, tensor infos.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The whole file's bytes.
    pub fn file_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// A tensor's entry.
    pub fn info(&self, name: &str) -> Option<&TensorInfo> {
        self.header.tensors.iter().find(|t| t.name == name)
    }

    /// A tensor's stored blocks, exactly as in the file.
    pub fn bytes(&self, name: &str) -> Result<&[u8], String> {
        let t = self.info(name).ok_or_else(|| self.missing(name))?;
        // The header check put every tensor inside the file.
        self.bytes
            .get(self.header.range(t))
            .ok_or_else(|| format!("tensor '{name}' lies outside {}", self.path.display()))
    }

    /// A tensor decoded to f32 as ggml decodes it, with its row-major shape.
    pub fn values_f32(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>), String> {
        let t = self.info(name).ok_or_else(|| self.missing(name))?;
        if !dequant::decodes(t.ggml_type) {
            return Err(format!(
                "tensor '{}' is {}, which quantscope does not decode yet",
                crate::formats::spec::printable(name),
                t.ggml_type
            ));
        }
        let mut out = vec![0f32; t.n_values() as usize];
        crate::ggml::dequantize_par(t.ggml_type, self.bytes(name)?, &mut out)?;
        Ok((out, t.shape()))
    }

    /// The ggml type of a tensor.
    pub fn ggml_type(&self, name: &str) -> Option<GgmlType> {
        self.info(name).map(|t| t.ggml_type)
    }

    fn missing(&self, name: &str) -> String {
        format!(
            "no tensor named '{}' in {}",
            crate::formats::spec::printable(name),
            self.path.display()
        )
    }
}

/// Whether `path` names part of a split GGUF (`…-00001-of-00003.gguf`): its stem and count.
pub fn split_parts(path: &Path) -> Option<(String, usize, usize)> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".gguf")?;
    let (rest, total) = stem.rsplit_once("-of-")?;
    let (base, index) = rest.rsplit_once('-')?;
    let (index, total): (usize, usize) = (index.parse().ok()?, total.parse().ok()?);
    if index == 0 || index > total || base.is_empty() {
        return None;
    }
    Some((base.to_string(), index, total))
}

/// The files of a split GGUF, first to last, named as llama.cpp's `gguf-split` names them
/// (`BASE-00001-of-00003.gguf`, five digits); each must exist.
pub fn split_files(path: &Path) -> Option<Result<Vec<PathBuf>, String>> {
    let (base, _, total) = split_parts(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let files: Vec<PathBuf> = (1..=total)
        .map(|i| dir.join(format!("{base}-{i:05}-of-{total:05}.gguf")))
        .collect();
    if let Some(missing) = files.iter().find(|p| !p.exists()) {
        return Some(Err(format!(
            "{} is part {} of a split GGUF, but {} is missing",
            path.display(),
            split_parts(path).map_or(0, |p| p.1),
            missing.display()
        )));
    }
    Some(Ok(files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_names_are_read_as_gguf_split_writes_them() {
        assert_eq!(
            split_parts(Path::new("/m/Qwen3-8B-Q4_K_M-00002-of-00003.gguf")),
            Some(("Qwen3-8B-Q4_K_M".into(), 2, 3))
        );
        assert_eq!(split_parts(Path::new("model.gguf")), None);
        assert_eq!(split_parts(Path::new("a-00004-of-00003.gguf")), None);
        assert_eq!(split_parts(Path::new("a-0-of-3.gguf")), None);
    }
}
