//! ggml's tensor types, GUI-free: their ids and block sizes, decoding every block layout into
//! f32 bit for bit as ggml does, and the lookup grids of the IQ types.

pub mod dequant;
pub mod grids;
pub mod types;

pub use dequant::dequantize;
pub use types::{GgmlType, NotAType, QK_K};
