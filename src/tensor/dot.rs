//! Dot products with a chosen input format, accumulation format and summation order, so a
//! class sees where `333.4022` (fp32) becomes `334` (bf16).
//!
//! Every product and every partial sum is rounded to the accumulation format (nearest even),
//! then the result is rounded to the input format, as `torch.dot` returns its input dtype.
//! PyTorch's CPU `dot` for bfloat16 / float16 multiplies and adds in fp32 ("opmath") and
//! rounds once at the end (`dot_naive` with `opmath_t` in ATen's BlasKernel.cpp; newer
//! versions vectorise `bf16_dot_with_fp32_arith`, still with fp32 lanes): that is
//! [`DotSpec::torch_like`]. Accumulating in bf16 itself stalls once the sum's ulp exceeds
//! the terms.

use crate::formats::{Format, Rounder, decode, encode};
use serde::{Deserialize, Serialize};

/// Order of the additions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Summation {
    /// Left to right, one running sum (error grows like n).
    Naive,
    /// Recursive halves (error grows like log n), in exactly NumPy's `sum` order.
    Pairwise,
}

/// How a dot product is computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DotSpec {
    /// Format the inputs are cast to first.
    pub inputs: Format,
    /// Format of products and partial sums.
    pub accumulate: Format,
    /// Order of the additions.
    pub summation: Summation,
}

impl DotSpec {
    /// What PyTorch does on CPU for `dot` in `inputs`: fp32 accumulation, one final rounding.
    pub fn torch_like(inputs: Format) -> DotSpec {
        let accumulate = if inputs.bits() > 32 {
            inputs
        } else {
            Format::named("float32")
        };
        DotSpec {
            inputs,
            accumulate,
            summation: Summation::Naive,
        }
    }

    /// A short label: `bfloat16 × bfloat16, float32 accumulate, naive`.
    pub fn label(&self) -> String {
        format!(
            "{} inputs, {} accumulate, {}",
            self.inputs.name(),
            self.accumulate.name(),
            match self.summation {
                Summation::Naive => "naive",
                Summation::Pairwise => "pairwise",
            }
        )
    }
}

/// One dot product's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DotResult {
    /// Description of the computation.
    pub label: String,
    /// Input format.
    pub inputs: String,
    /// Accumulation format.
    pub accumulate: String,
    /// Summation order.
    pub summation: Summation,
    /// The result, in the input format.
    pub value: f64,
    /// The accumulator before the final rounding to the input format.
    pub accumulator: f64,
    /// value − exact (the f64 dot of the original f32 values).
    pub error: f64,
}

/// The exact-enough reference: f64 products (exact for f32 inputs) summed pairwise in f64
/// (computed as they are summed: nothing is stored).
pub fn reference_dot(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    pairwise(0, n, &|i: usize| a[i] as f64 * b[i] as f64, &|x: f64| x)
}

/// Dot product of `a` and `b` computed as `spec` says.
pub fn dot(a: &[f32], b: &[f32], spec: &DotSpec) -> DotResult {
    dot_against(a, b, spec, reference_dot(a, b))
}

