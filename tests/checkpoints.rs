//! Opening checkpoints: every dtype, folders, shards — and every way a file can be broken,
//! each with a clear message and no panic; files are never modified.

mod common;

use common::*;
use quantscope::model::ModelFiles;
use quantscope::model::analysis::{DEFAULT_SCHEMES, TensorScheme, sensitivity, tensor_report};
use quantscope::tensor::Progress;
use std::process::Command;

#[test]
fn every_dtype_decodes_to_its_values() {
    let dir = temp_dir("dtypes");
    let path = write(&dir, "m.safetensors", &every_dtype_checkpoint());
    let m = ModelFiles::open(&path).unwrap();
    assert_eq!(m.tensors.len(), 14);
    assert_eq!(m.metadata.get("format").map(String::as_str), Some("pt"));
    let v = |n: &str| m.values_f64(n).unwrap().0;
    // Source: ml_dtypes float8_e4m3fn: 0x38 = 1, 0xb8 = -1, 0x7e = 448, 0x01 = 2^-9, 0x7f = NaN.
    let e4m3 = v("fp8.e4m3");
    assert_eq!(&e4m3[..5], &[1.0, -1.0, 448.0, 0.0, 2f64.powi(-9)]);
    assert!(e4m3[7].is_nan());
    // float8_e5m2: 0x3c = 1, 0x7c = inf, 0x01 = 2^-16.
    assert_eq!(
        v("fp8.e5m2"),
        vec![1.0, -1.0, f64::INFINITY, 2f64.powi(-16)]
    );
    assert_eq!(v("buffers.i8"), vec![-128.0, 127.0]);
    assert_eq!(v("buffers.u8"), vec![0.0, 255.0]);
    assert_eq!(v("buffers.i16"), vec![300.0, -300.0]);
    assert_eq!(v("buffers.mask"), vec![1.0, 0.0, 1.0]);
    assert_eq!(v("buffers.position_ids"), vec![0.0, 1.0, 2.0, 3.0]);
    assert!(v("empty.weight").is_empty());
    // Natural order: layer.0 before layer.1, then the rest by name.
    assert!(
        m.tensors.iter().position(|t| t.name.contains("layer.0"))
            < m.tensors.iter().position(|t| t.name.contains("layer.1"))
    );
    // Stats and sensitivity run on everything, including the zero-size tensor.
    for t in &m.tensors {
        let r = tensor_report(
            &m,
            &t.name,
            20,
            Some(TensorScheme::parse("int8").unwrap()),
            &Progress::new(),
        )
        .unwrap();
        assert_eq!(r.summary.count as u64, t.params());
    }
    let rows = sensitivity(
        &m,
        &TensorScheme::parse_list(DEFAULT_SCHEMES).unwrap(),
        &Progress::new(),
    )
    .unwrap();
    assert_eq!(rows.len(), 8, "float tensors only");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn folders_and_sharded_checkpoints() {
    let dir = temp_dir("shards");
    let bytes = every_dtype_checkpoint();
    write(&dir, "model-00001-of-00002.safetensors", &bytes);
    let second = raw(
        r#"{"extra.weight":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
        &f32_bytes(&[1.0, 2.0]),
    );
    write(&dir, "model-00002-of-00002.safetensors", &second);
    let index = serde_json::json!({
        "metadata": {"total_size": 0},
        "weight_map": {"head.weight": "model-00001-of-00002.safetensors", "extra.weight": "model-00002-of-00002.safetensors"}
    });
    write(
        &dir,
        "model.safetensors.index.json",
        index.to_string().as_bytes(),
    );
    write(&dir, "config.json", br#"{"model_type": "demo"}"#);
    let m = ModelFiles::open(&dir).unwrap();
    assert_eq!(m.shards.len(), 2);
    assert_eq!(m.tensors.len(), 15);
    assert_eq!(m.values_f64("extra.weight").unwrap().0, vec![1.0, 2.0]);
    assert_eq!(m.config.as_ref().unwrap()["model_type"], "demo");
    let by_index = ModelFiles::open(&dir.join("model.safetensors.index.json")).unwrap();
    assert_eq!(by_index.tensors.len(), 15);
    std::fs::remove_dir_all(dir).ok();
}

/// Each broken file, and a word its message must contain.
fn broken_files() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = every_dtype_checkpoint();
    let f8 = f32_bytes(&[1.0, 2.0]);
    vec![
        ("empty", vec![], "too short"),
        ("seven_bytes", vec![1, 2, 3, 4, 5, 6, 7], "too short"),
        ("truncated", good[..good.len() - 3].to_vec(), "truncated"),
        (
            "trailing_bytes",
            [good.clone(), vec![0; 5]].concat(),
            "trailing",
        ),
        (
            "header_longer_than_file",
            {
                let mut b = good.clone();
                b[..8].copy_from_slice(&(good.len() as u64 * 2).to_le_bytes());
                b
            },
            "past the end",
        ),
        (
            "header_length_huge",
            {
                let mut b = good.clone();
                b[..8].copy_from_slice(&u64::MAX.to_le_bytes());
                b
            },
            "header",
        ),
        ("not_json", raw("this is not json at all!", &[]), "JSON"),
        ("json_array", raw("[1, 2, 3]", &[]), "JSON"),
        (
            "not_utf8",
            [2u64.to_le_bytes().to_vec(), vec![0xff, 0xfe]].concat(),
            "UTF-8",
        ),
        (
            "offsets_out_of_range",
            raw(
                r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}}"#,
                &f8,
            ),
            "does not match",
        ),
        (
            "offsets_overlap",
            raw(
                r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                &f8,
            ),
            "offsets",
        ),
        (
            "offsets_mismatch_shape",
            raw(
                r#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                &f8,
            ),
            "dtype × shape",
        ),
        (
            "unknown_dtype",
            raw(
                r#"{"a":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}}"#,
                &f8,
            ),
            "JSON",
        ),
        (
            "negative_shape",
            raw(
                r#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#,
                &f8,
            ),
            "JSON",
        ),
        (
            "metadata_not_strings",
            raw(
                r#"{"__metadata__":{"a":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                &f8,
            ),
            "JSON",
        ),
    ]
}

