//! How big a checkpoint is in each precision, with the scales and zero points that
//! quantization adds.
//!
//! Rules: non-float tensors (ints, bools) stay as they are. FP32 / BF16 / FP16 convert every
//! float tensor. The quantized rows (FP8, INT8, INT4, and the block-scaled MXFP8, MXFP4,
//! NVFP4, NF4) quantize float tensors of two or more dimensions (the weights) and keep 1-D
//! float tensors (biases, norms) in BF16; each scale is an f32 (4 bytes) except the block
//! formats' own (E8M0 / E4M3: 1 byte), symmetric schemes have no zero point. MX and NVFP4
//! blocks run along the last axis (a short last block counts as a whole one); NF4's over
//! the flattened tensor. The ggml rows (Q8_0 … Q2_K, IQ4_XS) store weights whose rows are whole
//! blocks in that type, scales included, and keep the rest in F32, as `llama-quantize` keeps
//! norms and biases.

use super::files::TensorEntry;
use serde::Serialize;

/// One row of the footprint table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FootprintRow {
    /// Key (`float32`, `bfloat16`, `float16`, `float8_e4m3fn`, `int8`, `int8_per_tensor`,
    /// `int4`).
    pub key: &'static str,
    /// Human description.
    pub label: &'static str,
    /// Total bytes.
    pub bytes: u64,
}

#[derive(Clone, Copy)]
enum Rule {
    /// Every float tensor at this many bits.
    Float(u64),
    /// Weights at `bits` with one scale per tensor / per output channel / per group.
    Quant { bits: u64, scales: Scales },
    /// Weights in a ggml type (rows of whole blocks), the rest in F32.
    Ggml(crate::ggml::GgmlType),
    /// Weights at `bits` in blocks of `block`, each with a scale of `scale_bytes`.
    Block {
        bits: u64,
        block: u64,
        scale_bytes: u64,
        flat: bool,
    },
}

#[derive(Clone, Copy)]
enum Scales {
    Tensor,
    Channel,
    Group(u64),
}

const ROWS: [(&str, &str, Rule); 18] = [
    ("float32", "FP32", Rule::Float(32)),
    ("bfloat16", "BF16", Rule::Float(16)),
    ("float16", "FP16", Rule::Float(16)),
    (
        "float8_e4m3fn",
        "FP8 e4m3 (per-tensor scale)",
        Rule::Quant {
            bits: 8,
            scales: Scales::Tensor,
        },
    ),
    (
        "int8_per_tensor",
        "INT8 per tensor",
        Rule::Quant {
            bits: 8,
            scales: Scales::Tensor,
        },
    ),
    (
        "int8",
        "INT8 per channel",
        Rule::Quant {
            bits: 8,
            scales: Scales::Channel,
        },
    ),
    (
        "int4",
        "INT4 per group of 32",
        Rule::Quant {
            bits: 4,
            scales: Scales::Group(32),
        },
    ),
    (
        "mxfp8_e4m3",
        "MXFP8 e4m3 (E8M0 scale per 32)",
        Rule::Block {
            bits: 8,
            block: 32,
            scale_bytes: 1,
            flat: false,
        },
    ),
    (
        "mxfp4",
        "MXFP4 (E8M0 scale per 32)",
        Rule::Block {
            bits: 4,
            block: 32,
            scale_bytes: 1,
            flat: false,
        },
    ),
    (
        "nvfp4",
        "NVFP4 (E4M3 scale per 16)",
        Rule::Block {
            bits: 4,
            block: 16,
            scale_bytes: 1,
            flat: false,
        },
    ),
    (
        "nf4",
        "NF4 (f32 absmax per 64)",
        Rule::Block {
            bits: 4,
            block: 64,
            scale_bytes: 4,
            flat: true,
        },
    ),
    ("q8_0", "ggml Q8_0", Rule::Ggml(crate::ggml::GgmlType::Q8_0)),
    ("q6_k", "ggml Q6_K", Rule::Ggml(crate::ggml::GgmlType::Q6_K)),
    ("q5_k", "ggml Q5_K", Rule::Ggml(crate::ggml::GgmlType::Q5_K)),
    ("q4_k", "ggml Q4_K", Rule::Ggml(crate::ggml::GgmlType::Q4_K)),
    (
        "iq4_xs",
        "ggml IQ4_XS",
        Rule::Ggml(crate::ggml::GgmlType::IQ4_XS),
    ),
    ("q3_k", "ggml Q3_K", Rule::Ggml(crate::ggml::GgmlType::Q3_K)),
    ("q2_k", "ggml Q2_K", Rule::Ggml(crate::ggml::GgmlType::Q2_K)),
];

