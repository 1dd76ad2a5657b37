//! Loading a classifier from a checkpoint and running it in any precision, with per-layer
//! outputs, timing and weight memory; comparing precisions against FP32.

use super::cache::{CACHE_BUDGET, Prepared, WeightCache};
use super::hf_model::HfModel;
use super::precision::Precision;
use super::preprocess::{ImageProcessor, digit_pixels};
use super::simple_cnn::{self, SimpleCnn};
use super::weights::{first_line, prepare, weight_bytes};
use crate::model::ModelFiles;
use crate::platform::Instant;
use candle_core::{DType, Device, Tensor};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// The bundled SimpleCNN's files, part of the binary (the web page has no file system):
/// (name, bytes) as [`crate::model::ModelFiles::from_memory`] takes them.
pub fn bundled_files() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "model.safetensors".into(),
            include_bytes!("../../assets/models/simple_cnn/model.safetensors").to_vec(),
        ),
        (
            "config.json".into(),
            include_bytes!("../../assets/models/simple_cnn/config.json").to_vec(),
        ),
    ]
}

/// The checkpoint that ships with the app (`assets/models/simple_cnn`), found next to the
/// sources, in the working directory, or above the executable.
pub fn bundled_checkpoint() -> Option<std::path::PathBuf> {
    let rel = Path::new("assets/models/simple_cnn");
    let mut candidates = vec![
        Path::new(env!("CARGO_MANIFEST_DIR")).join(rel),
        rel.to_path_buf(),
    ];
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            candidates.push(dir.join(rel));
        }
    }
    candidates
        .into_iter()
        .find(|p| p.join("model.safetensors").exists())
}

/// The architectures quantscope runs.
#[derive(Clone, Debug)]
pub enum Arch {
    /// SimpleCNN: its f32 tensors in [`simple_cnn::TENSORS`] order.
    SimpleCnn(Vec<(Vec<f32>, Vec<usize>)>),
    /// A Hugging Face image classifier: the checkpoint (memory-mapped), architecture and
    /// config, and image processor.
    Hf {
        /// The open checkpoint.
        files: Arc<ModelFiles>,
        /// Architecture and sizes from config.json.
        model: Box<HfModel>,
        /// preprocessor_config.json.
        processor: ImageProcessor,
    },
}

/// A classifier's weights and labels, ready to be prepared in any precision.
#[derive(Clone, Debug)]
pub struct Classifier {
    /// Where it came from.
    pub source: String,
    /// Architecture name.
    pub architecture: String,
    /// Class labels, by index.
    pub labels: Vec<String>,
    /// The model.
    pub arch: Arch,
    /// Input shape [C, H, W].
    pub input: [usize; 3],
    /// Shapes of the weights (for memory per precision).
    pub shapes: Vec<Vec<usize>>,
    /// The weights prepared per precision (shared by clones).
    pub cache: WeightCache,
    /// The checkpoint it was read from.
    pub origin: Arc<ModelFiles>,
}

/// The architectures Run can execute: `config.json`'s `model_type` and what it is.
pub const SUPPORTED: [(&str, &str); 6] = [
    (
        "simple_cnn",
        "the lesson's SimpleCNN (also recognised by its tensor names without a config)",
    ),
    (
        "mobilevit",
        "Hugging Face MobileViT (apple/mobilevit-small, -x-small, -xx-small)",
    ),
    (
        "vit",
        "Hugging Face ViT (google/vit-base-patch16-224, vit-large, DeiT-style checkpoints)",
    ),
    (
        "resnet",
        "Hugging Face ResNet, basic or bottleneck (microsoft/resnet-18 … resnet-152)",
    ),
    (
        "convnext",
        "Hugging Face ConvNeXt (facebook/convnext-tiny-224 … convnext-xlarge)",
    ),
    (
        "mobilenet_v2",
        "Hugging Face MobileNetV2, any depth multiplier (google/mobilenet_v2_1.0_224, 0.35_96 …)",
    ),
];