#[test]
fn broken_files_give_clear_errors_and_stay_unmodified() {
    let dir = temp_dir("broken");
    for (name, bytes, word) in broken_files() {
        let path = write(&dir, &format!("{name}.safetensors"), &bytes);
        let err = ModelFiles::open(&path).expect_err(name);
        assert!(err.contains(word), "{name}: {err}");
        assert!(
            err.contains(&format!("{name}.safetensors")),
            "{name}: the message names the file: {err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name} was modified");
        let out = Command::new(env!("CARGO_BIN_EXE_quantscope"))
            .args(["inspect", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr).lines().count(),
            1,
            "{name}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn broken_folders_and_indexes() {
    let dir = temp_dir("broken-index");
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(
        ModelFiles::open(&empty)
            .unwrap_err()
            .contains("no .safetensors")
    );
    let two = dir.join("two");
    std::fs::create_dir_all(&two).unwrap();
    write(&two, "a.safetensors", &every_dtype_checkpoint());
    write(&two, "b.safetensors", &every_dtype_checkpoint());
    assert!(
        ModelFiles::open(&two)
            .unwrap_err()
            .contains("2 .safetensors")
    );
    let missing = dir.join("missing");
    std::fs::create_dir_all(&missing).unwrap();
    write(
        &missing,
        "model.safetensors.index.json",
        br#"{"weight_map": {"w": "model-00001.safetensors"}}"#,
    );
    assert!(
        ModelFiles::open(&missing)
            .unwrap_err()
            .contains("missing shard")
    );
    let climbing = dir.join("climbing");
    std::fs::create_dir_all(&climbing).unwrap();
    write(
        &climbing,
        "model.safetensors.index.json",
        br#"{"weight_map": {"w": "../../etc/passwd"}}"#,
    );
    assert!(ModelFiles::open(&climbing).unwrap_err().contains("outside"));
    let bad_index = dir.join("bad_index");
    std::fs::create_dir_all(&bad_index).unwrap();
    write(&bad_index, "model.safetensors.index.json", b"{not json");
    assert!(ModelFiles::open(&bad_index).unwrap_err().contains("JSON"));
    write(
        &bad_index,
        "model.safetensors.index.json",
        br#"{"weight_map": 3}"#,
    );
    assert!(
        ModelFiles::open(&bad_index)
            .unwrap_err()
            .contains("weight_map")
    );
    let dup = dir.join("dup");
    std::fs::create_dir_all(&dup).unwrap();
    write(&dup, "a.safetensors", &every_dtype_checkpoint());
    write(&dup, "b.safetensors", &every_dtype_checkpoint());
    write(
        &dup,
        "model.safetensors.index.json",
        br#"{"weight_map": {"x": "a.safetensors", "y": "b.safetensors"}}"#,
    );
    assert!(ModelFiles::open(&dup).unwrap_err().contains("in both"));
    assert!(
        ModelFiles::open(&dir.join("does-not-exist"))
            .unwrap_err()
            .contains("cannot open")
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn inspect_and_sensitivity_cli_contract() {
    let dir = temp_dir("cli");
    let path = write(&dir, "m.safetensors", &every_dtype_checkpoint());
    let out = Command::new(env!("CARGO_BIN_EXE_quantscope"))
        .args(["inspect", path.to_str().unwrap(), "--stats", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "tensors",
        "total_params",
        "total_bytes",
        "footprint",
        "metadata",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let t = &v["tensors"][0];
    for key in ["name", "dtype", "shape", "bytes", "stats"] {
        assert!(t.get(key).is_some(), "{key}");
    }
    assert_eq!(v["metadata"]["format"], "pt");
    for key in [
        "float32",
        "bfloat16",
        "float16",
        "float8_e4m3fn",
        "int8",
        "int4",
    ] {
        assert!(v["footprint"][key].is_u64(), "{key}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_quantscope"))
        .args(["sensitivity", path.to_str().unwrap(), "--csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("tensor,dtype,shape,params,sampled,bfloat16 sqnr_db"));
    assert_eq!(csv.lines().count(), 1 + 8);
    let out = Command::new(env!("CARGO_BIN_EXE_quantscope"))
        .args([
            "sensitivity",
            path.to_str().unwrap(),
            "--json",
            "--schemes",
            "int8:channel,int4:group:8",
        ])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["errors"].as_array().unwrap().len(), 2);
    for bad in [
        vec!["sensitivity", path.to_str().unwrap(), "--schemes", "int9"],
        vec!["sensitivity", path.to_str().unwrap(), "--json", "--csv"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_quantscope"))
            .args(&bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_gpt2_shaped_checkpoint_shows_its_outlier_tensor_as_most_sensitive() {
    let dir = temp_dir("gpt2");
    let path = write(&dir, "model.safetensors", &gpt2_shaped_checkpoint());
    let m = ModelFiles::open(&dir).unwrap();
    assert_eq!(m.tensors.len(), 4 + 2 * 12);
    // Natural order: h.0.* before h.1.*, wte last.
    assert!(m.tensors[0].name.starts_with("h.0."));
    let schemes = TensorScheme::parse_list("int8,int8:channel").unwrap();
    let rows = sensitivity(&m, &schemes, &Progress::new()).unwrap();
    let worst = rows
        .iter()
        .min_by(|a, b| a.errors[0].sqnr_db.total_cmp(&b.errors[0].sqnr_db))
        .unwrap();
    assert!(worst.tensor.contains("mlp.c_fc.weight"), "{}", worst.tensor);
    // Per-channel scales contain the outlier to one row: much better than per-tensor.
    assert!(worst.errors[1].sqnr_db > worst.errors[0].sqnr_db + 3.0);
    let _ = path;
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_multi_gigabyte_checkpoint_opens_without_reading_its_data() {
    // A 3 GB tensor in a sparse file: opening maps it and reads only the header.
    let dir = temp_dir("huge");
    let n: u64 = 750_000_000;
    let header = format!(
        r#"{{"big":{{"dtype":"F32","shape":[{n}],"data_offsets":[0,{}]}}}}"#,
        n * 4
    );
    let path = dir.join("huge.safetensors");
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(bytes.len() as u64 + n * 4).unwrap();
    drop(f);
    let t = std::time::Instant::now();
    let m = ModelFiles::open(&path).unwrap();
    eprintln!(
        "opened a {} GB checkpoint in {:?}",
        n * 4 / 1_000_000_000,
        t.elapsed()
    );
    assert_eq!(m.total_params(), n);
    let fp = quantscope::model::footprint::footprint(&m.tensors);
    assert_eq!(fp[1].bytes, n * 2, "bf16 halves it");
    drop(m);
    std::fs::remove_dir_all(dir).ok();
}

/// A tensor reproduced exactly (an all-zero bias) has SQNR +∞: `null` in JSON, "exact" in the
/// text table (it used to be NaN).
#[test]
fn an_exactly_reproduced_tensor_has_infinite_sqnr() {
    let dir = temp_dir("exact-sqnr");
    let header = r#"{"bias":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]}}"#;
    let mut data = vec![0u8; 16];
    data.extend(common::f32_bytes(&[0.1, -0.7, 1.3, 2.9]));
    let path = write(&dir, "zero-bias.safetensors", &common::raw(header, &data));
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_quantscope"))
            .arg("sensitivity")
            .arg(&path)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let v: serde_json::Value =
        serde_json::from_str(&run(&["--json", "--schemes", "int8"])).unwrap();
    let rows = v.as_array().unwrap();
    let bias = rows.iter().find(|r| r["tensor"] == "bias").unwrap();
    assert!(bias["errors"][0]["sqnr_db"].is_null(), "{bias}");
    let w = rows.iter().find(|r| r["tensor"] == "w").unwrap();
    assert!(w["errors"][0]["sqnr_db"].is_f64());
    let text = run(&["--schemes", "int8"]);
    let line = text.lines().find(|l| l.starts_with("bias")).unwrap();
    assert!(line.contains("exact") && !line.contains("nan"), "{line}");
}
