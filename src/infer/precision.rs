//! The precisions a model runs in, and how each one keeps its numerics honest on a CPU.
//!
//! - **FP32**: everything in f32.
//! - **FP16**: weights, activations and every op in f16 (candle's CPU backend has f16 conv2d
//!   and matmul, which PyTorch's CPU path lacked in the lesson).
//! - **BF16**: candle's CPU backend has no bf16 matmul / conv2d, so every op runs in f32 on
//!   bf16 values and its result is rounded to bf16 (nearest even) right after: the numerics of
//!   a bf16 op with f32 accumulation. Inputs and weights are rounded to bf16 first.
//! - **INT8** (W8A32): weights quantized per output channel, symmetric (the quantization core),
//!   dequantized for compute; activations f32. Biases stay f32.
//! - **FP8 e4m3** (weight-only): weights scaled per tensor into float8_e4m3fn and back.

use candle_core::{DType, Result, Tensor};
use std::fmt;
use std::str::FromStr;

/// A precision to run a model in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Precision {
    /// f32 everywhere.
    F32,
    /// bf16 values, each op rounded to bf16.
    BF16,
    /// f16 everywhere.
    F16,
    /// int8 per-channel weights, f32 activations.
    Int8,
    /// fp8 e4m3 per-tensor-scaled weights, f32 activations.
    Fp8,
}

impl Precision {
    /// All precisions, FP32 (the reference) first.
    pub const ALL: [Precision; 5] = [
        Precision::F32,
        Precision::BF16,
        Precision::F16,
        Precision::Int8,
        Precision::Fp8,
    ];

    /// CLI name (`--dtype`).
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "float32",
            Precision::BF16 => "bfloat16",
            Precision::F16 => "float16",
            Precision::Int8 => "int8",
            Precision::Fp8 => "fp8_e4m3fn",
        }
    }

    /// Short label for the UI.
    pub fn label(self) -> &'static str {
        match self {
            Precision::F32 => "FP32",
            Precision::BF16 => "BF16",
            Precision::F16 => "FP16",
            Precision::Int8 => "INT8 (W8A32)",
            Precision::Fp8 => "FP8 e4m3 (weights)",
        }
    }

    /// The dtype tensors are held in.
    pub fn carrier(self) -> DType {
        match self {
            Precision::F16 => DType::F16,
            _ => DType::F32,
        }
    }

    /// Round an op's result to this precision's activation format (bf16 only; the other
    /// carriers already hold their own format).
    pub fn round(self, t: Tensor) -> Result<Tensor> {
        match self {
            Precision::BF16 => t.to_dtype(DType::BF16)?.to_dtype(DType::F32),
            _ => Ok(t),
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "float32" | "fp32" | "f32" => Ok(Precision::F32),
            "bfloat16" | "bf16" => Ok(Precision::BF16),
            "float16" | "fp16" | "f16" | "half" => Ok(Precision::F16),
            "int8" | "w8a32" => Ok(Precision::Int8),
            "fp8_e4m3fn" | "fp8" | "float8_e4m3fn" | "fp8_e4m3" => Ok(Precision::Fp8),
            _ => Err(format!(
                "unknown dtype '{}' (float32, bfloat16, float16, int8, fp8_e4m3fn)",
                crate::formats::spec::printable(s)
            )),
        }
    }
}
