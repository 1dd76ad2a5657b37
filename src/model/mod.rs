//! Checkpoints, GUI-free: reading safetensors and GGUF files (memory-mapped, read-only),
//! alone, in a folder or sharded; their memory in each precision; per-tensor statistics and
//! quantization sensitivity.

pub mod analysis;
pub mod checkpoint;
pub mod file_bytes;
pub mod files;
pub mod footprint;
pub mod gguf_file;
pub mod shard;

pub use checkpoint::Checkpoint;
pub use files::{ModelFiles, TensorEntry};