/// Bytes of one tensor under a rule.
fn tensor_bytes(t: &TensorEntry, rule: Rule) -> u64 {
    let n = t.params();
    if !t.is_float() || n == 0 {
        return t.bytes();
    }
    match rule {
        Rule::Float(bits) => (n * bits).div_ceil(8),
        Rule::Ggml(g) => {
            let last = *t.shape.last().unwrap_or(&1) as u64;
            if t.shape.len() >= 2 && last.is_multiple_of(g.block_size() as u64) {
                g.bytes_for(n).unwrap_or(u64::MAX)
            } else {
                n * 4
            }
        }
        Rule::Quant { .. } | Rule::Block { .. } if t.shape.len() < 2 => n * 2,
        Rule::Block {
            bits,
            block,
            scale_bytes,
            flat,
        } => {
            let blocks = if flat {
                n.div_ceil(block)
            } else {
                let last = *t.shape.last().unwrap_or(&1) as u64;
                n.checked_div(last).unwrap_or(0) * last.div_ceil(block)
            };
            (n * bits).div_ceil(8) + scale_bytes * blocks
        }
        Rule::Quant { bits, scales } => {
            let count = match scales {
                Scales::Tensor => 1,
                Scales::Channel => t.shape[0] as u64,
                Scales::Group(g) => {
                    let last = *t.shape.last().unwrap_or(&1) as u64;
                    let rows = n.checked_div(last).unwrap_or(0);
                    rows * last.div_ceil(g)
                }
            };
            (n * bits).div_ceil(8) + 4 * count
        }
    }
}

/// The footprint table of a set of tensors.
pub fn footprint(tensors: &[TensorEntry]) -> Vec<FootprintRow> {
    ROWS.iter()
        .map(|&(key, label, rule)| FootprintRow {
            key,
            label,
            bytes: tensors.iter().map(|t| tensor_bytes(t, rule)).sum(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::Dtype;

    fn t(name: &str, dtype: Dtype, shape: &[usize]) -> TensorEntry {
        TensorEntry {
            name: name.into(),
            dtype,
            shape: shape.to_vec(),
            shard: 0,
            packed: None,
            ggml: None,
        }
    }

    #[test]
    fn halves_and_quarters_with_overheads() {
        let tensors = vec![
            t("w", Dtype::F32, &[64, 128]),
            t("b", Dtype::F32, &[64]),
            t("steps", Dtype::I64, &[]),
        ];
        let rows = footprint(&tensors);
        let get = |k: &str| rows.iter().find(|r| r.key == k).unwrap().bytes;
        assert_eq!(get("float32"), 64 * 128 * 4 + 64 * 4 + 8);
        assert_eq!(get("bfloat16"), 64 * 128 * 2 + 64 * 2 + 8);
        // int8 per channel: 1 byte per weight + 64 f32 scales; bias in bf16; i64 as is.
        assert_eq!(get("int8"), 64 * 128 + 64 * 4 + 64 * 2 + 8);
        assert_eq!(get("int8_per_tensor"), 64 * 128 + 4 + 64 * 2 + 8);
        // Block formats: MXFP4 4.25 bits per weight, NVFP4 4.5, NF4 4.5, MXFP8 8.25.
        assert_eq!(get("mxfp4"), 64 * 128 / 2 + 64 * 4 + 64 * 2 + 8);
        assert_eq!(get("nvfp4"), 64 * 128 / 2 + 64 * 8 + 64 * 2 + 8);
        assert_eq!(get("nf4"), 64 * 128 / 2 + 128 * 4 + 64 * 2 + 8);
        assert_eq!(get("mxfp8_e4m3"), 64 * 128 + 64 * 4 + 64 * 2 + 8);
        // int4 groups of 32 along the last axis: 4 groups per row.
        assert_eq!(get("int4"), 64 * 128 / 2 + 64 * 4 * 4 + 64 * 2 + 8);
        let stored: u64 = tensors.iter().map(TensorEntry::bytes).sum();
        assert_eq!(stored, get("float32"));
    }

    #[test]
    fn zero_size_tensors_cost_nothing() {
        let rows = footprint(&[t("empty", Dtype::F32, &[0, 16])]);
        assert!(rows.iter().all(|r| r.bytes == 0), "{rows:?}");
    }
}
