//! MobileViT for image classification in Hugging Face layout, following transformers'
//! `modeling_mobilevit.py`: conv stem → MobileNetV2 inverted residuals (layers 1–2) →
//! MobileViT blocks (layers 3–5: local conv, unfold into patches, transformer, fold, fusion) →
//! 1×1 expansion → global average pool → linear classifier. Every size comes from
//! `config.json`; batch norm runs in eval mode with its running statistics. Layer norm and
//! softmax compute their statistics in f32 and round the result to the precision.

use super::matmul::matmul;
use super::precision::Precision;
use crate::model::ModelFiles;
use candle_core::{DType, Result, Tensor};
use std::collections::HashMap;

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
    /// Output stride (only 32, no dilation, is supported).
    pub output_stride: usize,
}

impl MobileVitConfig {
    /// Read from a parsed `config.json`, with transformers' defaults for absent keys.
    pub fn from_json(c: &serde_json::Value) -> std::result::Result<MobileVitConfig, String> {
        let int = |k: &str, d: usize| -> std::result::Result<usize, String> {
            match c.get(k) {
                None => Ok(d),
                Some(v) => v
                    .as_u64()
                    .map(|x| x as usize)
                    .ok_or_else(|| format!("config.json: '{k}' must be a positive integer")),
            }
        };
        let float = |k: &str, d: f64| -> std::result::Result<f64, String> {
            match c.get(k) {
                None => Ok(d),
                Some(v) => v
                    .as_f64()
                    .ok_or_else(|| format!("config.json: '{k}' must be a number")),
            }
        };
        let list = |k: &str, d: &[usize]| -> std::result::Result<Vec<usize>, String> {
            match c.get(k) {
                None => Ok(d.to_vec()),
                Some(v) => v
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|x| x.as_u64().map(|x| x as usize))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| format!("config.json: '{k}' must be a list of integers")),
            }
        };
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

/// transformers' `make_divisible(value, 8)`.
pub fn make_divisible(value: f64, divisor: usize) -> usize {
    let d = divisor as f64;
    let mut new = d.max(((value + d / 2.0) / d).floor() * d);
    if new < 0.9 * value {
        new += d;
    }
    new as usize
}

/// The weights, by name, already prepared for a precision.
pub struct MobileVit {
    cfg: MobileVitConfig,
    w: HashMap<String, Tensor>,
    precision: Precision,
}