/// [`dot`] with its error measured against a given `reference` (computed once by callers
/// that make several dots of the same data, or that compare other data with it).
pub fn dot_against(a: &[f32], b: &[f32], spec: &DotSpec, reference: f64) -> DotResult {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let inputs = Accumulator::of(spec.inputs);
    let acc = Accumulator::of(spec.accumulate);
    let s = spec.summation;
    // The inputs are rounded as they are read (nothing is stored); monomorphic loops for
    // the common formats, since a running sum is one long chain of dependent operations.
    let bf16_32 = super::cast::bf16_round;
    let accumulator = match (&inputs, &acc, s) {
        // Running sums in f32 arithmetic: an f32 product or sum of f32 values is the exact
        // one rounded once, as the f64 path rounds it (the f64 sum of two f32 or bf16 values
        // is exact whenever the rounding could differ), so the results are the same bits;
        // the chain of dependent operations is just shorter.
        (Accumulator::F32, Accumulator::F32, Summation::Naive) => naive_f32(a, b, |x| x, |x| x),
        (Accumulator::Bf16, Accumulator::F32, Summation::Naive) => naive_f32(a, b, bf16_32, |x| x),
        (Accumulator::Bf16, Accumulator::Bf16, Summation::Naive) => {
            running_sum(a, b, bf16_32, bf16_32, true)
        }
        (Accumulator::F32, Accumulator::F32, _) => pairwise_f32(a, b, |x| x, |x| x),
        (Accumulator::Bf16, Accumulator::F32, _) => pairwise_f32(a, b, bf16_32, |x| x),
        (Accumulator::Bf16, Accumulator::Bf16, _) => pairwise_f32(a, b, bf16_32, bf16_32),
        _ => {
            // Other input formats: every input rounded once, on all cores (its values are
            // f32 values), then the sums on those.
            let round_all = |v: &[f32]| -> Vec<f32> {
                let mut out = vec![0f32; v.len()];
                let _ = super::parallel::for_each_chunk(
                    v,
                    &mut out,
                    1 << 16,
                    &super::progress::Progress::new(),
                    |_, src, dst| {
                        for (d, &x) in dst.iter_mut().zip(src) {
                            *d = inputs.round(x as f64) as f32;
                        }
                    },
                );
                out
            };
            let xa = round_all(a);
            let xb_owned = if std::ptr::eq(a, b) {
                Vec::new()
            } else {
                round_all(b)
            };
            let xb: &[f32] = if std::ptr::eq(a, b) { &xa } else { &xb_owned };
            match (&acc, s) {
                (Accumulator::F32, Summation::Naive) => naive_f32(&xa, xb, |x| x, |x| x),
                (Accumulator::F32, _) => pairwise_f32(&xa, xb, |x| x, |x| x),
                (Accumulator::Narrow(e), Summation::Naive) => {
                    running_sum(&xa, xb, |x| x, |x| e.round(x) as f32, true)
                }
                (Accumulator::Narrow(e), _) => pairwise_f32(&xa, xb, |x| x, |x| e.round(x) as f32),
                _ => summed(&xa, xb, s, |x| x as f64, |x| acc.round(x)),
            }
        }
    };
    let value = inputs.round(accumulator);
    DotResult {
        label: spec.label(),
        inputs: spec.inputs.name(),
        accumulate: spec.accumulate.name(),
        summation: spec.summation,
        value,
        accumulator,
        error: value - reference,
    }
}

/// Σ round(round(input(a) · input(b))) left to right in f32 arithmetic.
fn naive_f32(a: &[f32], b: &[f32], input: impl Fn(f32) -> f32, round: impl Fn(f32) -> f32) -> f64 {
    running_sum(a, b, input, round, false)
}

/// [`naive_f32_blocks`] or (`skip`: for narrow accumulators, where most terms are lost)
/// [`naive_skipping`], compiled for AVX2 where the CPU has it.
fn running_sum(
    a: &[f32],
    b: &[f32],
    input: impl Fn(f32) -> f32,
    round: impl Fn(f32) -> f32,
    skip: bool,
) -> f64 {
    #[inline(always)]
    fn sum(
        a: &[f32],
        b: &[f32],
        input: &impl Fn(f32) -> f32,
        round: &impl Fn(f32) -> f32,
        skip: bool,
    ) -> f32 {
        if skip {
            naive_skipping(a, b, input, round)
        } else {
            naive_f32_blocks(a, b, input, round)
        }
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        unsafe fn avx2(
            a: &[f32],
            b: &[f32],
            input: &impl Fn(f32) -> f32,
            round: &impl Fn(f32) -> f32,
            skip: bool,
        ) -> f32 {
            sum(a, b, input, round, skip)
        }
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { avx2(a, b, &input, &round, skip) } as f64;
    }
    sum(a, b, &input, &round, skip) as f64
}

/// [`naive_f32`]'s loop: a block's terms computed first (independent, so vectorised), then
/// added in order — the running sum's chain holds only its additions.
#[inline(always)]
fn naive_f32_blocks(
    a: &[f32],
    b: &[f32],
    input: &impl Fn(f32) -> f32,
    round: &impl Fn(f32) -> f32,
) -> f32 {
    const BLOCK: usize = 256;
    let mut terms = [0f32; BLOCK];
    let mut s = 0f32;
    for (xs, ys) in a.chunks(BLOCK).zip(b.chunks(BLOCK)) {
        let terms = &mut terms[..xs.len().min(ys.len())];
        for ((t, &x), &y) in terms.iter_mut().zip(xs).zip(ys) {
            *t = round(input(x) * input(y));
        }
        s = terms.iter().fold(s, |s, &t| round(s + t));
    }
    s
}

