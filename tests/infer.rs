//! Inference: the bundled SimpleCNN on held-out digits in every precision, the numerics of
//! each precision, the `classify` CLI, and bad models / images.

mod common;

use common::*;
use image::DynamicImage;
use quantscope::infer::Precision;
use quantscope::infer::preprocess::{decode_image, digit_pixels};
use quantscope::infer::run::{Classifier, difference};
use std::path::Path;
use std::process::Command;

fn bundled() -> Classifier {
    Classifier::load(Path::new("assets/models/simple_cnn")).expect("bundled SimpleCNN")
}

/// The first `n` held-out digits (preprocessed) with their labels.
fn heldout(n: usize) -> Vec<(Vec<f32>, usize)> {
    let sheet = image::open("tests/fixtures/digits_heldout.png")
        .unwrap()
        .to_luma8();
    let labels: Vec<usize> = std::fs::read_to_string("tests/fixtures/digits_heldout.txt")
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    (0..n)
        .map(|i| {
            let tile = image::imageops::crop_imm(
                &sheet,
                (i as u32 % 40) * 28,
                (i as u32 / 40) * 28,
                28,
                28,
            )
            .to_image();
            (digit_pixels(&DynamicImage::ImageLuma8(tile)), labels[i])
        })
        .collect()
}

#[test]
fn every_precision_classifies_held_out_digits() {
    let model = bundled();
    let digits = heldout(200);
    for p in Precision::ALL {
        let correct = digits
            .iter()
            .filter(|(x, y)| model.run(x, p).unwrap().top1() == Some(*y))
            .count();
        // The README states 95.8 % on all 1 000 held-out digits in FP32.
        assert!(correct >= 185, "{p}: {correct}/200");
    }
}

#[test]
fn precisions_differ_from_fp32_in_the_expected_order() {
    let model = bundled();
    let (x, _) = &heldout(1)[0];
    let reference = model.run(x, Precision::F32).unwrap();
    let d = |p| difference(&model.run(x, p).unwrap(), &reference);
    let (bf16, f16, int8) = (d(Precision::BF16), d(Precision::F16), d(Precision::Int8));
    assert!(bf16.top1_agrees && f16.top1_agrees && int8.top1_agrees);
    // 8 significant bits vs 11: bf16 drifts further from fp32 than fp16 does.
    assert!(
        bf16.max_abs > f16.max_abs,
        "{} vs {}",
        bf16.max_abs,
        f16.max_abs
    );
    assert!(bf16.max_abs > 0.0 && bf16.max_abs < 0.5);
    assert_eq!(bf16.layer_rel_error.len(), 4);
    assert!(
        bf16.layer_rel_error
            .iter()
            .all(|(_, e)| *e > 0.0 && *e < 0.05),
        "{:?}",
        bf16.layer_rel_error
    );
    // Weight memory: 4 / 2 / 2 / ~1 / ~1 bytes per parameter.
    let params = 52138u64;
    assert_eq!(model.weight_bytes(Precision::F32), 4 * params);
    assert_eq!(model.weight_bytes(Precision::BF16), 2 * params);
    assert!(model.weight_bytes(Precision::Int8) < params * 11 / 10);
}

#[test]
fn bf16_and_fp16_logits_are_values_of_their_format() {
    let model = bundled();
    let (x, _) = &heldout(3)[2];
    for l in model.run(x, Precision::BF16).unwrap().logits {
        assert_eq!(half::bf16::from_f32(l).to_f32(), l, "bf16 logit {l}");
    }
    for l in model.run(x, Precision::F16).unwrap().logits {
        assert_eq!(half::f16::from_f32(l).to_f32(), l, "f16 logit {l}");
    }
}

