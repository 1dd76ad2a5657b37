//! MobileNetV2 for image classification in Hugging Face layout (google/mobilenet_v2_1.0_224
//! and its width multipliers), following transformers' `modeling_mobilenet_v2.py`: a stem
//! (3×3 stride 2, an optional 1×1 expansion, depthwise 3×3, 1×1 reduction), 16 inverted
//! residuals (1×1 expansion, depthwise 3×3, 1×1 projection; ReLU6 by default), a 1×1 to
//! 1280 channels, global average pooling and a linear classifier. Channel counts follow
//! `depth_multiplier`, `depth_divisible_by`, `min_depth` and `finegrained_output`; with
//! `tf_padding` each convolution pads as TensorFlow's "SAME" (one more zero on the bottom
//! and right at stride 2). Batch norms in eval mode with `layer_norm_eps`.

use super::family::{ConfigJson, make_divisible, scale_channels};
use super::layers::{Activation, Capture, Network, Pad, TensorList, Weights};
use super::precision::Precision;
use crate::model::ModelFiles;
use candle_core::{Result, Tensor};

/// What the architecture reads from `config.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct MobileNetV2Config {
    /// Input channels.
    pub num_channels: usize,
    /// Input side.
    pub image_size: usize,
    /// Width multiplier.
    pub depth_multiplier: f64,
    /// Channel counts are multiples of this.
    pub depth_divisible_by: usize,
    /// Fewest channels of a layer.
    pub min_depth: usize,
    /// Inverted-residual expansion.
    pub expand_ratio: f64,
    /// Whether the stem's first convolution is its expansion (no separate 1×1).
    pub first_layer_is_expansion: bool,
    /// Keep the last 1×1 at 1280 channels when the multiplier is below 1.
    pub finegrained_output: bool,
    /// Activation after each expansion and depthwise convolution.
    pub hidden_act: Activation,
    /// TensorFlow "SAME" padding.
    pub tf_padding: bool,
    /// Batch-norm epsilon.
    pub layer_norm_eps: f64,
}

/// The base network's channels: the stem's output, then each inverted residual's.
const CHANNELS: [usize; 17] = [
    16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320,
];

/// Each inverted residual's stride.
const STRIDES: [usize; 16] = [2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1];

/// The classifier's weight.
pub const CLASSIFIER: &str = "classifier";

impl MobileNetV2Config {
    /// Read from a parsed `config.json`, with transformers' defaults (mobilenet_v2_1.0_224).
    pub fn from_json(c: &serde_json::Value) -> std::result::Result<MobileNetV2Config, String> {
        let j = ConfigJson(c);
        let cfg = MobileNetV2Config {
            num_channels: j.int("num_channels", 3)?,
            image_size: j.side("image_size", 224)?,
            depth_multiplier: j.float("depth_multiplier", 1.0)?,
            depth_divisible_by: j.int("depth_divisible_by", 8)?,
            min_depth: j.int("min_depth", 8)?,
            expand_ratio: j.float("expand_ratio", 6.0)?,
            first_layer_is_expansion: j.boolean("first_layer_is_expansion", true)?,
            finegrained_output: j.boolean("finegrained_output", true)?,
            hidden_act: Activation::from_hf(&j.string("hidden_act", "relu6")?)?,
            tf_padding: j.boolean("tf_padding", true)?,
            layer_norm_eps: j.float("layer_norm_eps", 1e-3)?,
        };
        let positive = |x: f64, most: f64| x > 0.0 && x <= most;
        if !positive(cfg.depth_multiplier, 16.0)
            || !positive(cfg.expand_ratio, 64.0)
            || cfg.depth_divisible_by == 0
        {
            return Err("config.json: depth_multiplier and expand_ratio must be positive (at most 16 and 64), depth_divisible_by > 0".into());
        }
        // The dilated variants (output_stride 8 or 16) are for segmentation.
        let output_stride = j.int("output_stride", 32)?;
        let mut stride = 2;
        for s in STRIDES {
            if stride == output_stride && s > 1 {
                return Err(format!(
                    "output_stride {output_stride} (dilated MobileNetV2) is not supported"
                ));
            }
            if stride != output_stride {
                stride *= s;
            }
        }
        Ok(cfg)
    }

    /// `apply_depth_multiplier`: `channels` scaled (Python's round, ties to even) and made
    /// divisible.
    fn scaled(&self, channels: usize) -> usize {
        let v = scale_channels(channels, self.depth_multiplier);
        make_divisible(v, self.depth_divisible_by, self.min_depth)
    }

    /// An inverted residual's expanded width.
    fn expanded(&self, in_ch: usize) -> usize {
        let v = scale_channels(in_ch, self.expand_ratio);
        make_divisible(v, self.depth_divisible_by, self.min_depth)
    }

    /// The channels after the stem and after each inverted residual.
    fn channels(&self) -> Vec<usize> {
        CHANNELS.iter().map(|&c| self.scaled(c)).collect()
    }

    /// The last 1×1's output channels.
    fn output_channels(&self) -> usize {
        if self.finegrained_output && self.depth_multiplier < 1.0 {
            1280
        } else {
            self.scaled(1280)
        }
    }
}

