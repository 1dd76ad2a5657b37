//! GGUF files, GUI-free: the header (metadata and tensor infos) read and checked as llama.cpp
//! reads it, and the metadata's values.

pub mod reader;
pub mod summary;
pub mod value;

pub use reader::{Header, TensorInfo, parse};
pub use value::{Value, ValueType};
