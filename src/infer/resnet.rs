//! ResNet for image classification in Hugging Face layout (microsoft/resnet-18 … -152),
//! following transformers' `modeling_resnet.py`: a 7×7 stride-2 stem with batch norm and a
//! 3×3 stride-2 max pool, then stages of basic (two 3×3) or bottleneck (1×1, 3×3, 1×1 at a
//! quarter of the width) residual layers, a 1×1 projection shortcut where the shape changes,
//! global average pooling and a linear classifier (`classifier.1`). Every size from
//! `config.json`; batch norms in eval mode.

use super::family::ConfigJson;
use super::layers::{Activation, Capture, Network, Pad, TensorList, Weights};
use super::precision::Precision;
use crate::model::ModelFiles;
use candle_core::{Result, Tensor};

/// `layer_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerType {
    /// Two 3×3 convolutions (ResNet-18/34).
    Basic,
    /// 1×1 down to a quarter, 3×3, 1×1 up (ResNet-50 and deeper).
    Bottleneck,
}

/// What the architecture reads from `config.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResNetConfig {
    /// Input channels.
    pub num_channels: usize,
    /// The stem's output channels.
    pub embedding_size: usize,
    /// Each stage's output channels.
    pub hidden_sizes: Vec<usize>,
    /// Layers per stage.
    pub depths: Vec<usize>,
    /// Basic or bottleneck layers.
    pub layer_type: LayerType,
    /// The stem's and each layer's final activation (`hidden_act`; the inner ones are ReLU,
    /// as in transformers).
    pub hidden_act: Activation,
    /// Whether the first stage halves the resolution.
    pub downsample_in_first_stage: bool,
    /// Whether a bottleneck downsamples in its first 1×1 (else in its 3×3).
    pub downsample_in_bottleneck: bool,
}

/// Batch-norm epsilon (`nn.BatchNorm2d`'s default).
const BN_EPS: f64 = 1e-5;

/// Width reduction inside a bottleneck.
const REDUCTION: usize = 4;

/// The classifier's weight.
pub const CLASSIFIER: &str = "classifier.1";

impl ResNetConfig {
    /// Read from a parsed `config.json`, with transformers' defaults (ResNet-50).
    pub fn from_json(c: &serde_json::Value) -> std::result::Result<ResNetConfig, String> {
        let j = ConfigJson(c);
        let layer_type = match j.string("layer_type", "bottleneck")?.as_str() {
            "basic" => LayerType::Basic,
            "bottleneck" => LayerType::Bottleneck,
            other => {
                return Err(format!(
                    "config.json: layer_type '{}' is not basic or bottleneck",
                    crate::formats::spec::printable(other)
                ));
            }
        };
        let cfg = ResNetConfig {
            num_channels: j.int("num_channels", 3)?,
            embedding_size: j.int("embedding_size", 64)?,
            hidden_sizes: j.list("hidden_sizes", &[256, 512, 1024, 2048])?,
            depths: j.list("depths", &[3, 4, 6, 3])?,
            layer_type,
            hidden_act: Activation::from_hf(&j.string("hidden_act", "relu")?)?,
            downsample_in_first_stage: j.boolean("downsample_in_first_stage", false)?,
            downsample_in_bottleneck: j.boolean("downsample_in_bottleneck", false)?,
        };
        if cfg.hidden_sizes.is_empty()
            || cfg.hidden_sizes.len() != cfg.depths.len()
            || cfg.depths.contains(&0)
            || cfg.hidden_sizes.contains(&0)
            || cfg.embedding_size == 0
        {
            return Err("config.json: 'hidden_sizes' and 'depths' must be non-empty lists of the same length, of positive sizes".into());
        }
        Ok(cfg)
    }

    /// Every layer: (prefix, input channels, output channels, stride).
    fn layers(&self) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut in_ch = self.embedding_size;
        for (s, (&o, &depth)) in self.hidden_sizes.iter().zip(&self.depths).enumerate() {
            let stride = if s > 0 || self.downsample_in_first_stage {
                2
            } else {
                1
            };
            for l in 0..depth {
                let p = format!("resnet.encoder.stages.{s}.layers.{l}");
                out.push((p, in_ch, o, if l == 0 { stride } else { 1 }));
                in_ch = o;
            }
        }
        out
    }

    /// The (stride of the 1×1, stride of the 3×3) of a bottleneck of `stride`.
    fn bottleneck_strides(&self, stride: usize) -> (usize, usize) {
        if self.downsample_in_bottleneck {
            (stride, 1)
        } else {
            (1, stride)
        }
    }
}