/// Terms tested at a time by [`naive_skipping`].
const SKIP_BLOCK: usize = 16;

/// [`naive_f32`] for a narrow accumulator (bf16, fp8), without the steps that leave the sum
/// as it is. Once the sum is large most terms are lost (the lesson's point): each step
/// `s → round(s + p)` is tried for a block of terms at once (independent, so vectorised),
/// and only the first one that changes `s` is taken. A step skipped gives `s`'s own bits,
/// so the result is the loop's, bit for bit.
#[inline(always)]
fn naive_skipping(
    a: &[f32],
    b: &[f32],
    input: &impl Fn(f32) -> f32,
    round: &impl Fn(f32) -> f32,
) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let term = |x: f32, y: f32| round(input(x) * input(y));
    let mut s = 0f32;
    let mut i = 0;
    while i < n {
        let same = |x: f32, y: f32| round(s + term(x, y)).to_bits() == s.to_bits();
        while i + SKIP_BLOCK <= n {
            let (xs, ys) = (&a[i..i + SKIP_BLOCK], &b[i..i + SKIP_BLOCK]);
            let all = xs
                .iter()
                .zip(ys)
                .fold(true, |all, (&x, &y)| all & same(x, y));
            if !all {
                break;
            }
            i += SKIP_BLOCK;
        }
        while i < n && same(a[i], b[i]) {
            i += 1;
        }
        if i < n {
            s = round(s + term(a[i], b[i]));
            i += 1;
        }
    }
    s
}

/// [`pairwise`] Σ round(input(a) · input(b)) in f32 arithmetic (the same bits as the f64
/// path, as for [`naive_f32`]).
fn pairwise_f32(
    a: &[f32],
    b: &[f32],
    input: impl Fn(f32) -> f32 + Sync,
    round: impl Fn(f32) -> f32 + Sync,
) -> f64 {
    let n = a.len().min(b.len());
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        let block = |lo: usize, hi: usize| unsafe {
            block_f32_avx2(&a[lo..hi], &b[lo..hi], &input, &round)
        };
        return pairwise_by(0, n, &block, &round) as f64;
    }
    let block = |lo: usize, hi: usize| block_f32(&a[lo..hi], &b[lo..hi], &input, &round);
    pairwise_by(0, n, &block, &round) as f64
}

/// Σ round(input(a) · input(b)) in `summation` order, every product and partial sum
/// rounded by `round`.
#[inline(always)]
fn summed(
    a: &[f32],
    b: &[f32],
    summation: Summation,
    input: impl Fn(f32) -> f64 + Sync,
    round: impl Fn(f64) -> f64 + Sync,
) -> f64 {
    match summation {
        Summation::Naive => a
            .iter()
            .zip(b)
            .fold(0.0, |s, (&x, &y)| round(s + round(input(x) * input(y)))),
        Summation::Pairwise => pairwise(
            0,
            a.len(),
            &|i: usize| round(input(a[i]) * input(b[i])),
            &round,
        ),
    }
}

/// The lab's dot-product card: fp32, the target the torch way, and the target accumulating
/// in itself, naive and pairwise.
pub fn standard_dots(a: &[f32], b: &[f32], target: Format) -> Vec<DotResult> {
    let f32f = Format::named("float32");
    let mut specs = vec![DotSpec::torch_like(f32f)];
    if target.float().is_some() && target != f32f {
        specs.push(DotSpec::torch_like(target));
        for summation in [Summation::Naive, Summation::Pairwise] {
            specs.push(DotSpec {
                inputs: target,
                accumulate: target,
                summation,
            });
        }
    }
    let reference = reference_dot(a, b);
    // The dots are independent running sums: each its own task on the threads (the
    // target-accumulated naive sum, the longest chain, beside the others).
    let mut out: Vec<Option<DotResult>> = vec![None; specs.len()];
    let work: Vec<Vec<(&DotSpec, &mut Option<DotResult>)>> =
        specs.iter().zip(out.iter_mut()).map(|w| vec![w]).collect();
    crate::platform::run_parts(work, |mine| {
        for (spec, slot) in mine {
            *slot = Some(dot_against(a, b, spec, reference));
        }
        false
    });
    out.into_iter().flatten().collect()
}

