//! Fused f32 kernels for the forward pass: a per-channel bias plus optional SiLU in one pass
//! (candle would make three: add, exp, divide), with an exp that vectorises. Used where the
//! precision computes in plain f32 (FP32, and the weight-only INT8 / FP8), never where a
//! precision rounds after every op (BF16, FP16).

use candle_core::{CpuStorage, DType, InplaceOp1, Layout, Result, Tensor};

/// e^x for f32, branch-free so loops over it vectorise: Cephes' `expf` (range reduction by
/// ln 2 in two parts, degree-5 polynomial), within 2 ulp of the correctly rounded value over
/// the normal range; the input is clamped to [−87.34, 88.38], so far below it returns
/// ≈ 1.2·10⁻³⁸ (not a subnormal or 0) and far above ≈ 2.4·10³⁸.
#[inline(always)]
// max/min rather than clamp: clamp's NaN handling keeps the loop from vectorising.
#[allow(clippy::manual_clamp)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // Adding 1.5 · 2^23 rounds to an integer n, which then sits in the low mantissa bits:
    // no float → int conversion, so the loop vectorises.
    const ROUND: f32 = 12_582_912.0;
    const C1: f32 = 0.693_359_4;
    const C2: f32 = -2.121_944_4e-4;
    let x = x.max(-87.336_55).min(88.376_26);
    let t = x * LOG2E + ROUND;
    let n = t - ROUND;
    let n_int = (t.to_bits() as i32).wrapping_sub(ROUND.to_bits() as i32);
    let r = x - n * C1 - n * C2;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5; // Cephes' 5.0000001201e-1 is 0.5 in f32.
    let y = p * r * r + r + 1.0;
    y * f32::from_bits((n_int.wrapping_add(127) as u32) << 23)
}

/// SiLU, x · sigmoid(x) = x / (1 + e^−x), as PyTorch computes it.
#[inline(always)]
pub fn silu_f32(x: f32) -> f32 {
    x / (1.0 + exp_f32(-x))
}

/// An activation a kernel applies to its output right after the bias, while the values are
/// still in cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FusedAct {
    /// The bias only.
    None,
    /// x · sigmoid(x).
    Silu,
    /// max(x, 0).
    Relu,
    /// min(max(x, 0), 6).
    Relu6,
    /// GELU with erf ([`gelu_f32`]).
    Gelu,
}

impl FusedAct {
    /// SiLU when `silu`, else none.
    pub fn silu_if(silu: bool) -> FusedAct {
        if silu { FusedAct::Silu } else { FusedAct::None }
    }
}

/// GELU with erf, x/2 · (1 + erf(x/√2)), as PyTorch's vectorised CPU kernel computes it:
/// erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5·10⁻⁷), branch-free so loops vectorise.
#[inline(always)]
pub fn gelu_f32(x: f32) -> f32 {
    let z = x * std::f32::consts::FRAC_1_SQRT_2;
    let a = z.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let r =
        (((1.061_405_4 * t - 1.453_152) * t + 1.421_413_8) * t - 0.284_496_74) * t + 0.254_829_6;
    let erf = (1.0 - r * t * exp_f32(-a * a)).copysign(z);
    0.5 * x * (1.0 + erf)
}

/// The bias of one stretch of values: one per channel (NCHW), or one per column (a row of a
/// linear layer's output).
#[derive(Clone, Copy)]
enum Bias<'a> {
    Channel(f32),
    Row(&'a [f32]),
}

/// `v[i] = f(v[i] + bias)` over one stretch of values.
#[inline(always)]
fn bias_map(v: &mut [f32], bias: Bias<'_>, f: impl Fn(f32) -> f32) {
    match bias {
        Bias::Channel(b) => v.iter_mut().for_each(|x| *x = f(*x + b)),
        Bias::Row(b) => v.iter_mut().zip(b).for_each(|(x, b)| *x = f(*x + b)),
    }
}

