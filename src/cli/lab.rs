//! `downcast` and `quantize`: the CLI over the tensor and quantization cores.

use super::{CliError, pretty, rounding_mode};
use crate::formats::Format;
use crate::formats::decimal::shortest_repr;
use crate::model::Checkpoint;
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

/// `quantscope quantize`.
pub fn quantize(
    file: &Path,
    tensor: &str,
    scheme: &str,
    mode: Option<&str>,
    granularity: &str,
    json: bool,
    dump_q: bool,
) -> Result<String, CliError> {
    let qtype: QType = scheme.parse().map_err(CliError)?;
    let mode: Mode = match mode {
        Some(m) => m.parse().map_err(CliError)?,
        None if matches!(qtype, QType::UInt8 | QType::UInt4) => Mode::Asymmetric,
        None => Mode::Symmetric,
    };
    let granularity: Granularity = granularity.parse().map_err(CliError)?;
    let scheme = Scheme {
        qtype,
        mode,
        granularity,
    };
    let ckpt = Checkpoint::open(file).map_err(CliError)?;
    let (values, shape) = ckpt.values_f32(tensor).map_err(CliError)?;
    let q = quantize_tensor(&values, &shape, &scheme).map_err(CliError)?;
    let err = q.error(&values);
    let num = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    let mut obj = json!({
        "tensor": tensor,
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
    if dump_q {
        obj["q"] = if qtype.is_int() {
            Value::from(q.q.iter().map(|&v| v as i64).collect::<Vec<_>>())
        } else {
            Value::from(q.q.iter().map(|&v| v as f64).collect::<Vec<_>>())
        };
    }
    if json {
        return Ok(pretty(&obj));
    }
    Ok(format!(
        "{tensor} {shape:?} → {scheme}: {} scale(s), MSE {}, max |error| {}, SQNR {}\n",
        q.groups,
        g(err.mse),
        g(err.max_abs_error),
        sqnr_text(err.sqnr_db, |x| format!("{} dB", g(x)))
    ))
}
