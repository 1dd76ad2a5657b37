//! ggml's tensor types, GUI-free: their ids and block sizes, decoding every block layout into
//! f32 and quantizing f32 into fifteen of them, bit for bit as ggml does, and the lookup grids
//! of the IQ types.

pub mod dequant;
pub mod fields;
pub mod grids;
pub mod parallel;
pub mod quant;
mod quant_k;
pub mod types;

pub use dequant::dequantize;
pub use parallel::{dequantize_par, quantize_par};
pub use quant::quantize;
pub use types::{GgmlType, NotAType, QK_K};