/// `v[i] = act(v[i] + bias)` over one stretch of values.
#[inline(always)]
// max/min rather than clamp: clamp's NaN handling keeps the loop from vectorising.
#[allow(clippy::manual_clamp)]
fn bias_act_run(v: &mut [f32], bias: Bias<'_>, act: FusedAct) {
    match act {
        FusedAct::None => bias_map(v, bias, |x| x),
        FusedAct::Silu => bias_map(v, bias, silu_f32),
        FusedAct::Relu => bias_map(v, bias, |x| x.max(0.0)),
        FusedAct::Relu6 => bias_map(v, bias, |x| x.max(0.0).min(6.0)),
        FusedAct::Gelu => bias_map(v, bias, gelu_f32),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn bias_act_run_avx2(v: &mut [f32], bias: Bias<'_>, act: FusedAct) {
    // The same code with 8-lane vectors (no FMA: Rust never fuses a·b + c on its own, so the
    // results are those of the portable path, bit for bit).
    bias_act_run(v, bias, act)
}

fn bias_act_any(v: &mut [f32], bias: Bias<'_>, act: FusedAct) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { bias_act_run_avx2(v, bias, act) };
    }
    bias_act_run(v, bias, act)
}

/// A bias (and activation) applied by a kernel to each piece of its output right after
/// computing it, while the piece is still in cache: the same arithmetic as [`bias_act`], one
/// memory pass fewer.
#[derive(Clone, Debug)]
pub struct Epilogue {
    /// One bias per output row (a convolution's channels) or per column (a linear layer's
    /// outputs).
    pub bias: Vec<f32>,
    /// Whether the bias is indexed by row (else by column).
    pub per_row: bool,
    /// The activation after the bias.
    pub act: FusedAct,
}

impl Epilogue {
    /// `bias` (any float tensor) along rows or columns, then `act`.
    pub fn new(bias: &Tensor, per_row: bool, act: FusedAct) -> Result<Epilogue> {
        Ok(Epilogue {
            bias: bias.to_dtype(DType::F32)?.flatten_all()?.to_vec1()?,
            per_row,
            act,
        })
    }

    /// As a separate pass over a whole tensor `y` whose dimension 1 carries the bias (NCHW
    /// channels, or the columns of a 2-D product), for kernels that cannot apply it
    /// themselves.
    pub fn pass(&self, y: Tensor) -> Result<Tensor> {
        let bias = Tensor::new(self.bias.as_slice(), y.device())?;
        bias_act(y, &bias, self.act)
    }

    /// Apply to `v`, the columns `c0 ..` of output row `row`.
    #[inline]
    pub fn apply(&self, v: &mut [f32], row: usize, c0: usize) {
        let bias = if self.per_row {
            Bias::Channel(self.bias[row % self.bias.len().max(1)])
        } else {
            Bias::Row(&self.bias[c0..c0 + v.len()])
        };
        bias_act_any(v, bias, self.act);
    }
}

/// `y[b, c, …] = act(x[b, c, …] + bias[c])` on a contiguous f32 tensor whose dimension 1 is
/// the channel (NCHW, or [N, C], a linear layer's output).
struct BiasAct {
    bias: Vec<f32>,
    act: FusedAct,
}

impl InplaceOp1 for BiasAct {
    fn name(&self) -> &'static str {
        "bias-act"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> Result<()> {
        let CpuStorage::F32(data) = storage else {
            candle_core::bail!("bias-act needs f32")
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("bias-act needs a contiguous tensor")
        };
        let dims = layout.dims();
        let c = self.bias.len();
        if dims.len() < 2 || dims[1] != c {
            candle_core::bail!("bias-act: {c} biases for shape {dims:?}")
        }
        let inner: usize = dims[2..].iter().product();
        let out = &mut data[start..end];
        // Stretches of one channel (NCHW), or whole rows when there is nothing after the
        // channel dimension (a linear layer's [N, C]).
        let (run_len, per_row) = if inner > 1 { (inner, false) } else { (c, true) };
        let runs: Vec<(usize, &mut [f32])> = out
            .chunks_mut(run_len.max(1))
            .enumerate()
            .map(|(i, run)| (i % c, run))
            .collect();
        let work = |part: Vec<(usize, &mut [f32])>| {
            for (ch, run) in part {
                let bias = if per_row {
                    Bias::Row(&self.bias)
                } else {
                    Bias::Channel(self.bias[ch])
                };
                bias_act_any(run, bias, self.act);
            }
            false
        };
        if end - start >= 1 << 18 {
            crate::platform::run_parts(crate::platform::split_parts(runs), work);
        } else {
            work(runs);
        }
        Ok(())
    }
}

/// `act(x + bias)` with the bias along dimension 1 (channels); one pass,
/// in place when `x` is contiguous (it must be a fresh result nobody else holds: the op
/// writes into its storage), else into a contiguous copy.
pub fn bias_act(x: Tensor, bias: &Tensor, act: FusedAct) -> Result<Tensor> {
    let x = if x.is_contiguous() { x } else { x.copy()? };
    let op = BiasAct {
        bias: bias.to_dtype(DType::F32)?.flatten_all()?.to_vec1()?,
        act,
    };
    x.inplace_op1(&op)?;
    Ok(x)
}

/// `act(x)` in f32 (any float dtype in; the result is f32), in one pass over a fresh copy.
pub fn act_f32(x: &Tensor, act: FusedAct) -> Result<Tensor> {
    let shape = x.dims().to_vec();
    let rows = if shape.len() >= 2 { shape[1] } else { 1 };
    let fresh = if x.dtype() == DType::F32 {
        x.copy()?
    } else {
        x.to_dtype(DType::F32)?
    };
    let fresh = fresh.reshape(if shape.len() >= 2 {
        shape.clone()
    } else {
        vec![1, x.elem_count()]
    })?;
    let zeros = Tensor::zeros(
        if shape.len() >= 2 {
            rows
        } else {
            x.elem_count()
        },
        DType::F32,
        x.device(),
    )?;
    bias_act(fresh, &zeros, act)?.reshape(shape)
}

/// The values of a contiguous f32 tensor, or an error naming `op`.
fn contiguous_f32<'a>(storage: &'a CpuStorage, layout: &Layout, op: &str) -> Result<&'a [f32]> {
    let CpuStorage::F32(data) = storage else {
        candle_core::bail!("{op} needs f32")
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op} needs a contiguous tensor")
    };
    Ok(&data[start..end])
}

