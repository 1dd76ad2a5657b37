//! `downcast` and `quantize`: the CLI over the tensor and quantization cores.

use super::{CliError, pretty, rounding_mode};
use crate::formats::Format;
use crate::formats::decimal::shortest_repr;
use crate::model::Checkpoint;
use crate::quant::block::{BlockScheme, quantize_blocks};
use crate::quant::linear::quant_error;
use crate::quant::{Granularity, Mode, QType, Scheme, quantize as quantize_tensor};
use crate::tensor::lab::{LabRequest, Target, run};
use crate::tensor::random::{Distribution, KINDS, MAX_SIZE};
use crate::tensor::stats::sqnr_text;
use crate::tensor::{Cancelled, Progress};
use serde_json::{Value, json};
use std::path::Path;

/// `quantscope downcast`.
pub fn downcast(
    dist: &str,
    size: usize,
    seed: u64,
    to: &str,
    rounding: &str,
    json: bool,
) -> Result<String, CliError> {
    let dist = Distribution::named(dist).ok_or_else(|| {
        CliError(format!(
            "unknown distribution '{}' (one of: {})",
            crate::formats::spec::printable(dist),
            KINDS.join(", ")
        ))
    })?;
    if size == 0 || size > MAX_SIZE {
        return Err(CliError(format!(
            "--size must be between 1 and {MAX_SIZE}, got {size}"
        )));
    }
    let req = LabRequest {
        dist,
        size,
        seed,
        target: Target::Cast(Format::parse(to)?),
        rounding: rounding_mode(rounding)?,
        bins: 64,
        range: None,
    };
    let report = run(&req, &Progress::new())
        .map_err(|Cancelled| CliError("cancelled".into()))?
        .map_err(CliError)?;
    if json {
        return Ok(pretty(&serde_json::to_value(&report)?));
    }
    let mut out = format!(
        "{} values of {}, seed {}, cast to {} ({})\n",
        report.size, report.dist, report.seed, report.target, report.rounding
    );
    out += &format!(
        "original: min {} max {} mean {} std {}\nstored:   min {} max {} mean {} std {}\n",
        g(report.original.min),
        g(report.original.max),
        g(report.original.mean),
        g(report.original.std),
        g(report.stored.min),
        g(report.stored.max),
        g(report.stored.mean),
        g(report.stored.std),
    );
    let c = report.counts;
    out += &format!(
        "exact {}  underflow {}  overflow {}  saturated {}\n",
        c.exact, c.underflow, c.overflow, c.saturated
    );
    let e = report.error;
    out += &format!(
        "error: mean |e| {}  max |e| {}  rmse {}  max rel {}  SQNR {}\n",
        g(e.mean_abs),
        g(e.max_abs),
        g(e.rmse),
        g(e.max_rel),
        sqnr_text(e.sqnr_db, |x| format!("{} dB", g(x)))
    );
    out += "dot(x, x):\n";
    for d in &report.dot {
        out += &format!(
            "  {:<60} {:>14}  error {}\n",
            d.label,
            shortest_repr(d.value),
            g(d.error)
        );
    }
    out += "first values (original -> stored):\n";
    for r in &report.first {
        out += &format!(
            "  {:<12} -> {:<14} {}\n",
            r.original,
            shortest_repr(r.stored),
            r.bits
        );
    }
    Ok(out)
}

fn g(x: f64) -> String {
    crate::formats::decimal::c_format_g(x, 6)
}

/// What `quantscope quantize` was asked.
pub struct QuantizeArgs<'a> {
    /// The .safetensors file.
    pub file: &'a Path,
    /// The tensor's name.
    pub tensor: &'a str,
    /// A quantization type (int8 …) or a block scheme (mxfp4 …).
    pub scheme: &'a str,
    /// symmetric / asymmetric (not for block schemes).
    pub mode: Option<&'a str>,
    /// tensor, channel[:AXIS], group:N (not for block schemes).
    pub granularity: Option<&'a str>,
    /// NVFP4's per-tensor scale.
    pub tensor_scale: bool,
    /// NF4's double quantization.
    pub double_quant: bool,
    /// JSON output.
    pub json: bool,
    /// Include the codes `q`.
    pub dump_q: bool,
}

