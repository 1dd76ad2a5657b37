//! MobileViT for image classification in Hugging Face layout, following transformers'
//! `modeling_mobilevit.py`: conv stem → MobileNetV2 inverted residuals (layers 1–2) →
//! MobileViT blocks (layers 3–5: local conv, unfold into patches, transformer, fold, fusion) →
//! 1×1 expansion → global average pool → linear classifier. Every size comes from
//! `config.json`; batch norm runs in eval mode with its running statistics. Layer norm and
//! softmax compute their statistics in f32 and round the result to the precision.

use super::family::{ConfigJson, make_divisible, scale_channels};
use super::layers::{Activation, Attention, Capture, Network, Pad, TensorList, Weights};
use super::precision::Precision;
use crate::model::ModelFiles;
use candle_core::{Result, Tensor};

/// What the architecture reads from `config.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct MobileVitConfig {
    /// Input channels (3).
    pub num_channels: usize,
    /// Input side.
    pub image_size: usize,
    /// Patch side.
    pub patch_size: usize,
    /// Transformer widths of layers 3, 4, 5.
    pub hidden_sizes: [usize; 3],
    /// Channel counts: stem, layers 1–5, expansion.
    pub neck_hidden_sizes: [usize; 7],
    /// Attention heads.
    pub num_attention_heads: usize,
    /// Transformer MLP width ÷ hidden width.
    pub mlp_ratio: f64,
    /// Inverted-residual expansion.
    pub expand_ratio: f64,
    /// Kernel of the MobileViT blocks' local and fusion convs.
    pub conv_kernel_size: usize,
    /// LayerNorm epsilon.
    pub layer_norm_eps: f64,
    /// The activation of the convolutions and the transformers' MLPs (`hidden_act`).
    pub hidden_act: Activation,
    /// Output stride (only 32, no dilation, is supported).
    pub output_stride: usize,
}

impl MobileVitConfig {
    /// Read from a parsed `config.json`, with transformers' defaults for absent keys.
    pub fn from_json(c: &serde_json::Value) -> std::result::Result<MobileVitConfig, String> {
        let j = ConfigJson(c);
        let (int, float, list) = (
            |k, d| j.int(k, d),
            |k, d| j.float(k, d),
            |k, d| j.list(k, d),
        );
        let hidden = list("hidden_sizes", &[144, 192, 240])?;
        let neck = list("neck_hidden_sizes", &[16, 32, 64, 96, 128, 160, 640])?;
        let cfg = MobileVitConfig {
            num_channels: int("num_channels", 3)?,
            image_size: int("image_size", 256)?,
            patch_size: int("patch_size", 2)?,
            hidden_sizes: hidden
                .try_into()
                .map_err(|_| "config.json: 'hidden_sizes' must have 3 entries".to_string())?,
            neck_hidden_sizes: neck
                .try_into()
                .map_err(|_| "config.json: 'neck_hidden_sizes' must have 7 entries".to_string())?,
            num_attention_heads: int("num_attention_heads", 4)?,
            mlp_ratio: float("mlp_ratio", 2.0)?,
            expand_ratio: float("expand_ratio", 4.0)?,
            conv_kernel_size: int("conv_kernel_size", 3)?,
            layer_norm_eps: float("layer_norm_eps", 1e-5)?,
            hidden_act: Activation::from_hf(&j.string("hidden_act", "silu")?)?,
            output_stride: int("output_stride", 32)?,
        };
        if cfg.output_stride != 32 {
            return Err(format!(
                "output_stride {} (dilated MobileViT) is not supported",
                cfg.output_stride
            ));
        }
        if cfg.patch_size == 0
            || cfg.num_attention_heads == 0
            || cfg
                .hidden_sizes
                .iter()
                .any(|h| h % cfg.num_attention_heads != 0)
        {
            return Err("config.json: hidden sizes must be multiples of num_attention_heads, patch_size > 0".into());
        }
        Ok(cfg)
    }
}

/// MobileViT prepared for a precision.
pub struct MobileVit {
    cfg: MobileVitConfig,
    net: Weights,
}

/// MobileViT's batch-norm epsilon (transformers' default `nn.BatchNorm2d`).
const BN_EPS: f64 = 1e-5;

