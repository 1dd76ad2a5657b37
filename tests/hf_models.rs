//! ViT, ResNet, ConvNeXt and MobileNetV2 against transformers: the reference fixtures in
//! tests/fixtures/hf were made by scripts/make_hf_fixtures.py (transformers 5.24, torch
//! 2.15, Pillow 13): small random-init models of non-default sizes, each family's PIL image
//! processor, and transformers' logits and hidden states.

mod common;

use candle_core::{Device, Tensor};
use quantscope::infer::Precision;
use quantscope::infer::image_processor::{ImageProcessor, ProcessorKind};
use quantscope::infer::preprocess::load_image;
use quantscope::infer::run::{Classifier, difference};
use quantscope::model::{Checkpoint, ModelFiles};
use std::path::{Path, PathBuf};

/// Every fixture model and its architecture's name.
const MODELS: [(&str, &str); 8] = [
    ("vit_tiny", "ViT"),
    ("vit_nobias", "ViT"),
    ("resnet_basic", "ResNet"),
    ("resnet_bottleneck", "ResNet"),
    ("convnext_tiny", "ConvNeXt"),
    ("convnext_noscale", "ConvNeXt"),
    ("mobilenet_v2_035", "MobileNetV2"),
    ("mobilenet_v2_025", "MobileNetV2"),
];

fn dir(name: &str) -> PathBuf {
    Path::new("tests/fixtures/hf").join(name)
}

fn image() -> image::DynamicImage {
    load_image(Path::new("tests/fixtures/mobilevit/image.png")).unwrap()
}

fn reference(name: &str) -> Checkpoint {
    Checkpoint::open(&dir(name).join("reference.safetensors")).unwrap()
}

/// Largest |a − b| ÷ max(1, largest |b|): absolute for O(1) values, relative for larger.
fn scaled_error(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(1f32, |m, x| m.max(x.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
        / scale
}

fn mean_abs(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() as f64)
        .sum::<f64>()
        / a.len() as f64
}

#[test]
fn fp32_logits_from_pixel_values_match_transformers_within_1e4() {
    for (name, arch) in MODELS {
        let model = Classifier::load(&dir(name)).unwrap();
        assert_eq!(model.architecture, arch);
        let r = reference(name);
        for (input, logits) in [
            ("pixel_values", "logits_fp32"),
            ("random_pixel_values", "random_logits_fp32"),
        ] {
            let (px, _) = r.values_f32(input).unwrap();
            let (want, _) = r.values_f32(logits).unwrap();
            let got = model.run(&px, Precision::F32).unwrap();
            let err = got
                .logits
                .iter()
                .zip(&want)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(err < 1e-4, "{name} {input}: logits differ by {err}");
        }
    }
}

#[test]
fn every_stage_matches_transformers_hidden_states() {
    // transformers' hidden_states: ViT the embeddings then each layer; ResNet the stem then
    // each stage; ConvNeXt the embeddings then each stage; MobileNetV2 each inverted
    // residual.
    for (name, arch) in MODELS {
        let model = Classifier::load(&dir(name)).unwrap();
        let r = reference(name);
        let (px, _) = r.values_f32("pixel_values").unwrap();
        let run = model.run(&px, Precision::F32).unwrap();
        let captured: Vec<&(String, Vec<f32>)> = match arch {
            "MobileNetV2" => run
                .layers
                .iter()
                .filter(|(n, _)| n.starts_with("layer_"))
                .collect(),
            _ => run
                .layers
                .iter()
                .filter(|(n, _)| n != "classifier")
                .collect(),
        };
        let n_hidden = r
            .names()
            .iter()
            .filter(|n| n.starts_with("hidden_state_"))
            .count();
        assert_eq!(captured.len(), n_hidden, "{name}: {:?}", run.layers.len());
        for (i, (stage, got)) in captured.iter().enumerate() {
            let (want, _) = r.values_f32(&format!("hidden_state_{i}")).unwrap();
            let err = scaled_error(got, &want);
            assert!(err < 1e-4, "{name} {stage}: scaled error {err}");
        }
    }
}

#[test]
fn pixel_values_from_the_image_are_transformers_own() {
    for (name, _) in MODELS {
        let model = Classifier::load(&dir(name)).unwrap();
        let px = model.preprocess(&image());
        let (want, shape) = reference(name).values_f32("pixel_values").unwrap();
        assert_eq!(shape[1..], model.input);
        let diff = px.iter().zip(&want).filter(|(a, b)| a != b).count();
        assert_eq!(diff, 0, "{name}: {diff} pixel values differ");
    }
}

#[test]
fn every_processor_setting_matches_transformers_value_for_value() {
    // Nearest, Lanczos and box filters, no normalization, no rescale, ConvNeXt's crop_pct
    // rule on both sides of 384, a crop larger than the resized image (zero padding), no
    // crop at all, and MobileViT's processor told to resize bilinearly.
    let settings: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/hf/processors.json").unwrap(),
    )
    .unwrap();
    let pixels = Checkpoint::open(Path::new("tests/fixtures/hf/processors.safetensors")).unwrap();
    let img = image();
    let settings = settings.as_object().unwrap();
    assert_eq!(settings.len(), 8);
    for (name, cfg) in settings {
        let p = ImageProcessor::from_json(Some(cfg), ProcessorKind::MobileVit, 0).unwrap();
        let (got, (h, w)) = p.pixels(&img);
        let (want, shape) = pixels.values_f32(name).unwrap();
        assert_eq!(shape, vec![1, 3, h as usize, w as usize], "{name}");
        let diff = got.iter().zip(&want).filter(|(a, b)| a != b).count();
        assert_eq!(diff, 0, "{name}: {diff} of {} values differ", want.len());
    }
}

