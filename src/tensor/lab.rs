//! The downcast lab's computation: draw a tensor, cast or quantize it, and measure
//! everything the panel and `quantscope downcast` show. GUI-free; runs in the background.

use super::cast::cast_values;
use super::dot::{DotResult, DotSpec, dot_against, reference_dot, standard_dots};
use super::pair_stats::PairStats;
use super::progress::{Cancelled, Progress};
use super::random::{Distribution, generate};
use super::stats::{CastCounts, ErrorStats, Histogram, Summary};
use crate::formats::{Analysis, Format, Rounder, RoundingMode, encode};
use crate::quant::block::{BlockQuantized, BlockScheme, quantize_blocks};
use crate::quant::{Quantized, Scheme, quantize};
use serde::{Deserialize, Serialize};

/// What to do to the tensor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// Cast every value to a format.
    Cast(Format),
    /// Quantize with a scale (and zero point).
    Quantize(Scheme),
    /// Quantize in blocks with a shared scale (MX, NVFP4, NF4).
    Block(BlockScheme),
    /// Quantize into a ggml type, as `llama-quantize` without `--imatrix` (the tensor as one
    /// row, padded with zeros to whole blocks).
    Ggml(crate::ggml::GgmlType),
}

impl Target {
    /// Short description.
    pub fn label(&self) -> String {
        match self {
            Target::Cast(f) => f.name(),
            Target::Quantize(s) => s.to_string(),
            Target::Block(b) => b.to_string(),
            Target::Ggml(t) => t.scheme_name(),
        }
    }
}

/// `values` in ggml type `t` and back: one row padded with zeros to whole blocks; the decoded
/// values of `values` (the padding dropped) and the blocks.
pub fn ggml_round_trip(
    values: &[f32],
    t: crate::ggml::GgmlType,
) -> Result<(Vec<f32>, Vec<u8>), String> {
    let n = values.len().div_ceil(t.block_size()) * t.block_size();
    let mut padded = values.to_vec();
    padded.resize(n, 0.0);
    let blocks = crate::ggml::quantize_par(t, &padded, n)?;
    let mut out = vec![0f32; n];
    crate::ggml::dequantize_par(t, &blocks, &mut out)?;
    out.truncate(values.len());
    Ok((out, blocks))
}

/// Most ggml blocks a lab report carries for the block view.
pub const MAX_GGML_BLOCKS: usize = 64;

/// The first blocks of the lab's tensor in a ggml type, for the block view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GgmlBlocks {
    /// The type.
    pub ggml_type: crate::ggml::GgmlType,
    /// How many blocks the tensor takes.
    pub total: usize,
    /// The first [`MAX_GGML_BLOCKS`] of them, as stored.
    pub bytes: Vec<u8>,
}

/// Most blocks whose scales and values a report carries (the heat map's 64 × 64).
pub const MAX_BLOCKS: usize = 4096;

/// A block-scaled quantization of the lab's tensor, for the block view (not in JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockView {
    /// Values per block.
    pub block_size: usize,
    /// Storage per value, scales included.
    pub bits_per_value: f64,
    /// The scales' format (float8_e8m0fnu, float8_e4m3fn, float32, int8).
    pub scale_format: Format,
    /// The elements' format (`None`: NF4 level indices).
    pub element_format: Option<Format>,
    /// Number of blocks in the whole tensor (the last one padded with zeros).
    pub blocks: usize,
    /// Decoded scale of each of the first [`MAX_BLOCKS`] blocks.
    pub scales: Vec<f64>,
    /// Their stored bits.
    pub scale_bits: Vec<u64>,
    /// NVFP4's per-tensor scale / NF4's double-quantization offset.
    pub tensor_scale: Option<f32>,
    /// The values of those blocks, before …
    pub values: Vec<f32>,
    /// … their element codes …
    pub codes: Vec<u8>,
    /// … and after.
    pub dequantized: Vec<f32>,
    /// The same tensor in four 4-bit schemes: (name, bits per value, SQNR dB).
    pub comparison: Vec<(String, f64, f64)>,
}

/// One run of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabRequest {
    /// Where the values come from.
    pub dist: Distribution,
    /// Number of values (10 … 10⁷).
    pub size: usize,
    /// Seed of the generator (and of stochastic rounding).
    pub seed: u64,
    /// Cast or quantization.
    pub target: Target,
    /// Rounding mode of casts.
    pub rounding: RoundingMode,
    /// Histogram bins.
    pub bins: usize,
    /// Histogram range of the values; `None` spans the finite values.
    pub range: Option<(f64, f64)>,
}