/// Names and shapes of every tensor the config implies, the classifier excluded
/// (num_batches_tracked excluded).
pub fn expected_tensors(c: &MobileVitConfig) -> Vec<(String, Vec<usize>)> {
    let n = &c.neck_hidden_sizes;
    let mut out = TensorList::default();
    let ir = |out: &mut TensorList, p: &str, i: usize, o: usize| {
        let e = make_divisible(scale_channels(i, c.expand_ratio), 8, 8);
        out.conv_layer(&format!("{p}.expand_1x1"), i, e, 1, 1, true, false);
        out.conv_layer(&format!("{p}.conv_3x3"), e, e, 3, e, true, false);
        out.conv_layer(&format!("{p}.reduce_1x1"), e, o, 1, 1, true, false);
    };
    out.conv_layer(
        "mobilevit.conv_stem",
        c.num_channels,
        n[0],
        3,
        1,
        true,
        false,
    );
    ir(&mut out, "mobilevit.encoder.layer.0.layer.0", n[0], n[1]);
    for s in 0..3 {
        let i = if s == 0 { n[1] } else { n[2] };
        ir(
            &mut out,
            &format!("mobilevit.encoder.layer.1.layer.{s}"),
            i,
            n[2],
        );
    }
    for (l, stages) in [(2usize, 2usize), (3, 4), (4, 3)] {
        let p = format!("mobilevit.encoder.layer.{l}");
        let (i, o, h) = (n[l], n[l + 1], c.hidden_sizes[l - 2]);
        let k = c.conv_kernel_size;
        ir(&mut out, &format!("{p}.downsampling_layer"), i, o);
        out.conv_layer(&format!("{p}.conv_kxk"), o, o, k, 1, true, false);
        out.conv_layer(&format!("{p}.conv_1x1"), o, h, 1, 1, false, false);
        let mlp = (h as f64 * c.mlp_ratio) as usize;
        for t in 0..stages {
            out.transformer_layer(&format!("{p}.transformer.layer.{t}"), h, mlp, true);
        }
        out.norm(&format!("{p}.layernorm"), h);
        out.conv_layer(&format!("{p}.conv_projection"), h, o, 1, 1, true, false);
        out.conv_layer(&format!("{p}.fusion"), 2 * o, o, k, 1, true, false);
    }
    out.conv_layer("mobilevit.conv_1x1_exp", n[5], n[6], 1, 1, true, false);
    out.0
}

impl MobileVit {
    /// MobileViTConvLayer: conv (+ eval batch norm) (+ SiLU), "same" padding.
    fn conv(&self, x: &Tensor, p: &str, stride: usize, groups: usize, act: bool) -> Result<Tensor> {
        let k = self.net.t(&format!("{p}.convolution.weight"))?.dims()[2];
        let act = act.then_some(self.cfg.hidden_act);
        self.net
            .conv_layer(x, p, stride, Pad::Same((k - 1) / 2), groups, act)
    }

    fn inverted_residual(&self, x: &Tensor, p: &str, stride: usize) -> Result<Tensor> {
        let e = self.conv(x, &format!("{p}.expand_1x1"), 1, 1, true)?;
        let groups = e.dims()[1];
        let e = self.conv(&e, &format!("{p}.conv_3x3"), stride, groups, true)?;
        let y = self.conv(&e, &format!("{p}.reduce_1x1"), 1, 1, false)?;
        if stride == 1 && x.dims()[1] == y.dims()[1] {
            self.net.r((x + y)?)
        } else {
            Ok(y)
        }
    }

