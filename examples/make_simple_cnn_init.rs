//! Writes `assets/models/simple_cnn/`: SimpleCNN's weights at PyTorch's default
//! initialisation (U(−1/√fan_in, 1/√fan_in)), seeded, so the Model panel has a checkpoint to
//! open with nothing downloaded. (Training replaces them with learned weights.)
//!
//!     cargo run --example make_simple_cnn_init

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new("assets/models/simple_cnn");
    std::fs::create_dir_all(dir)?;
    let mut rng = StdRng::seed_from_u64(2024);
    // (name, shape, fan_in)
    let layers: [(&str, Vec<usize>, usize); 8] = [
        ("conv1.weight", vec![8, 1, 3, 3], 9),
        ("conv1.bias", vec![8], 9),
        ("conv2.weight", vec![16, 8, 3, 3], 72),
        ("conv2.bias", vec![16], 72),
        ("fc1.weight", vec![64, 16 * 7 * 7], 784),
        ("fc1.bias", vec![64], 784),
        ("fc2.weight", vec![10, 64], 64),
        ("fc2.bias", vec![10], 64),
    ];
    let mut bytes: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, shape, fan_in) in layers {
        let bound = 1.0 / (fan_in as f32).sqrt();
        let n: usize = shape.iter().product();
        let data: Vec<u8> = (0..n)
            .flat_map(|_| ((rng.random::<f32>() * 2.0 - 1.0) * bound).to_le_bytes())
            .collect();
        bytes.push((name.to_string(), shape, data));
    }
    let views: HashMap<String, TensorView<'_>> = bytes
        .iter()
        .map(|(n, s, d)| Ok((n.clone(), TensorView::new(Dtype::F32, s.clone(), d)?)))
        .collect::<Result<_, safetensors::SafeTensorError>>()?;
    let meta = HashMap::from([
        ("format".to_string(), "pt".to_string()),
        (
            "weights".to_string(),
            "initialisation (untrained), seed 2024".to_string(),
        ),
    ]);
    safetensors::serialize_to_file(&views, Some(meta), &dir.join("model.safetensors"))?;
    let config = serde_json::json!({
        "architectures": ["SimpleCNN"],
        "model_type": "simple_cnn",
        "num_channels": 1,
        "image_size": 28,
        "id2label": (0..10).map(|i| (i.to_string(), serde_json::Value::from(i.to_string()))).collect::<serde_json::Map<_, _>>(),
    });
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_string_pretty(&config)? + "\n",
    )?;
    println!("wrote {}", dir.display());
    Ok(())
}
