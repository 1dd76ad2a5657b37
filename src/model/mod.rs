//! Checkpoints, GUI-free: reading safetensors files (memory-mapped, read-only).

pub mod checkpoint;

pub use checkpoint::Checkpoint;
