//! ConvNeXt for image classification in Hugging Face layout (facebook/convnext-tiny-224 …),
//! following transformers' `modeling_convnext.py`: a patchify stem (k×k stride-k
//! convolution, channels-first layer norm), stages that start with a layer norm and a 2×2
//! stride-2 convolution when the width changes, and blocks of depthwise 7×7 → layer norm →
//! Linear(4×) → GELU → Linear → layer scale, added to the block's input; then global
//! average pooling, a final layer norm (`layer_norm_eps`) and a linear classifier. Inner
//! layer norms use ε = 1e-6 as transformers hard-codes.

use super::family::ConfigJson;
use super::layers::{Activation, Capture, Network, TensorList, Weights};
use super::precision::Precision;
use crate::model::ModelFiles;
use candle_core::{Result, Tensor};

/// What the architecture reads from `config.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvNextConfig {
    /// Input channels.
    pub num_channels: usize,
    /// The stem's kernel and stride.
    pub patch_size: usize,
    /// Each stage's width.
    pub hidden_sizes: Vec<usize>,
    /// Blocks per stage.
    pub depths: Vec<usize>,
    /// The MLP's activation.
    pub hidden_act: Activation,
    /// The final layer norm's epsilon.
    pub layer_norm_eps: f64,
    /// Layer scale (γ per channel) when > 0.
    pub layer_scale_init_value: f64,
    /// Input side (for the processor's defaults).
    pub image_size: usize,
}

/// The epsilon of every layer norm but the last (hard-coded in transformers).
const INNER_EPS: f64 = 1e-6;

/// The classifier's weight.
pub const CLASSIFIER: &str = "classifier";

impl ConvNextConfig {
    /// Read from a parsed `config.json`, with transformers' defaults (convnext-tiny).
    pub fn from_json(c: &serde_json::Value) -> std::result::Result<ConvNextConfig, String> {
        let j = ConfigJson(c);
        let mut hidden_sizes = j.list("hidden_sizes", &[96, 192, 384, 768])?;
        let mut depths = j.list("depths", &[3, 3, 9, 3])?;
        let stages = j.int("num_stages", 4)?;
        if stages == 0 || hidden_sizes.len() < stages || depths.len() < stages {
            return Err(format!(
                "config.json: num_stages {stages} needs that many 'hidden_sizes' and 'depths'"
            ));
        }
        hidden_sizes.truncate(stages);
        depths.truncate(stages);
        let cfg = ConvNextConfig {
            num_channels: j.int("num_channels", 3)?,
            patch_size: j.side("patch_size", 4)?,
            hidden_sizes,
            depths,
            hidden_act: Activation::from_hf(&j.string("hidden_act", "gelu")?)?,
            layer_norm_eps: j.float("layer_norm_eps", 1e-12)?,
            layer_scale_init_value: j.float("layer_scale_init_value", 1e-6)?,
            image_size: j.side("image_size", 224)?,
        };
        if cfg.patch_size == 0 || cfg.hidden_sizes.contains(&0) {
            return Err("config.json: 'patch_size' and 'hidden_sizes' must be positive".into());
        }
        Ok(cfg)
    }

    /// Whether stage `s` starts with a downsampling layer: every stage but the first
    /// (stride 2; the first has stride 1 and the stem's width).
    fn downsamples(&self, s: usize) -> bool {
        s > 0
    }
}

