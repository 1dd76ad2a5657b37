//! The layers the Hugging Face model files are made of, over a model's prepared weights by
//! name, each in every precision: convolution + eval batch norm + activation (transformers'
//! `*ConvLayer`), linear, layer norm, the ViT-style transformer layer. FP32 and the
//! weight-only precisions fold batch norms into the convolutions and apply bias and
//! activation as each piece of output is computed; BF16 and FP16 round after every op.

use super::fused::{Epilogue, FusedAct};
use super::matmul::{matmul, matmul_then};
use super::precision::Precision;
use candle_core::{DType, Result, Tensor};
use std::collections::HashMap;

/// A model that turns `pixel_values` [B, C, H, W] into logits [B, labels].
pub trait Network: Send + Sync {
    /// Logits, with each stage's output pushed to `capture` (name, tensor) when given.
    fn forward(&self, x: &Tensor, capture: Option<&mut Vec<(String, Tensor)>>) -> Result<Tensor>;
}

/// Where a forward pass keeps the outputs of its stages, when asked to.
pub struct Capture<'a>(pub Option<&'a mut Vec<(String, Tensor)>>);

impl Capture<'_> {
    /// Keep `t` under `name` (a cheap clone: tensors share their storage).
    pub fn keep(&mut self, name: &str, t: &Tensor) {
        if let Some(c) = self.0.as_deref_mut() {
            c.push((name.to_string(), t.clone()));
        }
    }
}

/// An activation by its transformers name (`hidden_act`, `ACT2FN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `relu`.
    Relu,
    /// `relu6`: min(max(x, 0), 6).
    Relu6,
    /// `silu` / `swish`: x · sigmoid(x).
    Silu,
    /// `gelu`: x · Φ(x), with erf.
    Gelu,
    /// `gelu_new` / `gelu_pytorch_tanh` / `gelu_fast`: the tanh approximation.
    GeluTanh,
    /// `quick_gelu`: x · sigmoid(1.702 x).
    QuickGelu,
    /// `tanh`.
    Tanh,
}

impl Activation {
    /// The names accepted, for error messages.
    pub const NAMES: &'static str =
        "relu, relu6, silu, swish, gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, quick_gelu, tanh";

    /// From a config's `hidden_act`.
    pub fn from_hf(name: &str) -> std::result::Result<Activation, String> {
        Ok(match name {
            "relu" => Activation::Relu,
            "relu6" => Activation::Relu6,
            "silu" | "swish" => Activation::Silu,
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Activation::GeluTanh,
            "quick_gelu" => Activation::QuickGelu,
            "tanh" => Activation::Tanh,
            other => {
                return Err(format!(
                    "config.json: hidden_act '{}' is not one quantscope runs ({})",
                    crate::formats::spec::printable(other),
                    Activation::NAMES
                ));
            }
        })
    }

    /// The same activation as a kernel epilogue, when there is one.
    pub fn fused(self) -> Option<FusedAct> {
        match self {
            Activation::Relu => Some(FusedAct::Relu),
            Activation::Relu6 => Some(FusedAct::Relu6),
            Activation::Silu => Some(FusedAct::Silu),
            Activation::Gelu => Some(FusedAct::Gelu),
            _ => None,
        }
    }

    /// Applied to `x`, computed in f32 and rounded once to `x`'s dtype (as PyTorch's CPU
    /// kernels do for half types).
    pub fn apply(self, x: &Tensor) -> Result<Tensor> {
        let dtype = x.dtype();
        let f = x.to_dtype(DType::F32)?;
        let y = match self {
            Activation::Relu => f.relu()?,
            Activation::Relu6 => f.clamp(0f32, 6f32)?,
            Activation::Silu => f.silu()?,
            Activation::Gelu => super::fused::act_f32(&f, FusedAct::Gelu)?,
            Activation::GeluTanh => f.gelu()?,
            Activation::QuickGelu => (&f * candle_nn::ops::sigmoid(&(&f * 1.702)?)?)?,
            Activation::Tanh => f.tanh()?,
        };
        y.to_dtype(dtype)
    }
}