/// `f(row, out_row)` for every row of `n` values of `data` into a new buffer, the rows split
/// over the threads when there are at least `parallel_from` values.
fn map_rows(
    data: &[f32],
    n: usize,
    parallel_from: usize,
    f: impl Fn(&[f32], &mut [f32]) + Sync,
) -> Vec<f32> {
    let mut out = vec![0f32; data.len()];
    let rows: Vec<(&[f32], &mut [f32])> = data
        .chunks(n.max(1))
        .zip(out.chunks_mut(n.max(1)))
        .collect();
    let work = |part: Vec<(&[f32], &mut [f32])>| {
        for (x, y) in part {
            f(x, y);
        }
        false
    };
    if data.len() >= parallel_from {
        crate::platform::run_parts(crate::platform::split_parts(rows), work);
    } else {
        work(rows);
    }
    out
}

/// Softmax over the last dimension of a contiguous f32 tensor after scaling by `scale`:
/// e^(s·x − max) / Σ, in one op (attention's `softmax(q·kᵀ / √d)`).
struct ScaledSoftmax {
    scale: f32,
}

#[inline(always)]
fn softmax_rows(data: &[f32], out: &mut [f32], n: usize, scale: f32) {
    for (x, y) in data.chunks(n).zip(out.chunks_mut(n)) {
        // Eight running maxima and sums, so the loops vectorise (whole chunks of eight kept
        // in registers, the remainder added to the first lanes after them).
        let mut lanes = [f32::NEG_INFINITY; 8];
        let mut chunks = x.chunks_exact(8);
        for c in &mut chunks {
            for (m, &v) in lanes.iter_mut().zip(c) {
                let v = v * scale;
                *m = if v > *m { v } else { *m };
            }
        }
        for (m, &v) in lanes.iter_mut().zip(chunks.remainder()) {
            let v = v * scale;
            *m = if v > *m { v } else { *m };
        }
        let max = lanes
            .iter()
            .fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m });
        for (y, &x) in y.iter_mut().zip(x) {
            *y = exp_f32(x * scale - max);
        }
        let mut sums = [0f32; 8];
        let mut chunks = y.chunks_exact(8);
        for c in &mut chunks {
            for (s, &v) in sums.iter_mut().zip(c) {
                *s += v;
            }
        }
        for (s, &v) in sums.iter_mut().zip(chunks.remainder()) {
            *s += v;
        }
        let inv = 1.0 / sums.iter().sum::<f32>();
        y.iter_mut().for_each(|v| *v *= inv);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn softmax_rows_avx2(data: &[f32], out: &mut [f32], n: usize, scale: f32) {
    softmax_rows(data, out, n, scale)
}