/// Names and shapes of every tensor a checkpoint of `cfg` holds, with a classifier of
/// `num_labels` classes.
pub fn checkpoint_tensors(cfg: &ConvNextConfig, num_labels: usize) -> Vec<(String, Vec<usize>)> {
    let mut t = TensorList::default();
    let (h0, ps) = (cfg.hidden_sizes[0], cfg.patch_size);
    let e = "convnext.embeddings";
    t.push(
        format!("{e}.patch_embeddings.weight"),
        vec![h0, cfg.num_channels, ps, ps],
    );
    t.push(format!("{e}.patch_embeddings.bias"), vec![h0]);
    t.norm(&format!("{e}.layernorm"), h0);
    for (s, (&d, &depth)) in cfg.hidden_sizes.iter().zip(&cfg.depths).enumerate() {
        let p = format!("convnext.encoder.stages.{s}");
        if cfg.downsamples(s) {
            let i = cfg.hidden_sizes[s - 1];
            t.norm(&format!("{p}.downsampling_layer.0"), i);
            t.push(format!("{p}.downsampling_layer.1.weight"), vec![d, i, 2, 2]);
            t.push(format!("{p}.downsampling_layer.1.bias"), vec![d]);
        }
        for l in 0..depth {
            let q = format!("{p}.layers.{l}");
            t.push(format!("{q}.dwconv.weight"), vec![d, 1, 7, 7]);
            t.push(format!("{q}.dwconv.bias"), vec![d]);
            t.norm(&format!("{q}.layernorm"), d);
            t.linear(&format!("{q}.pwconv1"), d, 4 * d, true);
            t.linear(&format!("{q}.pwconv2"), 4 * d, d, true);
            if cfg.layer_scale_init_value > 0.0 {
                t.push(format!("{q}.layer_scale_parameter"), vec![d]);
            }
        }
    }
    let last = *cfg.hidden_sizes.last().unwrap_or(&0);
    t.norm("convnext.layernorm", last);
    t.linear(CLASSIFIER, last, num_labels, true);
    t.0
}

/// ConvNeXt prepared for a precision.
pub struct ConvNext {
    cfg: ConvNextConfig,
    net: Weights,
}

/// Load every tensor `cfg` needs from `files`, prepared for `precision`.
pub fn load(
    files: &ModelFiles,
    cfg: ConvNextConfig,
    precision: Precision,
) -> std::result::Result<ConvNext, String> {
    let how = (precision, INNER_EPS);
    let net = super::family::load_classifier(files, &cfg, checkpoint_tensors, CLASSIFIER, how)?;
    Ok(ConvNext { cfg, net })
}

impl ConvNext {
    /// One block: depthwise 7×7, then (channels last) layer norm, Linear, activation,
    /// Linear, layer scale; added to the input.
    fn block(&self, x: &Tensor, p: &str) -> Result<Tensor> {
        let n = &self.net;
        let c = x.dims()[1];
        let y = n.conv2d(x, &format!("{p}.dwconv"), 1, 3, c)?;
        let y = y.permute((0, 2, 3, 1))?.contiguous()?;
        let y = n.layer_norm(&y, &format!("{p}.layernorm"), INNER_EPS)?;
        let y = n.linear(&y, &format!("{p}.pwconv1"), Some(self.cfg.hidden_act))?;
        let mut y = n.linear(&y, &format!("{p}.pwconv2"), None)?;
        if let Some(gamma) = n.w.get(&format!("{p}.layer_scale_parameter")) {
            y = n.r(y.broadcast_mul(&gamma.to_dtype(y.dtype())?)?)?;
        }
        let y = y.permute((0, 3, 1, 2))?;
        n.r((x + y)?)
    }
}

impl Network for ConvNext {
    /// Logits, capturing the embeddings and each stage (transformers' `hidden_states`),
    /// and the classifier.
    fn forward(&self, x: &Tensor, capture: Option<&mut Vec<(String, Tensor)>>) -> Result<Tensor> {
        let mut capture = Capture(capture);
        let n = &self.net;
        let ps = self.cfg.patch_size;
        let h = n.conv2d(x, "convnext.embeddings.patch_embeddings", ps, 0, 1)?;
        let mut h = n.layer_norm_channels(&h, "convnext.embeddings.layernorm", INNER_EPS)?;
        capture.keep("embeddings", &h);
        for (s, &depth) in self.cfg.depths.iter().enumerate() {
            let p = format!("convnext.encoder.stages.{s}");
            if self.cfg.downsamples(s) {
                let d = format!("{p}.downsampling_layer");
                h = n.layer_norm_channels(&h, &format!("{d}.0"), INNER_EPS)?;
                h = n.conv2d(&h, &format!("{d}.1"), 2, 0, 1)?;
            }
            for l in 0..depth {
                h = self.block(&h, &format!("{p}.layers.{l}"))?;
            }
            capture.keep(&format!("stage_{}", s + 1), &h);
        }
        let pooled = n.global_pool(&h)?;
        let pooled = n.layer_norm(&pooled, "convnext.layernorm", self.cfg.layer_norm_eps)?;
        let logits = n.linear(&pooled, CLASSIFIER, None)?;
        capture.keep("classifier", &logits);
        Ok(logits)
    }
}
