//! `classify`: the CLI over the inference core.

use super::{CliError, pretty};
use crate::infer::Precision;
use crate::infer::preprocess::load_image;
use crate::infer::run::Classifier;
use crate::model::Checkpoint;
use std::path::Path;

/// `quantscope classify`.
pub fn classify(
    model: Option<&Path>,
    image: Option<&Path>,
    pixel_values: Option<&Path>,
    dtype: &str,
    json: bool,
) -> Result<String, CliError> {
    let precision: Precision = dtype.parse().map_err(CliError)?;
    let bundled = crate::infer::run::bundled_checkpoint();
    let path = match model {
        Some(p) => p.to_path_buf(),
        None => bundled
            .ok_or_else(|| CliError("the bundled SimpleCNN was not found; pass --model".into()))?,
    };
    let classifier = Classifier::load(&path).map_err(CliError)?;
    let pixels = match (image, pixel_values) {
        (Some(img), None) => classifier.preprocess(&load_image(img).map_err(CliError)?),
        (None, Some(pv)) => {
            let ckpt = Checkpoint::open(pv).map_err(CliError)?;
            let (values, shape) = ckpt.values_f32("pixel_values").map_err(CliError)?;
            let [c, h, w] = classifier.input;
            if shape != [1, c, h, w] {
                return Err(CliError(format!(
                    "pixel_values has shape {shape:?}; {} needs [1, {c}, {h}, {w}]",
                    classifier.architecture
                )));
            }
            values
        }
        _ => {
            return Err(CliError(
                "give exactly one of --image or --pixel-values".into(),
            ));
        }
    };
    let p = classifier.run(&pixels, precision).map_err(CliError)?;
    if json {
        return Ok(pretty(&serde_json::to_value(&p)?));
    }
    let mut out = format!(
        "{} in {} ({:.2} ms, weights {} bytes)\n",
        classifier.architecture,
        precision.label(),
        p.ms,
        p.weight_bytes
    );
    for r in &p.top5 {
        out += &format!("  {:>6.2}%  {}\n", r.prob * 100.0, r.label);
    }
    Ok(out)
}