#[test]
fn mismatched_models_are_named_errors() {
    let dir = temp_dir("infer-bad-models");
    let good = std::fs::read("assets/models/simple_cnn/model.safetensors").unwrap();
    let files = quantscope::model::ModelFiles::open(Path::new("assets/models/simple_cnn")).unwrap();
    // Missing tensor: drop fc2.bias.
    let mut views = std::collections::HashMap::new();
    let mut keep = Vec::new();
    for t in files.tensors.iter().filter(|t| t.name != "fc2.bias") {
        let (v, s) = files.values_f32(&t.name).unwrap();
        keep.push((t.name.clone(), s, f32_bytes(&v)));
    }
    for (n, s, b) in &keep {
        views.insert(
            n.clone(),
            safetensors::tensor::TensorView::new(safetensors::Dtype::F32, s.clone(), b).unwrap(),
        );
    }
    let missing = dir.join("missing.safetensors");
    safetensors::serialize_to_file(&views, None, &missing).unwrap();
    assert!(Classifier::load(&missing).unwrap_err().contains("fc2.bias"));
    // Wrong shape.
    let wrong = write(
        &dir,
        "wrong.safetensors",
        &raw(
            r#"{"conv1.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"fc2.weight":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#,
            &f32_bytes(&[1.0; 4]),
        ),
    );
    assert!(Classifier::load(&wrong).unwrap_err().contains("shape"));
    // Unsupported architecture.
    let bert = dir.join("bert");
    std::fs::create_dir_all(&bert).unwrap();
    write(&bert, "model.safetensors", &good);
    write(&bert, "config.json", br#"{"model_type": "bert"}"#);
    let err = Classifier::load(&bert).unwrap_err();
    assert!(err.contains("unsupported architecture 'bert'"), "{err}");
    // It says plainly which types Run supports.
    assert!(err.contains("simple_cnn, mobilevit"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_images_are_clear_errors() {
    assert!(
        decode_image(b"not an image")
            .unwrap_err()
            .contains("not an image")
    );
    // A PNG whose header claims 100 000 × 100 000 pixels.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let ihdr = [100_000u32.to_be_bytes(), 100_000u32.to_be_bytes()].concat();
    let mut data = b"IHDR".to_vec();
    data.extend_from_slice(&ihdr);
    data.extend_from_slice(&[8, 0, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&data);
    png.extend_from_slice(&crc32(&data).to_be_bytes());
    let err = decode_image(&png).unwrap_err();
    assert!(err.contains("too large"), "{err}");
    let mut truncated = std::fs::read("assets/samples/digit_3.png").unwrap();
    truncated.truncate(60);
    assert!(decode_image(&truncated).is_err());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn classify_cli_contract() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_quantscope"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "classify",
        "--image",
        "assets/samples/digit_4.png",
        "--dtype",
        "bfloat16",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["dtype", "logits", "top5", "ms", "weight_bytes"] {
        assert!(v.get(key).is_some(), "{key}");
    }
    assert_eq!(v["dtype"], "bfloat16");
    assert_eq!(v["logits"].as_array().unwrap().len(), 10);
    assert_eq!(v["top5"][0]["label"], "4");
    for key in ["index", "label", "prob"] {
        assert!(v["top5"][0].get(key).is_some());
    }
    // --pixel-values: the same digit, preprocessed, as a safetensors file.
    let dir = temp_dir("classify");
    let img = image::open("assets/samples/digit_4.png").unwrap();
    let px = f32_bytes(&digit_pixels(&img));
    let pv = write(
        &dir,
        "pv.safetensors",
        &raw(
            &format!(
                r#"{{"pixel_values":{{"dtype":"F32","shape":[1,1,28,28],"data_offsets":[0,{}]}}}}"#,
                px.len()
            ),
            &px,
        ),
    );
    let out = run(&["classify", "--pixel-values", pv.to_str().unwrap(), "--json"]);
    let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(w["top5"][0]["label"], "4");
    let not_image = write(&dir, "x.png", b"hello");
    let wrong_shape = write(
        &dir,
        "wrong.safetensors",
        &raw(
            r#"{"pixel_values":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}"#,
            &f32_bytes(&[0.0, 0.0]),
        ),
    );
    for bad in [
        vec!["classify", "--image", not_image.to_str().unwrap()],
        vec!["classify", "--pixel-values", wrong_shape.to_str().unwrap()],
        vec![
            "classify",
            "--image",
            "assets/samples/digit_4.png",
            "--dtype",
            "int3",
        ],
        vec!["classify"],
        vec![
            "classify",
            "--model",
            dir.to_str().unwrap(),
            "--image",
            "assets/samples/digit_4.png",
        ],
    ] {
        let out = run(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{bad:?}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn prepared_weights_are_cached_per_precision() {
    let model = bundled();
    let (pixels, _) = heldout(1).remove(0);
    let first = model.run(&pixels, Precision::BF16).unwrap();
    assert!(first.prepare_ms > 0.0, "the first run prepares the weights");
    assert_eq!(model.cache.stats().preparations, 1);
    // A second run in the same precision (another image) prepares nothing.
    let (other, _) = heldout(2).remove(1);
    let second = model.run(&other, Precision::BF16).unwrap();
    assert_eq!(second.prepare_ms, 0.0);
    assert_eq!(model.cache.stats().preparations, 1);
    // Clones share the cache (the Run view hands one to each background run).
    let clone = model.clone();
    clone.run(&pixels, Precision::BF16).unwrap();
    assert_eq!(model.cache.stats().preparations, 1);
    // The same logits as a fresh classifier that prepares from scratch.
    let fresh = bundled().run(&pixels, Precision::BF16).unwrap();
    assert_eq!(fresh.logits, first.logits);
    // Every precision once: five preparations, all held (SimpleCNN is small).
    for p in Precision::ALL {
        model.run(&pixels, p).unwrap();
    }
    let s = model.cache.stats();
    assert_eq!((s.entries, s.preparations), (5, 5));
}