impl MobileVit {
    /// Build from prepared tensors (name → tensor); checks every tensor the config implies.
    pub fn new(
        cfg: MobileVitConfig,
        w: HashMap<String, Tensor>,
        precision: Precision,
    ) -> std::result::Result<MobileVit, String> {
        let m = MobileVit { cfg, w, precision };
        for (name, shape) in m.expected_tensors() {
            match m.w.get(&name) {
                None => {
                    return Err(format!(
                        "the checkpoint has no tensor '{name}' (the config needs it)"
                    ));
                }
                Some(t) if t.dims() != shape.as_slice() => {
                    return Err(format!(
                        "tensor '{name}' has shape {:?}, the config needs {shape:?}",
                        t.dims()
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(m)
    }

    /// The names of the weights that end in `suffix`, without it.
    fn prefixes(&self, suffix: &str) -> Vec<String> {
        self.w
            .keys()
            .filter_map(|k| k.strip_suffix(suffix))
            .map(str::to_string)
            .collect()
    }

    /// Stack every attention's query, key and value weights (and biases) into one
    /// `{prefix}.qkv` layer, so the three come from one matrix product (the separate ones
    /// are dropped: the weights are held once).
    fn stack_qkv(&mut self) -> Result<()> {
        for p in self.prefixes(".query.weight") {
            for part in ["weight", "bias"] {
                let [q, k, v] =
                    ["query", "key", "value"].map(|n| self.t(&format!("{p}.{n}.{part}")));
                let stacked = Tensor::cat(&[q?, k?, v?], 0)?;
                self.w.insert(format!("{p}.{QKV}.{part}"), stacked);
                for n in ["query", "key", "value"] {
                    self.w.remove(&format!("{p}.{n}.{part}"));
                }
            }
        }
        Ok(())
    }

    /// An eval batch norm as per-channel factors in f32: (x − μ) / √(σ² + ε) · γ + β =
    /// x · scale + shift.
    fn norm_factors(&self, p: &str) -> Result<(Tensor, Tensor)> {
        let get = |s: &str| -> Result<Tensor> {
            self.t(&format!("{p}.normalization.{s}"))?
                .to_dtype(DType::F32)
        };
        let (g, b, mean, var) = (
            get("weight")?,
            get("bias")?,
            get("running_mean")?,
            get("running_var")?,
        );
        let scale = (g / (var + 1e-5)?.sqrt()?)?;
        let shift = (b - (&mean * &scale)?)?;
        Ok((scale, shift))
    }

    /// Fold every convolution's eval batch norm into its weights: w·γ/√(σ²+ε) per output
    /// channel, and the shift β − μ·γ/√(σ²+ε) kept as `{prefix}.folded_shift`.
    fn fold_norms(&mut self) -> Result<()> {
        for p in self.prefixes(".normalization.running_var") {
            let (scale, shift) = self.norm_factors(&p)?;
            let name = format!("{p}.convolution.weight");
            let w = self.t(&name)?;
            let c = scale.dims()[0];
            let folded = w.broadcast_mul(&scale.reshape((c, 1, 1, 1))?)?;
            self.w.insert(name, folded);
            self.w.insert(format!("{p}.{FOLDED_SHIFT}"), shift);
        }
        Ok(())
    }

    /// Names and shapes of every tensor the config implies (num_batches_tracked excluded).
    pub fn expected_tensors(&self) -> Vec<(String, Vec<usize>)> {
        let c = &self.cfg;
        let n = &c.neck_hidden_sizes;
        let mut out = Vec::new();
        let conv = |out: &mut Vec<(String, Vec<usize>)>,
                    p: &str,
                    i: usize,
                    o: usize,
                    k: usize,
                    groups: usize,
                    norm: bool,
                    bias: bool| {
            out.push((format!("{p}.convolution.weight"), vec![o, i / groups, k, k]));
            if bias {
                out.push((format!("{p}.convolution.bias"), vec![o]));
            }
            if norm {
                for s in ["weight", "bias", "running_mean", "running_var"] {
                    out.push((format!("{p}.normalization.{s}"), vec![o]));
                }
            }
        };
        let ir = |out: &mut Vec<(String, Vec<usize>)>, p: &str, i: usize, o: usize| {
            let e = make_divisible((i as f64 * c.expand_ratio).round(), 8);
            conv(out, &format!("{p}.expand_1x1"), i, e, 1, 1, true, false);
            conv(out, &format!("{p}.conv_3x3"), e, e, 3, e, true, false);
            conv(out, &format!("{p}.reduce_1x1"), e, o, 1, 1, true, false);
        };
        conv(
            &mut out,
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
            ir(&mut out, &format!("{p}.downsampling_layer"), i, o);
            conv(
                &mut out,
                &format!("{p}.conv_kxk"),
                o,
                o,
                c.conv_kernel_size,
                1,
                true,
                false,
            );
            conv(&mut out, &format!("{p}.conv_1x1"), o, h, 1, 1, false, false);
            let mlp = (h as f64 * c.mlp_ratio) as usize;
            for t in 0..stages {
                let q = format!("{p}.transformer.layer.{t}");
                for (name, o2, i2) in [
                    ("attention.attention.query", h, h),
                    ("attention.attention.key", h, h),
                    ("attention.attention.value", h, h),
                    ("attention.output.dense", h, h),
                    ("intermediate.dense", mlp, h),
                    ("output.dense", h, mlp),
                ] {
                    out.push((format!("{q}.{name}.weight"), vec![o2, i2]));
                    out.push((format!("{q}.{name}.bias"), vec![o2]));
                }
                for ln in ["layernorm_before", "layernorm_after"] {
                    out.push((format!("{q}.{ln}.weight"), vec![h]));
                    out.push((format!("{q}.{ln}.bias"), vec![h]));
                }
            }
            out.push((format!("{p}.layernorm.weight"), vec![h]));
            out.push((format!("{p}.layernorm.bias"), vec![h]));
            conv(
                &mut out,
                &format!("{p}.conv_projection"),
                h,
                o,
                1,
                1,
                true,
                false,
            );
            conv(
                &mut out,
                &format!("{p}.fusion"),
                2 * o,
                o,
                c.conv_kernel_size,
                1,
                true,
                false,
            );
        }
        conv(
            &mut out,
            "mobilevit.conv_1x1_exp",
            n[5],
            n[6],
            1,
            1,
            true,
            false,
        );
        out
    }

    fn t(&self, name: &str) -> Result<&Tensor> {
        self.w
            .get(name)
            .ok_or_else(|| candle_core::Error::Msg(format!("missing tensor {name}")))
    }

    fn r(&self, t: Tensor) -> Result<Tensor> {
        self.precision.round(t)
    }

    /// MobileViTConvLayer: conv (+ eval batch norm) (+ SiLU).
    fn conv(
        &self,
        x: &Tensor,
        p: &str,
        stride: usize,
        groups: usize,
        norm: bool,
        act: bool,
    ) -> Result<Tensor> {
        let w = self.t(&format!("{p}.convolution.weight"))?;
        let k = w.dims()[2];
        let pad = (k - 1) / 2;
        // FP32 and the weight-only precisions: batch norm folded into the weights at load
        // time, its shift added with the SiLU by the convolution itself as each piece of
        // output is computed.
        let epilogue = match self.w.get(&format!("{p}.{FOLDED_SHIFT}")) {
            Some(shift) => Some(super::fused::Epilogue::new(shift, true, act)?),
            None => None,
        };
        let e = epilogue.as_ref();
        // Depthwise layers (one filter per channel) by the direct kernel: candle would run
        // one tiny convolution per channel.
        let y = if groups > 1 && groups == x.dims()[1] && w.dims()[0] == groups {
            super::depthwise::depthwise_conv2d_then(x, w, pad, stride, e)?
        } else if k == 1 && stride == 1 && groups == 1 {
            super::conv::pointwise_then(x, w, e)?
        } else if groups == 1 {
            super::conv::dense_then(x, w, pad, stride, e)?
        } else {
            super::conv::then(x.conv2d(w, pad, stride, 1, groups)?, e)?
        };
        if epilogue.is_some() {
            return Ok(y);
        }
        let mut y = self.r(y)?;
        if norm {
            let c = y.dims()[1];
            let (scale, shift) = self.norm_factors(p)?;
            let dt = y.dtype();
            let scale = scale.to_dtype(dt)?.reshape((1, c, 1, 1))?;
            let shift = shift.to_dtype(dt)?.reshape((1, c, 1, 1))?;
            y = self.r(self.r(y.broadcast_mul(&scale)?)?.broadcast_add(&shift)?)?;
        }
        if act {
            y = self.r(y.silu()?)?;
        }
        Ok(y)
    }

    fn inverted_residual(&self, x: &Tensor, p: &str, stride: usize) -> Result<Tensor> {
        let e = self.conv(x, &format!("{p}.expand_1x1"), 1, 1, true, true)?;
        let groups = e.dims()[1];
        let e = self.conv(&e, &format!("{p}.conv_3x3"), stride, groups, true, true)?;
        let y = self.conv(&e, &format!("{p}.reduce_1x1"), 1, 1, true, false)?;
        if stride == 1 && x.dims()[1] == y.dims()[1] {
            self.r((x + y)?)
        } else {
            Ok(y)
        }
    }

    fn linear(&self, x: &Tensor, p: &str) -> Result<Tensor> {
        self.linear_act(x, p, false)
    }

    /// `x · Wᵀ + b`, then SiLU when `silu`. Every row of every batch in one matrix product;
    /// in the plain-f32 precisions the bias and SiLU in one fused pass.
    fn linear_act(&self, x: &Tensor, p: &str, silu: bool) -> Result<Tensor> {
        let w = self.t(&format!("{p}.weight"))?;
        let b = self.t(&format!("{p}.bias"))?;
        let dims = x.dims().to_vec();
        let rows: usize = dims[..dims.len() - 1].iter().product();
        let inner = dims[dims.len() - 1];
        let mut out_dims = dims.clone();
        *out_dims.last_mut().unwrap_or(&mut 0) = w.dims()[0];
        let x2 = x.contiguous()?.reshape((rows, inner))?;
        if folds_norm(self.precision) {
            // Bias and SiLU applied by the matrix product to each piece it computes.
            let e = super::fused::Epilogue::new(b, false, silu)?;
            return super::matmul::matmul_then(&x2, &w.t()?, Some(&e))?.reshape(out_dims);
        }
        let y = matmul(&x2, &w.t()?)?;
        let y = self.r(self.r(y)?.broadcast_add(b)?)?;
        let y = if silu { self.r(y.silu()?)? } else { y };
        y.reshape(out_dims)
    }

    fn layer_norm(&self, x: &Tensor, p: &str) -> Result<Tensor> {
        let w = self.t(&format!("{p}.weight"))?;
        let b = self.t(&format!("{p}.bias"))?;
        // Statistics in f32 (f64 sums), as PyTorch's CPU layer norm does for half types.
        let y = super::fused::layer_norm(x, w, b, self.cfg.layer_norm_eps)?;
        self.r(y.to_dtype(x.dtype())?)
    }

    fn transformer_layer(&self, x: &Tensor, p: &str) -> Result<Tensor> {
        let h = x.dims()[2];
        let heads = self.cfg.num_attention_heads;
        let hd = h / heads;
        let (b, n) = (x.dims()[0], x.dims()[1]);
        let ln = self.layer_norm(x, &format!("{p}.layernorm_before"))?;
        // Query, key and value from one matrix product (their weights stacked at load time:
        // each output is the same dot product, so the same numbers), then split into heads.
        let qkv = self
            .linear(&ln, &format!("{p}.attention.attention.{QKV}"))?
            .reshape((b, n, 3, heads, hd))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);
        let scores = self.r(matmul(&q, &k.t()?)?)?;
        let probs = if folds_norm(self.precision) {
            // Plain f32: the 1/√d scale and the softmax in one pass.
            super::fused::scaled_softmax(&scores, 1.0 / (hd as f32).sqrt())?
        } else {
            let scores = self.r((scores / (hd as f64).sqrt())?)?;
            self.r(
                candle_nn::ops::softmax_last_dim(&scores.to_dtype(DType::F32)?)?
                    .to_dtype(scores.dtype())?,
            )?
        };
        let ctx = self
            .r(matmul(&probs, &v)?)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b, n, h))?;
        let att = self.linear(&ctx, &format!("{p}.attention.output.dense"))?;
        let x = self.r((att + x)?)?;
        let y = self.layer_norm(&x, &format!("{p}.layernorm_after"))?;
        let y = self.linear_act(&y, &format!("{p}.intermediate.dense"), true)?;
        let y = self.linear(&y, &format!("{p}.output.dense"))?;
        self.r((y + x)?)
    }

    fn mobilevit_block(&self, x: &Tensor, l: usize, stages: usize) -> Result<Tensor> {
        let p = format!("mobilevit.encoder.layer.{l}");
        let x = self.inverted_residual(x, &format!("{p}.downsampling_layer"), 2)?;
        let residual = x.clone();
        let f = self.conv(&x, &format!("{p}.conv_kxk"), 1, 1, true, true)?;
        let f = self.conv(&f, &format!("{p}.conv_1x1"), 1, 1, false, false)?;
        let (b, _, h, w) = f.dims4()?;
        let ps = self.cfg.patch_size;
        // As transformers does: bilinear-resize to a multiple of the patch size, and back after.
        let (hh, ww) = (h.div_ceil(ps) * ps, w.div_ceil(ps) * ps);
        let resized = (hh, ww) != (h, w);
        let f = if resized {
            self.r(f.upsample_bilinear2d(hh, ww, false)?)?
        } else {
            f
        };
        let (nh, nw) = (hh / ps, ww / ps);
        // Unfold exactly as transformers does (its reshape / transpose sequence, one copy).
        let patches = super::patches::unfold(&f, ps)?;
        let mut t = patches;
        for s in 0..stages {
            t = self.transformer_layer(&t, &format!("{p}.transformer.layer.{s}"))?;
        }
        let t = self.layer_norm(&t, &format!("{p}.layernorm"))?;
        let folded = super::patches::fold(&t, b, nh, nw, ps)?;
        let (oh, ow) = residual.dims4().map(|d| (d.2, d.3))?;
        let folded = if resized {
            self.r(folded.upsample_bilinear2d(oh, ow, false)?)?
        } else {
            folded
        };
        let f = self.conv(&folded, &format!("{p}.conv_projection"), 1, 1, true, true)?;
        self.conv(
            &Tensor::cat(&[&residual, &f], 1)?,
            &format!("{p}.fusion"),
            1,
            1,
            true,
            true,
        )
    }

    /// Logits [B, labels] of `pixel_values` [B, C, H, W], with the output of the stem, each
    /// encoder layer, the expansion and the classifier when `capture` is given.
    pub fn forward(
        &self,
        x: &Tensor,
        mut capture: Option<&mut Vec<(String, Tensor)>>,
    ) -> Result<Tensor> {
        let mut keep = |name: &str, t: &Tensor| {
            if let Some(c) = capture.as_deref_mut() {
                c.push((name.to_string(), t.clone()));
            }
        };
        let h = self.conv(x, "mobilevit.conv_stem", 2, 1, true, true)?;
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
        let h = self.conv(&h, "mobilevit.conv_1x1_exp", 1, 1, true, true)?;
        keep("conv_1x1_exp", &h);
        let pooled = self.r(h.to_dtype(DType::F32)?.mean((2, 3))?.to_dtype(h.dtype())?)?;
        let logits = self.linear(&pooled, "classifier")?;
        keep("classifier", &logits);
        Ok(logits)
    }
}

/// The stacked query / key / value layer, after an attention's prefix.
const QKV: &str = "qkv";

/// Where a folded batch norm's shift is kept, after the layer's prefix.
const FOLDED_SHIFT: &str = "folded_shift";

/// Whether a precision computes in plain f32 (no rounding after each op), so batch norms can
/// be folded into the convolutions and bias + SiLU fused: FP32 and the weight-only ones.
fn folds_norm(p: Precision) -> bool {
    matches!(p, Precision::F32 | Precision::Int8 | Precision::Fp8)
}

/// Names and shapes of every tensor a checkpoint of `cfg` holds, the classifier of
/// `num_labels` classes included (batch norms' `num_batches_tracked` excluded).
pub fn checkpoint_tensors(cfg: &MobileVitConfig, num_labels: usize) -> Vec<(String, Vec<usize>)> {
    let probe = MobileVit {
        cfg: cfg.clone(),
        w: HashMap::new(),
        precision: Precision::F32,
    };
    let mut out = probe.expected_tensors();
    let last = *cfg.neck_hidden_sizes.last().unwrap_or(&0);
    out.push(("classifier.weight".into(), vec![num_labels, last]));
    out.push(("classifier.bias".into(), vec![num_labels]));
    out
}

/// Check that `files` holds every tensor `cfg` needs, each of the right shape, without
/// reading any values (opening a checkpoint stays quick); the shapes, in
/// [`MobileVit::expected_tensors`] order then the classifier's.
pub fn check(
    files: &ModelFiles,
    cfg: &MobileVitConfig,
) -> std::result::Result<Vec<Vec<usize>>, String> {
    let probe = MobileVit {
        cfg: cfg.clone(),
        w: HashMap::new(),
        precision: Precision::F32,
    };
    let mut shapes = Vec::new();
    for (name, shape) in probe.expected_tensors() {
        let entry = files.tensor(&name).ok_or_else(|| {
            format!("the checkpoint has no tensor '{name}' (the config needs it)")
        })?;
        if entry.shape != shape {
            return Err(format!(
                "tensor '{name}' has shape {:?}, the config needs {shape:?}",
                entry.shape
            ));
        }
        shapes.push(shape);
    }
    for name in ["classifier.weight", "classifier.bias"] {
        let entry = files.tensor(name).ok_or_else(|| {
            format!("the checkpoint has no tensor '{name}' (the config needs it)")
        })?;
        shapes.push(entry.shape.clone());
    }
    Ok(shapes)
}

/// Load every tensor the config needs from `files`, prepared for `precision`.
pub fn load(
    files: &ModelFiles,
    cfg: MobileVitConfig,
    precision: Precision,
) -> std::result::Result<MobileVit, String> {
    let mut w = HashMap::new();
    let probe = MobileVit {
        cfg: cfg.clone(),
        w: HashMap::new(),
        precision,
    };
    let mut names: Vec<String> = probe
        .expected_tensors()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    names.push("classifier.weight".into());
    names.push("classifier.bias".into());
    for name in names {
        let (v, s) = files
            .values_f32(&name)
            .map_err(|_| format!("the checkpoint has no tensor '{name}' (the config needs it)"))?;
        // Batch-norm statistics stay f32: they become per-channel factors.
        let p = if name.contains(".normalization.") {
            Precision::F32
        } else {
            precision
        };
        w.insert(name, super::weights::prepare(&v, &s, p)?);
    }
    let mut model = MobileVit::new(cfg, w, precision)?;
    model.stack_qkv().map_err(|e| e.to_string())?;
    if folds_norm(precision) {
        model.fold_norms().map_err(|e| e.to_string())?;
    }
    Ok(model)
}
