//! `downcast` and `quantize` as processes: JSON contract, reference numbers, bad input.

mod common;
use common::quantscope;

use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn json(args: &[&str]) -> serde_json::Value {
    let out = quantscope(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("quantscope-cli-lab-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A safetensors file with a 2×4 f32 matrix `w`, a bf16 vector `b` and an int tensor `ids`.
fn fixture(dir: &Path) -> PathBuf {
    let w: Vec<f32> = vec![1.0, -2.0, 0.5, 0.25, 100.0, 50.0, -25.0, 10.0];
    let w_bytes: Vec<u8> = w.iter().flat_map(|x| x.to_le_bytes()).collect();
    let b: Vec<u8> = [1.5f32, -0.75]
        .iter()
        .flat_map(|&x| half::bf16::from_f32(x).to_le_bytes())
        .collect();
    let ids: Vec<u8> = [1i64, 2].iter().flat_map(|x| x.to_le_bytes()).collect();
    let mut tensors = HashMap::new();
    tensors.insert(
        "w".to_string(),
        TensorView::new(Dtype::F32, vec![2, 4], &w_bytes).unwrap(),
    );
    tensors.insert(
        "b".to_string(),
        TensorView::new(Dtype::BF16, vec![2], &b).unwrap(),
    );
    tensors.insert(
        "ids".to_string(),
        TensorView::new(Dtype::I64, vec![2], &ids).unwrap(),
    );
    let path = dir.join("m.safetensors");
    safetensors::serialize_to_file(&tensors, None, &path).unwrap();
    path
}

#[test]
fn downcast_json_has_stats_errors_dots_and_first_values() {
    let v = json(&[
        "downcast", "--dist", "uniform", "--size", "1000", "--seed", "1", "--to", "bfloat16",
        "--json",
    ]);
    for key in [
        "original", "stored", "counts", "error", "dot", "first", "memory",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["first"].as_array().unwrap().len(), 8);
    assert_eq!(v["size"], 1000);
    // bf16 from f32 keeps 8 significant bits: relative error ≤ 2^-8 (unit roundoff).
    assert!(v["error"]["max_rel"].as_f64().unwrap() <= 2f64.powi(-8));
    // The dot of the bf16 tensor (fp32 accumulate, as torch) is a bf16 value: an even integer here.
    let bf16_dot = v["dot"][1]["value"].as_f64().unwrap();
    assert_eq!(bf16_dot % 2.0, 0.0);
    let same = json(&[
        "downcast", "--dist", "uniform", "--size", "1000", "--seed", "1", "--to", "bfloat16",
        "--json",
    ]);
    assert_eq!(v, same, "same seed, same numbers");
    for dist in ["normal", "laplace", "outliers", "student-t"] {
        let v = json(&[
            "downcast",
            "--dist",
            dist,
            "--size",
            "2000",
            "--to",
            "fp8-e4m3",
            "--rounding",
            "stochastic",
            "--json",
        ]);
        assert_eq!(v["size"], 2000);
    }
}

#[test]
fn quantize_per_tensor_channel_and_group() {
    let dir = temp_dir("q");
    let path = fixture(&dir);
    let p = path.to_str().unwrap();
    let v = json(&[
        "quantize",
        p,
        "--tensor",
        "w",
        "--scheme",
        "int8",
        "--mode",
        "symmetric",
        "--granularity",
        "channel:0",
        "--json",
        "--dump-q",
    ]);
    // scale = max|row| / 127.
    assert_eq!(v["scale"][0].as_f64().unwrap(), (2.0f32 / 127.0) as f64);
    assert_eq!(v["scale"][1].as_f64().unwrap(), (100.0f32 / 127.0) as f64);
    assert_eq!(v["zero_point"], serde_json::json!([0, 0]));
    assert_eq!(v["q"].as_array().unwrap().len(), 8);
    assert_eq!(v["q"][1], -127);
    assert_eq!(v["q"][4], 127);
    for key in ["mse", "max_abs_error", "sqnr_db"] {
        assert!(v[key].is_number(), "{key}");
    }
    let a = json(&[
        "quantize",
        p,
        "--tensor",
        "w",
        "--scheme",
        "uint8",
        "--granularity",
        "tensor",
        "--json",
    ]);
    assert_eq!(a["mode"], "asymmetric");
    assert_eq!(a["zero_point"].as_array().unwrap().len(), 1);
    let g = json(&[
        "quantize",
        p,
        "--tensor",
        "w",
        "--scheme",
        "int4",
        "--granularity",
        "group:2",
        "--json",
    ]);
    assert_eq!(g["scale"].as_array().unwrap().len(), 4);
    let f = json(&[
        "quantize",
        p,
        "--tensor",
        "b",
        "--scheme",
        "fp8_e4m3fn",
        "--json",
        "--dump-q",
    ]);
    assert_eq!(f["q"][0], 448.0);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_quantize_requests_exit_2_with_one_line() {
    let dir = temp_dir("bad");
    let path = fixture(&dir);
    let p = path.to_str().unwrap();
    let junk = dir.join("junk.safetensors");
    std::fs::write(&junk, b"this is not a safetensors file at all").unwrap();
    let short = dir.join("short.safetensors");
    std::fs::write(&short, [1u8, 2, 3]).unwrap();
    let truncated = dir.join("truncated.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() - 5]).unwrap();
    let missing = dir.join("missing.safetensors");
    for args in [
        vec!["quantize", p, "--tensor", "nope", "--scheme", "int8"],
        vec![
            "quantize",
            p,
            "--tensor",
            "w",
            "--scheme",
            "int8",
            "--granularity",
            "channel:5",
        ],
        vec!["quantize", p, "--tensor", "w", "--scheme", "int7"],
        vec![
            "quantize",
            p,
            "--tensor",
            "w",
            "--scheme",
            "uint8",
            "--mode",
            "symmetric",
        ],
        vec![
            "quantize",
            p,
            "--tensor",
            "w",
            "--scheme",
            "int8",
            "--granularity",
            "group:0",
        ],
        vec!["quantize", p, "--tensor", "ids", "--scheme", "int8"],
        vec![
            "quantize",
            junk.to_str().unwrap(),
            "--tensor",
            "w",
            "--scheme",
            "int8",
        ],
        vec![
            "quantize",
            short.to_str().unwrap(),
            "--tensor",
            "w",
            "--scheme",
            "int8",
        ],
        vec![
            "quantize",
            truncated.to_str().unwrap(),
            "--tensor",
            "w",
            "--scheme",
            "int8",
        ],
        vec![
            "quantize",
            missing.to_str().unwrap(),
            "--tensor",
            "w",
            "--scheme",
            "int8",
        ],
        vec!["downcast", "--to", "bf16", "--size", "0"],
        vec!["downcast", "--to", "bf16", "--size", "100000000"],
        vec!["downcast", "--to", "bf16", "--dist", "cauchy"],
        vec!["downcast", "--to", "float7"],
    ] {
        let out = quantscope(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // The files we read are never modified.
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    std::fs::remove_dir_all(dir).ok();
}
