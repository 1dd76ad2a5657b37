//! Per-tensor statistics and quantization sensitivity of a checkpoint.

use super::files::{ModelFiles, TensorEntry};
use crate::export::csv_field;
use crate::formats::{Format, RoundingMode};
use crate::quant::block::{BlockScheme, quantize_blocks};
use crate::quant::linear::quantize_error;
use crate::quant::{Granularity, Mode, QType, Scheme, quantize};
use crate::tensor::cast::{F32Rounder, cast_values};
use crate::tensor::pair_stats::error_stats;
use crate::tensor::sq_error::sq_error;
use crate::tensor::stats::{ErrorStats, Histogram, Summary};
use crate::tensor::{Cancelled, Progress};
use serde::Serialize;

/// The schemes of the sensitivity table unless told otherwise.
pub const DEFAULT_SCHEMES: &str =
    "bfloat16,float16,fp8_e4m3fn,int8,int8:channel,int4:group:32,mxfp8_e4m3,mxfp4,nvfp4,nf4";

/// The Model panel's sensitivity columns: the CLI's default and the ggml types people download
/// (Q8_0, Q6_K, Q5_K, Q4_K, IQ4_XS, Q3_K, Q2_K).
pub const APP_SCHEMES: &str = "bfloat16,float16,fp8_e4m3fn,int8,int8:channel,int4:group:32,\
     mxfp8_e4m3,mxfp4,nvfp4,nf4,q8_0,q6_k,q5_k,q4_k,iq4_xs,q3_k,q2_k";

/// Largest number of values of one tensor a sensitivity row uses (whole leading rows).
pub const SAMPLE_LIMIT: usize = 4 << 20;

/// A way to store a tensor with less precision.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum TensorScheme {
    /// Round every value to a format (nearest even).
    Cast(Format),
    /// Quantize: symmetric for signed and fp8 types, asymmetric for unsigned.
    Quant(QType, Granularity),
    /// Block-scaled: MX, NVFP4, NF4 (see [`crate::quant::block`]).
    Block(BlockScheme),
    /// A ggml type, row by row as `llama-quantize` without `--imatrix` (see
    /// [`crate::ggml::quant`]).
    Ggml(crate::ggml::GgmlType),
}

impl TensorScheme {
    /// Parse `bfloat16`, `float16` (any format name: a plain cast),
    /// `QTYPE[:tensor|:channel|:group:N]` (`int8`, `int8:channel`, `int4:group:32`, `fp8_e4m3fn`),
    /// or a block scheme (`mxfp8_e4m3`, `mxfp4`, `nvfp4`, `nf4` …).
    pub fn parse(text: &str) -> Result<TensorScheme, String> {
        let t = text.trim();
        if let Ok(b) = t.parse::<BlockScheme>() {
            return Ok(TensorScheme::Block(b));
        }
        if let Some(g) = crate::ggml::GgmlType::scheme(t) {
            return Ok(TensorScheme::Ggml(g));
        }
        let (head, rest) = match t.split_once(':') {
            Some((h, r)) => (h, Some(r)),
            None => (t, None),
        };
        if let Ok(q) = head.parse::<QType>() {
            let g = match rest {
                None => Granularity::Tensor,
                Some(r) => r.parse::<Granularity>()?,
            };
            return Ok(TensorScheme::Quant(q, g));
        }
        if rest.is_some() {
            return Err(format!(
                "unknown scheme '{}'",
                crate::formats::spec::printable(text)
            ));
        }
        Format::parse(t).map(TensorScheme::Cast).map_err(|e| e.0)
    }

    /// Parse a comma-separated list.
    pub fn parse_list(text: &str) -> Result<Vec<TensorScheme>, String> {
        let v: Vec<TensorScheme> = text
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(TensorScheme::parse)
            .collect::<Result<_, _>>()?;
        if v.is_empty() {
            Err("no schemes given".into())
        } else {
            Ok(v)
        }
    }

    /// Canonical spelling (parses back to the same scheme).
    pub fn name(&self) -> String {
        match self {
            TensorScheme::Cast(f) => f.name(),
            TensorScheme::Quant(q, Granularity::Tensor) => q.name().to_string(),
            TensorScheme::Quant(q, g) => format!("{}:{}", q.name(), g.name()),
            TensorScheme::Block(b) => b.name().to_string(),
            TensorScheme::Ggml(g) => g.scheme_name(),
        }
    }