/// `quantscope quantize`.
pub fn quantize(a: &QuantizeArgs) -> Result<String, CliError> {
    if let Ok(block) = a.scheme.parse::<BlockScheme>() {
        return quantize_block(a, block);
    }
    if let Some(t) = crate::ggml::GgmlType::scheme(a.scheme) {
        return quantize_ggml(a, t);
    }
    if a.tensor_scale || a.double_quant {
        return Err(CliError(format!(
            "--tensor-scale is for nvfp4 and --double-quant for nf4, not {}",
            crate::formats::spec::printable(a.scheme)
        )));
    }
    let qtype: QType = a.scheme.parse().map_err(|e: String| {
        CliError(format!(
            "{e}; block schemes: {}",
            BlockScheme::ALL.map(|b| b.name()).join(", ")
        ))
    })?;
    let mode: Mode = match a.mode {
        Some(m) => m.parse().map_err(CliError)?,
        None if matches!(qtype, QType::UInt8 | QType::UInt4) => Mode::Asymmetric,
        None => Mode::Symmetric,
    };
    let granularity: Granularity = a
        .granularity
        .unwrap_or("tensor")
        .parse()
        .map_err(CliError)?;
    let scheme = Scheme {
        qtype,
        mode,
        granularity,
    };
    let ckpt = Checkpoint::open(a.file).map_err(CliError)?;
    let (values, shape) = ckpt.values_f32(a.tensor).map_err(CliError)?;
    let q = quantize_tensor(&values, &shape, &scheme).map_err(CliError)?;
    let err = q.error(&values);
    let mut obj = json!({
        "tensor": a.tensor,
        "shape": shape,
        "scheme": qtype.name(),
        "mode": mode.name(),
        "granularity": granularity.name(),
        "scale": q.scale,
        "zero_point": q.zero_point,
        "mse": num(err.mse),
        "max_abs_error": num(err.max_abs_error),
        "sqnr_db": num(err.sqnr_db),
    });
    if a.dump_q {
        obj["q"] = if qtype.is_int() {
            Value::from(q.q.iter().map(|&v| v as i64).collect::<Vec<_>>())
        } else {
            Value::from(q.q.iter().map(|&v| v as f64).collect::<Vec<_>>())
        };
    }
    if a.json {
        return Ok(pretty(&obj));
    }
    Ok(format!(
        "{} {shape:?} → {scheme}: {} scale(s), MSE {}, max |error| {}, SQNR {}\n",
        a.tensor,
        q.groups,
        g(err.mse),
        g(err.max_abs_error),
        sqnr_text(err.sqnr_db, |x| format!("{} dB", g(x)))
    ))
}

