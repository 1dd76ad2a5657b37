//! One input through a model in every precision, each compared with FP32: what the Run view
//! shows and `quantscope compare` prints.

use super::Precision;
use super::run::{Classifier, Difference, Prediction, difference};
use crate::tensor::Progress;
use serde_json::{Value, json};

/// All precisions' results for one input.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RunResult {
    /// One prediction per precision, FP32 first.
    pub predictions: Vec<Prediction>,
    /// Each precision against FP32.
    pub differences: Vec<Difference>,
}

/// Run `pixels` through `model` in every precision (FP32 first); stops when cancelled.
pub fn run_all(
    model: &Classifier,
    pixels: &[f32],
    progress: &Progress,
) -> Result<RunResult, String> {
    progress.add_total(Precision::ALL.len() as u64);
    let mut predictions = Vec::new();
    for p in Precision::ALL {
        if progress.is_cancelled() {
            return Err("cancelled".into());
        }
        predictions.push(model.run(pixels, p)?);
        progress.advance(1);
    }
    let differences = predictions
        .iter()
        .map(|p| difference(p, &predictions[0]))
        .collect();
    Ok(RunResult {
        predictions,
        differences,
    })
}

impl RunResult {
    /// The `compare` JSON: one object per precision with `dtype`, `top5` [{index, label,
    /// prob}], `mean_abs_logit_diff`, `max_abs_logit_diff` (vs float32), `top1_agrees`,
    /// `weight_bytes`, `ms`, and with `layers` the per-layer relative error [{layer,
    /// rel_error}].
    pub fn to_json(&self, layers: bool) -> Value {
        let rows = self
            .predictions
            .iter()
            .zip(&self.differences)
            .map(|(p, d)| {
                let mut row = json!({
                    "dtype": p.dtype,
                    "top5": p.top5,
                    "mean_abs_logit_diff": d.mean_abs,
                    "max_abs_logit_diff": d.max_abs,
                    "top1_agrees": d.top1_agrees,
                    "weight_bytes": p.weight_bytes,
                    "ms": p.ms,
                });
                if layers {
                    row["layers"] = d
                        .layer_rel_error
                        .iter()
                        .map(|(name, e)| json!({"layer": name, "rel_error": e}))
                        .collect();
                }
                row
            })
            .collect();
        Value::Array(rows)
    }
}