    /// The stored (dequantized) values of `values` of `shape`. Per-channel schemes on 1-D
    /// tensors use one scale for the tensor.
    pub fn apply(&self, values: &[f32], shape: &[usize]) -> Result<Vec<f64>, String> {
        match *self {
            TensorScheme::Cast(f) => {
                cast_values(values, &f, RoundingMode::NearestEven, 0, &Progress::new())
                    .map_err(|_| "cancelled".to_string())
            }
            TensorScheme::Quant(q, g) => {
                let r = quantize(values, shape, &quant_scheme(q, g, shape))?;
                Ok(r.dequantized.iter().map(|&x| x as f64).collect())
            }
            TensorScheme::Block(b) => {
                let r = quantize_blocks(values, shape, b)?;
                Ok(r.dequantized.iter().map(|&x| x as f64).collect())
            }
            TensorScheme::Ggml(g) => {
                let row = shape.last().copied().unwrap_or(values.len());
                let blocks = crate::ggml::quantize_par(g, values, row)?;
                let mut out = vec![0f32; values.len()];
                crate::ggml::dequantize_par(g, &blocks, &mut out)?;
                Ok(out.into_iter().map(f64::from).collect())
            }
        }
    }

    /// This scheme's error on `values` of `shape`: measured while the stored values are made
    /// where a fast path exists (casts to most formats, linear quantization), else from
    /// [`TensorScheme::apply`]'s values; the same numbers either way (tested).
    pub fn error(&self, values: &[f32], shape: &[usize]) -> Result<SchemeError, String> {
        let fast = match *self {
            TensorScheme::Cast(f) => F32Rounder::new(&f)
                .and_then(|r| sq_error(values, |i, out| r.round(&values[i..i + out.len()], out))),
            TensorScheme::Quant(q, g) => quantize_error(values, shape, &quant_scheme(q, g, shape))?,
            TensorScheme::Block(_) | TensorScheme::Ggml(_) => None,
        };
        let (sqnr_db, max_abs_error, mse) = match fast {
            Some(e) => (e.sqnr_db(), e.max_abs, e.mse()),
            None => {
                let e = error_stats(values, &self.apply(values, shape)?);
                (e.sqnr_db, e.max_abs, e.mse)
            }
        };
        Ok(SchemeError {
            scheme: self.name(),
            sqnr_db,
            max_abs_error,
            mse,
        })
    }
}

/// The linear quantization `TensorScheme::Quant(qtype, g)` stands for on a tensor of
/// `shape`: symmetric for signed and fp8 types, asymmetric for unsigned; per-channel schemes
/// on 1-D tensors use one scale for the tensor.
fn quant_scheme(qtype: QType, g: Granularity, shape: &[usize]) -> Scheme {
    let granularity = match g {
        Granularity::Channel(_) if shape.len() < 2 => Granularity::Tensor,
        other => other,
    };
    let mode = if matches!(qtype, QType::UInt8 | QType::UInt4) {
        Mode::Asymmetric
    } else {
        Mode::Symmetric
    };
    Scheme {
        qtype,
        mode,
        granularity,
    }
}

/// Statistics and histogram of one tensor, and optionally its error under a scheme.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TensorReport {
    /// The tensor.
    pub entry: TensorEntry,
    /// Summary of its values.
    pub summary: Summary,
    /// Histogram of its values.
    pub histogram: Histogram,
    /// The scheme's values: histogram over the same range, and the error statistics.
    pub scheme: Option<(TensorScheme, Histogram, ErrorStats)>,
}

/// Compute a tensor's report (the scheme part only for float tensors).
pub fn tensor_report(
    files: &ModelFiles,
    name: &str,
    bins: usize,
    scheme: Option<TensorScheme>,
    progress: &Progress,
) -> Result<TensorReport, String> {
    let entry = files.tensor(name).cloned().ok_or_else(|| {
        format!(
            "no tensor named '{}'",
            crate::formats::spec::printable(name)
        )
    })?;
    let (values, shape) = files.values_f64(name)?;
    let summary = Summary::of(values.iter().copied());
    let (lo, hi) = if summary.min.is_finite() {
        (summary.min, summary.max)
    } else {
        (0.0, 1.0)
    };
    let histogram = Histogram::new(values.iter().copied(), bins, lo, hi);
    if progress.is_cancelled() {
        return Err("cancelled".into());
    }
    let scheme = match scheme {
        Some(s) if entry.is_float() && !values.is_empty() => {
            let v32: Vec<f32> = values.iter().map(|&x| x as f32).collect();
            // Non-finite values cannot be quantized: report only what can be.
            match s.apply(&v32, &shape) {
                Ok(stored) => Some((
                    s,
                    Histogram::new(stored.iter().copied(), bins, histogram.lo, histogram.hi),
                    ErrorStats::of(&v32, &stored),
                )),
                Err(_) => None,
            }
        }
        _ => None,
    };
    Ok(TensorReport {
        entry,
        summary,
        histogram,
        scheme,
    })
}

/// The error one scheme causes on one tensor.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct SchemeError {
    /// Scheme name.
    pub scheme: String,
    /// SQNR in dB (`null` in JSON when exact).
    pub sqnr_db: f64,
    /// Largest |error|.
    pub max_abs_error: f64,
    /// Mean squared error.
    pub mse: f64,
}

