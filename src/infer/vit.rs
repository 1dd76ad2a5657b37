//! ViT for image classification in Hugging Face layout (google/vit-base-patch16-224 …),
//! following transformers' `modeling_vit.py`: patches by a k×k stride-k convolution, a
//! class token in front, learned position embeddings added, pre-norm transformer layers
//! (multi-head self-attention, GELU MLP), a final layer norm, and a linear classifier on
//! the class token. Every size from `config.json`; the input must be the size the position
//! embeddings were learned for (`image_size`).

use super::family::ConfigJson;
use super::layers::{Activation, Attention, Capture, Network, TensorList, Weights};
use super::precision::Precision;
use crate::model::ModelFiles;
use candle_core::{Result, Tensor};

/// What the architecture reads from `config.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct VitConfig {
    /// Width of every token.
    pub hidden_size: usize,
    /// Transformer layers.
    pub num_hidden_layers: usize,
    /// Attention heads.
    pub num_attention_heads: usize,
    /// MLP width.
    pub intermediate_size: usize,
    /// MLP activation.
    pub hidden_act: Activation,
    /// Layer-norm epsilon.
    pub layer_norm_eps: f64,
    /// Input side.
    pub image_size: usize,
    /// Patch side.
    pub patch_size: usize,
    /// Input channels.
    pub num_channels: usize,
    /// Whether query, key and value have biases.
    pub qkv_bias: bool,
}

/// The classifier's weight.
pub const CLASSIFIER: &str = "classifier";

impl VitConfig {
    /// Read from a parsed `config.json`, with transformers' defaults (ViT-Base/16).
    pub fn from_json(c: &serde_json::Value) -> std::result::Result<VitConfig, String> {
        let j = ConfigJson(c);
        let cfg = VitConfig {
            hidden_size: j.int("hidden_size", 768)?,
            num_hidden_layers: j.int("num_hidden_layers", 12)?,
            num_attention_heads: j.int("num_attention_heads", 12)?,
            intermediate_size: j.int("intermediate_size", 3072)?,
            hidden_act: Activation::from_hf(&j.string("hidden_act", "gelu")?)?,
            layer_norm_eps: j.float("layer_norm_eps", 1e-12)?,
            image_size: j.side("image_size", 224)?,
            patch_size: j.side("patch_size", 16)?,
            num_channels: j.int("num_channels", 3)?,
            qkv_bias: j.boolean("qkv_bias", true)?,
        };
        if cfg.num_attention_heads == 0
            || cfg.hidden_size == 0
            || !cfg.hidden_size.is_multiple_of(cfg.num_attention_heads)
        {
            return Err(
                "config.json: 'hidden_size' must be a positive multiple of 'num_attention_heads'"
                    .into(),
            );
        }
        if cfg.patch_size == 0 || cfg.patch_size > cfg.image_size {
            return Err("config.json: 'patch_size' must be between 1 and 'image_size'".into());
        }
        Ok(cfg)
    }

    /// Patches per image.
    fn num_patches(&self) -> usize {
        (self.image_size / self.patch_size).pow(2)
    }
}

/// Names and shapes of every tensor a checkpoint of `cfg` holds, with a classifier of
/// `num_labels` classes.
pub fn checkpoint_tensors(cfg: &VitConfig, num_labels: usize) -> Vec<(String, Vec<usize>)> {
    let mut t = TensorList::default();
    let (h, ps) = (cfg.hidden_size, cfg.patch_size);
    let e = "vit.embeddings";
    t.push(format!("{e}.cls_token"), vec![1, 1, h]);
    t.push(
        format!("{e}.position_embeddings"),
        vec![1, cfg.num_patches() + 1, h],
    );
    t.push(
        format!("{e}.patch_embeddings.projection.weight"),
        vec![h, cfg.num_channels, ps, ps],
    );
    t.push(format!("{e}.patch_embeddings.projection.bias"), vec![h]);
    for l in 0..cfg.num_hidden_layers {
        let p = format!("vit.encoder.layer.{l}");
        t.transformer_layer(&p, h, cfg.intermediate_size, cfg.qkv_bias);
    }
    t.norm("vit.layernorm", h);
    t.linear(CLASSIFIER, h, num_labels, true);
    t.0
}

/// ViT prepared for a precision.
pub struct Vit {
    cfg: VitConfig,
    net: Weights,
}

/// Load every tensor `cfg` needs from `files`, prepared for `precision`.
pub fn load(
    files: &ModelFiles,
    cfg: VitConfig,
    precision: Precision,
) -> std::result::Result<Vit, String> {
    let how = (precision, 1e-5);
    let net = super::family::load_classifier(files, &cfg, checkpoint_tensors, CLASSIFIER, how)?;
    Ok(Vit { cfg, net })
}

impl Network for Vit {
    /// Logits, capturing the embeddings and each layer's output (transformers'
    /// `hidden_states`), the final layer norm and the classifier.
    fn forward(&self, x: &Tensor, capture: Option<&mut Vec<(String, Tensor)>>) -> Result<Tensor> {
        let mut capture = Capture(capture);
        let (n, c) = (&self.net, &self.cfg);
        let (b, _, ih, iw) = x.dims4()?;
        if ih != c.image_size || iw != c.image_size {
            candle_core::bail!(
                "ViT's position embeddings are for {0}×{0} inputs, not {ih}×{iw}",
                c.image_size
            );
        }
        let e = "vit.embeddings";
        let patches = n.conv2d(
            x,
            &format!("{e}.patch_embeddings.projection"),
            c.patch_size,
            0,
            1,
        )?;
        let patches = patches.flatten_from(2)?.transpose(1, 2)?;
        let cls = n.t(&format!("{e}.cls_token"))?.to_dtype(patches.dtype())?;
        let cls = cls.broadcast_as((b, 1, c.hidden_size))?;
        let tokens = Tensor::cat(&[&cls, &patches], 1)?;
        let pos = n.t(&format!("{e}.position_embeddings"))?;
        let mut h = n.r(tokens.broadcast_add(&pos.to_dtype(tokens.dtype())?)?)?;
        capture.keep("embeddings", &h);
        for l in 0..c.num_hidden_layers {
            let p = format!("vit.encoder.layer.{l}");
            let how = (c.hidden_act, c.layer_norm_eps, Attention::Sdpa);
            h = n.transformer_layer(&h, &p, c.num_attention_heads, how)?;
            capture.keep(&format!("layer_{}", l + 1), &h);
        }
        let h = n.layer_norm(&h, "vit.layernorm", c.layer_norm_eps)?;
        let first = h.narrow(1, 0, 1)?.squeeze(1)?.contiguous()?;
        let logits = n.linear(&first, CLASSIFIER, None)?;
        capture.keep("classifier", &logits);
        Ok(logits)
    }
}