/// One of the first values, side by side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueRow {
    /// The f32 value drawn.
    pub original: f32,
    /// What was stored (dequantized for quantization).
    pub stored: f64,
    /// stored − original.
    pub error: f64,
    /// Bits of the stored value (of q for quantization), lowercase hex.
    pub bits: String,
}

/// Bytes of the tensor in a format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryRow {
    /// Format or scheme.
    pub format: String,
    /// Bytes including scales / zero points.
    pub bytes: u64,
}

/// Everything the lab measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LabReport {
    /// Distribution description.
    pub dist: String,
    /// Number of values.
    pub size: usize,
    /// Seed.
    pub seed: u64,
    /// Format or scheme.
    pub target: String,
    /// Rounding mode (casts).
    pub rounding: String,
    /// Statistics of the original values.
    pub original: Summary,
    /// Statistics of the stored values.
    pub stored: Summary,
    /// Underflow / overflow / saturation counts.
    pub counts: CastCounts,
    /// Error statistics.
    pub error: ErrorStats,
    /// Dot product of the tensor with itself, computed several ways.
    pub dot: Vec<DotResult>,
    /// The first values side by side.
    pub first: Vec<ValueRow>,
    /// Bytes per format.
    pub memory: Vec<MemoryRow>,
    /// Scales (quantization only; at most 64 shown).
    #[serde(default, skip_serializing_if = "crate::wire::none_in_json")]
    pub scale: Option<Vec<f32>>,
    /// Zero points (quantization only; at most 64 shown).
    #[serde(default, skip_serializing_if = "crate::wire::none_in_json")]
    pub zero_point: Option<Vec<i32>>,
    /// Histograms of original and stored values over a shared range (not in JSON).
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub hist_original: Histogram,
    /// See `hist_original`.
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub hist_stored: Histogram,
    /// Histogram of stored − original (not in JSON).
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub hist_error: Histogram,
    /// Quantized integer levels of group 0 (quantization only, not in JSON).
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub levels: Option<Levels>,
    /// Up to [`SAMPLE`] (original, stored) pairs spread over the tensor, sorted by original
    /// (for the staircase plot; not in JSON).
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub sample: Vec<(f32, f64)>,
    /// Up to [`SAMPLE`] (original, q) pairs of the first quantization group (not in JSON).
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub q_sample: Vec<(f32, f32)>,
    /// Every distinct stored value with its count, when there are at most [`MAX_LEVELS`]
    /// (the format's discrete levels; not in JSON).
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub distinct: Option<Vec<(f64, u64)>>,
    /// The block view of a block-scaled scheme (not in JSON).
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub blocks: Option<BlockView>,
    /// The first ggml blocks, for the block view (ggml types only; not in JSON).
    #[serde(default, skip_serializing_if = "crate::wire::for_json")]
    pub ggml_blocks: Option<GgmlBlocks>,
}

/// `values` padded with zeros to whole blocks, quantized with `scheme` (zeros change no
/// block's maximum); the result covers the padding too.
fn quantize_padded(values: &[f32], scheme: BlockScheme) -> Result<BlockQuantized, String> {
    let b = scheme.block_size();
    let mut padded = values.to_vec();
    padded.resize(values.len().div_ceil(b) * b, 0.0);
    quantize_blocks(&padded, &[padded.len()], scheme)
}