    fn mobilevit_block(&self, x: &Tensor, l: usize, stages: usize) -> Result<Tensor> {
        let p = format!("mobilevit.encoder.layer.{l}");
        let x = self.inverted_residual(x, &format!("{p}.downsampling_layer"), 2)?;
        let residual = x.clone();
        let f = self.conv(&x, &format!("{p}.conv_kxk"), 1, 1, true)?;
        let f = self.conv(&f, &format!("{p}.conv_1x1"), 1, 1, false)?;
        let (b, _, h, w) = f.dims4()?;
        let ps = self.cfg.patch_size;
        // As transformers does: bilinear-resize to a multiple of the patch size, and back after.
        let (hh, ww) = (h.div_ceil(ps) * ps, w.div_ceil(ps) * ps);
        let resized = (hh, ww) != (h, w);
        let f = if resized {
            self.net.r(f.upsample_bilinear2d(hh, ww, false)?)?
        } else {
            f
        };
        let (nh, nw) = (hh / ps, ww / ps);
        // Unfold exactly as transformers does (its reshape / transpose sequence, one copy).
        let patches = super::patches::unfold(&f, ps)?;
        let mut t = patches;
        for s in 0..stages {
            t = self.net.transformer_layer(
                &t,
                &format!("{p}.transformer.layer.{s}"),
                self.cfg.num_attention_heads,
                (
                    self.cfg.hidden_act,
                    self.cfg.layer_norm_eps,
                    Attention::Eager,
                ),
            )?;
        }
        let t = self
            .net
            .layer_norm(&t, &format!("{p}.layernorm"), self.cfg.layer_norm_eps)?;
        let folded = super::patches::fold(&t, b, nh, nw, ps)?;
        let (oh, ow) = residual.dims4().map(|d| (d.2, d.3))?;
        let folded = if resized {
            self.net.r(folded.upsample_bilinear2d(oh, ow, false)?)?
        } else {
            folded
        };
        let f = self.conv(&folded, &format!("{p}.conv_projection"), 1, 1, true)?;
        self.conv(
            &Tensor::cat(&[&residual, &f], 1)?,
            &format!("{p}.fusion"),
            1,
            1,
            true,
        )
    }

    /// Logits [B, labels] of `pixel_values` [B, C, H, W], with the output of the stem, each
    /// encoder layer, the expansion and the classifier when `capture` is given.
    pub fn forward(
        &self,
        x: &Tensor,
        capture: Option<&mut Vec<(String, Tensor)>>,
    ) -> Result<Tensor> {
        let mut capture = Capture(capture);
        let mut keep = |name: &str, t: &Tensor| capture.keep(name, t);
        let h = self.conv(x, "mobilevit.conv_stem", 2, 1, true)?;
        keep("stem", &h);
        let h = self.inverted_residual(&h, "mobilevit.encoder.layer.0.layer.0", 1)?;
        keep("layer_1", &h);
        let mut h = h;
        for s in 0..3 {
            h = self.inverted_residual(
                &h,
                &format!("mobilevit.encoder.layer.1.layer.{s}"),
                if s == 0 { 2 } else { 1 },
            )?;
        }
        keep("layer_2", &h);
        let h = self.mobilevit_block(&h, 2, 2)?;
        keep("layer_3", &h);
        let h = self.mobilevit_block(&h, 3, 4)?;
        keep("layer_4", &h);
        let h = self.mobilevit_block(&h, 4, 3)?;
        keep("layer_5", &h);
        let h = self.conv(&h, "mobilevit.conv_1x1_exp", 1, 1, true)?;
        keep("conv_1x1_exp", &h);
        let pooled = self.net.global_pool(&h)?;
        let logits = self.net.linear(&pooled, "classifier", None)?;
        keep("classifier", &logits);
        Ok(logits)
    }
}

impl Network for MobileVit {
    fn forward(&self, x: &Tensor, capture: Option<&mut Vec<(String, Tensor)>>) -> Result<Tensor> {
        MobileVit::forward(self, x, capture)
    }
}

/// Names and shapes of every tensor a checkpoint of `cfg` holds, the classifier of
/// `num_labels` classes included (batch norms' `num_batches_tracked` excluded).
pub fn checkpoint_tensors(cfg: &MobileVitConfig, num_labels: usize) -> Vec<(String, Vec<usize>)> {
    let mut out = TensorList(expected_tensors(cfg));
    let last = *cfg.neck_hidden_sizes.last().unwrap_or(&0);
    out.linear("classifier", last, num_labels, true);
    out.0
}

/// Check that `files` holds every tensor `cfg` needs, each of the right shape, without
/// reading any values (opening a checkpoint stays quick); the shapes, in
/// [`checkpoint_tensors`] order.
pub fn check(
    files: &ModelFiles,
    cfg: &MobileVitConfig,
) -> std::result::Result<Vec<Vec<usize>>, String> {
    let labels = super::family::num_labels(files, "classifier.weight")?;
    super::family::check_tensors(files, &checkpoint_tensors(cfg, labels))
}

/// Load every tensor the config needs from `files`, prepared for `precision`.
pub fn load(
    files: &ModelFiles,
    cfg: MobileVitConfig,
    precision: Precision,
) -> std::result::Result<MobileVit, String> {
    let how = (precision, BN_EPS);
    let net = super::family::load_classifier(files, &cfg, checkpoint_tensors, "classifier", how)?;
    Ok(MobileVit { cfg, net })
}
