//! Checkpoints, GUI-free: reading safetensors files (memory-mapped, read-only), alone, in a
//! folder or sharded; their memory in each precision; per-tensor statistics and
//! quantization sensitivity.

pub mod analysis;
pub mod checkpoint;
pub mod files;
pub mod footprint;

pub use checkpoint::Checkpoint;
pub use files::{ModelFiles, TensorEntry};