/// Rounding an f64 to an accumulation format, nearest even, as the codec's reference path
/// does (through float32 for narrower formats): native for f64 / f32, bit arithmetic for
/// bf16 and the narrow floats and for the normal numbers of other floats, the codec for
/// the rest.
enum Accumulator {
    F64,
    F32,
    Bf16,
    Narrow(crate::formats::table::NarrowEncoder),
    Normal(crate::formats::normal_round::NormalRounder, Format),
    Codec(Format),
}

impl Accumulator {
    fn of(format: Format) -> Accumulator {
        match format.name().as_str() {
            "float64" => return Accumulator::F64,
            "float32" => return Accumulator::F32,
            "bfloat16" if !format.is_custom() => return Accumulator::Bf16,
            _ => {}
        }
        if let Some(e) = crate::formats::table::NarrowEncoder::new(&format) {
            return Accumulator::Narrow(e);
        }
        match crate::formats::normal_round::NormalRounder::new(&format) {
            Some(r) => Accumulator::Normal(r, format),
            None => Accumulator::Codec(format),
        }
    }

    #[inline(always)]
    fn round(&self, x: f64) -> f64 {
        let codec = |f: &Format| decode(f, encode(f, x, &mut Rounder::nearest_even()));
        match self {
            Accumulator::F64 => x,
            Accumulator::F32 => x as f32 as f64,
            Accumulator::Bf16 => super::cast::bf16_round(x as f32) as f64,
            Accumulator::Narrow(e) => e.round(x as f32),
            Accumulator::Normal(r, f) => r.round(x).unwrap_or_else(|| codec(f)),
            Accumulator::Codec(f) => codec(f),
        }
    }
}

/// Leaves summed at a time by NumPy's pairwise summation.
const PAIRWISE_BLOCK: usize = 128;

/// NumPy's pairwise summation (`pairwise_sum` in its loops_utils.h) of `leaf(lo..hi)`, every
/// addition rounded by `round`: fewer than 8 values summed in order; up to 128 in eight
/// interleaved partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), the rest added
/// in order; longer ranges split in two at a multiple of 8 (the two halves of large ranges
/// on two threads: same sums, same order).
pub(crate) fn pairwise<T, L, R>(lo: usize, hi: usize, leaf: &L, round: &R) -> T
where
    T: Copy + Default + Send + std::ops::Add<Output = T>,
    L: Fn(usize) -> T + Sync,
    R: Fn(T) -> T + Sync,
{
    let block = |lo: usize, hi: usize| {
        let n = hi - lo;
        if n < 8 {
            return (lo..hi).fold(T::default(), |s, i| round(s + leaf(i)));
        }
        let mut r = [T::default(); 8];
        for (j, v) in r.iter_mut().enumerate() {
            *v = leaf(lo + j);
        }
        let whole = lo + n - n % 8;
        for i in (lo + 8..whole).step_by(8) {
            for (j, v) in r.iter_mut().enumerate() {
                *v = round(*v + leaf(i + j));
            }
        }
        let mut s = combine(&r, round);
        for i in whole..hi {
            s = round(s + leaf(i));
        }
        s
    };
    pairwise_by(lo, hi, &block, round)
}

/// NumPy's combination of the eight partial sums: ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)).
#[inline(always)]
fn combine<T: Copy + std::ops::Add<Output = T>>(r: &[T; 8], round: &impl Fn(T) -> T) -> T {
    round(
        round(round(r[0] + r[1]) + round(r[2] + r[3]))
            + round(round(r[4] + r[5]) + round(r[6] + r[7])),
    )
}

/// [`pairwise`]'s splitting, with `block(lo, hi)` summing each range of at most
/// [`PAIRWISE_BLOCK`] leaves.
fn pairwise_by<T, B, R>(lo: usize, hi: usize, block: &B, round: &R) -> T
where
    T: Copy + Send + std::ops::Add<Output = T>,
    B: Fn(usize, usize) -> T + Sync,
    R: Fn(T) -> T + Sync,
{
    let n = hi - lo;
    if n <= PAIRWISE_BLOCK {
        return block(lo, hi);
    }
    let mut half = n / 2;
    half -= half % 8;
    let mid = lo + half;
    let (l, r) = if n >= 1 << 20 {
        crate::platform::join(
            || pairwise_by(lo, mid, block, round),
            || pairwise_by(mid, hi, block, round),
        )
    } else {
        (
            pairwise_by(lo, mid, block, round),
            pairwise_by(mid, hi, block, round),
        )
    };
    round(l + r)
}