#[test]
fn every_precision_runs_and_half_precisions_track_pytorchs() {
    for (name, _) in MODELS {
        let model = Classifier::load(&dir(name)).unwrap();
        let r = reference(name);
        let (px, _) = r.values_f32("pixel_values").unwrap();
        let (fp32_torch, _) = r.values_f32("logits_fp32").unwrap();
        let fp32 = model.run(&px, Precision::F32).unwrap();
        assert_eq!(fp32.top5[0].label, format!("class {}", fp32.top5[0].index));
        for p in Precision::ALL {
            let run = model.run(&px, p).unwrap();
            let d = difference(&run, &fp32);
            assert!(run.logits.iter().all(|x| x.is_finite()), "{name} {p}");
            assert_eq!(d.layer_rel_error.len(), fp32.layers.len(), "{name} {p}");
            let torch = match p {
                Precision::BF16 => "logits_bf16",
                Precision::F16 => "logits_fp16",
                _ => continue,
            };
            let (want, _) = r.values_f32(torch).unwrap();
            let ours = mean_abs(&run.logits, &want);
            let reference = mean_abs(&fp32_torch, &want);
            eprintln!("{name} {p}: |ours − torch| {ours:.2e}, |fp32 − torch| {reference:.2e}");
            if p == Precision::BF16 {
                // Rounding where PyTorch rounds, with the weights and batch-norm statistics
                // rounded as model.to(bfloat16) rounds them: the convolutional families'
                // BF16 logits equal PyTorch's here (0 difference); ViT's sit well nearer
                // them than FP32's do (PyTorch's fused attention rounds inside its kernel).
                let bound = if name.starts_with("vit") { 0.5 } else { 0.1 };
                assert!(
                    ours < bound * reference,
                    "{name} {p}: {ours} vs {reference}"
                );
            } else {
                // FP16 runs on the CPU and lands where PyTorch's FP16 does, within FP16's own
                // noise (its rounding error is ~8× smaller than BF16's).
                assert!(
                    ours < 2.0 * reference + 1e-3,
                    "{name} {p}: {ours} vs {reference}"
                );
            }
        }
    }
}

/// The fixture `name` copied to a temp folder, with its tensors changed by `edit` and its
/// config by `config`.
fn broken(
    name: &str,
    tag: &str,
    edit: impl Fn(&mut Vec<(String, Vec<usize>, Vec<f32>)>),
    config: impl Fn(&mut serde_json::Value),
) -> PathBuf {
    let out = common::temp_dir(&format!("hf-{name}-{tag}"));
    let src = dir(name);
    let ck = Checkpoint::open(&src.join("model.safetensors")).unwrap();
    let mut tensors: Vec<(String, Vec<usize>, Vec<f32>)> = ck
        .names()
        .into_iter()
        .filter(|n| !n.ends_with("num_batches_tracked"))
        .map(|n| {
            let (v, s) = ck.values_f32(&n).unwrap();
            (n, s, v)
        })
        .collect();
    edit(&mut tensors);
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .into_iter()
        .map(|(n, s, v)| (n, s, common::f32_bytes(&v)))
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = bytes
        .iter()
        .map(|(n, s, b)| {
            let view = safetensors::tensor::TensorView::new(safetensors::Dtype::F32, s.clone(), b)
                .unwrap();
            (n.clone(), view)
        })
        .collect();
    let data = safetensors::tensor::serialize(views, None).unwrap();
    std::fs::write(out.join("model.safetensors"), data).unwrap();
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("config.json")).unwrap()).unwrap();
    config(&mut cfg);
    std::fs::write(out.join("config.json"), cfg.to_string()).unwrap();
    std::fs::copy(
        src.join("preprocessor_config.json"),
        out.join("preprocessor_config.json"),
    )
    .unwrap();
    out
}