impl Classifier {
    /// Load from a checkpoint path (file or folder). The architecture is read from
    /// `config.json` (`model_type`) or recognised from the tensor names.
    pub fn load(path: &Path) -> Result<Classifier, String> {
        Classifier::from_shared(Arc::new(ModelFiles::open(path)?))
    }

    /// Build from a shared opened checkpoint.
    pub fn from_shared(files: Arc<ModelFiles>) -> Result<Classifier, String> {
        let model_type = files
            .config
            .as_ref()
            .and_then(|c| c.get("model_type"))
            .and_then(|v| v.as_str())
            .unwrap_or("");
        if let Some(config) = files.config.as_ref()
            && let Some(model) = HfModel::from_config(model_type, config)
        {
            return Self::hf(model?, files);
        }
        let looks_like_cnn =
            files.tensor("conv1.weight").is_some() && files.tensor("fc2.weight").is_some();
        if !(model_type == "simple_cnn" || (model_type.is_empty() && looks_like_cnn)) {
            let supported = SUPPORTED.map(|(t, _)| t).join(", ");
            return Err(if model_type.is_empty() {
                format!(
                    "unsupported architecture: no config.json model_type and not SimpleCNN's tensors (Run supports model_type {supported})"
                )
            } else {
                format!(
                    "unsupported architecture '{}' (Run supports model_type {supported})",
                    crate::formats::spec::printable(model_type)
                )
            });
        }
        let mut tensors = Vec::new();
        for (name, shape) in simple_cnn::TENSORS {
            let entry = files.tensor(name).ok_or_else(|| {
                format!("the checkpoint has no tensor '{name}' (SimpleCNN needs it)")
            })?;
            if entry.shape != shape {
                return Err(format!(
                    "tensor '{name}' has shape {:?}, SimpleCNN needs {shape:?}",
                    entry.shape
                ));
            }
            tensors.push(files.values_f32(name)?);
        }
        Ok(Classifier {
            source: files.path.display().to_string(),
            architecture: "SimpleCNN".into(),
            labels: labels(files.config.as_ref(), 10),
            shapes: tensors.iter().map(|(_, s)| s.clone()).collect(),
            cache: WeightCache::new(CACHE_BUDGET),
            arch: Arch::SimpleCnn(tensors),
            input: [1, simple_cnn::SIZE, simple_cnn::SIZE],
            origin: files,
        })
    }

    fn hf(model: HfModel, files: Arc<ModelFiles>) -> Result<Classifier, String> {
        let n_labels = super::family::num_labels(&files, &model.classifier())?;
        // Check every tensor and shape now (from the header: no values are read), so a
        // mismatch is reported when the model opens.
        let shapes = super::family::check_tensors(&files, &model.tensors(n_labels))?;
        let pre = files.side_json("preprocessor_config.json");
        let size = model.image_size() as u32;
        let processor = ImageProcessor::from_json(pre.as_ref(), model.processor(), size)?;
        let (h, w) = processor.fixed_size().ok_or(
            "preprocessor_config.json resizes the shortest edge without a crop, so the input size would depend on the image: quantscope runs a fixed size (add do_center_crop and crop_size)",
        )?;
        if let HfModel::Vit(c) = &model
            && (h as usize, w as usize) != (c.image_size, c.image_size)
        {
            return Err(format!(
                "preprocessor_config.json makes {h}×{w} inputs, but the ViT's position embeddings are for {0}×{0} (image_size)",
                c.image_size
            ));
        }
        if h == 0 || w == 0 || (h as u64) * (w as u64) > 4096 * 4096 {
            return Err(format!(
                "preprocessor_config.json makes {h}×{w} inputs (at most 4096×4096)"
            ));
        }
        Ok(Classifier {
            source: files.path.display().to_string(),
            architecture: model.name().into(),
            labels: labels(files.config.as_ref(), n_labels),
            input: [model.num_channels(), h as usize, w as usize],
            shapes,
            cache: WeightCache::new(CACHE_BUDGET),
            origin: Arc::clone(&files),
            arch: Arch::Hf {
                files,
                model: Box::new(model),
                processor,
            },
        })
    }