/// One leaf block of [`pairwise`] over the terms round(input(a) · input(b)) in f32, on
/// slices and eight lanes, so it vectorises.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
fn block_f32(
    a: &[f32],
    b: &[f32],
    input: &impl Fn(f32) -> f32,
    round: &impl Fn(f32) -> f32,
) -> f32 {
    let n = a.len().min(b.len());
    let term = |x: f32, y: f32| round(input(x) * input(y));
    if n < 8 {
        return (0..n).fold(0f32, |s, i| round(s + term(a[i], b[i])));
    }
    let mut r = [0f32; 8];
    for j in 0..8 {
        r[j] = term(a[j], b[j]);
    }
    let whole = n - n % 8;
    for (xs, ys) in a[8..whole].chunks_exact(8).zip(b[8..whole].chunks_exact(8)) {
        for j in 0..8 {
            r[j] = round(r[j] + term(xs[j], ys[j]));
        }
    }
    let mut s = combine(&r, round);
    for i in whole..n {
        s = round(s + term(a[i], b[i]));
    }
    s
}

/// [`block_f32`] compiled for AVX2 (the eight lanes in one register).
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_f32_avx2(
    a: &[f32],
    b: &[f32],
    input: &impl Fn(f32) -> f32,
    round: &impl Fn(f32) -> f32,
) -> f32 {
    block_f32(a, b, input, round)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::RoundingMode;
    use crate::tensor::Progress;
    use crate::tensor::cast::cast_values;
    use crate::tensor::random::{Distribution, generate};

    /// The dot by the generic codec alone: every input, product and partial sum encoded and
    /// decoded (the definition the fast accumulators must equal).
    fn by_the_codec(a: &[f32], spec: &DotSpec) -> f64 {
        let r = |f: &Format, x: f64| decode(f, encode(f, x, &mut Rounder::nearest_even()));
        let x: Vec<f64> = a.iter().map(|&v| r(&spec.inputs, v as f64)).collect();
        let p: Vec<f64> = x.iter().map(|&v| r(&spec.accumulate, v * v)).collect();
        match spec.summation {
            Summation::Naive => p.iter().fold(0.0, |s, &v| r(&spec.accumulate, s + v)),
            Summation::Pairwise => pairwise(0, p.len(), &|i: usize| p[i], &|v: f64| {
                r(&spec.accumulate, v)
            }),
        }
    }

    #[test]
    fn pairwise_is_numpys_order() {
        // Source: NumPy 2 on this machine, float32 arrays:
        // np.sum(np.array([1.0] + [1e-8] * 999, np.float32)) = 1.0000099 (bits 1065353299;
        // in order, 1 + 1e-8 stays 1), and
        // np.sum(np.array([(i * 0.37) % 1.3 - 0.6 for i in range(5001)], np.float32)) = 263.5.
        let f32r = |x: f64| x as f32 as f64;
        let mut v = vec![1.0f32];
        v.extend([1e-8f32; 999]);
        let got = pairwise(0, v.len(), &|i: usize| v[i] as f64, &f32r) as f32;
        assert_eq!(got.to_bits(), 1_065_353_299);
        let w: Vec<f32> = (0..5001)
            .map(|i| ((i as f64 * 0.37) % 1.3 - 0.6) as f32)
            .collect();
        let got = pairwise(0, w.len(), &|i: usize| w[i] as f64, &f32r) as f32;
        assert_eq!(got, 263.5);
    }

    #[test]
    fn fast_accumulators_equal_the_codec() {
        let mut a = generate(&Distribution::named("student-t").unwrap(), 20_000, 4).unwrap();
        a.extend([0.0, -0.0, 1e-30, 3e4, f32::MIN_POSITIVE]);
        for (inputs, accumulate) in [
            ("float32", "float32"),
            ("bfloat16", "float32"),
            ("bfloat16", "bfloat16"),
            ("float16", "float16"),
            ("float8_e4m3fn", "float8_e4m3fn"),
            ("float8_e5m2", "float8_e5m2"),
            ("float8_e4m3fn", "float32"),
            ("float6_e3m2fn", "float16"),
        ] {
            for summation in [Summation::Naive, Summation::Pairwise] {
                let spec = DotSpec {
                    inputs: Format::named(inputs),
                    accumulate: Format::named(accumulate),
                    summation,
                };
                let got = dot(&a, &a, &spec).accumulator;
                let want = by_the_codec(&a, &spec);
                assert!(
                    got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                    "{}: {got} vs {want}",
                    spec.label()
                );
            }
        }
    }

    #[test]
    fn bf16_dot_of_rand_1000_rounds_to_an_even_integer_near_333() {
        // The lesson: torch.dot of torch.rand(1000) with itself is 333.4022 in fp32 and 334
        // in bf16. Our generator differs from torch's, so the values differ, but the
        // mechanism is the same: E[x²] = 1/3, and bf16's ulp in [256, 512) is 2.
        let x = generate(&Distribution::Uniform { lo: 0.0, hi: 1.0 }, 1000, 0).unwrap();
        let dots = standard_dots(&x, &x, Format::named("bfloat16"));
        let fp32 = dots[0].value;
        assert!((300.0..370.0).contains(&fp32), "{fp32}");
        let torch_bf16 = dots[1].value;
        assert_eq!(torch_bf16 % 2.0, 0.0);
        assert!(
            (torch_bf16 - fp32).abs() <= 1.0 + 0.02,
            "{torch_bf16} vs {fp32}"
        );
        // bf16 accumulation stalls: once the sum passes 256 its ulp is 2, and terms < 1 are lost.
        let naive_bf16 = dots[2].value;
        assert!(naive_bf16 < 300.0, "{naive_bf16}");
        let pairwise_bf16 = dots[3].value;
        assert!((pairwise_bf16 - fp32).abs() < (naive_bf16 - fp32).abs());
    }

    #[test]
    fn skipping_lost_terms_gives_the_loops_bits() {
        let bf = crate::tensor::cast::bf16_round;
        let normal = generate(&Distribution::named("normal").unwrap(), 200_003, 7).unwrap();
        let uniform = generate(&Distribution::Uniform { lo: 0.0, hi: 1.0 }, 50_000, 1).unwrap();
        let mixed: Vec<f32> = normal.iter().map(|&x| x * 1e3 - 7.0).collect();
        let mut special = normal[..5000].to_vec();
        special[4000] = f32::INFINITY;
        let mut nan = normal[..5000].to_vec();
        nan[3000] = f32::NAN;
        let huge = vec![3e38f32; 100];
        for (a, b) in [
            (&normal, &normal),
            (&uniform, &uniform),
            (&mixed, &normal),
            (&special, &special),
            (&special, &mixed),
            (&nan, &nan),
            (&huge, &huge),
        ] {
            let want = naive_f32(a, b, bf, bf);
            let got = running_sum(a, b, bf, bf, true);
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{got} vs {want}"
            );
            let e4m3 =
                crate::formats::table::NarrowEncoder::new(&Format::named("float8_e4m3fn")).unwrap();
            let fp8 = |x: f32| e4m3.round(x) as f32;
            let want = naive_f32(a, b, fp8, fp8);
            let got = running_sum(a, b, fp8, fp8, true);
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{got} vs {want}"
            );
        }
    }

    #[test]
    fn float32_naive_is_the_f32_loop() {
        let a: Vec<f32> = (0..5000).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..5000).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut s = 0.0f32;
        for (x, y) in a.iter().zip(&b) {
            s += x * y;
        }
        let r = dot(&a, &b, &DotSpec::torch_like(Format::named("float32")));
        assert_eq!(r.value, s as f64);
    }

    #[test]
    fn lesson_values_cast_like_the_notebook() {
        // Source: the lesson: tensor_fp32[0] = 0.8892 prints 0.8906 in bf16 (4-digit print).
        let stored = cast_values(
            &[0.8892],
            &Format::named("bfloat16"),
            RoundingMode::NearestEven,
            0,
            &Progress::new(),
        )
        .unwrap();
        assert_eq!(stored[0], 0.890625);
    }
}
