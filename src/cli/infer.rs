//! `classify` and `compare`: the CLI over the inference core.

use super::{CliError, pretty};
use crate::infer::Precision;
use crate::infer::compare::run_all;
use crate::infer::preprocess::load_image;
use crate::infer::run::Classifier;
use crate::model::Checkpoint;
use std::path::PathBuf;

/// The model and input flags `classify` and `compare` share.
#[derive(clap::Args, Debug)]
pub struct ModelInput {
    /// Model: a checkpoint file or folder (default: the bundled SimpleCNN).
    #[arg(long)]
    model: Option<PathBuf>,
    /// An image file (PNG, JPEG, WebP).
    #[arg(long, conflicts_with = "pixel_values")]
    image: Option<PathBuf>,
    /// A .safetensors file with tensor `pixel_values` [1, C, H, W] f32, already preprocessed.
    #[arg(long)]
    pixel_values: Option<PathBuf>,
}

/// `quantscope classify`.
pub fn classify(input: &ModelInput, dtype: &str, json: bool) -> Result<String, CliError> {
    let precision: Precision = dtype.parse().map_err(CliError)?;
    let (classifier, pixels) = model_and_input(input)?;
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

/// `quantscope compare`: the input in every precision, each against float32.
pub fn compare(input: &ModelInput, layers: bool, json: bool) -> Result<String, CliError> {
    let (classifier, pixels) = model_and_input(input)?;
    let progress = crate::tensor::Progress::new();
    let result = run_all(&classifier, &pixels, &progress).map_err(CliError)?;
    if json {
        return Ok(pretty(&result.to_json(layers)));
    }
    let mut out = format!(
        "{} in every precision\n{:<22} {:<16} {:>8} {:>14} {:>14} {:>7} {:>12} {:>9}\n",
        classifier.architecture,
        "precision",
        "top-1",
        "p",
        "mean |dlogit|",
        "max |dlogit|",
        "agrees",
        "weights (B)",
        "ms"
    );
    for (p, d) in result.predictions.iter().zip(&result.differences) {
        let label = p
            .dtype
            .parse::<Precision>()
            .map_or(p.dtype.clone(), |x| x.label().to_string());
        let (top, prob) = p
            .top5
            .first()
            .map_or((String::new(), 0.0), |r| (r.label.clone(), r.prob));
        out += &format!(
            "{label:<22} {top:<16} {prob:>8.4} {:>14} {:>14} {:>7} {:>12} {:>9.2}\n",
            crate::formats::decimal::c_format_g(d.mean_abs, 4),
            crate::formats::decimal::c_format_g(d.max_abs, 4),
            if d.top1_agrees { "yes" } else { "NO" },
            p.weight_bytes,
            p.ms
        );
        if layers {
            for (name, e) in &d.layer_rel_error {
                out += &format!(
                    "    {name:<30} rel. error {}\n",
                    crate::formats::decimal::c_format_g(*e, 4)
                );
            }
        }
    }
    Ok(out)
}

/// The model (`--model`, or the bundled SimpleCNN) and its input: an image, preprocessed
/// as the model's processor does, or ready `pixel_values` of the model's input shape.
fn model_and_input(input: &ModelInput) -> Result<(Classifier, Vec<f32>), CliError> {
    let (image, pixel_values) = (input.image.as_deref(), input.pixel_values.as_deref());
    let bundled = crate::infer::run::bundled_checkpoint();
    let path = match &input.model {
        Some(p) => p.clone(),
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
    Ok((classifier, pixels))
}