    /// The model's input for an image (MNIST-style for SimpleCNN, the Hugging Face image
    /// processor for the others).
    pub fn preprocess(&self, img: &image::DynamicImage) -> Vec<f32> {
        match &self.arch {
            Arch::SimpleCnn(_) => digit_pixels(img),
            Arch::Hf { processor, .. } => processor.pixels(img).0,
        }
    }

    /// The 8-bit RGB picture of `pixel_values` for display (the image processor undone);
    /// None for SimpleCNN's single channel.
    pub fn input_rgb(&self, pixel_values: &[f32]) -> Option<Vec<[u8; 3]>> {
        match &self.arch {
            Arch::SimpleCnn(_) => None,
            Arch::Hf { processor, .. } => Some(processor.to_rgb8(pixel_values)),
        }
    }

    /// Bytes of the weights in `precision`.
    pub fn weight_bytes(&self, precision: Precision) -> u64 {
        weight_bytes(&self.shapes, precision)
    }

    /// Run on one input (`pixel_values`, [C·H·W] f32, already preprocessed).
    pub fn run(&self, pixel_values: &[f32], precision: Precision) -> Result<Prediction, String> {
        let err = |e: candle_core::Error| first_line(&e.to_string());
        let [c, h, w] = self.input;
        if pixel_values.len() != c * h * w {
            return Err(format!(
                "pixel values hold {} numbers; {} needs [1, {c}, {h}, {w}] = {}",
                pixel_values.len(),
                self.architecture,
                c * h * w
            ));
        }
        let x = Tensor::from_vec(pixel_values.to_vec(), (1, c, h, w), &Device::Cpu).map_err(err)?;
        let x = precision
            .round(x.to_dtype(precision.carrier()).map_err(err)?)
            .map_err(err)?;
        let mut layers = Vec::new();
        let start = Instant::now();
        let (model, fresh) = self.cache.get_or_prepare(
            precision,
            prepared_bytes(&self.shapes, precision),
            || match &self.arch {
                Arch::SimpleCnn(tensors) => {
                    let weights = tensors
                        .iter()
                        .map(|(v, s)| prepare(v, s, precision))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Box::new(SimpleCnn::new(weights, precision)?) as Prepared)
                }
                Arch::Hf { files, model, .. } => model.load(files, precision),
            },
        )?;
        let prepare_ms = if fresh {
            start.elapsed().as_secs_f64() * 1e3
        } else {
            0.0
        };
        let start = Instant::now();
        let logits = model.forward(&x, Some(&mut layers)).map_err(err)?;
        let ms = start.elapsed().as_secs_f64() * 1e3;
        let to_vec = |t: &Tensor| -> Result<Vec<f32>, String> {
            t.to_dtype(DType::F32)
                .and_then(|t| t.flatten_all())
                .and_then(|t| t.to_vec1::<f32>())
                .map_err(err)
        };
        let logits = to_vec(&logits)?;
        let layers = layers
            .iter()
            .map(|(n, t)| Ok((n.clone(), to_vec(t)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let mut p = Prediction::new(
            precision,
            logits,
            &self.labels,
            ms,
            self.weight_bytes(precision),
            layers,
        );
        p.prepare_ms = prepare_ms;
        Ok(p)
    }
}

/// Bytes the prepared weights take in memory (the carrier dtype: f16 for FP16, f32 for the
/// rest, whose values are rounded or dequantized).
fn prepared_bytes(shapes: &[Vec<usize>], precision: Precision) -> u64 {
    let n: u64 = shapes
        .iter()
        .map(|s| s.iter().map(|&d| d as u64).product::<u64>())
        .sum();
    if precision == Precision::F16 {
        2 * n
    } else {
        4 * n
    }
}

/// Labels from `config.json`'s `id2label`, or the indices.
pub fn labels(config: Option<&serde_json::Value>, n: usize) -> Vec<String> {
    let map = config
        .and_then(|c| c.get("id2label"))
        .and_then(|m| m.as_object());
    (0..n)
        .map(|i| {
            map.and_then(|m| m.get(&i.to_string()))
                .and_then(|v| v.as_str())
                .map_or_else(|| i.to_string(), str::to_string)
        })
        .collect()
}

/// One class in a top-k list.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Ranked {
    /// Class index.
    pub index: usize,
    /// Class label.
    pub label: String,
    /// Softmax probability.
    pub prob: f64,
}

/// The result of one run.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Prediction {
    /// Precision name.
    pub dtype: String,
    /// Logits (as f32).
    pub logits: Vec<f32>,
    /// The five most probable classes.
    pub top5: Vec<Ranked>,
    /// Forward time in milliseconds.
    pub ms: f64,
    /// Time to prepare (cast / quantize) the weights first, in milliseconds: 0 when they
    /// came from the cache.
    pub prepare_ms: f64,
    /// Weight memory in bytes.
    pub weight_bytes: u64,
    /// Each layer's output, flattened (not in JSON).
    #[serde(skip)]
    pub layers: Vec<(String, Vec<f32>)>,
}

