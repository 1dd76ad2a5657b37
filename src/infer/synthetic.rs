//! Random checkpoints of a real model's size, for benchmarks (no model hub here): a
//! MobileViT with transformers' `MobileViTConfig()` sizes (mobilevit-small: 5.6 M
//! parameters, 256×256, 1000 classes) in Hugging Face layout. Weights are Kaiming-scaled and
//! batch-norm statistics are not 0/1, so activations stay O(1) through every layer (the
//! transformers default of std 0.02 would shrink them to denormals and make timings
//! meaningless).

use super::mobilevit::{MobileVitConfig, checkpoint_tensors};
use rand::{RngExt as _, SeedableRng as _};
use rand_distr::{Distribution as _, Normal};
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;

/// `config.json` of the synthetic MobileViT-small (transformers' defaults, 1000 labels).
pub fn mobilevit_small_config() -> serde_json::Value {
    serde_json::json!({
        "model_type": "mobilevit",
        "architectures": ["MobileViTForImageClassification"],
        "num_labels": 1000,
        "id2label": (0..1000).map(|i| (i.to_string(), serde_json::Value::from(format!("class {i}")))).collect::<serde_json::Map<_, _>>(),
    })
}

/// The files of a random MobileViT-small, `config.json` and `model.safetensors` (f32), as
/// [`crate::model::ModelFiles::from_memory`] takes them; the same `seed` gives the same bytes.
pub fn mobilevit_small(seed: u64) -> Result<Vec<(String, Vec<u8>)>, String> {
    let config = mobilevit_small_config();
    let cfg = MobileVitConfig::from_json(&config)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = checkpoint_tensors(&cfg, 1000)
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let fan_in: usize = shape.iter().skip(1).product::<usize>().max(1);
            let values: Vec<f32> = if name.ends_with("running_var") {
                (0..n).map(|_| rng.random_range(0.5..1.5)).collect()
            } else if name.ends_with("running_mean") || name.ends_with(".bias") {
                (0..n).map(|_| rng.random_range(-0.1..0.1)).collect()
            } else if shape.len() == 1 {
                // Norm weights (batch and layer norm).
                (0..n).map(|_| rng.random_range(0.8..1.2)).collect()
            } else {
                let std = (2.0 / fan_in as f64).sqrt() as f32;
                let normal = Normal::new(0.0, std).map_err(|e| e.to_string())?;
                (0..n).map(|_| normal.sample(&mut rng)).collect()
            };
            Ok((
                name,
                shape,
                values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ))
        })
        .collect::<Result<_, String>>()?;
    let views: HashMap<String, TensorView<'_>> = tensors
        .iter()
        .map(|(n, s, b)| {
            TensorView::new(Dtype::F32, s.clone(), b)
                .map(|v| (n.clone(), v))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<_, _>>()?;
    let bytes = safetensors::serialize(&views, None).map_err(|e| e.to_string())?;
    Ok(vec![
        (
            "config.json".into(),
            serde_json::to_vec_pretty(&config).map_err(|e| e.to_string())?,
        ),
        ("model.safetensors".into(), bytes),
    ])
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_mobilevit_small_sized_model_loads_and_runs() {
        let files = super::mobilevit_small(0).unwrap();
        let m = crate::model::ModelFiles::from_memory("mobilevit-small (random)", files).unwrap();
        let params: u64 = m.tensors.iter().map(|t| t.params()).sum();
        // apple/mobilevit-small: 5.6 M parameters (the batch-norm statistics count here too).
        assert!((5_500_000..5_700_000).contains(&params), "{params}");
        let c = crate::infer::run::Classifier::from_shared(std::sync::Arc::new(m)).unwrap();
        assert_eq!(c.input, [3, 256, 256]);
        assert_eq!(c.labels.len(), 1000);
    }
}