impl candle_core::CustomOp1 for ScaledSoftmax {
    fn name(&self) -> &'static str {
        "scaled-softmax"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> Result<(CpuStorage, candle_core::Shape)> {
        let data = contiguous_f32(storage, layout, "scaled-softmax")?;
        let n = layout.dims().last().copied().unwrap_or(1).max(1);
        let out = map_rows(data, n, 0, |x, y| {
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2 (checked just above).
                return unsafe { softmax_rows_avx2(x, y, n, self.scale) };
            }
            softmax_rows(x, y, n, self.scale);
        });
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

/// `softmax(x · scale)` over the last dimension of an f32 tensor, in one op.
pub fn scaled_softmax(x: &Tensor, scale: f32) -> Result<Tensor> {
    x.contiguous()?.apply_op1_no_bwd(&ScaledSoftmax { scale })
}

/// Layer norm over the last dimension of a contiguous f32 tensor: (x − mean) / √(var + ε)
/// · γ + β per row, the mean and (biased) variance accumulated in f64 and the rest in f32.
struct LayerNorm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f64,
}

impl LayerNorm {
    /// One row: mean and variance from four running f64 sums (so the loops vectorise),
    /// then `(x − mean) · inv · γ + β` in f32.
    #[inline(always)]
    fn row(&self, x: &[f32], y: &mut [f32]) {
        let n = x.len() as f64;
        let sum4 = |f: &dyn Fn(f32) -> f64| {
            let mut lanes = [0f64; 4];
            let mut chunks = x.chunks_exact(4);
            for c in &mut chunks {
                for (s, &v) in lanes.iter_mut().zip(c) {
                    *s += f(v);
                }
            }
            for (s, &v) in lanes.iter_mut().zip(chunks.remainder()) {
                *s += f(v);
            }
            (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        };
        let mean = sum4(&|v| v as f64) / n;
        let var = sum4(&|v| (v as f64 - mean).powi(2)) / n;
        let (mean, inv) = (mean as f32, (1.0 / (var + self.eps).sqrt()) as f32);
        for (((y, &x), &g), &b) in y.iter_mut().zip(x).zip(&self.weight).zip(&self.bias) {
            *y = (x - mean) * inv * g + b;
        }
    }
}

impl candle_core::CustomOp1 for LayerNorm {
    fn name(&self) -> &'static str {
        "layer-norm"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> Result<(CpuStorage, candle_core::Shape)> {
        let data = contiguous_f32(storage, layout, "layer-norm")?;
        let n = self.weight.len();
        if layout.dims().last() != Some(&n) || self.bias.len() != n {
            candle_core::bail!("layer-norm: {n} weights for shape {:?}", layout.dims())
        }
        let out = map_rows(data, n, 1 << 15, |x, y| self.row(x, y));
        Ok((CpuStorage::F32(out), layout.shape().clone()))
    }
}

/// Layer norm of `x` (any float dtype, computed in f32) over its last dimension with weight
/// `w`, bias `b` and `eps`, in one op; the result is f32.
pub fn layer_norm(x: &Tensor, w: &Tensor, b: &Tensor, eps: f64) -> Result<Tensor> {
    let vec = |t: &Tensor| t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>();
    let op = LayerNorm {
        weight: vec(w)?,
        bias: vec(b)?,
        eps,
    };
    x.to_dtype(DType::F32)?.contiguous()?.apply_op1_no_bwd(&op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn ulps(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn exp_is_within_two_ulp_of_the_library() {
        let mut worst = 0;
        let mut x = -87.0f32;
        while x < 88.0 {
            worst = worst.max(ulps(exp_f32(x), x.exp()));
            x += 0.0137;
        }
        assert!(worst <= 2, "{worst} ulp");
        assert_eq!(exp_f32(0.0), 1.0);
        assert!(exp_f32(-1000.0) < 1.2e-38);
        assert!(exp_f32(1000.0) > 2.4e38);
    }

    #[test]
    fn silu_matches_its_definition() {
        for x in [-20.0f32, -3.5, -1.0, -1e-3, 0.0, 1e-3, 0.5, 2.0, 9.0, 50.0] {
            let want = x / (1.0 + (-x).exp());
            assert!(
                ulps(silu_f32(x), want) <= 2,
                "{x}: {} vs {want}",
                silu_f32(x)
            );
        }
        // Far out, SiLU is a negligible negative number (PyTorch: −3.7e-42).
        assert!(silu_f32(-100.0) <= 0.0 && silu_f32(-100.0) > -1e-36);
    }

    /// Every value of `got` within `tol` of `want`.
    fn assert_close(got: &[Vec<f32>], want: &[Vec<f32>], tol: f32) {
        for (g, w) in got.iter().flatten().zip(want.iter().flatten()) {
            assert!((g - w).abs() < tol, "{got:?} {want:?}");
        }
    }

    #[test]
    fn scaled_softmax_matches_candles() {
        let d = Device::Cpu;
        let x = Tensor::new(&[[1f32, 2.0, 4.0, 9.0], [-3.0, 0.5, 0.5, 70.0]], &d).unwrap();
        let got = scaled_softmax(&x, 0.25).unwrap().to_vec2::<f32>().unwrap();
        let want = candle_nn::ops::softmax_last_dim(&(&x * 0.25).unwrap())
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        assert_close(&got, &want, 1e-6);
    }

    #[test]
    fn layer_norm_matches_its_definition() {
        let d = Device::Cpu;
        let x = Tensor::new(&[[1f32, 2.0, 4.0, 9.0], [-3.0, 0.5, 0.5, 7.0]], &d).unwrap();
        let w = Tensor::new(&[1f32, 0.5, -1.0, 2.0], &d).unwrap();
        let b = Tensor::new(&[0f32, 0.1, 0.2, -0.3], &d).unwrap();
        let got = layer_norm(&x, &w, &b, 1e-5)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        // candle_nn's layer norm (the textbook formula in f32) as the reference.
        let want = candle_nn::ops::layer_norm(&x, &w, &b, 1e-5)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        assert_close(&got, &want, 1e-6);
    }

    #[test]
    fn gelu_matches_the_erf_definition() {
        // Against the definition in f64, with the libm erf candle uses.
        for i in -4000..=4000 {
            let x = i as f32 / 500.0;
            let want = candle_core::cpu::erf::erf_f64(x as f64 / std::f64::consts::SQRT_2);
            let want = 0.5 * x as f64 * (1.0 + want);
            assert!(
                (gelu_f32(x) as f64 - want).abs() < 3e-7 * (1.0 + x.abs() as f64),
                "{x}"
            );
        }
        assert_eq!(gelu_f32(0.0), 0.0);
        assert!(gelu_f32(-30.0).abs() < 1e-30 && gelu_f32(30.0) == 30.0);
    }

    #[test]
    fn bias_and_silu_per_channel_in_one_pass() {
        let d = Device::Cpu;
        let x = Tensor::arange(0f32, 24.0, &d)
            .unwrap()
            .reshape((1, 3, 2, 4))
            .unwrap();
        let bias = Tensor::new(&[1f32, -2.0, 0.5], &d).unwrap();
        let got = bias_act(x.copy().unwrap(), &bias, FusedAct::Silu).unwrap();
        let want = x
            .broadcast_add(&bias.reshape((1, 3, 1, 1)).unwrap())
            .unwrap()
            .silu()
            .unwrap();
        let (g, w): (Vec<f32>, Vec<f32>) = (
            got.flatten_all().unwrap().to_vec1().unwrap(),
            want.flatten_all().unwrap().to_vec1().unwrap(),
        );
        assert!(
            g.iter().zip(&w).all(|(a, b)| ulps(*a, *b) <= 2),
            "{g:?} {w:?}"
        );
        // Without the activation it is the plain sum, exactly.
        let plain = bias_act(x.copy().unwrap(), &bias, FusedAct::None).unwrap();
        let want = x
            .broadcast_add(&bias.reshape((1, 3, 1, 1)).unwrap())
            .unwrap();
        assert_eq!(
            plain.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            want.flatten_all().unwrap().to_vec1::<f32>().unwrap()
        );
        // A linear layer's output [N, C]: the bias runs along dimension 1 too.
        let y = Tensor::new(&[[0f32, 1.0, 2.0]], &d).unwrap();
        let out = bias_act(y, &bias, FusedAct::None)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap();
        assert_eq!(out, vec![vec![1.0, -1.0, 2.5]]);
        // ReLU and ReLU6 after the bias, as PyTorch's relu and hardtanh(0, 6).
        let y = Tensor::new(&[[-3f32, 4.0, 7.0]], &d).unwrap();
        let relu = bias_act(y.copy().unwrap(), &bias, FusedAct::Relu).unwrap();
        assert_eq!(relu.to_vec2::<f32>().unwrap(), vec![vec![0.0, 2.0, 7.5]]);
        let relu6 = bias_act(y, &bias, FusedAct::Relu6).unwrap();
        assert_eq!(relu6.to_vec2::<f32>().unwrap(), vec![vec![0.0, 2.0, 6.0]]);
    }
}
