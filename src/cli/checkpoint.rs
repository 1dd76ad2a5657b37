//! `inspect` and `sensitivity`: the CLI over the checkpoint core.

use super::{CliError, pretty};
use crate::formats::decimal::c_format_g;
use crate::model::ModelFiles;
use crate::model::analysis::{TensorScheme, sensitivity as sensitivity_table, sensitivity_csv};
use crate::model::footprint::footprint;
use crate::tensor::stats::Summary;
use crate::tensor::{Cancelled, Progress};
use serde_json::{Map, Value, json};
use std::path::Path;

/// `quantscope inspect`.
pub fn inspect(path: &Path, stats: bool, as_json: bool) -> Result<String, CliError> {
    let files = ModelFiles::open(path).map_err(CliError)?;
    let gguf = files.gguf();
    let mut tensors = Vec::new();
    for t in &files.tensors {
        let mut obj = json!({
            "name": t.name,
            "dtype": t.dtype_label(),
            "shape": t.shape,
            "params": t.params(),
            "bytes": t.bytes(),
            "bits_per_value": t.bits_per_value(),
        });
        if let Some(g) = files.shards[t.shard].gguf()
            && let Some(info) = g.info(&t.name)
        {
            // Where its blocks start in its file (gguf-py's ReaderTensor.data_offset).
            obj["offset"] = json!(g.header().range(info).start);
        }
        if stats {
            let (values, _) = files.values_f64(&t.name).map_err(CliError)?;
            obj["stats"] = summary_json(&Summary::of(values.iter().copied()));
        }
        tensors.push(obj);
    }
    let rows = footprint(&files.tensors);
    let fp: Map<String, Value> = rows
        .iter()
        .map(|r| (r.key.to_string(), json!(r.bytes)))
        .collect();
    let mut out = json!({
        "path": path.display().to_string(),
        "format": if gguf.is_some() { "gguf" } else { "safetensors" },
        "shards": files.shards.len(),
        "tensors": tensors,
        "total_params": files.total_params(),
        "total_bytes": files.total_bytes(),
        "file_bytes": files.file_bytes(),
        "footprint": fp,
        "metadata": files.metadata,
        "config": files.config,
    });
    if let Some(h) = gguf {
        out["version"] = json!(h.version);
        out["metadata"] = Value::Object(
            h.metadata
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect(),
        );
    }
    if as_json {
        return Ok(pretty(&out));
    }
    let mut text = format!(
        "{}: {} tensors in {} file(s), {} parameters, {} bytes of data\n",
        path.display(),
        files.tensors.len(),
        files.shards.len(),
        files.total_params(),
        files.total_bytes()
    );
    for (t, obj) in files.tensors.iter().zip(&tensors) {
        text += &format!(
            "  {:<50} {:<8} {:<18} {:>12}",
            t.name,
            t.dtype_label(),
            format!("{:?}", t.shape),
            t.params()
        );
        if let Some(s) = obj.get("stats") {
            text += &format!("  min {} max {} mean {}", s["min"], s["max"], s["mean"]);
        }
        text.push('\n');
    }
    let fp32 = rows.first().map_or(1, |r| r.bytes.max(1));
    text += "memory:\n";
    for r in &rows {
        text += &format!(
            "  {:<30} {:>10.3} MB  {:.3}× FP32\n",
            r.label,
            r.bytes as f64 / 1e6,
            r.bytes as f64 / fp32 as f64
        );
    }
    Ok(text)
}

fn summary_json(s: &Summary) -> Value {
    let num = |x: f64| if x.is_finite() { json!(x) } else { Value::Null };
    json!({
        "min": num(s.min),
        "max": num(s.max),
        "mean": num(s.mean),
        "std": num(s.std),
        "zeros": s.zeros,
        "nan": s.nan,
        "inf": s.inf,
    })
}

/// `quantscope sensitivity`.
pub fn sensitivity(
    path: &Path,
    schemes: &str,
    as_json: bool,
    csv: bool,
) -> Result<String, CliError> {
    let schemes = TensorScheme::parse_list(schemes).map_err(CliError)?;
    let files = ModelFiles::open(path).map_err(CliError)?;
    let rows = sensitivity_table(&files, &schemes, &Progress::new())
        .map_err(|Cancelled| CliError("cancelled".into()))?;
    if csv {
        return Ok(sensitivity_csv(&rows, &schemes));
    }
    if as_json {
        return Ok(pretty(&serde_json::to_value(&rows)?));
    }
    let mut text = format!("{:<50}", "SQNR dB (higher is better)");
    for s in &schemes {
        text += &format!(" {:>16}", s.name());
    }
    text.push('\n');
    for r in &rows {
        text += &format!("{:<50}", r.tensor);
        for s in &schemes {
            let cell = r
                .errors
                .iter()
                .find(|e| e.scheme == s.name())
                .map_or("-".to_string(), |e| {
                    crate::tensor::stats::sqnr_text(e.sqnr_db, |x| c_format_g(x, 4))
                });
            text += &format!(" {cell:>16}");
        }
        text.push('\n');
    }
    Ok(text)
}

/// `quantscope dequantize`: one tensor decoded to F32, written as a safetensors file under its
/// own name. Refuses to overwrite without `force`, and never writes over the checkpoint.
pub fn dequantize(path: &Path, tensor: &str, out: &Path, force: bool) -> Result<String, CliError> {
    let files = ModelFiles::open(path).map_err(CliError)?;
    let (values, shape) = files.values_f32(tensor).map_err(CliError)?;
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if files.shards.iter().any(|s| same(s.path(), out)) {
        return Err(CliError(format!(
            "{} is the checkpoint itself: quantscope never writes over the files it opens",
            out.display()
        )));
    }
    if out.exists() && !force {
        return Err(CliError(format!(
            "{} exists; pass --force to overwrite it",
            out.display()
        )));
    }
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let view = safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), &bytes)
        .map_err(|e| CliError(format!("cannot write {tensor}: {e}")))?;
    let data = safetensors::serialize([(tensor, view)], None)
        .map_err(|e| CliError(format!("cannot write {tensor}: {e}")))?;
    std::fs::write(out, data)
        .map_err(|e| CliError(format!("cannot write {}: {e}", out.display())))?;
    Ok(format!(
        "wrote {} ({} values, shape {:?}, F32) to {}\n",
        crate::formats::spec::printable(tensor),
        values.len(),
        shape,
        out.display()
    ))
}
