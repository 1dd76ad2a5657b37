//! MobileViT against transformers: the reference fixtures in tests/fixtures/mobilevit were
//! made by scripts/make_mobilevit_fixtures.py (transformers 5.24, torch 2.15).

use candle_core::{Device, Tensor};
use quantscope::infer::Precision;
use quantscope::infer::mobilevit::{MobileVitConfig, load};
use quantscope::model::{Checkpoint, ModelFiles};
use std::path::Path;

fn check(name: &str) {
    let dir = Path::new("tests/fixtures/mobilevit").join(name);
    let files = ModelFiles::open(&dir).unwrap();
    let cfg = MobileVitConfig::from_json(files.config.as_ref().unwrap()).unwrap();
    let model = load(&files, cfg, Precision::F32).unwrap();
    let reference = Checkpoint::open(&dir.join("reference.safetensors")).unwrap();
    let (px, shape) = reference.values_f32("pixel_values").unwrap();
    let x = Tensor::from_vec(px, shape.as_slice(), &Device::Cpu).unwrap();
    let mut layers = Vec::new();
    let logits: Vec<f32> = model
        .forward(&x, Some(&mut layers))
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    // Layer by layer: transformers' hidden_states are the five encoder layers' outputs.
    for i in 0..5 {
        let (want, _) = reference.values_f32(&format!("hidden_state_{i}")).unwrap();
        let got: Vec<f32> = layers[i + 1].1.flatten_all().unwrap().to_vec1().unwrap();
        assert_eq!(got.len(), want.len(), "{name} layer {}", i + 1);
        let err = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(err < 1e-4, "{name} {}: max |error| {err}", layers[i + 1].0);
    }
    let (want, _) = reference.values_f32("logits_fp32").unwrap();
    let err = logits
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(
        err < 1e-4,
        "{name}: logits differ by {err}: {logits:?} vs {want:?}"
    );
}

#[test]
fn tiny_fp32_logits_match_transformers() {
    check("tiny");
}

#[test]
fn tiny_p1_fp32_logits_match_transformers() {
    check("tiny_p1");
}

#[test]
fn preprocessing_matches_the_hugging_face_processor_exactly() {
    use quantscope::infer::preprocess::{ImageProcessor, load_image};
    for name in ["tiny", "tiny_p1"] {
        let dir = Path::new("tests/fixtures/mobilevit").join(name);
        let cfg: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("preprocessor_config.json")).unwrap()).unwrap();
        let proc = ImageProcessor::from_json(Some(&cfg), 0);
        let img = load_image(Path::new("tests/fixtures/mobilevit/image.png")).unwrap();
        let (px, (h, w)) = proc.pixels(&img);
        let reference = Checkpoint::open(&dir.join("reference.safetensors")).unwrap();
        let (want, shape) = reference.values_f32("pixel_values").unwrap();
        assert_eq!(shape, vec![1, 3, h as usize, w as usize]);
        let diff = px.iter().zip(&want).filter(|(a, b)| a != b).count();
        assert_eq!(diff, 0, "{name}: {diff} pixel values differ from transformers'");
    }
}
