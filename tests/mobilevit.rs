//! MobileViT against transformers: the reference fixtures in tests/fixtures/mobilevit were
//! made by scripts/make_mobilevit_fixtures.py (transformers 5.24, torch 2.15).

use candle_core::{Device, Tensor};
use quantscope::infer::Precision;
use quantscope::infer::mobilevit::{MobileVitConfig, load};
use quantscope::model::{Checkpoint, ModelFiles};
use std::path::Path;

/// Largest |a − b| over two equally long slices.
fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

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
        let err = max_abs_diff(&got, &want);
        assert!(err < 1e-4, "{name} {}: max |error| {err}", layers[i + 1].0);
    }
    let (want, _) = reference.values_f32("logits_fp32").unwrap();
    let err = max_abs_diff(&logits, &want);
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
    use quantscope::infer::preprocess::{ImageProcessor, ProcessorKind, load_image};
    for name in ["tiny", "tiny_p1"] {
        let dir = Path::new("tests/fixtures/mobilevit").join(name);
        let cfg: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("preprocessor_config.json")).unwrap(),
        )
        .unwrap();
        let proc = ImageProcessor::from_json(Some(&cfg), ProcessorKind::MobileVit, 0).unwrap();
        let img = load_image(Path::new("tests/fixtures/mobilevit/image.png")).unwrap();
        let (px, (h, w)) = proc.pixels(&img);
        let reference = Checkpoint::open(&dir.join("reference.safetensors")).unwrap();
        let (want, shape) = reference.values_f32("pixel_values").unwrap();
        assert_eq!(shape, vec![1, 3, h as usize, w as usize]);
        let diff = px.iter().zip(&want).filter(|(a, b)| a != b).count();
        assert_eq!(
            diff, 0,
            "{name}: {diff} pixel values differ from transformers'"
        );
    }
}

#[test]
fn from_the_image_in_every_precision() {
    use quantscope::infer::preprocess::load_image;
    use quantscope::infer::run::{Classifier, difference};
    for name in ["tiny", "tiny_p1"] {
        let dir = Path::new("tests/fixtures/mobilevit").join(name);
        let model = Classifier::load(&dir).unwrap();
        assert_eq!(model.architecture, "MobileViT");
        let px =
            model.preprocess(&load_image(Path::new("tests/fixtures/mobilevit/image.png")).unwrap());
        let reference = Checkpoint::open(&dir.join("reference.safetensors")).unwrap();
        let (want, _) = reference.values_f32("logits_fp32").unwrap();
        let fp32 = model.run(&px, Precision::F32).unwrap();
        let err = max_abs_diff(&fp32.logits, &want);
        assert!(err < 1e-4, "{name}: FP32 from the image differs by {err}");
        assert_eq!(fp32.top5[0].label, format!("class {}", fp32.top5[0].index));
        // Every precision runs on the CPU, FP16 included.
        let (torch_bf16, _) = reference.values_f32("logits_bf16").unwrap();
        for p in Precision::ALL {
            let r = model.run(&px, p).unwrap();
            let d = difference(&r, &fp32);
            assert!(d.max_abs < 0.05, "{name} {p}: {}", d.max_abs);
            if p == Precision::BF16 {
                let ours: f64 = r
                    .logits
                    .iter()
                    .zip(&torch_bf16)
                    .map(|(a, b)| (a - b).abs() as f64)
                    .sum::<f64>()
                    / want.len() as f64;
                let torch: f64 = want
                    .iter()
                    .zip(&torch_bf16)
                    .map(|(a, b)| (a - b).abs() as f64)
                    .sum::<f64>()
                    / want.len() as f64;
                eprintln!(
                    "{name}: mean |ours bf16 − torch bf16| {ours:.2e}; mean |fp32 − torch bf16| {torch:.2e}; ours vs fp32 {:.2e}",
                    d.mean_abs
                );
                // Per-op bf16 rounding reproduces torch's bf16 model far better than fp32 does.
                assert!(ours < 0.5 * torch, "{name}: {ours} vs {torch}");
            }
        }
    }
}

#[test]
fn mismatched_mobilevit_checkpoints_name_the_problem() {
    use quantscope::infer::run::Classifier;
    let dir = std::env::temp_dir().join(format!("quantscope-mvit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = Path::new("tests/fixtures/mobilevit/tiny");
    std::fs::copy(src.join("model.safetensors"), dir.join("model.safetensors")).unwrap();
    // A config with other sizes than the weights.
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("config.json")).unwrap()).unwrap();
    cfg["hidden_sizes"] = serde_json::json!([16, 24, 40]);
    std::fs::write(dir.join("config.json"), cfg.to_string()).unwrap();
    let err = Classifier::load(&dir).unwrap_err();
    assert!(err.contains("shape") && err.contains("layer.4"), "{err}");
    cfg["hidden_sizes"] = serde_json::json!([16, 24]);
    std::fs::write(dir.join("config.json"), cfg.to_string()).unwrap();
    assert!(Classifier::load(&dir).unwrap_err().contains("hidden_sizes"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn classify_cli_runs_mobilevit_from_an_image_or_pixel_values() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_quantscope"))
            .args(args)
            .output()
            .unwrap()
    };
    let dir = "tests/fixtures/mobilevit/tiny";
    for input in [
        ["--image", "tests/fixtures/mobilevit/image.png"],
        [
            "--pixel-values",
            "tests/fixtures/mobilevit/tiny/reference.safetensors",
        ],
    ] {
        let out = run(&[
            "classify", "--model", dir, input[0], input[1], "--dtype", "float16", "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["dtype"], "float16");
        assert_eq!(v["logits"].as_array().unwrap().len(), 5);
        assert!(
            v["top5"][0]["label"]
                .as_str()
                .unwrap()
                .starts_with("class ")
        );
    }
}

#[test]
fn feature_maps_off_the_patch_grid_are_interpolated_like_transformers() {
    // 72 × 72 input: layer 3 sees 9 × 9 features, not a multiple of the 2-pixel patches.
    let dir = Path::new("tests/fixtures/mobilevit/tiny");
    let files = ModelFiles::open(dir).unwrap();
    let cfg = MobileVitConfig::from_json(files.config.as_ref().unwrap()).unwrap();
    let model = load(&files, cfg, Precision::F32).unwrap();
    let reference = Checkpoint::open(&dir.join("reference_72.safetensors")).unwrap();
    let (px, shape) = reference.values_f32("pixel_values").unwrap();
    let x = Tensor::from_vec(px, shape.as_slice(), &Device::Cpu).unwrap();
    let logits: Vec<f32> = model
        .forward(&x, None)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    let (want, _) = reference.values_f32("logits_fp32").unwrap();
    let err = max_abs_diff(&logits, &want);
    assert!(err < 1e-4, "logits differ by {err}");
}