/// How attention computes in the half precisions (in FP32 both are the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attention {
    /// Op by op, each result rounded (a model's own eager attention code).
    Eager,
    /// `scaled_dot_product_attention` (transformers' default for models that support it):
    /// f32 inside as PyTorch's CPU flash attention, with its one inner rounding (the
    /// unnormalised exponentials, before the product with the values).
    Sdpa,
}

/// How a convolution pads its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pad {
    /// The same number of zeros on every side.
    Same(usize),
    /// TensorFlow's "SAME" (MobileNetV2's `tf_padding`): the output is ⌈input / stride⌉,
    /// the extra zero, if any, on the bottom and the right.
    Tf,
}

/// A model's weights by name, prepared for one precision, and the layers that use them.
pub struct Weights {
    /// The tensors, by checkpoint name (plus the derived ones: stacked q/k/v, folded shifts).
    pub w: HashMap<String, Tensor>,
    /// The precision they were prepared for.
    pub precision: Precision,
    /// The batch norms' epsilon.
    pub bn_eps: f64,
}

/// The stacked query / key / value layer, after an attention's prefix.
const QKV: &str = "qkv";

/// Where a folded batch norm's shift is kept, after the layer's prefix.
const FOLDED_SHIFT: &str = "folded_shift";

/// Whether a precision computes in plain f32 (no rounding after each op), so batch norms can
/// be folded into the convolutions and bias + activation fused: FP32 and the weight-only ones.
pub fn plain_f32(p: Precision) -> bool {
    matches!(p, Precision::F32 | Precision::Int8 | Precision::Fp8)
}

impl Weights {
    /// Prepared tensors `w` for `precision`: q/k/v stacked, and batch norms (of epsilon
    /// `bn_eps`) folded into their convolutions where the precision computes in plain f32.
    pub fn new(
        w: HashMap<String, Tensor>,
        precision: Precision,
        bn_eps: f64,
    ) -> std::result::Result<Weights, String> {
        let mut net = Weights {
            w,
            precision,
            bn_eps,
        };
        net.stack_qkv().map_err(|e| e.to_string())?;
        if plain_f32(precision) {
            net.fold_norms().map_err(|e| e.to_string())?;
        }
        Ok(net)
    }

    /// The tensor `name`.
    pub fn t(&self, name: &str) -> Result<&Tensor> {
        self.w
            .get(name)
            .ok_or_else(|| candle_core::Error::Msg(format!("missing tensor {name}")))
    }

    /// `t` rounded to the precision's activation format.
    pub fn r(&self, t: Tensor) -> Result<Tensor> {
        self.precision.round(t)
    }

    /// Whether the precision computes in plain f32 (see [`plain_f32`]).
    pub fn plain(&self) -> bool {
        plain_f32(self.precision)
    }

    /// The names of the weights that end in `suffix`, without it.
    fn prefixes(&self, suffix: &str) -> Vec<String> {
        self.w
            .keys()
            .filter_map(|k| k.strip_suffix(suffix))
            .map(str::to_string)
            .collect()
    }