/// The block view of `q` (of `values`), with the four-way 4-bit comparison.
fn block_view(values: &[f32], scheme: BlockScheme, q: &BlockQuantized) -> BlockView {
    let keep = MAX_BLOCKS.min(q.blocks());
    let n = (keep * scheme.block_size()).min(values.len());
    let sqnr = |deq: &[f32]| crate::quant::linear::quant_error(values, deq).sqnr_db;
    let mut comparison = Vec::new();
    for (name, s) in [
        (
            "MXFP4 (E8M0 per 32)",
            BlockScheme::Mx(crate::quant::block::MxElement::Fp4),
        ),
        (
            "NF4 (absmax per 64)",
            BlockScheme::Nf4 {
                double_quant: false,
            },
        ),
    ] {
        if let Ok(r) = quantize_padded(values, s) {
            comparison.push((
                name.to_string(),
                s.bits_per_value(),
                sqnr(&r.dequantized[..values.len()]),
            ));
        }
    }
    // FP4 with one f32 scale for the whole tensor (amax / 6).
    let fp4 = Format::named("float4_e2m1fn");
    let amax = values.iter().fold(0f32, |m, v| m.max(v.abs()));
    let scale = if amax > 0.0 { amax / 6.0 } else { 1.0 };
    let per_tensor: Vec<f32> = values
        .iter()
        .map(|&v| {
            let code = encode(
                &fp4,
                f64::from((v / scale).clamp(-6.0, 6.0)),
                &mut Rounder::nearest_even(),
            );
            crate::formats::decode(&fp4, code) as f32 * scale
        })
        .collect();
    comparison.insert(
        1,
        ("FP4 per tensor (f32 scale)".into(), 4.0, sqnr(&per_tensor)),
    );
    let int4 = Scheme {
        qtype: crate::quant::QType::Int4,
        mode: crate::quant::Mode::Symmetric,
        granularity: crate::quant::Granularity::Group(32),
    };
    if let Ok(r) = quantize(values, &[values.len()], &int4) {
        comparison.insert(
            2,
            (
                "INT4 per group of 32 (f32 scale)".into(),
                5.0, // 4 bits + a 32-bit scale per 32 values
                sqnr(&r.dequantized),
            ),
        );
    }
    BlockView {
        block_size: scheme.block_size(),
        bits_per_value: scheme.bits_per_value(),
        scale_format: scheme.scale_format(),
        element_format: scheme.element_format(),
        blocks: q.blocks(),
        scales: q.scales[..keep].to_vec(),
        scale_bits: q.scale_bits[..keep].to_vec(),
        tensor_scale: q.tensor_scale,
        values: values[..n].to_vec(),
        codes: q.codes[..n].to_vec(),
        dequantized: q.dequantized[..n].to_vec(),
        comparison,
    }
}

/// Points kept for scatter plots.
pub const SAMPLE: usize = 4000;

/// Most distinct stored values listed.
pub const MAX_LEVELS: usize = 4096;

/// Distinct values with counts, or `None` past `MAX_LEVELS`: counted per chunk on all cores
/// in small open-addressing tables keyed by the values' bits, then merged.
fn distinct_values(stored: &[f64]) -> Option<Vec<(f64, u64)>> {
    const SLOTS: usize = 4 * MAX_LEVELS;
    fn count(values: &[f64]) -> Option<Vec<(u64, u64)>> {
        let mut keys = vec![u64::MAX; SLOTS];
        let mut counts = vec![0u64; SLOTS];
        let mut used = 0;
        // u64::MAX is a NaN pattern; its count is kept apart.
        let mut max_count = 0u64;
        for &y in values {
            let k = y.to_bits();
            if k == u64::MAX {
                max_count += 1;
                continue;
            }
            let mut i = (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 50) as usize % SLOTS;
            loop {
                if keys[i] == k {
                    counts[i] += 1;
                    break;
                }
                if keys[i] == u64::MAX {
                    used += 1;
                    if used > MAX_LEVELS {
                        return None;
                    }
                    keys[i] = k;
                    counts[i] = 1;
                    break;
                }
                i = (i + 1) % SLOTS;
            }
        }
        let mut out: Vec<(u64, u64)> = keys
            .into_iter()
            .zip(counts)
            .filter(|&(k, _)| k != u64::MAX)
            .collect();
        if max_count > 0 {
            out.push((u64::MAX, max_count));
        }
        Some(out)
    }
    /// A chunk's counts (None: too many distinct values), once counted.
    type Slot = Option<Option<Vec<(u64, u64)>>>;
    let chunks: Vec<&[f64]> = stored.chunks(1 << 18).collect();
    let mut partial: Vec<Slot> = vec![None; chunks.len()];
    let work: Vec<(&[f64], &mut Slot)> = chunks.into_iter().zip(partial.iter_mut()).collect();
    crate::platform::run_parts(crate::platform::split_parts(work), |mine| {
        for (values, slot) in mine {
            *slot = Some(count(values));
        }
        false
    });
    let mut merged: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
    for p in partial {
        for (k, c) in p.flatten()? {
            *merged.entry(k).or_insert(0) += c;
        }
        if merged.len() > MAX_LEVELS {
            return None;
        }
    }
    let mut v: Vec<(f64, u64)> = merged
        .into_iter()
        .map(|(b, c)| (f64::from_bits(b), c))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(v)
}

