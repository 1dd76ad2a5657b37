//! Turning a checkpoint's f32 weights into a precision's weights, and counting their bytes.

use super::precision::Precision;
use crate::quant::{Granularity, Mode, QType, Scheme, quantize};
use candle_core::{DType, Device, Tensor};

/// What a checkpoint tensor is, for how a precision stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A convolution's or linear layer's weight: quantized by INT8 / FP8.
    Weight,
    /// A bias, a norm's scale, an embedding: kept in the activation format.
    Activation,
    /// Batch-norm parameters and statistics: stored as the precision stores them (rounded
    /// to bf16 / f16, as `model.to(dtype)` does; never quantized) but held as f32, since
    /// they become per-channel factors computed in f32.
    Statistic,
}

/// The role of a tensor in Hugging Face layout: batch norms' tensors are statistics, tensors
/// of two or more dimensions are weights (except embeddings and tokens), the rest
/// activation-format values.
pub fn role_by_name(name: &str, shape: &[usize]) -> Role {
    let embedding = ["cls_token", "mask_token", "position_embeddings"]
        .iter()
        .any(|e| name.ends_with(e));
    if name.contains(".normalization.") {
        Role::Statistic
    } else if shape.len() >= 2 && !embedding {
        Role::Weight
    } else {
        Role::Activation
    }
}

/// The weight tensor of `values` (shape `shape`) as `precision` stores it, on the CPU.
/// Tensors of two or more dimensions are "weights" (quantized by INT8 / FP8); 1-D tensors
/// (biases, norms) stay in the activation format.
pub fn prepare(values: &[f32], shape: &[usize], precision: Precision) -> Result<Tensor, String> {
    let role = if shape.len() >= 2 {
        Role::Weight
    } else {
        Role::Activation
    };
    prepare_as(values, shape, precision, role)
}

/// `values` (shape `shape`) as `precision` stores a tensor of `role`, on the CPU.
pub fn prepare_as(
    values: &[f32],
    shape: &[usize],
    precision: Precision,
    role: Role,
) -> Result<Tensor, String> {
    let err = |e: candle_core::Error| first_line(&e.to_string());
    let is_weight = role == Role::Weight;
    let data: Vec<f32> = match precision {
        Precision::Int8 | Precision::Fp8 if is_weight => {
            let (qtype, granularity) = if precision == Precision::Int8 {
                (QType::Int8, Granularity::Channel(0))
            } else {
                (QType::Fp8E4m3, Granularity::Tensor)
            };
            let scheme = Scheme {
                qtype,
                mode: Mode::Symmetric,
                granularity,
            };
            quantize(values, shape, &scheme)?.dequantized
        }
        _ => values.to_vec(),
    };
    let t = Tensor::from_vec(data, shape, &Device::Cpu).map_err(err)?;
    match precision {
        Precision::F16 if role == Role::Statistic => t
            .to_dtype(DType::F16)
            .and_then(|t| t.to_dtype(DType::F32))
            .map_err(err),
        Precision::F16 => t.to_dtype(DType::F16).map_err(err),
        Precision::BF16 => t
            .to_dtype(DType::BF16)
            .and_then(|t| t.to_dtype(DType::F32))
            .map_err(err),
        _ => Ok(t),
    }
}

/// Bytes the weights take in `precision` (scales included: one f32 per output channel for
/// INT8, one per tensor for FP8; 1-D tensors at 2 bytes in BF16/FP16, 4 otherwise).
pub fn weight_bytes(shapes: &[Vec<usize>], precision: Precision) -> u64 {
    shapes
        .iter()
        .map(|s| {
            let n: u64 = s.iter().map(|&d| d as u64).product();
            let weight = s.len() >= 2;
            match precision {
                Precision::F32 => 4 * n,
                Precision::BF16 | Precision::F16 => 2 * n,
                Precision::Int8 if weight => n + 4 * s[0] as u64,
                Precision::Fp8 if weight => n + 4,
                Precision::Int8 | Precision::Fp8 => 4 * n,
            }
        })
        .sum()
}

/// The first line of an error text (candle appends a backtrace when RUST_BACKTRACE is set).
pub fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("error").trim().to_string()
}