    /// Stack every attention's query, key and value weights (and biases, when it has them)
    /// into one `{prefix}.qkv` layer, so the three come from one matrix product (each output
    /// is the same dot product, so the same numbers; the separate ones are dropped).
    fn stack_qkv(&mut self) -> Result<()> {
        for p in self.prefixes(".query.weight") {
            for part in ["weight", "bias"] {
                let names = ["query", "key", "value"].map(|n| format!("{p}.{n}.{part}"));
                if part == "bias" && !names.iter().all(|n| self.w.contains_key(n)) {
                    continue;
                }
                let [q, k, v] = names.each_ref().map(|n| self.t(n));
                let stacked = Tensor::cat(&[q?, k?, v?], 0)?;
                self.w.insert(format!("{p}.{QKV}.{part}"), stacked);
                for n in &names {
                    self.w.remove(n);
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
        let scale = (g / (var + self.bn_eps)?.sqrt()?)?;
        let shift = (b - (&mean * &scale)?)?;
        Ok((scale, shift))
    }

    /// Fold every convolution's eval batch norm into its weights: w·γ/√(σ²+ε) per output
    /// channel, and the shift β − (μ − bias)·γ/√(σ²+ε) kept as `{prefix}.folded_shift` (the
    /// convolution's own bias, if any, folded into it).
    fn fold_norms(&mut self) -> Result<()> {
        for p in self.prefixes(".normalization.running_var") {
            let (scale, mut shift) = self.norm_factors(&p)?;
            if let Some(bias) = self.w.remove(&format!("{p}.convolution.bias")) {
                shift = (shift + (bias.to_dtype(DType::F32)? * &scale)?)?;
            }
            let name = format!("{p}.convolution.weight");
            let w = self.t(&name)?;
            let c = scale.dims()[0];
            let folded = w.broadcast_mul(&scale.reshape((c, 1, 1, 1))?)?;
            self.w.insert(name, folded);
            self.w.insert(format!("{p}.{FOLDED_SHIFT}"), shift);
        }
        Ok(())
    }

    /// A convolution of `x` with the weight `w` (square kernel), stride, padding and groups,
    /// then `epilogue`: depthwise, 1×1 and dense ones by the direct kernels, others by candle.
    fn convolve(
        &self,
        x: &Tensor,
        w: &Tensor,
        stride: usize,
        pad: Pad,
        groups: usize,
        epilogue: Option<&Epilogue>,
    ) -> Result<Tensor> {
        let k = w.dims()[2];
        let (x, pad) = match pad {
            Pad::Same(p) => (x.clone(), p),
            Pad::Tf => {
                let (_, _, h, wd) = x.dims4()?;
                let along = |n: usize| {
                    if n.is_multiple_of(stride) {
                        k.saturating_sub(stride)
                    } else {
                        k.saturating_sub(n % stride)
                    }
                };
                let (ph, pw) = (along(h), along(wd));
                if ph == pw && ph % 2 == 0 {
                    (x.clone(), ph / 2)
                } else {
                    let x = x.pad_with_zeros(2, ph / 2, ph - ph / 2)?.pad_with_zeros(
                        3,
                        pw / 2,
                        pw - pw / 2,
                    )?;
                    (x, 0)
                }
            }
        };
        let x = &x;
        if groups > 1 && groups == x.dims()[1] && w.dims()[0] == groups {
            // One filter per channel: candle would run one tiny convolution per channel.
            super::depthwise::depthwise_conv2d_then(x, w, pad, stride, epilogue)
        } else if k == 1 && stride == 1 && groups == 1 && pad == 0 {
            super::conv::pointwise_then(x, w, epilogue)
        } else if groups == 1 {
            super::conv::dense_then(x, w, pad, stride, epilogue)
        } else {
            super::conv::then(x.conv2d(w, pad, stride, 1, groups)?, epilogue)
        }
    }

    /// transformers' `*ConvLayer`: `{p}.convolution` (with its bias if the checkpoint has
    /// one), then the eval batch norm `{p}.normalization` if it has one, then `act`.
    pub fn conv_layer(
        &self,
        x: &Tensor,
        p: &str,
        stride: usize,
        pad: Pad,
        groups: usize,
        act: Option<Activation>,
    ) -> Result<Tensor> {
        let w = self.t(&format!("{p}.convolution.weight"))?;
        let bias = self.w.get(&format!("{p}.convolution.bias"));
        let folded = self.w.get(&format!("{p}.{FOLDED_SHIFT}"));
        let has_norm = folded.is_some()
            || self
                .w
                .contains_key(&format!("{p}.normalization.running_var"));
        // Plain f32: the folded norm's shift (which took in the bias) or the bias, and the
        // activation, applied by the convolution itself as each piece of output is computed.
        if self.plain() {
            let fused = act.map_or(Some(FusedAct::None), Activation::fused);
            if let (Some(shift), Some(fa)) = (folded.or(bias), fused) {
                let e = Epilogue::new(shift, true, fa)?;
                return self.convolve(x, w, stride, pad, groups, Some(&e));
            }
        }
        // As PyTorch's CPU kernels for half types: the bias joins the f32 sums and the
        // result is rounded once; batch norm is one f32 multiply-add, rounded once.
        let mut y = self.convolve(x, w, stride, pad, groups, None)?;
        y = self.finish(match bias.or(folded) {
            Some(b) => self.add_channels(&y.to_dtype(DType::F32)?, b)?,
            None => y.to_dtype(DType::F32)?,
        })?;
        if has_norm && folded.is_none() {
            let c = y.dims()[1];
            let (scale, shift) = self.norm_factors(p)?;
            let scaled = y
                .to_dtype(DType::F32)?
                .broadcast_mul(&scale.reshape((1, c, 1, 1))?)?;
            y = self.finish(self.add_channels(&scaled, &shift)?)?;
        }
        match act {
            Some(a) => self.r(a.apply(&y)?),
            None => Ok(y),
        }
    }

    /// An f32 result in the precision's activation format, rounded once: f16 for FP16, f32
    /// holding bf16 values for BF16, as is otherwise.
    fn finish(&self, y32: Tensor) -> Result<Tensor> {
        match self.precision {
            Precision::F16 => y32.to_dtype(DType::F16),
            _ => self.r(y32),
        }
    }

    /// A plain convolution `{p}.weight` (+ `{p}.bias`), as `nn.Conv2d`.
    pub fn conv2d(
        &self,
        x: &Tensor,
        p: &str,
        stride: usize,
        pad: usize,
        groups: usize,
    ) -> Result<Tensor> {
        let w = self.t(&format!("{p}.weight"))?;
        let bias = self.w.get(&format!("{p}.bias"));
        if self.plain()
            && let Some(b) = bias
        {
            let e = Epilogue::new(b, true, FusedAct::None)?;
            return self.convolve(x, w, stride, Pad::Same(pad), groups, Some(&e));
        }
        let y = self
            .convolve(x, w, stride, Pad::Same(pad), groups, None)?
            .to_dtype(DType::F32)?;
        self.finish(match bias {
            Some(b) => self.add_channels(&y, b)?,
            None => y,
        })
    }

    /// `y + b` with `b` [C] along dimension 1 of `y`, in `y`'s dtype.
    fn add_channels(&self, y: &Tensor, b: &Tensor) -> Result<Tensor> {
        let c = b.dims()[0];
        let mut shape = vec![1; y.rank()];
        shape[1] = c;
        y.broadcast_add(&b.to_dtype(y.dtype())?.reshape(shape)?)
    }

    /// `nn.Linear` `{p}`: `x · Wᵀ (+ b)` over the last dimension, then `act`. Every row of
    /// every batch in one matrix product; in plain f32 the bias and a fusable activation are
    /// applied by the product to each piece it computes.
    pub fn linear(&self, x: &Tensor, p: &str, act: Option<Activation>) -> Result<Tensor> {
        let w = self.t(&format!("{p}.weight"))?;
        let b = self.w.get(&format!("{p}.bias"));
        let dims = x.dims().to_vec();
        let rows: usize = dims[..dims.len() - 1].iter().product();
        let inner = dims[dims.len() - 1];
        let mut out_dims = dims.clone();
        *out_dims.last_mut().unwrap_or(&mut 0) = w.dims()[0];
        let x2 = x.contiguous()?.reshape((rows, inner))?;
        if self.plain()
            && let Some(b) = b
        {
            let fused = act.map_or(Some(FusedAct::None), Activation::fused);
            let e = Epilogue::new(b, false, fused.unwrap_or(FusedAct::None))?;
            let y = matmul_then(&x2, &w.t()?, Some(&e))?;
            let y = match (act, fused) {
                (Some(a), None) => a.apply(&y)?,
                _ => y,
            };
            return y.reshape(out_dims);
        }
        // The bias joins the f32 sums and the result is rounded once, as PyTorch's addmm.
        let y = matmul(&x2, &w.t()?)?.to_dtype(DType::F32)?;
        let mut y = self.finish(match b {
            Some(b) => y.broadcast_add(&b.to_dtype(DType::F32)?)?,
            None => y,
        })?;
        if let Some(a) = act {
            y = self.r(a.apply(&y)?)?;
        }
        y.reshape(out_dims)
    }

    /// `nn.LayerNorm` `{p}` over the last dimension: statistics in f32 (f64 sums), as
    /// PyTorch's CPU layer norm does for half types; the result rounded to the precision.
    pub fn layer_norm(&self, x: &Tensor, p: &str, eps: f64) -> Result<Tensor> {
        let w = self.t(&format!("{p}.weight"))?;
        let b = self.t(&format!("{p}.bias"))?;
        let y = super::fused::layer_norm(x, w, b, eps)?;
        self.r(y.to_dtype(x.dtype())?)
    }

    /// A layer norm over the channels of an NCHW `x` (ConvNeXt's `channels_first`).
    pub fn layer_norm_channels(&self, x: &Tensor, p: &str, eps: f64) -> Result<Tensor> {
        let y = self.layer_norm(&x.permute((0, 2, 3, 1))?, p, eps)?;
        y.permute((0, 3, 1, 2))?.contiguous()
    }

    /// The ViT-style pre-norm transformer layer `{p}` (transformers' hub layout, shared by
    /// ViT and MobileViT): layernorm_before → multi-head self-attention
    /// (`attention.attention.{query,key,value}`, `attention.output.dense`) → residual →
    /// layernorm_after → `intermediate.dense` + `act` → `output.dense` → residual.
    pub fn transformer_layer(
        &self,
        x: &Tensor,
        p: &str,
        heads: usize,
        (act, eps, attention): (Activation, f64, Attention),
    ) -> Result<Tensor> {
        let h = x.dims()[2];
        let hd = h / heads;
        let (b, n) = (x.dims()[0], x.dims()[1]);
        let ln = self.layer_norm(x, &format!("{p}.layernorm_before"), eps)?;
        // Query, key and value from one matrix product (their weights stacked at load time),
        // then split into heads.
        let qkv = self
            .linear(&ln, &format!("{p}.attention.attention.{QKV}"), None)?
            .reshape((b, n, 3, heads, hd))?
            .permute((2, 0, 3, 1, 4))?
            .contiguous()?;
        let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);
        let scale = 1.0 / (hd as f32).sqrt();
        let f32 = |t: &Tensor| t.to_dtype(DType::F32);
        let ctx = if self.plain() {
            // The 1/√d scale and the softmax in one pass.
            let scores = matmul(&q, &k.t()?)?;
            let probs = super::fused::scaled_softmax(&scores, scale)?;
            matmul(&probs, &v)?
        } else if attention == Attention::Sdpa {
            // As PyTorch's CPU flash attention for half types: scores, scale and the
            // exponentials in f32; the unnormalised exponentials rounded to the precision's
            // format for the product with the values (f32 sums); that divided by the f32 sum
            // of the exponentials and rounded once.
            let scores = (matmul(&f32(&q)?, &f32(&k)?.t()?)? * scale as f64)?;
            let max = scores.max_keepdim(candle_core::D::Minus1)?;
            let e = scores.broadcast_sub(&max)?.exp()?;
            let sum = e.sum_keepdim(candle_core::D::Minus1)?;
            let e = self.finish(e)?.to_dtype(DType::F32)?;
            self.finish(matmul(&e, &f32(&v)?)?.broadcast_div(&sum)?)?
        } else {
            // Eager attention (MobileViT's own): each op rounded to the precision.
            let scores = self.r(matmul(&q, &k.t()?)?)?;
            let scores = self.r((scores / (hd as f64).sqrt())?)?;
            let probs = self.r(
                candle_nn::ops::softmax_last_dim(&scores.to_dtype(DType::F32)?)?
                    .to_dtype(scores.dtype())?,
            )?;
            self.r(matmul(&probs, &v)?)?
        };
        let ctx = ctx.transpose(1, 2)?.contiguous()?.reshape((b, n, h))?;
        let att = self.linear(&ctx, &format!("{p}.attention.output.dense"), None)?;
        let x = self.r((att + x)?)?;
        let y = self.layer_norm(&x, &format!("{p}.layernorm_after"), eps)?;
        let y = self.linear(&y, &format!("{p}.intermediate.dense"), Some(act))?;
        let y = self.linear(&y, &format!("{p}.output.dense"), None)?;
        self.r((y + x)?)
    }

    /// The mean over the spatial dimensions of an NCHW `x` (global average pooling), in f32,
    /// rounded to the precision: [B, C].
    pub fn global_pool(&self, x: &Tensor) -> Result<Tensor> {
        self.r(x.to_dtype(DType::F32)?.mean((2, 3))?.to_dtype(x.dtype())?)
    }
}

/// Max pooling of an NCHW `x` (PyTorch's `MaxPool2d`, floor mode): `k`×`k` windows every
/// `stride`, `pad` cells of implicit −∞ on every side. Exact in every dtype (a maximum
/// picks a value, it never rounds one).
pub fn max_pool(x: &Tensor, k: usize, stride: usize, pad: usize) -> Result<Tensor> {
    let (b, c, h, w) = x.dims4()?;
    if stride == 0 || h + 2 * pad < k || w + 2 * pad < k {
        candle_core::bail!("max pool: a {k}×{k} window does not fit a {h}×{w} input");
    }
    let (ho, wo) = (
        (h + 2 * pad - k) / stride + 1,
        (w + 2 * pad - k) / stride + 1,
    );
    let xs = x.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
    let mut out = vec![f32::NEG_INFINITY; b * c * ho * wo];
    let planes: Vec<(usize, &mut [f32])> = out.chunks_mut((ho * wo).max(1)).enumerate().collect();
    crate::platform::run_parts(crate::platform::split_parts(planes), |mine| {
        for (index, o) in mine {
            let plane = &xs[index * h * w..(index + 1) * h * w];
            for oy in 0..ho {
                let y0 = (oy * stride).saturating_sub(pad);
                let y1 = (oy * stride + k).saturating_sub(pad).min(h);
                for ox in 0..wo {
                    let x0 = (ox * stride).saturating_sub(pad);
                    let x1 = (ox * stride + k).saturating_sub(pad).min(w);
                    let mut m = f32::NEG_INFINITY;
                    for row in plane[y0 * w..y1 * w].chunks(w) {
                        m = row[x0..x1].iter().fold(m, |m, &v| m.max(v));
                    }
                    o[oy * wo + ox] = m;
                }
            }
        }
        false
    });
    Tensor::from_vec(out, (b, c, ho, wo), x.device())?.to_dtype(x.dtype())
}

/// Names and shapes of the tensors a checkpoint holds, built layer by layer.
#[derive(Default)]
pub struct TensorList(pub Vec<(String, Vec<usize>)>);

impl TensorList {
    /// One tensor.
    pub fn push(&mut self, name: impl Into<String>, shape: Vec<usize>) {
        self.0.push((name.into(), shape));
    }

    /// transformers' `*ConvLayer` `{p}`: a `k`×`k` convolution from `i` to `o` channels in
    /// `groups` groups (with a bias when `bias`), then a batch norm when `norm`.
    #[allow(clippy::too_many_arguments)]
    pub fn conv_layer(
        &mut self,
        p: &str,
        i: usize,
        o: usize,
        k: usize,
        groups: usize,
        norm: bool,
        bias: bool,
    ) {
        self.push(
            format!("{p}.convolution.weight"),
            vec![o, i / groups.max(1), k, k],
        );
        if bias {
            self.push(format!("{p}.convolution.bias"), vec![o]);
        }
        if norm {
            for s in ["weight", "bias", "running_mean", "running_var"] {
                self.push(format!("{p}.normalization.{s}"), vec![o]);
            }
        }
    }

    /// `nn.Linear` `{p}` from `i` to `o` features (with a bias when `bias`).
    pub fn linear(&mut self, p: &str, i: usize, o: usize, bias: bool) {
        self.push(format!("{p}.weight"), vec![o, i]);
        if bias {
            self.push(format!("{p}.bias"), vec![o]);
        }
    }

    /// A norm's weight and bias of `c` channels.
    pub fn norm(&mut self, p: &str, c: usize) {
        self.push(format!("{p}.weight"), vec![c]);
        self.push(format!("{p}.bias"), vec![c]);
    }

    /// The ViT-style transformer layer `{p}` of width `h`, MLP width `mlp`.
    pub fn transformer_layer(&mut self, p: &str, h: usize, mlp: usize, qkv_bias: bool) {
        for n in ["query", "key", "value"] {
            self.linear(&format!("{p}.attention.attention.{n}"), h, h, qkv_bias);
        }
        self.linear(&format!("{p}.attention.output.dense"), h, h, true);
        self.linear(&format!("{p}.intermediate.dense"), h, mlp, true);
        self.linear(&format!("{p}.output.dense"), mlp, h, true);
        self.norm(&format!("{p}.layernorm_before"), h);
        self.norm(&format!("{p}.layernorm_after"), h);
    }
}