impl Prediction {
    fn new(
        precision: Precision,
        logits: Vec<f32>,
        labels: &[String],
        ms: f64,
        weight_bytes: u64,
        layers: Vec<(String, Vec<f32>)>,
    ) -> Prediction {
        let max = logits
            .iter()
            .fold(f64::NEG_INFINITY, |m, &x| m.max(x as f64));
        let exps: Vec<f64> = logits.iter().map(|&x| (x as f64 - max).exp()).collect();
        let sum: f64 = exps.iter().sum();
        let mut order: Vec<usize> = (0..logits.len()).collect();
        order.sort_by(|&a, &b| exps[b].total_cmp(&exps[a]));
        let top5 = order
            .iter()
            .take(5)
            .map(|&i| Ranked {
                index: i,
                label: labels.get(i).cloned().unwrap_or_else(|| i.to_string()),
                prob: exps[i] / sum,
            })
            .collect();
        Prediction {
            dtype: precision.name().into(),
            logits,
            top5,
            ms,
            prepare_ms: 0.0,
            weight_bytes,
            layers,
        }
    }

    /// Index of the most probable class.
    pub fn top1(&self) -> Option<usize> {
        self.top5.first().map(|r| r.index)
    }
}

/// How one precision's run differs from FP32's.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Difference {
    /// Mean |logit − FP32 logit|.
    pub mean_abs: f64,
    /// Max |logit − FP32 logit|.
    pub max_abs: f64,
    /// Whether the top-1 class is the same.
    pub top1_agrees: bool,
    /// Per layer: ‖out − FP32 out‖ / ‖FP32 out‖.
    pub layer_rel_error: Vec<(String, f64)>,
}

/// Compare `p` with the FP32 reference.
pub fn difference(p: &Prediction, reference: &Prediction) -> Difference {
    let d: Vec<f64> = p
        .logits
        .iter()
        .zip(&reference.logits)
        .map(|(&a, &b)| (a as f64 - b as f64).abs())
        .collect();
    let layer_rel_error = p
        .layers
        .iter()
        .zip(&reference.layers)
        .map(|((name, a), (_, b))| {
            let num: f64 = a
                .iter()
                .zip(b)
                .map(|(&x, &y)| (x as f64 - y as f64).powi(2))
                .sum();
            let den: f64 = b.iter().map(|&y| (y as f64).powi(2)).sum();
            (
                name.clone(),
                if den > 0.0 {
                    (num / den).sqrt()
                } else {
                    num.sqrt()
                },
            )
        })
        .collect();
    Difference {
        mean_abs: d.iter().sum::<f64>() / d.len().max(1) as f64,
        max_abs: d.iter().fold(0.0, |m, &x| m.max(x)),
        top1_agrees: p.top1() == reference.top1(),
        layer_rel_error,
    }
}