/// Names and shapes of every tensor a checkpoint of `cfg` holds, with a classifier of
/// `num_labels` classes (batch norms' `num_batches_tracked` excluded).
pub fn checkpoint_tensors(cfg: &ResNetConfig, num_labels: usize) -> Vec<(String, Vec<usize>)> {
    let mut t = TensorList::default();
    let stem = "resnet.embedder.embedder";
    t.conv_layer(
        stem,
        cfg.num_channels,
        cfg.embedding_size,
        7,
        1,
        true,
        false,
    );
    for (p, i, o, stride) in cfg.layers() {
        if i != o || stride != 1 {
            t.conv_layer(&format!("{p}.shortcut"), i, o, 1, 1, true, false);
        }
        match cfg.layer_type {
            LayerType::Basic => {
                t.conv_layer(&format!("{p}.layer.0"), i, o, 3, 1, true, false);
                t.conv_layer(&format!("{p}.layer.1"), o, o, 3, 1, true, false);
            }
            LayerType::Bottleneck => {
                let r = o / REDUCTION;
                t.conv_layer(&format!("{p}.layer.0"), i, r, 1, 1, true, false);
                t.conv_layer(&format!("{p}.layer.1"), r, r, 3, 1, true, false);
                t.conv_layer(&format!("{p}.layer.2"), r, o, 1, 1, true, false);
            }
        }
    }
    let last = *cfg.hidden_sizes.last().unwrap_or(&0);
    t.linear(CLASSIFIER, last, num_labels, true);
    t.0
}

/// ResNet prepared for a precision.
pub struct ResNet {
    cfg: ResNetConfig,
    net: Weights,
}

/// Load every tensor `cfg` needs from `files`, prepared for `precision`.
pub fn load(
    files: &ModelFiles,
    cfg: ResNetConfig,
    precision: Precision,
) -> std::result::Result<ResNet, String> {
    let how = (precision, BN_EPS);
    let net = super::family::load_classifier(files, &cfg, checkpoint_tensors, CLASSIFIER, how)?;
    Ok(ResNet { cfg, net })
}

impl ResNet {
    /// `ResNetConvLayer` `p`: k×k convolution with "same" padding, batch norm, `act`.
    fn conv(&self, x: &Tensor, p: &str, stride: usize, act: Option<Activation>) -> Result<Tensor> {
        let k = self.net.t(&format!("{p}.convolution.weight"))?.dims()[2];
        self.net.conv_layer(x, p, stride, Pad::Same(k / 2), 1, act)
    }

    /// One residual layer: its convolutions, plus the input (projected when the shape
    /// changes), then the activation.
    fn layer(
        &self,
        x: &Tensor,
        p: &str,
        in_ch: usize,
        out_ch: usize,
        stride: usize,
    ) -> Result<Tensor> {
        let relu = Some(Activation::Relu);
        let y = match self.cfg.layer_type {
            LayerType::Basic => {
                let y = self.conv(x, &format!("{p}.layer.0"), stride, relu)?;
                self.conv(&y, &format!("{p}.layer.1"), 1, None)?
            }
            LayerType::Bottleneck => {
                let (s1, s3) = self.cfg.bottleneck_strides(stride);
                let y = self.conv(x, &format!("{p}.layer.0"), s1, relu)?;
                let y = self.conv(&y, &format!("{p}.layer.1"), s3, relu)?;
                self.conv(&y, &format!("{p}.layer.2"), 1, None)?
            }
        };
        let residual = if in_ch != out_ch || stride != 1 {
            self.conv(x, &format!("{p}.shortcut"), stride, None)?
        } else {
            x.clone()
        };
        let sum = self.net.r((y + residual)?)?;
        self.net.r(self.cfg.hidden_act.apply(&sum)?)
    }
}

impl Network for ResNet {
    /// Logits, capturing the stem (after its pool), each stage and the classifier: the
    /// stem and stages are transformers' `hidden_states`.
    fn forward(&self, x: &Tensor, capture: Option<&mut Vec<(String, Tensor)>>) -> Result<Tensor> {
        let mut capture = Capture(capture);
        let h = self.conv(x, "resnet.embedder.embedder", 2, Some(self.cfg.hidden_act))?;
        let mut h = super::layers::max_pool(&h, 3, 2, 1)?;
        capture.keep("stem", &h);
        let layers = self.cfg.layers();
        for s in 0..self.cfg.depths.len() {
            let prefix = format!("resnet.encoder.stages.{s}.");
            for (p, i, o, stride) in layers.iter().filter(|l| l.0.starts_with(&prefix)) {
                h = self.layer(&h, p, *i, *o, *stride)?;
            }
            capture.keep(&format!("stage_{}", s + 1), &h);
        }
        let pooled = self.net.global_pool(&h)?;
        let logits = self.net.linear(&pooled, CLASSIFIER, None)?;
        capture.keep("classifier", &logits);
        Ok(logits)
    }
}