/// The grid of a quantization's first group: scale, zero point, integer range.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Levels {
    /// Scale.
    pub scale: f32,
    /// Zero point.
    pub zero_point: i32,
    /// Smallest and largest stored integer.
    pub qmin: f64,
    /// See `qmin`.
    pub qmax: f64,
}

/// How many leading values the report lists.
pub const FIRST: usize = 8;

/// Run the lab. Errors are messages for the user (bad parameters).
pub fn run(req: &LabRequest, progress: &Progress) -> Result<Result<LabReport, String>, Cancelled> {
    let values = match generate(&req.dist, req.size.max(1), req.seed) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    if progress.is_cancelled() {
        return Err(Cancelled);
    }
    let mut block = None;
    let mut ggml_blocks = None;
    let bins = req.bins.clamp(1, 10_000);
    let (stored, quant, format) = match req.target {
        Target::Cast(f) => (
            cast_values(&values, &f, req.rounding, req.seed, progress)?,
            None,
            f,
        ),
        Target::Quantize(s) => match quantize(&values, &[values.len()], &s) {
            Ok(q) => (
                q.dequantized.iter().map(|&x| x as f64).collect(),
                Some(q),
                s.qtype.format(),
            ),
            Err(e) => return Ok(Err(e)),
        },
        Target::Block(b) => match quantize_padded(&values, b) {
            Ok(q) => {
                let stored = q.dequantized[..values.len()]
                    .iter()
                    .map(|&x| x as f64)
                    .collect();
                let format = b.element_format().unwrap_or(Format::named("float32"));
                block = Some(block_view(&values, b, &q));
                (stored, None, format)
            }
            Err(e) => return Ok(Err(e)),
        },
        Target::Ggml(t) => match ggml_round_trip(&values, t) {
            Ok((decoded, bytes)) => {
                ggml_blocks = Some(GgmlBlocks {
                    ggml_type: t,
                    total: bytes.len() / t.type_size(),
                    bytes: bytes[..bytes.len().min(MAX_GGML_BLOCKS * t.type_size())].to_vec(),
                });
                (
                    decoded.iter().map(|&x| f64::from(x)).collect(),
                    None,
                    Format::named("float32"),
                )
            }
            Err(e) => return Ok(Err(e)),
        },
    };
    if progress.is_cancelled() {
        return Err(Cancelled);
    }
    // The statistics, then the dots: each runs on all cores (run side by side — more
    // threads than cores, more streams through memory — they measured slower).
    let stats = PairStats::of(&values, &stored, &format, bins, req.range);
    // Quantized schemes (linear, block-scaled, ggml) have a dequantized tensor to dot.
    let dequantized: Option<Vec<f32>> = match &quant {
        Some(q) => Some(q.dequantized.clone()),
        None if block.is_some() || ggml_blocks.is_some() => {
            Some(stored.iter().map(|&x| x as f32).collect())
        }
        None => None,
    };
    let dots = match &dequantized {
        None => standard_dots(&values, &values, format),
        Some(dq) => {
            let fp32 = DotSpec::torch_like(Format::named("float32"));
            let reference = reference_dot(&values, &values);
            let mut d = vec![dot_against(&values, &values, &fp32, reference)];
            // The dequantized tensor's dot, measured against the original's exact dot.
            let mut r = dot_against(dq, dq, &fp32, reference);
            r.label = format!(
                "dequantized {}, float32 accumulate, naive",
                req.target.label()
            );
            d.push(r);
            d
        }
    };
    let mut first = first_rows(&values, &stored, format, quant.as_ref());
    if let Some(b) = &block {
        // Block schemes: the element's code, not the stored value's bits.
        for (row, &code) in first.iter_mut().zip(&b.codes) {
            row.bits = format!("0x{code:x}");
        }
    }
    let report = LabReport {
        dist: req.dist.to_string(),
        size: values.len(),
        seed: req.seed,
        target: req.target.label(),
        rounding: req.rounding.name().into(),
        original: stats.original,
        stored: stats.stored,
        counts: stats.counts,
        error: stats.error,
        dot: dots,
        first,
        memory: memory_rows(
            values.len() as u64,
            &req.target,
            quant.as_ref(),
            block.as_ref(),
        ),
        scale: quant
            .as_ref()
            .map(|q| q.scale.iter().take(64).copied().collect()),
        zero_point: quant
            .as_ref()
            .map(|q| q.zero_point.iter().take(64).copied().collect()),
        hist_original: stats.hist_original,
        hist_stored: stats.hist_stored,
        hist_error: stats.hist_error,
        levels: quant.as_ref().map(|q| {
            let (qmin, qmax) = match req.target {
                Target::Quantize(s) => s.qtype.range(),
                Target::Cast(_) | Target::Block(_) | Target::Ggml(_) => (0.0, 0.0),
            };
            Levels {
                scale: q.scale[0],
                zero_point: q.zero_point[0],
                qmin,
                qmax,
            }
        }),
        sample: {
            let step = values.len().div_ceil(SAMPLE).max(1);
            let mut v: Vec<(f32, f64)> = values
                .iter()
                .zip(&stored)
                .step_by(step)
                .map(|(&x, &y)| (x, y))
                .collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            v
        },
        q_sample: quant.as_ref().map_or(Vec::new(), |q| {
            let group_len = match req.target {
                Target::Quantize(Scheme {
                    granularity: crate::quant::Granularity::Group(g),
                    ..
                }) => g,
                _ => values.len(),
            };
            let n = group_len.min(values.len());
            let step = n.div_ceil(SAMPLE).max(1);
            values[..n]
                .iter()
                .zip(&q.q[..n])
                .step_by(step)
                .map(|(&x, &v)| (x, v))
                .collect()
        }),
        distinct: distinct_values(&stored),
        blocks: block,
        ggml_blocks,
    };
    Ok(Ok(report))
}

