//! Write a random MobileViT-small-sized checkpoint (Hugging Face layout) and an input for the
//! speed comparison with PyTorch (`scripts/bench_mobilevit.py`):
//!
//!     cargo run --release --example make_mobilevit_small -- DIR
//!
//! DIR gets `config.json`, `model.safetensors` (f32, Kaiming-scaled, seed 0),
//! `preprocessor_config.json` and `pixel_values.safetensors` ([1, 3, 256, 256], seed 1).

use rand::{RngExt as _, SeedableRng as _};
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "mobilevit-small-random".into()),
    );
    if let Err(e) = write(&dir) {
        eprintln!("make_mobilevit_small: {e}");
        std::process::exit(2);
    }
    println!("wrote {}", dir.display());
}

fn write(dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    for (name, bytes) in quantscope::infer::synthetic::mobilevit_small(0)? {
        std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
    }
    let pre = serde_json::json!({
        "image_processor_type": "MobileViTImageProcessor",
        "crop_size": {"height": 256, "width": 256},
        "size": {"shortest_edge": 288},
        "do_flip_channel_order": true,
        "resample": 2
    });
    std::fs::write(dir.join("preprocessor_config.json"), pre.to_string())
        .map_err(|e| e.to_string())?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(1);
    let pixels: Vec<u8> = (0..3 * 256 * 256)
        .flat_map(|_| rng.random_range(0.0f32..1.0).to_le_bytes())
        .collect();
    let view = safetensors::tensor::TensorView::new(
        safetensors::tensor::Dtype::F32,
        vec![1, 3, 256, 256],
        &pixels,
    )
    .map_err(|e| e.to_string())?;
    let bytes =
        safetensors::serialize([("pixel_values", view)], None).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("pixel_values.safetensors"), bytes).map_err(|e| e.to_string())
}
