//! Checkpoints that store MXFP4 in gpt-oss's layout (`NAME_blocks` + `NAME_scales`) open as
//! one logical tensor whose values are torchao's dequantized ones; broken pairs are named
//! errors. Fixture: tests/fixtures/gpt_oss_mxfp4.safetensors (scripts/make_block_fixtures.py).

use quantscope::model::ModelFiles;
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const NAME: &str = "model.layers.0.mlp.experts.down_proj";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gpt_oss_mxfp4.safetensors")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quantscope-gptoss-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn blocks_and_scales_open_as_one_mxfp4_tensor_with_torchaos_values() {
    let files = ModelFiles::open(&fixture()).unwrap();
    let names: Vec<&str> = files.tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, [NAME, &format!("{NAME}_bias")[..]]);
    let t = files.tensor(NAME).unwrap();
    assert_eq!(t.dtype_label(), "MXFP4");
    assert_eq!(t.shape, [2, 4, 96]);
    assert_eq!(t.params(), 768);
    assert_eq!(t.bytes(), 768 / 2 + 768 / 32);
    assert_eq!(t.bits_per_value(), 4.25);
    assert!(t.is_float());
    let fx: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/block_scaled.json")).unwrap();
    let want: Vec<u32> = fx["gpt_oss"]["dequantized"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_u64().unwrap() as u32)
        .collect();
    let (values, shape) = files.values_f32(NAME).unwrap();
    assert_eq!(shape, [2, 4, 96]);
    assert_eq!(values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), want);
    // Quantizing the stored values to MXFP4 again reproduces them exactly.
    let again =
        quantscope::quant::block::quantize_blocks(&values, &shape, "mxfp4".parse().unwrap())
            .unwrap();
    assert_eq!(again.dequantized, values);
}

#[test]
fn the_cli_shows_the_logical_tensor() {
    let out = Command::new(env!("CARGO_BIN_EXE_quantscope"))
        .args(["inspect", fixture().to_str().unwrap(), "--stats", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"MXFP4\""), "{text}");
    assert!(!text.contains("_blocks\""), "{text}");
}

fn write(dir: &Path, name: &str, tensors: &[(&str, Vec<usize>)]) -> PathBuf {
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(n, shape)| {
            (
                n.to_string(),
                shape.clone(),
                vec![0x21u8; shape.iter().product()],
            )
        })
        .collect();
    let views: HashMap<String, TensorView> = data
        .iter()
        .map(|(n, shape, bytes)| {
            (
                n.clone(),
                TensorView::new(Dtype::U8, shape.clone(), bytes).unwrap(),
            )
        })
        .collect();
    let path = dir.join(name);
    safetensors::serialize_to_file(&views, None, &path).unwrap();
    path
}

#[test]
fn broken_pairs_are_named_errors() {
    let dir = temp_dir("broken");
    let lonely = write(&dir, "lonely.safetensors", &[("w_blocks", vec![4, 2, 16])]);
    let err = ModelFiles::open(&lonely).unwrap_err();
    assert!(
        err.contains("w_blocks") && err.contains("w_scales"),
        "{err}"
    );
    let wrong = write(
        &dir,
        "wrong.safetensors",
        &[("w_blocks", vec![4, 2, 16]), ("w_scales", vec![4, 3])],
    );
    let err = ModelFiles::open(&wrong).unwrap_err();
    assert!(err.contains("w_scales") && err.contains("[4, 2]"), "{err}");
    // A U8 `_blocks` that is not 16 wide is just a byte tensor.
    let other = write(&dir, "other.safetensors", &[("x_blocks", vec![4, 3])]);
    assert_eq!(ModelFiles::open(&other).unwrap().tensors.len(), 1);
    for path in [&lonely, &wrong] {
        let out = Command::new(env!("CARGO_BIN_EXE_quantscope"))
            .args(["inspect", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!err.contains("panicked"));
    }
    std::fs::remove_dir_all(dir).ok();
}
