//! `inspect FILE.gguf` and `dequantize` as processes: the JSON contract against what gguf-py's
//! GGUFReader reads of the same files (tests/fixtures/gguf/*_reader.json, from
//! scripts/make_gguf_fixtures.py), decoded tensors against gguf-py's dequantize, bad input.

mod common;
use common::quantscope;

use serde_json::{Value, json};
use std::path::PathBuf;

const FIXTURES: &str = "tests/fixtures/gguf";

fn json_of(args: &[&str]) -> Value {
    let out = quantscope(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn fails(args: &[&str], says: &str) {
    let out = quantscope(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(says), "expected '{says}' in: {err}");
}

fn reader(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{name}")).expect("fixture");
    serde_json::from_str(&text).expect("JSON")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("quantscope-cli-gguf-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Our JSON of a metadata value against GGUFReader's `contents()`: equal, with arrays longer
/// than 16 summarised as {"type", "len", "head"}.
fn same_value(ours: &Value, theirs: &Value, key: &str) {
    match theirs {
        Value::Array(items) if items.len() > 16 => {
            assert_eq!(ours["len"], json!(items.len()), "{key}");
            assert_eq!(ours["head"], json!(items[..16]), "{key}");
            assert!(ours["type"].is_string(), "{key}");
        }
        Value::Number(n) if n.is_f64() => {
            assert_eq!(ours.as_f64(), n.as_f64(), "{key}");
        }
        Value::Array(items) => {
            let ours = ours.as_array().expect("an array");
            assert_eq!(ours.len(), items.len(), "{key}");
            for (o, t) in ours.iter().zip(items) {
                same_value(o, t, key);
            }
        }
        other => assert_eq!(ours, other, "{key}"),
    }
}

fn same_as_reader(file: &str, expected: &str) {
    let ours = json_of(&["inspect", &format!("{FIXTURES}/{file}"), "--json"]);
    let theirs = reader(expected);
    assert_eq!(ours["format"], "gguf");
    assert_eq!(ours["version"], theirs["version"]);
    let meta = theirs["metadata"].as_object().expect("metadata");
    assert_eq!(
        ours["metadata"].as_object().map(|m| m.len()),
        Some(meta.len())
    );
    for (k, v) in meta {
        same_value(&ours["metadata"][k], v, k);
    }
    let mut ours_t: Vec<&Value> = ours["tensors"]
        .as_array()
        .expect("tensors")
        .iter()
        .collect();
    ours_t.sort_by_key(|t| t["offset"].as_u64());
    let theirs_t = theirs["tensors"].as_array().expect("tensors");
    assert_eq!(ours_t.len(), theirs_t.len());
    for (o, t) in ours_t.iter().zip(theirs_t) {
        for field in ["name", "dtype", "shape", "bytes", "offset"] {
            assert_eq!(o[field], t[field], "{} {field}", t["name"]);
        }
        let bpv = o["bits_per_value"].as_f64().expect("bits_per_value");
        let params: u64 = t["shape"]
            .as_array()
            .expect("shape")
            .iter()
            .filter_map(Value::as_u64)
            .product();
        assert_eq!(
            bpv,
            t["bytes"].as_f64().unwrap_or(0.0) * 8.0 / params as f64
        );
    }
}

#[test]
fn inspect_reads_what_gguf_py_reads() {
    same_as_reader("dequant.gguf", "dequant_reader.json");
    same_as_reader("metadata.gguf", "metadata_reader.json");
    let ours = json_of(&["inspect", &format!("{FIXTURES}/metadata.gguf"), "--json"]);
    assert_eq!(ours["metadata"]["general.alignment"], 64);
    assert_eq!(ours["metadata"]["tokenizer.ggml.tokens"]["type"], "str");
    assert_eq!(ours["metadata"]["tokenizer.ggml.tokens"]["len"], 40);
    assert_eq!(ours["metadata"]["tokenizer.ggml.scores"]["len"], 20);
    assert_eq!(ours["metadata"]["general.name"], "tiny — ünïcode ✓");
}

#[test]
fn inspect_stats_decode_every_tensor() {
    let ours = json_of(&[
        "inspect",
        &format!("{FIXTURES}/dequant.gguf"),
        "--json",
        "--stats",
    ]);
    for t in ours["tensors"].as_array().expect("tensors") {
        assert!(t["stats"].is_object(), "{}", t["name"]);
    }
}

#[test]
fn dequantize_writes_the_tensor_as_ggml_decodes_it() {
    let dir = temp_dir("deq");
    let out = dir.join("q4k.safetensors");
    let _ = std::fs::remove_file(&out);
    let src = format!("{FIXTURES}/dequant.gguf");
    let args = [
        "dequantize",
        &src,
        "--tensor",
        "Q4_K",
        "--out",
        out.to_str().unwrap_or(""),
    ];
    let o = quantscope(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let written = std::fs::read(&out).expect("written");
    let written = safetensors::SafeTensors::deserialize(&written).expect("safetensors");
    let expected =
        std::fs::read(format!("{FIXTURES}/dequant_expected.safetensors")).expect("fixture");
    let expected = safetensors::SafeTensors::deserialize(&expected).expect("safetensors");
    let (w, e) = (
        written.tensor("Q4_K").expect("Q4_K"),
        expected.tensor("Q4_K").expect("Q4_K"),
    );
    assert_eq!(w.dtype(), safetensors::Dtype::F32);
    assert_eq!(w.shape(), e.shape());
    assert_eq!(w.data(), e.data(), "bit for bit as gguf-py");
    // Not over an existing file without --force; with it, yes.
    fails(&args, "exists; pass --force to overwrite it");
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(quantscope(&forced).status.success());
    // Never over the checkpoint itself, even with --force.
    fails(
        &[
            "dequantize",
            &src,
            "--tensor",
            "Q4_K",
            "--out",
            &src,
            "--force",
        ],
        "never writes over the files it opens",
    );
    fails(
        &[
            "dequantize",
            &src,
            "--tensor",
            "nope",
            "--out",
            out.to_str().unwrap_or(""),
        ],
        "no tensor named 'nope'",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hostile_gguf_files_are_one_line_and_exit_2() {
    let dir = temp_dir("hostile");
    let good = std::fs::read(format!("{FIXTURES}/metadata.gguf")).expect("fixture");
    let cut = dir.join("cut.gguf");
    // Past the padding after the last tensor (which llama.cpp does not need either).
    std::fs::write(&cut, &good[..good.len() - 100]).expect("write");
    fails(
        &["inspect", cut.to_str().unwrap_or("")],
        "cut.gguf: truncated",
    );
    let v1 = dir.join("v1.gguf");
    let mut b = good.clone();
    b[4..8].copy_from_slice(&1u32.to_le_bytes());
    std::fs::write(&v1, &b).expect("write");
    fails(
        &["inspect", v1.to_str().unwrap_or("")],
        "GGUF version 1 is not supported",
    );
    let magic = dir.join("magic.gguf");
    std::fs::write(&magic, b"PK\x03\x04 not a gguf").expect("write");
    fails(
        &["inspect", magic.to_str().unwrap_or("")],
        "not a GGUF file",
    );
    let split = dir.join("m-00001-of-00002.gguf");
    std::fs::write(&split, &good).expect("write");
    fails(
        &["inspect", split.to_str().unwrap_or("")],
        "m-00002-of-00002.gguf is missing",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_split_gguf_opens_as_one_model() {
    // Two parts, each a valid GGUF with its own tensors (as gguf-split writes them).
    let dir = temp_dir("split");
    let a = std::fs::read(format!("{FIXTURES}/metadata.gguf")).expect("fixture");
    let b = std::fs::read(format!("{FIXTURES}/dequant.gguf")).expect("fixture");
    std::fs::write(dir.join("m-00001-of-00002.gguf"), &a).expect("write");
    std::fs::write(dir.join("m-00002-of-00002.gguf"), &b).expect("write");
    let first = dir.join("m-00001-of-00002.gguf");
    let ours = json_of(&["inspect", first.to_str().unwrap_or(""), "--json"]);
    assert_eq!(ours["shards"], 2);
    let n = reader("metadata_reader.json")["tensors"]
        .as_array()
        .map_or(0, Vec::len)
        + reader("dequant_reader.json")["tensors"]
            .as_array()
            .map_or(0, Vec::len);
    assert_eq!(ours["tensors"].as_array().map(Vec::len), Some(n));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn quantize_into_ggml_types_gives_ggmls_bytes() {
    let file = std::fs::read(format!("{FIXTURES}/quant_expected.gguf")).expect("fixture");
    let h = quantscope::gguf::parse(&file).expect("gguf");
    let input = format!("{FIXTURES}/quant_input.safetensors");
    for t in &h.tensors {
        let scheme = if t.name == "MXFP4" {
            "ggml_mxfp4".to_string()
        } else {
            t.name.to_lowercase()
        };
        let out = json_of(&[
            "quantize", &input, "--tensor", "x", "--scheme", &scheme, "--json", "--dump-q",
        ]);
        let want: String = file[h.range(t)]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(out["bytes_hex"].as_str(), Some(want.as_str()), "{scheme}");
        assert_eq!(out["ggml_type"], t.name.as_str());
        assert_eq!(out["shape"], json!([8, 512]));
        assert!(out["sqnr_db"].as_f64().is_some_and(|s| s > 0.0), "{scheme}");
        assert_eq!(out["bits_per_value"], json!(t.ggml_type.bits_per_value()));
    }
    // From a GGUF file's float tensor, too; a row the block does not divide is one line.
    let gguf = format!("{FIXTURES}/metadata.gguf");
    let out = json_of(&[
        "quantize",
        &gguf,
        "--tensor",
        "token_embd.weight",
        "--scheme",
        "q8_0",
        "--json",
    ]);
    assert_eq!(out["shape"], json!([2, 64]));
    fails(
        &[
            "quantize",
            &gguf,
            "--tensor",
            "token_embd.weight",
            "--scheme",
            "q4_k",
        ],
        "its last dimension (64) is not a multiple of Q4_K's block of 256",
    );
    fails(
        &[
            "quantize",
            &input,
            "--tensor",
            "x",
            "--scheme",
            "q4_k",
            "--mode",
            "symmetric",
        ],
        "sets its own blocks and scales",
    );
}

#[test]
fn a_four_gigabyte_gguf_opens_without_reading_its_data() {
    // A sparse file: the header of one F32 [32768, 32768] tensor (4 GiB), the data a hole.
    let dir = temp_dir("big");
    let path = dir.join("big.gguf");
    let s = |x: &str| {
        let mut v = (x.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(x.as_bytes());
        v
    };
    let mut h = b"GGUF".to_vec();
    h.extend_from_slice(&3u32.to_le_bytes());
    h.extend_from_slice(&1i64.to_le_bytes());
    h.extend_from_slice(&0i64.to_le_bytes());
    h.extend_from_slice(&s("big.weight"));
    h.extend_from_slice(&2u32.to_le_bytes());
    h.extend_from_slice(&(1i64 << 15).to_le_bytes());
    h.extend_from_slice(&(1i64 << 15).to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(&0u64.to_le_bytes());
    h.resize(h.len().div_ceil(32) * 32, 0);
    let f = std::fs::File::create(&path).expect("create");
    std::io::Write::write_all(&mut &f, &h).expect("write");
    f.set_len(h.len() as u64 + (4u64 << 30)).expect("sparse");
    let files = quantscope::model::ModelFiles::open(&path).expect("opens");
    assert_eq!(files.tensors[0].shape, [32768, 32768]);
    assert_eq!(files.total_bytes(), 4 << 30);
    let _ = std::fs::remove_dir_all(&dir);
}