fn first_rows(
    values: &[f32],
    stored: &[f64],
    format: Format,
    quant: Option<&Quantized>,
) -> Vec<ValueRow> {
    values
        .iter()
        .zip(stored)
        .enumerate()
        .take(FIRST)
        .map(|(i, (&x, &y))| {
            let bits_of = quant.map_or(y, |q| q.q[i] as f64);
            let bits = encode(&format, bits_of, &mut Rounder::nearest_even());
            ValueRow {
                original: x,
                stored: y,
                error: y - x as f64,
                bits: Analysis::of_bits(format, bits, bits_of).hex(),
            }
        })
        .collect()
}

/// Bytes of `n` values in the usual formats, plus the chosen target with its overhead.
fn memory_rows(
    n: u64,
    target: &Target,
    quant: Option<&Quantized>,
    block: Option<&BlockView>,
) -> Vec<MemoryRow> {
    let mut rows: Vec<MemoryRow> = [
        "float32",
        "bfloat16",
        "float16",
        "float8_e4m3fn",
        "int8",
        "int4",
    ]
    .iter()
    .map(|name| MemoryRow {
        format: name.to_string(),
        bytes: (n * Format::named(name).bits() as u64).div_ceil(8),
    })
    .collect();
    if let (Target::Quantize(s), Some(q)) = (target, quant) {
        // One f32 scale per group, plus one zero point per group (stored as the qtype) if asymmetric.
        let zp_bits = if s.mode == crate::quant::Mode::Asymmetric {
            s.qtype.bits() as u64
        } else {
            0
        };
        let bits = n * s.qtype.bits() as u64 + q.groups as u64 * (32 + zp_bits);
        rows.push(MemoryRow {
            format: format!("{s} (with scales)"),
            bytes: bits.div_ceil(8),
        });
    } else if let (Target::Block(b), Some(v)) = (target, block) {
        // Elements plus one scale per block (NF4 double quantization: 8 bits a block and
        // 32 per 256 blocks).
        let bits = n * u64::from(b.element_bits())
            + ((v.bits_per_value - f64::from(b.element_bits())) * (v.blocks * v.block_size) as f64)
                .round() as u64;
        rows.push(MemoryRow {
            format: format!("{b} (with scales)"),
            bytes: bits.div_ceil(8),
        });
    } else if let Target::Ggml(t) = target {
        // Whole blocks, scales included (the last one padded).
        let blocks = n.div_ceil(t.block_size() as u64);
        rows.push(MemoryRow {
            format: format!("ggml {t} (with scales)"),
            bytes: blocks * t.type_size() as u64,
        });
    } else if let Target::Cast(f) = target
        && !rows.iter().any(|r| r.format == f.name())
    {
        rows.push(MemoryRow {
            format: f.name(),
            bytes: (n * f.bits() as u64).div_ceil(8),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::{Granularity, Mode, QType};

    fn request(target: Target) -> LabRequest {
        LabRequest {
            dist: Distribution::Uniform { lo: 0.0, hi: 1.0 },
            size: 1000,
            seed: 0,
            target,
            rounding: RoundingMode::NearestEven,
            bins: 50,
            range: None,
        }
    }

    #[test]
    fn block_schemes_get_a_block_view_and_small_blocks_win_on_outliers() {
        let mut req = request(Target::Block("mxfp4".parse().unwrap()));
        req.dist = Distribution::named("outliers").unwrap();
        req.size = 1000; // not a multiple of 32: the last block is padded
        let r = run(&req, &Progress::new()).unwrap().unwrap();
        let b = r.blocks.expect("block view");
        assert_eq!((b.blocks, b.block_size, b.bits_per_value), (32, 32, 4.25));
        assert_eq!(b.scales.len(), 32);
        assert_eq!(b.values.len(), 1000);
        assert_eq!(r.first[0].bits, format!("0x{:x}", b.codes[0]));
        // Lesson step 7's tensor: 4096 values with a few ×100 outliers.
        req.size = 4096;
        let lesson = run(&req, &Progress::new()).unwrap().unwrap();
        let b = lesson.blocks.expect("block view");
        let sqnr = |name: &str| {
            b.comparison
                .iter()
                .find(|c| c.0.starts_with(name))
                .map(|c| c.2)
                .unwrap()
        };
        // One scale for the tensor spends FP4's levels on the outliers.
        assert!(
            sqnr("MXFP4") > sqnr("FP4 per tensor") + 3.0,
            "{:?}",
            b.comparison
        );
        assert_eq!(b.comparison.len(), 4);
        assert!(r.memory.iter().any(|m| m.format.starts_with("mxfp4")));
        // NVFP4 and NF4 run too.
        for s in ["nvfp4", "nf4"] {
            let r = run(
                &request(Target::Block(s.parse().unwrap())),
                &Progress::new(),
            );
            assert!(r.unwrap().unwrap().blocks.is_some(), "{s}");
        }
    }

    #[test]
    fn lesson_rand_1000_to_bf16() {
        let r = run(
            &request(Target::Cast(Format::named("bfloat16"))),
            &Progress::new(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.size, 1000);
        assert_eq!(r.first.len(), FIRST);
        // bf16 keeps 8 significant bits: unit roundoff 2^-8 bounds the relative error.
        assert!(r.error.max_rel <= 2f64.powi(-8));
        assert!(r.error.max_rel > 2f64.powi(-10));
        assert_eq!(r.counts.overflow + r.counts.underflow, 0);
        assert_eq!(r.memory[0].bytes, 4000);
        assert_eq!(r.memory[1].bytes, 2000);
        assert_eq!(r.hist_original.counts.iter().sum::<u64>(), 1000);
        let again = run(
            &request(Target::Cast(Format::named("bfloat16"))),
            &Progress::new(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.first, again.first, "a seed reproduces the numbers");
    }

    #[test]
    fn int8_quantization_report() {
        let s = Scheme {
            qtype: QType::Int8,
            mode: Mode::Symmetric,
            granularity: Granularity::Group(100),
        };
        let r = run(&request(Target::Quantize(s)), &Progress::new())
            .unwrap()
            .unwrap();
        assert_eq!(r.scale.as_ref().unwrap().len(), 10);
        assert!(r.error.sqnr_db > 35.0, "{}", r.error.sqnr_db);
        // 1000 bytes of int8 + 10 f32 scales.
        assert_eq!(r.memory.last().unwrap().bytes, 1040);
        assert!(r.levels.is_some());
    }

    #[test]
    fn a_chosen_histogram_range_counts_the_rest_outside() {
        let mut req = request(Target::Cast(Format::named("bfloat16")));
        req.range = Some((0.25, 0.75));
        let r = run(&req, &Progress::new()).unwrap().unwrap();
        let h = &r.hist_original;
        assert_eq!((h.lo, h.hi), (0.25, 0.75));
        assert_eq!(h.counts.iter().sum::<u64>() + h.below + h.above, 1000);
        assert!(h.below > 200 && h.above > 200);
    }

    #[test]
    fn bad_parameters_are_messages() {
        let mut req = request(Target::Cast(Format::named("bfloat16")));
        req.dist = Distribution::Normal {
            mean: 0.0,
            std: 0.0,
        };
        assert!(run(&req, &Progress::new()).unwrap().is_err());
        let s = Scheme {
            qtype: QType::UInt8,
            mode: Mode::Symmetric,
            granularity: Granularity::Tensor,
        };
        assert!(
            run(&request(Target::Quantize(s)), &Progress::new())
                .unwrap()
                .is_err()
        );
    }
}