#[test]
fn bad_checkpoints_of_each_family_name_the_tensor() {
    // (fixture, a tensor to drop or reshape, a config change the weights do not match and
    // the tensor the error must name).
    let cases = [
        (
            "vit_tiny",
            "vit.encoder.layer.1.intermediate.dense.weight",
            ("intermediate_size", serde_json::json!(64)),
            "vit.encoder.layer.0.intermediate.dense.weight",
        ),
        (
            "resnet_bottleneck",
            "resnet.encoder.stages.2.layers.1.layer.1.convolution.weight",
            ("layer_type", serde_json::json!("basic")),
            "resnet.encoder.stages.0.layers.0.layer.0.convolution.weight",
        ),
        (
            "convnext_tiny",
            "convnext.encoder.stages.3.layers.0.pwconv2.weight",
            ("hidden_sizes", serde_json::json!([8, 16, 24, 40])),
            "convnext.encoder.stages.3.downsampling_layer.1.weight",
        ),
        (
            "mobilenet_v2_035",
            "mobilenet_v2.layer.7.conv_3x3.convolution.weight",
            ("depth_multiplier", serde_json::json!(0.5)),
            "mobilenet_v2.layer.0.reduce_1x1.convolution.weight",
        ),
    ];
    for (name, tensor, (key, value), mismatch) in cases {
        // A missing tensor.
        let d = broken(
            name,
            "missing",
            |t| t.retain(|(n, _, _)| n != tensor),
            |_| {},
        );
        let err = Classifier::load(&d).unwrap_err();
        assert!(
            err.contains(tensor) && err.contains("no tensor"),
            "{name}: {err}"
        );
        // The right name with the wrong shape.
        let d = broken(
            name,
            "shape",
            |t| {
                let e = t.iter_mut().find(|(n, _, _)| n == tensor).unwrap();
                e.1 = vec![e.2.len()];
            },
            |_| {},
        );
        let err = Classifier::load(&d).unwrap_err();
        assert!(
            err.contains(tensor) && err.contains("the config needs ["),
            "{name}: {err}"
        );
        // A config the weights do not match: the first tensor that differs, with the shape
        // the config needs.
        let d = broken(name, "config", |_| {}, |c| c[key] = value.clone());
        let err = Classifier::load(&d).unwrap_err();
        assert!(
            err.contains(mismatch) && err.contains("the config needs"),
            "{name}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn lying_configs_are_errors_not_panics() {
    for (name, key, value, says) in [
        (
            "vit_tiny",
            "num_attention_heads",
            serde_json::json!(5),
            "num_attention_heads",
        ),
        (
            "vit_tiny",
            "hidden_act",
            serde_json::json!("mish"),
            "hidden_act",
        ),
        (
            "resnet_basic",
            "layer_type",
            serde_json::json!("wide"),
            "layer_type",
        ),
        (
            "resnet_basic",
            "depths",
            serde_json::json!([1, 2]),
            "depths",
        ),
        (
            "convnext_tiny",
            "num_stages",
            serde_json::json!(9),
            "num_stages",
        ),
        (
            "convnext_tiny",
            "patch_size",
            serde_json::json!("four"),
            "patch_size",
        ),
        (
            "mobilenet_v2_025",
            "output_stride",
            serde_json::json!(8),
            "output_stride",
        ),
        (
            "mobilenet_v2_025",
            "depth_multiplier",
            serde_json::json!(-1),
            "depth_multiplier",
        ),
    ] {
        let d = broken(name, key, |_| {}, |c| c[key] = value.clone());
        let err = Classifier::load(&d).unwrap_err();
        assert!(err.contains(says), "{name} {key}: {err}");
    }
}

#[test]
fn the_cli_classifies_and_compares_every_family() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_quantscope"))
            .args(args)
            .output()
            .unwrap()
    };
    for (name, _) in MODELS {
        let d = dir(name);
        let d = d.to_str().unwrap();
        let out = run(&[
            "classify",
            "--model",
            d,
            "--image",
            "tests/fixtures/mobilevit/image.png",
            "--dtype",
            "bfloat16",
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["dtype"], "bfloat16");
        let out = run(&[
            "compare",
            "--model",
            d,
            "--image",
            "tests/fixtures/mobilevit/image.png",
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v.to_string().contains("int8"), "{name}: {v}");
    }
}

#[test]
fn forward_on_a_tensor_matches_the_classifier() {
    // The model files are usable on their own (as candle's are): load + forward.
    use quantscope::infer::hf_model::HfModel;
    let d = dir("resnet_basic");
    let files = ModelFiles::open(&d).unwrap();
    let cfg = files.config.as_ref().unwrap();
    let model = HfModel::from_config("resnet", cfg).unwrap().unwrap();
    let net = model.load(&files, Precision::F32).unwrap();
    let (px, shape) = reference("resnet_basic")
        .values_f32("pixel_values")
        .unwrap();
    let x = Tensor::from_vec(px, shape.as_slice(), &Device::Cpu).unwrap();
    let logits: Vec<f32> = net
        .forward(&x, None)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap();
    let (want, _) = reference("resnet_basic").values_f32("logits_fp32").unwrap();
    assert!(scaled_error(&logits, &want) < 1e-4);
}
