//! Quantization, GUI-free: linear integer quantization (symmetric / asymmetric, per tensor,
//! per channel, per group) and scaled fp8, with the error it causes.

pub mod block;
pub mod linear;
pub mod scheme;

pub use linear::{QuantError, Quantized, quantize};
pub use scheme::{Granularity, Mode, QType, Scheme};
