//! Checkpoint fixtures written by test code: valid files of every dtype, and a temp folder.
#![allow(dead_code)]

use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A fresh empty folder under the system temp dir, unique to this process and `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quantscope-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Little-endian bytes of f32 values.
pub fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A small checkpoint laid out like a transformer block, with every dtype the panel reads,
/// a zero-size tensor and `__metadata__`, serialized to bytes.
pub fn every_dtype_checkpoint() -> Vec<u8> {
    let w: Vec<f32> = (0..64 * 32)
        .map(|i| ((i * 37 % 101) as f32 - 50.0) / 100.0)
        .collect();
    let mut tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = vec![
        (
            "encoder.layer.0.attention.query.weight".into(),
            Dtype::F32,
            vec![64, 32],
            f32_bytes(&w),
        ),
        (
            "encoder.layer.0.attention.query.bias".into(),
            Dtype::F32,
            vec![64],
            f32_bytes(&w[..64]),
        ),
        (
            "encoder.layer.1.output.dense.weight".into(),
            Dtype::BF16,
            vec![16, 8],
            w[..128]
                .iter()
                .flat_map(|&x| half::bf16::from_f32(x).to_le_bytes())
                .collect(),
        ),
        (
            "encoder.layer.1.output.dense.bias".into(),
            Dtype::F16,
            vec![16],
            w[..16]
                .iter()
                .flat_map(|&x| half::f16::from_f32(x).to_le_bytes())
                .collect(),
        ),
        (
            "head.weight".into(),
            Dtype::F64,
            vec![4, 4],
            w[..16]
                .iter()
                .flat_map(|&x| (x as f64).to_le_bytes())
                .collect(),
        ),
        (
            "fp8.e4m3".into(),
            Dtype::F8_E4M3,
            vec![8],
            vec![0x38, 0xb8, 0x7e, 0x00, 0x01, 0x40, 0x30, 0x7f],
        ),
        (
            "fp8.e5m2".into(),
            Dtype::F8_E5M2,
            vec![4],
            vec![0x3c, 0xbc, 0x7c, 0x01],
        ),
        (
            "buffers.position_ids".into(),
            Dtype::I64,
            vec![4],
            [0i64, 1, 2, 3]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect(),
        ),
        (
            "buffers.i32".into(),
            Dtype::I32,
            vec![2],
            [7i32, -7].iter().flat_map(|x| x.to_le_bytes()).collect(),
        ),
        (
            "buffers.i16".into(),
            Dtype::I16,
            vec![2],
            [300i16, -300]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect(),
        ),
        ("buffers.i8".into(), Dtype::I8, vec![2], vec![0x80, 0x7f]),
        ("buffers.u8".into(), Dtype::U8, vec![2], vec![0, 255]),
        ("buffers.mask".into(), Dtype::BOOL, vec![3], vec![1, 0, 1]),
        ("empty.weight".into(), Dtype::F32, vec![0, 4], vec![]),
    ];
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let views: HashMap<String, TensorView<'_>> = tensors
        .iter()
        .map(|(n, d, s, b)| {
            (
                n.clone(),
                TensorView::new(*d, s.clone(), b).expect("valid view"),
            )
        })
        .collect();
    let meta = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::serialize(&views, Some(meta)).expect("serialize")
}

/// Write `bytes` to `dir/name` and return the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p
}

/// A safetensors file from a raw header string and data bytes.
pub fn raw(header: &str, data: &[u8]) -> Vec<u8> {
    let mut v = (header.len() as u64).to_le_bytes().to_vec();
    v.extend_from_slice(header.as_bytes());
    v.extend_from_slice(data);
    v
}

/// A tiny checkpoint with GPT-2's tensor layout (2 layers, 64 wide, vocab 256), random
/// weights around N(0, 0.02) with a few outliers in the MLP, as a transformer user sees it.
pub fn gpt2_shaped_checkpoint() -> Vec<u8> {
    let (d, layers, vocab, ctx) = (64usize, 2usize, 256usize, 32usize);
    let mut seed = 12345u64;
    let mut next = move || {
        // xorshift + Box–Muller-free: sum of uniforms ≈ normal.
        let mut s = 0.0f32;
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s += (seed >> 40) as f32 / (1u64 << 24) as f32;
        }
        (s - 2.0) * 0.035
    };
    let mut specs: Vec<(String, Vec<usize>)> = vec![
        ("wte.weight".into(), vec![vocab, d]),
        ("wpe.weight".into(), vec![ctx, d]),
        ("ln_f.weight".into(), vec![d]),
        ("ln_f.bias".into(), vec![d]),
    ];
    for l in 0..layers {
        for (n, s) in [
            ("ln_1.weight", vec![d]),
            ("ln_1.bias", vec![d]),
            ("attn.c_attn.weight", vec![d, 3 * d]),
            ("attn.c_attn.bias", vec![3 * d]),
            ("attn.c_proj.weight", vec![d, d]),
            ("attn.c_proj.bias", vec![d]),
            ("ln_2.weight", vec![d]),
            ("ln_2.bias", vec![d]),
            ("mlp.c_fc.weight", vec![d, 4 * d]),
            ("mlp.c_fc.bias", vec![4 * d]),
            ("mlp.c_proj.weight", vec![4 * d, d]),
            ("mlp.c_proj.bias", vec![d]),
        ] {
            specs.push((format!("h.{l}.{n}"), s));
        }
    }
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = specs
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let mut v: Vec<f32> = (0..n).map(|_| next()).collect();
            if name.contains("mlp.c_fc.weight") {
                v[7] = 3.0; // an outlier, like real LLM weights
            }
            (name, shape, f32_bytes(&v))
        })
        .collect();
    let views: HashMap<String, TensorView<'_>> = data
        .iter()
        .map(|(n, s, b)| {
            (
                n.clone(),
                TensorView::new(Dtype::F32, s.clone(), b).expect("view"),
            )
        })
        .collect();
    safetensors::serialize(&views, None).expect("serialize")
}

/// Whether the panel on screen still computes (hidden panels only start when shown).
pub fn busy(app: &quantscope::app::QuantscopeApp) -> bool {
    app.busy()
}

/// Run frames until the panel on screen has nothing left in the background (twice in a
/// row), then `extra` more (scrolling animates over a few frames).
pub fn settle_frames(
    h: &mut egui_kittest::Harness<'_, quantscope::app::QuantscopeApp>,
    extra: usize,
) {
    for _ in 0..3000 {
        h.step();
        if !busy(h.state()) {
            h.run_steps(extra.max(2));
            if !busy(h.state()) {
                return;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the panel on screen did not settle");
}

/// The whole app in a headless window of `width` × `height` points, from its start state.
pub fn app_harness(
    width: f32,
    height: f32,
) -> egui_kittest::Harness<'static, quantscope::app::QuantscopeApp> {
    egui_kittest::Harness::builder()
        .with_size([width, height])
        .build_ui_state(
            |ui, app: &mut quantscope::app::QuantscopeApp| app.show(ui),
            quantscope::app::QuantscopeApp::default(),
        )
}

/// Run the `quantscope` binary with `args` and capture what it prints.
pub fn quantscope(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_quantscope"))
        .args(args)
        .output()
        .expect("run quantscope")
}