/// Names and shapes of every tensor a checkpoint of `cfg` holds, with a classifier of
/// `num_labels` classes (batch norms' `num_batches_tracked` excluded).
pub fn checkpoint_tensors(cfg: &MobileNetV2Config, num_labels: usize) -> Vec<(String, Vec<usize>)> {
    let mut t = TensorList::default();
    let ch = cfg.channels();
    let stem = cfg.scaled(32);
    let s = "mobilenet_v2.conv_stem";
    t.conv_layer(
        &format!("{s}.first_conv"),
        cfg.num_channels,
        stem,
        3,
        1,
        true,
        false,
    );
    if !cfg.first_layer_is_expansion {
        t.conv_layer(&format!("{s}.expand_1x1"), stem, stem, 1, 1, true, false);
    }
    t.conv_layer(&format!("{s}.conv_3x3"), stem, stem, 3, stem, true, false);
    t.conv_layer(&format!("{s}.reduce_1x1"), stem, ch[0], 1, 1, true, false);
    for i in 0..STRIDES.len() {
        let p = format!("mobilenet_v2.layer.{i}");
        let e = cfg.expanded(ch[i]);
        t.conv_layer(&format!("{p}.expand_1x1"), ch[i], e, 1, 1, true, false);
        t.conv_layer(&format!("{p}.conv_3x3"), e, e, 3, e, true, false);
        t.conv_layer(&format!("{p}.reduce_1x1"), e, ch[i + 1], 1, 1, true, false);
    }
    let out = cfg.output_channels();
    t.conv_layer("mobilenet_v2.conv_1x1", ch[16], out, 1, 1, true, false);
    t.linear(CLASSIFIER, out, num_labels, true);
    t.0
}

/// MobileNetV2 prepared for a precision.
pub struct MobileNetV2 {
    cfg: MobileNetV2Config,
    net: Weights,
}

/// Load every tensor `cfg` needs from `files`, prepared for `precision`.
pub fn load(
    files: &ModelFiles,
    cfg: MobileNetV2Config,
    precision: Precision,
) -> std::result::Result<MobileNetV2, String> {
    let how = (precision, cfg.layer_norm_eps);
    let net = super::family::load_classifier(files, &cfg, checkpoint_tensors, CLASSIFIER, how)?;
    Ok(MobileNetV2 { cfg, net })
}

impl MobileNetV2 {
    /// `MobileNetV2ConvLayer` `p`: convolution (TF or "same" padding), batch norm, and the
    /// activation when `act`.
    fn conv(&self, x: &Tensor, p: &str, stride: usize, act: bool) -> Result<Tensor> {
        let w = self.net.t(&format!("{p}.convolution.weight"))?;
        let (k, groups) = (w.dims()[2], x.dims()[1] / w.dims()[1].max(1));
        let pad = if self.cfg.tf_padding {
            Pad::Tf
        } else {
            Pad::Same((k - 1) / 2)
        };
        let act = act.then_some(self.cfg.hidden_act);
        self.net.conv_layer(x, p, stride, pad, groups, act)
    }

    /// The 1×1 expansion, depthwise 3×3 and 1×1 projection of `p`, plus the input when the
    /// shape stays.
    fn inverted_residual(&self, x: &Tensor, p: &str, stride: usize) -> Result<Tensor> {
        let y = self.conv(x, &format!("{p}.expand_1x1"), 1, true)?;
        let y = self.conv(&y, &format!("{p}.conv_3x3"), stride, true)?;
        let y = self.conv(&y, &format!("{p}.reduce_1x1"), 1, false)?;
        if stride == 1 && x.dims()[1] == y.dims()[1] {
            self.net.r((x + y)?)
        } else {
            Ok(y)
        }
    }
}

impl Network for MobileNetV2 {
    /// Logits, capturing the stem, each inverted residual (transformers' `hidden_states`),
    /// the last 1×1 and the classifier.
    fn forward(&self, x: &Tensor, capture: Option<&mut Vec<(String, Tensor)>>) -> Result<Tensor> {
        let mut capture = Capture(capture);
        let s = "mobilenet_v2.conv_stem";
        let mut h = self.conv(x, &format!("{s}.first_conv"), 2, true)?;
        if !self.cfg.first_layer_is_expansion {
            h = self.conv(&h, &format!("{s}.expand_1x1"), 1, true)?;
        }
        h = self.conv(&h, &format!("{s}.conv_3x3"), 1, true)?;
        h = self.conv(&h, &format!("{s}.reduce_1x1"), 1, false)?;
        capture.keep("stem", &h);
        for (i, &stride) in STRIDES.iter().enumerate() {
            h = self.inverted_residual(&h, &format!("mobilenet_v2.layer.{i}"), stride)?;
            capture.keep(&format!("layer_{}", i + 1), &h);
        }
        let h = self.conv(&h, "mobilenet_v2.conv_1x1", 1, true)?;
        capture.keep("conv_1x1", &h);
        let pooled = self.net.global_pool(&h)?;
        let logits = self.net.linear(&pooled, CLASSIFIER, None)?;
        capture.keep("classifier", &logits);
        Ok(logits)
    }
}