/// One row of the sensitivity table.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct SensitivityRow {
    /// Tensor name.
    pub tensor: String,
    /// safetensors dtype.
    pub dtype: String,
    /// Shape.
    pub shape: Vec<usize>,
    /// Number of values.
    pub params: u64,
    /// Values used when the tensor was sampled (its leading rows), else `null`.
    pub sampled: Option<u64>,
    /// One entry per scheme, in order; empty when a scheme could not apply.
    pub errors: Vec<SchemeError>,
}

/// The sensitivity table: every float tensor under every scheme. Progress counts values.
pub fn sensitivity(
    files: &ModelFiles,
    schemes: &[TensorScheme],
    progress: &Progress,
) -> Result<Vec<SensitivityRow>, Cancelled> {
    let floats: Vec<&TensorEntry> = files.tensors.iter().filter(|t| t.is_float()).collect();
    progress.add_total(
        floats
            .iter()
            .map(|t| t.params().min(SAMPLE_LIMIT as u64))
            .sum(),
    );
    let mut rows = Vec::new();
    for t in floats {
        if progress.is_cancelled() {
            return Err(Cancelled);
        }
        let (mut values, mut shape) = match files.values_f32(&t.name) {
            Ok(v) => v,
            Err(_) => continue,
        };
        let mut sampled = None;
        if values.len() > SAMPLE_LIMIT {
            let last = shape.last().copied().unwrap_or(1).max(1);
            let rows_kept = (SAMPLE_LIMIT / last).max(1);
            let keep = (rows_kept * last).min(values.len());
            values.truncate(keep);
            shape = if shape.len() >= 2 {
                vec![rows_kept, last]
            } else {
                vec![keep]
            };
            sampled = Some(keep as u64);
        }
        let errors = schemes
            .iter()
            .filter_map(|s| s.error(&values, &shape).ok())
            .collect();
        progress.advance(values.len() as u64);
        rows.push(SensitivityRow {
            tensor: t.name.clone(),
            dtype: t.dtype_label(),
            shape: t.shape.clone(),
            params: t.params(),
            sampled,
            errors,
        });
    }
    Ok(rows)
}

/// The table as CSV: one row per tensor, `sqnr_db` and `max_abs_error` per scheme.
pub fn sensitivity_csv(rows: &[SensitivityRow], schemes: &[TensorScheme]) -> String {
    let mut out = String::from("tensor,dtype,shape,params,sampled");
    for s in schemes {
        out += &format!(",{0} sqnr_db,{0} max_abs_error", s.name());
    }
    out.push('\n');
    for r in rows {
        let shape = r
            .shape
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("x");
        out += &format!(
            "{},{},{},{},{}",
            csv_field(&r.tensor),
            r.dtype,
            shape,
            r.params,
            r.sampled.map_or(String::new(), |n| n.to_string())
        );
        for s in schemes {
            match r.errors.iter().find(|e| e.scheme == s.name()) {
                Some(e) => out += &format!(",{},{}", e.sqnr_db, e.max_abs_error),
                None => out += ",,",
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names_round_trip() {
        for s in TensorScheme::parse_list(DEFAULT_SCHEMES).unwrap() {
            assert_eq!(TensorScheme::parse(&s.name()).unwrap(), s);
        }
        assert!(TensorScheme::parse("int8:sideways").is_err());
        assert!(TensorScheme::parse("float7").is_err());
        assert!(TensorScheme::parse_list(" , ").is_err());
    }

    #[test]
    fn fast_errors_equal_the_exact_path_bit_for_bit() {
        // Every kind of scheme the fast paths take, on a 2-D tensor with uneven groups and
        // a length that ends mid-lane; and one with an infinity (the exact path's skipping).
        let shape = [97, 131];
        let values: Vec<f32> = (0..97 * 131)
            .map(|i| ((i as f32) * 0.731).sin() * (1.0 + (i % 17) as f32) * 0.25)
            .collect();
        let schemes = "bfloat16,float16,float32,fp8_e4m3fn,fp8_e5m2,float6_e3m2fn,float4_e2m1fn,\
                       int8,uint8,int4:channel,uint4:group:32,int8:group:7,fp8_e4m3fn:channel,\
                       float8_e4m3fn,int8:channel,float64";
        for s in TensorScheme::parse_list(schemes).unwrap() {
            let fast = s.error(&values, &shape).unwrap();
            let e = error_stats(&values, &s.apply(&values, &shape).unwrap());
            assert_eq!(fast.sqnr_db.to_bits(), e.sqnr_db.to_bits(), "{}", s.name());
            assert_eq!(
                fast.max_abs_error.to_bits(),
                e.max_abs.to_bits(),
                "{}",
                s.name()
            );
            assert_eq!(fast.mse.to_bits(), e.mse.to_bits(), "{}", s.name());
        }
        let mut with_inf = values.clone();
        with_inf[500] = f32::INFINITY;
        let s = TensorScheme::parse("bfloat16").unwrap();
        let e = error_stats(&with_inf, &s.apply(&with_inf, &shape).unwrap());
        assert_eq!(s.error(&with_inf, &shape).unwrap().mse, e.mse);
        assert_eq!(e.skipped, 1);
    }
}
