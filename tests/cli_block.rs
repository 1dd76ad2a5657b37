//! `quantize --scheme mxfp4|…|nvfp4|nf4` and block schemes in `sensitivity`, as processes:
//! the JSON contract, the torchao numbers (tests/fixtures/block_scaled.json), bad input.

mod common;
use common::quantscope;

use safetensors::tensor::{Dtype, TensorView};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn json(args: &[&str]) -> Value {
    let out = quantscope(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "quantscope-cli-block-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The fixture's tensors as one safetensors file (f32), plus a [3, 10] tensor `odd` whose
/// last axis no block divides and a tiny tensor of 1e-6 values.
fn checkpoint(dir: &Path) -> (PathBuf, Value) {
    let fx: Value =
        serde_json::from_str(include_str!("fixtures/block_scaled.json")).expect("fixture");
    let mut bytes: HashMap<String, (Vec<usize>, Vec<u8>)> = HashMap::new();
    for (name, t) in fx["tensors"].as_object().unwrap() {
        let shape: Vec<usize> = t["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let data: Vec<u8> = t["values"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| (b.as_u64().unwrap() as u32).to_le_bytes())
            .collect();
        bytes.insert(name.clone(), (shape, data));
    }
    let odd: Vec<u8> = (0..30).flat_map(|i| (i as f32).to_le_bytes()).collect();
    bytes.insert("odd".into(), (vec![3, 10], odd));
    let tiny: Vec<u8> = (0..64).flat_map(|_| 1e-6f32.to_le_bytes()).collect();
    bytes.insert("tiny1e6".into(), (vec![4, 16], tiny));
    let views: HashMap<String, TensorView> = bytes
        .iter()
        .map(|(k, (shape, data))| {
            (
                k.clone(),
                TensorView::new(Dtype::F32, shape.clone(), data).unwrap(),
            )
        })
        .collect();
    let path = dir.join("blocks.safetensors");
    safetensors::serialize_to_file(&views, None, &path).unwrap();
    (path, fx)
}

#[test]
fn quantize_block_schemes_gives_the_contract_fields_and_torchaos_numbers() {
    let dir = temp_dir("contract");
    let (path, fx) = checkpoint(&dir);
    let p = path.to_str().unwrap();
    for (scheme, block, bpv) in [
        ("mxfp8_e4m3", 32, 8.25),
        ("mxfp8_e5m2", 32, 8.25),
        ("mxfp6_e3m2", 32, 6.25),
        ("mxfp6_e2m3", 32, 6.25),
        ("mxfp4", 32, 4.25),
        ("nvfp4", 16, 4.5),
        ("nf4", 64, 4.5),
    ] {
        let j = json(&[
            "quantize", p, "--tensor", "outliers", "--scheme", scheme, "--json", "--dump-q",
        ]);
        assert_eq!(j["block_size"], block, "{scheme}");
        assert_eq!(j["bits_per_value"], bpv, "{scheme}");
        for field in ["scale", "mse", "max_abs_error", "sqnr_db", "q"] {
            assert!(j.get(field).is_some(), "{scheme}: {field}");
        }
        let want = &fx["tensors"]["outliers"]["schemes"][scheme];
        // q: the element codes, as torchao stores them.
        assert_eq!(j["q"], want["codes"], "{scheme}");
        // scale: one decoded number per block.
        let blocks = 4 * 64 / block;
        assert_eq!(j["scale"].as_array().unwrap().len(), blocks, "{scheme}");
        assert_eq!(j["scale_bits"], want["scale_bits"], "{scheme}");
        assert!(j["sqnr_db"].as_f64().unwrap() > 5.0, "{scheme}");
    }
    // E8M0 scales decode to powers of two.
    let j = json(&[
        "quantize", p, "--tensor", "normal", "--scheme", "mxfp4", "--json",
    ]);
    for s in j["scale"].as_array().unwrap() {
        let s = s.as_f64().unwrap();
        assert_eq!(s, 2f64.powi(s.log2().round() as i32));
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn nvfp4_needs_its_tensor_scale_on_tiny_tensors() {
    // A tensor of 1e-6: one-level NVFP4 clamps the block scale at 2^-6 and every element
    // rounds to 0 (SQNR 0 dB); the per-tensor scale brings it back.
    let dir = temp_dir("tiny");
    let (path, _) = checkpoint(&dir);
    let p = path.to_str().unwrap();
    let one = json(&[
        "quantize", p, "--tensor", "tiny1e6", "--scheme", "nvfp4", "--json",
    ]);
    assert_eq!(one["sqnr_db"], 0.0);
    let two = json(&[
        "quantize",
        p,
        "--tensor",
        "tiny1e6",
        "--scheme",
        "nvfp4",
        "--tensor-scale",
        "--json",
    ]);
    // Exact (JSON null) or nearly.
    assert!(two["sqnr_db"].is_null() || two["sqnr_db"].as_f64().unwrap() > 100.0);
    assert!(two["tensor_scale"].as_f64().unwrap() > 0.0);
    let dq = json(&[
        "quantize",
        p,
        "--tensor",
        "heavy",
        "--scheme",
        "nf4",
        "--double-quant",
        "--json",
    ]);
    assert!((dq["bits_per_value"].as_f64().unwrap() - 4.127).abs() < 1e-3);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn sensitivity_takes_block_schemes() {
    let dir = temp_dir("sens");
    let (path, _) = checkpoint(&dir);
    let p = path.to_str().unwrap();
    let j = json(&[
        "sensitivity",
        p,
        "--schemes",
        "int8,mxfp4,nvfp4,nf4",
        "--json",
    ]);
    let rows = j.as_array().unwrap();
    let heavy = rows.iter().find(|r| r["tensor"] == "heavy").unwrap();
    let names: Vec<&str> = heavy["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["scheme"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["int8", "mxfp4", "nvfp4", "nf4"]);
    // Small blocks beat one scale for the whole tensor on heavy tails.
    let sqnr = |i: usize| heavy["errors"][i]["sqnr_db"].as_f64().unwrap();
    assert!(sqnr(2) > 0.0 && sqnr(1) > 0.0);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_block_requests_exit_2_with_one_line() {
    let dir = temp_dir("bad");
    let (path, _) = checkpoint(&dir);
    let p = path.to_str().unwrap();
    for args in [
        // The last axis (10) is not a multiple of the block.
        vec!["quantize", p, "--tensor", "odd", "--scheme", "mxfp4"],
        vec!["quantize", p, "--tensor", "odd", "--scheme", "nvfp4"],
        vec!["quantize", p, "--tensor", "normal", "--scheme", "mxfp5"],
        vec![
            "quantize",
            p,
            "--tensor",
            "normal",
            "--scheme",
            "mxfp4",
            "--granularity",
            "group:32",
        ],
        vec![
            "quantize",
            p,
            "--tensor",
            "normal",
            "--scheme",
            "mxfp4",
            "--tensor-scale",
        ],
        vec![
            "quantize",
            p,
            "--tensor",
            "normal",
            "--scheme",
            "int8",
            "--double-quant",
        ],
        vec!["finfo", "e8m0z"],
    ] {
        let out = quantscope(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let out = quantscope(&["quantize", p, "--tensor", "odd", "--scheme", "mxfp4"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("multiple of 32"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn e8m0_in_finfo_cast_and_formats() {
    let j = json(&["finfo", "e8m0", "--json"]);
    assert_eq!(j["dtype"], "float8_e8m0fnu");
    assert_eq!(j["max"], 2f64.powi(127));
    assert_eq!(j["min"], 2f64.powi(-127));
    // ml_dtypes 0.6.0: 0.3 → 0.25, 3.0 → 4.0, 5.9 → 4.0, 0 → NaN.
    let c = json(&["cast", "0.3", "3.0", "5.9", "0", "--to", "e8m0", "--json"]);
    let bits: Vec<&str> = c
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["bits"].as_str().unwrap())
        .collect();
    assert_eq!(bits, ["0x7d", "0x81", "0x81", "0xff"]);
    let f = json(&["formats", "--json"]);
    let e = f
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "float8_e8m0fnu")
        .unwrap();
    assert_eq!(
        (e["bits"].as_u64(), e["exponent_bits"].as_u64()),
        (Some(8), Some(8))
    );
}