/// `quantscope quantize --scheme q4_0|…|ggml_mxfp4`: the tensor's rows in ggml blocks, as
/// `ggml_quantize_chunk` writes them without an importance matrix.
fn quantize_ggml(a: &QuantizeArgs, t: crate::ggml::GgmlType) -> Result<String, CliError> {
    if a.mode.is_some() || a.granularity.is_some() || a.tensor_scale || a.double_quant {
        return Err(CliError(format!(
            "{} sets its own blocks and scales: drop --mode / --granularity / --tensor-scale / --double-quant",
            a.scheme
        )));
    }
    let files = crate::model::ModelFiles::open(a.file).map_err(CliError)?;
    let (values, shape) = files.values_f32(a.tensor).map_err(CliError)?;
    let row = shape.last().copied().unwrap_or(values.len());
    if row == 0 || !row.is_multiple_of(t.block_size()) {
        return Err(CliError(format!(
            "{} {shape:?}: its last dimension ({row}) is not a multiple of {t}'s block of {}",
            crate::formats::spec::printable(a.tensor),
            t.block_size()
        )));
    }
    let blocks = crate::ggml::quantize_par(t, &values, row).map_err(CliError)?;
    let mut decoded = vec![0f32; values.len()];
    crate::ggml::dequantize_par(t, &blocks, &mut decoded).map_err(CliError)?;
    let err = quant_error(&values, &decoded);
    let mut obj = json!({
        "tensor": a.tensor,
        "shape": shape,
        "scheme": a.scheme.to_ascii_lowercase(),
        "ggml_type": t.name(),
        "block_size": t.block_size(),
        "bits_per_value": t.bits_per_value(),
        "bytes": blocks.len(),
        "mse": num(err.mse),
        "max_abs_error": num(err.max_abs_error),
        "sqnr_db": num(err.sqnr_db),
    });
    if a.dump_q {
        let hex: String = blocks.iter().map(|b| format!("{b:02x}")).collect();
        obj["bytes_hex"] = json!(hex);
    }
    if a.json {
        return Ok(pretty(&obj));
    }
    Ok(format!(
        "{} {shape:?} → {t}: {} blocks of {}, {} bits per value, MSE {}, max |error| {}, SQNR {}\n",
        a.tensor,
        values.len() / t.block_size(),
        t.block_size(),
        t.bits_per_value(),
        g(err.mse),
        g(err.max_abs_error),
        sqnr_text(err.sqnr_db, |x| format!("{} dB", g(x)))
    ))
}

/// A finite number, or JSON null.
fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// `quantscope quantize --scheme mxfp4|…|nvfp4|nf4`.
fn quantize_block(a: &QuantizeArgs, block: BlockScheme) -> Result<String, CliError> {
    if a.mode.is_some() || a.granularity.is_some() {
        return Err(CliError(format!(
            "{} sets its own blocks and scales: drop --mode / --granularity",
            block.name()
        )));
    }
    let block = match block {
        BlockScheme::Nvfp4 { .. } => BlockScheme::Nvfp4 {
            tensor_scale: a.tensor_scale,
        },
        BlockScheme::Nf4 { .. } => BlockScheme::Nf4 {
            double_quant: a.double_quant,
        },
        _ if a.tensor_scale || a.double_quant => {
            return Err(CliError(format!(
                "--tensor-scale is for nvfp4 and --double-quant for nf4, not {}",
                block.name()
            )));
        }
        other => other,
    };
    let ckpt = Checkpoint::open(a.file).map_err(CliError)?;
    let (values, shape) = ckpt.values_f32(a.tensor).map_err(CliError)?;
    let q = quantize_blocks(&values, &shape, block).map_err(CliError)?;
    let err = quant_error(&values, &q.dequantized);
    let mut obj = json!({
        "tensor": a.tensor,
        "shape": shape,
        "scheme": block.name(),
        "block_size": block.block_size(),
        "bits_per_value": block.bits_per_value(),
        "element_format": block.element_format().map(|f| f.name()),
        "scale_format": block.scale_format().name(),
        "scale": q.scales,
        "scale_bits": q.scale_bits,
        "mse": num(err.mse),
        "max_abs_error": num(err.max_abs_error),
        "sqnr_db": num(err.sqnr_db),
    });
    match block {
        BlockScheme::Nvfp4 { tensor_scale: true } => {
            obj["tensor_scale"] = json!(q.tensor_scale.map(f64::from));
        }
        BlockScheme::Nf4 { double_quant: true } => {
            obj["double_quant_offset"] = json!(q.tensor_scale.map(f64::from));
        }
        _ => {}
    }
    if a.dump_q {
        obj["q"] = Value::from(q.codes.clone());
    }
    if a.json {
        return Ok(pretty(&obj));
    }
    Ok(format!(
        "{} {shape:?} → {block}: {} blocks of {}, {} bits per value, MSE {}, max |error| {}, SQNR {}\n",
        a.tensor,
        q.blocks(),
        block.block_size(),
        block.bits_per_value(),
        g(err.mse),
        g(err.max_abs_error),
        sqnr_text(err.sqnr_db, |x| format!("{} dB", g(x)))
    ))
}
