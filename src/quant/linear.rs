//! Linear quantization, following these reference definitions (all arithmetic in f32, as
//! PyTorch does on f32 tensors; `round` is round-half-to-even):
//!
//! - **symmetric** (int8, int4): `qmax = 127` (int8) / `7` (int4),
//!   `scale = max|w| / qmax`, `q = clamp(round(w / scale), −qmax, qmax)`, `zero_point = 0`;
//! - **asymmetric** (uint8 [0, 255], uint4 [0, 15]; int8/int4 use their full range):
//!   `scale = (max − min) / (qmax − qmin)`, `zero_point = clamp(qmin − round(min / scale), qmin, qmax)`
//!   (= `round(−min / scale)` for unsigned types), `q = clamp(round(w / scale) + zero_point, qmin, qmax)`.
//!   As PyTorch's `MinMaxObserver` does, the range [min, max] is widened to include 0, so 0
//!   is exactly representable and an all-positive tensor is not clipped;
//! - **fp8** (e4m3fn, e5m2), symmetric: `scale = max|w| / max_finite`, `q = fp8(w / scale)`
//!   rounded to nearest even with the ml_dtypes rules;
//! - dequantize: `w' = scale · (q − zero_point)`.
//!
//! A group whose scale comes out 0 (all zeros) uses `scale = f32::EPSILON`, as PyTorch's
//! observers clamp it, so nothing is divided by zero and zeros stay exact.

use super::scheme::{Granularity, Mode, Scheme};
use crate::formats::table::NarrowEncoder;
use crate::formats::{Format, Rounder, decode, encode};
use crate::tensor::sq_error::{SqError, sq_error};
use crate::tensor::stats::{ErrorStats, sqnr_db};
use serde::Serialize;

/// Longest run of elements handled as one piece of work.
const CHUNK: usize = 1 << 16;

/// The result of quantizing one tensor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Quantized {
    /// One scale per group.
    pub scale: Vec<f32>,
    /// One zero point per group (0 for symmetric schemes).
    pub zero_point: Vec<i32>,
    /// The stored values, flat and row-major: integers, or fp8 values before scaling.
    pub q: Vec<f32>,
    /// Dequantized values `scale · (q − zero_point)`.
    pub dequantized: Vec<f32>,
    /// Number of groups (= scales).
    pub groups: usize,
}

/// Error metrics of a quantization.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct QuantError {
    /// Mean squared error.
    pub mse: f64,
    /// Largest |w − w'|.
    pub max_abs_error: f64,
    /// 10·log10(Σw² / Σ(w − w')²).
    pub sqnr_db: f64,
}

impl Quantized {
    /// Error of the dequantized values against the originals.
    pub fn error(&self, original: &[f32]) -> QuantError {
        quant_error(original, &self.dequantized)
    }
}

/// Error of `dequantized` values against the `original` ones: on all cores and vectorised
/// ([`crate::tensor::sq_error`]) when every value is finite, else pair by pair, skipping the
/// pairs that are not.
pub fn quant_error(original: &[f32], dequantized: &[f32]) -> QuantError {
    let n = original.len().min(dequantized.len());
    let (original, dequantized) = (&original[..n], &dequantized[..n]);
    if let Some(e) = sq_error(original, |i, out| {
        out.copy_from_slice(&dequantized[i..i + out.len()])
    }) {
        return QuantError {
            mse: e.mse(),
            max_abs_error: e.max_abs,
            sqnr_db: e.sqnr_db(),
        };
    }
    let e = ErrorStats::of_pairs(
        original
            .iter()
            .zip(dequantized)
            .map(|(&w, &d)| (w as f64, d as f64)),
    );
    let signal: f64 = original.iter().map(|&w| (w as f64) * (w as f64)).sum();
    let noise: f64 = e.mse * (original.len() - e.skipped) as f64;
    QuantError {
        mse: e.mse,
        max_abs_error: e.max_abs,
        sqnr_db: sqnr_db(signal, noise),
    }
}

/// Maps a flat index to its group.
#[derive(Clone, Copy, Debug)]
struct Grouping {
    kind: Granularity,
    stride: usize,
    len: usize,
    last: usize,
    per_row: usize,
}

impl Grouping {
    fn new(shape: &[usize], g: Granularity) -> Result<(Grouping, usize), String> {
        let numel: usize = shape.iter().product();
        let last = shape.last().copied().unwrap_or(1).max(1);
        let mut grouping = Grouping {
            kind: g,
            stride: 1,
            len: 1,
            last,
            per_row: 1,
        };
        let groups = match g {
            Granularity::Tensor => 1,
            Granularity::Channel(axis) => {
                if axis >= shape.len() {
                    return Err(format!(
                        "axis {axis} is out of range for a tensor of shape {shape:?} ({} axes)",
                        shape.len()
                    ));
                }
                grouping.stride = shape[axis + 1..].iter().product();
                grouping.len = shape[axis];
                shape[axis]
            }
            Granularity::Group(size) => {
                grouping.per_row = last.div_ceil(size);
                (numel / last) * grouping.per_row
            }
        };
        Ok((grouping, groups.max(1)))
    }

    /// The tensor as consecutive runs of one group each (no run longer than `CHUNK`), in order.
    fn runs(&self, numel: usize) -> Vec<Run> {
        let mut runs = Vec::new();
        let mut push = |start: usize, end: usize, group: usize| {
            let mut a = start;
            while a < end {
                let b = (a + CHUNK).min(end);
                runs.push(Run {
                    start: a,
                    end: b,
                    group,
                });
                a = b;
            }
        };
        match self.kind {
            Granularity::Tensor => push(0, numel, 0),
            Granularity::Channel(_) => {
                let stride = self.stride.max(1);
                for k in 0..numel / stride {
                    push(k * stride, (k + 1) * stride, k % self.len.max(1));
                }
            }
            Granularity::Group(size) => {
                for row in 0..numel / self.last {
                    for (j, c) in (0..self.last).step_by(size).enumerate() {
                        let a = row * self.last + c;
                        push(a, a + size.min(self.last - c), row * self.per_row + j);
                    }
                }
            }
        }
        runs
    }
}

/// Round to the nearest integer, ties to even: `f32::round_ties_even`, written so it
/// vectorises without SSE4.1 (adding and removing 1.5·2^23 leaves an integer under the
/// default nearest-even mode; beyond 2^22 every f32 is already an integer).
#[inline]
pub fn round_half_even(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 · 2^23
    if x.abs() < 4_194_304.0 {
        (x + MAGIC) - MAGIC
    } else {
        x
    }
}

/// Consecutive elements sharing one group.
#[derive(Clone, Copy, Debug)]
struct Run {
    start: usize,
    end: usize,
    group: usize,
}

/// Apply `f(run, input, q_out, deq_out)` to every run, on all cores, writing disjoint slices.
fn par_runs(
    runs: &[Run],
    data: &[f32],
    q: &mut [f32],
    deq: &mut [f32],
    f: impl Fn(&Run, &[f32], &mut [f32], &mut [f32]) + Sync,
) {
    let threads = crate::platform::threads();
    let per = data.len().div_ceil(threads).max(1);
    let (mut q, mut deq) = (q, deq);
    let mut offset = 0;
    let mut rest = runs;
    let mut parts = Vec::new();
    while !rest.is_empty() {
        // Take runs until this section holds about `per` elements.
        let n = rest
            .iter()
            .position(|r| r.end - offset > per)
            .unwrap_or(rest.len())
            .max(1);
        let (mine, tail) = rest.split_at(n);
        rest = tail;
        let end = mine.last().map_or(offset, |r| r.end);
        let (q_mine, q_tail) = std::mem::take(&mut q).split_at_mut(end - offset);
        let (d_mine, d_tail) = std::mem::take(&mut deq).split_at_mut(end - offset);
        q = q_tail;
        deq = d_tail;
        parts.push((mine, offset, q_mine, d_mine));
        offset = end;
    }
    crate::platform::run_parts(parts, |(mine, base, q_mine, d_mine)| {
        for r in mine {
            let (a, b) = (r.start - base, r.end - base);
            f(
                r,
                &data[r.start..r.end],
                &mut q_mine[a..b],
                &mut d_mine[a..b],
            );
        }
        false
    });
}

/// How a plan rounds a scaled value.
enum Rounding {
    /// Integers: round half to even, then clamp to [lo, hi].
    Int { lo: f32, hi: f32 },
    /// fp8 by bit arithmetic (the codec's results; NarrowEncoder is tested against it).
    Narrow(NarrowEncoder),
    /// Any other format, through the generic codec.
    Codec(Format),
}

/// A quantization worked out: the tensor's runs, each group's scale and zero point, and
/// how a value is rounded.
struct Plan {
    runs: Vec<Run>,
    scale: Vec<f32>,
    zero_point: Vec<i32>,
    groups: usize,
    rounding: Rounding,
}

impl Plan {
    /// Check the request and work out the scales of `data` (row-major, of `shape`).
    fn new(data: &[f32], shape: &[usize], scheme: &Scheme) -> Result<Plan, String> {
        scheme.validate()?;
        let numel: usize = shape.iter().product();
        if numel != data.len() {
            return Err(format!(
                "shape {shape:?} holds {numel} values but the tensor has {}",
                data.len()
            ));
        }
        let (grouping, groups) = Grouping::new(shape, scheme.granularity)?;
        let runs = grouping.runs(data.len());
        let (lo, hi) = group_ranges(&runs, data, groups)?;
        let (qmin, qmax) = scheme.qtype.range();
        let (qmin, qmax) = (qmin as f32, qmax as f32);
        let format = scheme.qtype.format();
        let is_int = scheme.qtype.is_int();
        let mut scale = vec![0.0f32; groups];
        let mut zero_point = vec![0i32; groups];
        for g in 0..groups {
            let s = match (is_int, scheme.mode) {
                // Symmetric integers use the restricted range [−qmax, qmax].
                (true, Mode::Symmetric) | (false, _) => lo[g].abs().max(hi[g].abs()) / qmax,
                (true, Mode::Asymmetric) => (hi[g] - lo[g]) / (qmax - qmin),
            };
            scale[g] = if s > 0.0 && s.is_finite() {
                s
            } else {
                f32::EPSILON
            };
            if is_int && scheme.mode == Mode::Asymmetric {
                zero_point[g] = (qmin - round_half_even(lo[g] / scale[g])).clamp(qmin, qmax) as i32;
            }
        }
        let rounding = if is_int {
            let lo = if scheme.mode == Mode::Symmetric {
                -qmax
            } else {
                qmin
            };
            Rounding::Int { lo, hi: qmax }
        } else {
            match NarrowEncoder::new(&format) {
                Some(enc) => Rounding::Narrow(enc),
                None => Rounding::Codec(format),
            }
        };
        Ok(Plan {
            runs,
            scale,
            zero_point,
            groups,
            rounding,
        })
    }

    /// Quantize `src`, values of `group`, into `q` and dequantize them into `deq`.
    #[inline(always)]
    fn apply(&self, group: usize, src: &[f32], q: &mut [f32], deq: &mut [f32]) {
        let (s, zp) = (self.scale[group], self.zero_point[group] as f32);
        let pairs = src.iter().zip(q).zip(deq);
        match &self.rounding {
            &Rounding::Int { lo, hi } => {
                for ((&w, v), d) in pairs {
                    (*v, *d) = int_value(w, s, zp, lo, hi);
                }
            }
            Rounding::Narrow(enc) => {
                for ((&w, v), d) in pairs {
                    (*v, *d) = narrow_value(enc, w, s);
                }
            }
            Rounding::Codec(format) => {
                let mut rounder = Rounder::nearest_even();
                for ((&w, v), d) in pairs {
                    (*v, *d) = codec_value(format, &mut rounder, w, s);
                }
            }
        }
    }

    /// The error of the dequantized values of `data`, made a piece at a time:
    /// `value(w, scale, zero_point)` is one of [`Plan::apply`]'s arms, so each measuring loop
    /// holds one rounding.
    #[inline(always)]
    fn measure(
        &self,
        data: &[f32],
        value: impl Fn(f32, f32, f32) -> f32 + Sync,
    ) -> Option<SqError> {
        let runs = &self.runs;
        sq_error(data, |start, out| {
            let end = start + out.len();
            let mut i = runs.partition_point(|r| r.end <= start);
            while let Some(r) = runs.get(i).filter(|r| r.start < end) {
                let (a, b) = (r.start.max(start), r.end.min(end));
                let (s, zp) = (self.scale[r.group], self.zero_point[r.group] as f32);
                for (d, &w) in out[a - start..b - start].iter_mut().zip(&data[a..b]) {
                    *d = value(w, s, zp);
                }
                i += 1;
            }
        })
    }
}

/// One integer value: its code and its dequantized value.
#[inline(always)]
fn int_value(w: f32, s: f32, zp: f32, lo: f32, hi: f32) -> (f32, f32) {
    let v = (round_half_even(w / s) + zp).clamp(lo, hi);
    (v, s * (v - zp))
}

/// One fp8 value by bit arithmetic: its code and its dequantized value.
#[inline(always)]
fn narrow_value(enc: &NarrowEncoder, w: f32, s: f32) -> (f32, f32) {
    let v = enc.round(w / s) as f32;
    (v, s * v)
}

/// One value through the generic codec: its code and its dequantized value.
#[inline(always)]
fn codec_value(format: &Format, rounder: &mut Rounder, w: f32, s: f32) -> (f32, f32) {
    let v = decode(format, encode(format, (w / s) as f64, rounder)) as f32;
    (v, s * v)
}

/// Each group's smallest and largest value, starting from 0 so the range always includes
/// zero; on all cores. An error naming the first value that is not finite.
fn group_ranges(runs: &[Run], data: &[f32], groups: usize) -> Result<(Vec<f32>, Vec<f32>), String> {
    let mut per_run = vec![(0.0f32, 0.0f32, true); runs.len()];
    let parts: Vec<(&Run, &mut (f32, f32, bool))> = runs.iter().zip(per_run.iter_mut()).collect();
    crate::platform::run_parts(crate::platform::split_parts(parts), |mine| {
        for (r, slot) in mine {
            *slot = range_of(&data[r.start..r.end]);
        }
        false
    });
    if per_run.iter().any(|p| !p.2) {
        let i = data.iter().position(|w| !w.is_finite()).unwrap_or(0);
        return Err(format!("cannot quantize: value #{i} is {}", data[i]));
    }
    let mut lo = vec![0.0f32; groups];
    let mut hi = vec![0.0f32; groups];
    for (r, &(l, h, _)) in runs.iter().zip(&per_run) {
        lo[r.group] = lo[r.group].min(l);
        hi[r.group] = hi[r.group].max(h);
    }
    Ok((lo, hi))
}

/// The smallest and largest of `values` and 0, and whether all are finite; in lanes, so it
/// vectorises (plain comparisons: min/max's NaN rules do not vectorise, and non-finite
/// values are reported instead).
#[allow(clippy::needless_range_loop)]
fn range_of(values: &[f32]) -> (f32, f32, bool) {
    const L: usize = 8;
    let (mut lo, mut hi, mut bad) = ([0f32; L], [0f32; L], [0u32; L]);
    let blocks = values.chunks_exact(L);
    let tail = blocks.remainder();
    for b in blocks {
        for j in 0..L {
            let w = b[j];
            lo[j] = if w < lo[j] { w } else { lo[j] };
            hi[j] = if w > hi[j] { w } else { hi[j] };
            bad[j] |= ((w.to_bits() & 0x7fff_ffff) >= 0x7f80_0000) as u32;
        }
    }
    let (mut l, mut h) = (0f32, 0f32);
    let mut finite = bad.iter().all(|&b| b == 0);
    for j in 0..L {
        l = if lo[j] < l { lo[j] } else { l };
        h = if hi[j] > h { hi[j] } else { h };
    }
    for &w in tail {
        l = if w < l { w } else { l };
        h = if w > h { w } else { h };
        finite &= w.is_finite();
    }
    (l, h, finite)
}

/// Quantize `data` (row-major, of `shape`) with `scheme`.
pub fn quantize(data: &[f32], shape: &[usize], scheme: &Scheme) -> Result<Quantized, String> {
    let plan = Plan::new(data, shape, scheme)?;
    let mut q = vec![0.0f32; data.len()];
    let mut dequantized = vec![0.0f32; data.len()];
    par_runs(
        &plan.runs,
        data,
        &mut q,
        &mut dequantized,
        |r, src, q, deq| plan.apply(r.group, src, q, deq),
    );
    Ok(Quantized {
        scale: plan.scale,
        zero_point: plan.zero_point,
        q,
        dequantized,
        groups: plan.groups,
    })
}

/// The error [`quantize`]'s dequantized values would have, measured as they are made (the
/// dequantized tensor is never written out): the same bits as measuring
/// `quantize(..).dequantized` with [`crate::tensor::pair_stats::error_stats`]. `Ok(None)` if
/// a dequantized value is not finite (measure [`quantize`]'s values the exact way then).
pub fn quantize_error(
    data: &[f32],
    shape: &[usize],
    scheme: &Scheme,
) -> Result<Option<SqError>, String> {
    let plan = Plan::new(data, shape, scheme)?;
    // One measuring loop per rounding, each holding only its own arm.
    Ok(match &plan.rounding {
        &Rounding::Int { lo, hi } => plan.measure(data, |w, s, zp| int_value(w, s, zp, lo, hi).1),
        Rounding::Narrow(enc) => plan.measure(data, |w, s, _| narrow_value(enc, w, s).1),
        Rounding::Codec(format) => plan.measure(data, |w, s, _| {
            codec_value(format, &mut Rounder::nearest_even(), w, s).1
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quant::scheme::QType;

    fn scheme(qtype: QType, mode: Mode, granularity: Granularity) -> Scheme {
        Scheme {
            qtype,
            mode,
            granularity,
        }
    }

    #[test]
    fn symmetric_int8_per_tensor_by_hand() {
        let w = [-1.0f32, -0.5, 0.0, 0.25, 1.27];
        let r = quantize(
            &w,
            &[5],
            &scheme(QType::Int8, Mode::Symmetric, Granularity::Tensor),
        )
        .unwrap();
        // scale = 1.27 / 127 = 0.01 (in f32); q = round(w / scale).
        assert_eq!(r.scale, vec![1.27f32 / 127.0]);
        assert_eq!(r.zero_point, vec![0]);
        let s = 1.27f32 / 127.0;
        let want: Vec<f32> = w
            .iter()
            .map(|&x| (x / s).round_ties_even().clamp(-127.0, 127.0))
            .collect();
        assert_eq!(r.q, want);
        assert_eq!(r.q[4], 127.0);
        assert_eq!(r.q[0], -100.0);
        let e = r.error(&w);
        assert!(e.max_abs_error < s as f64 / 2.0 + 1e-9);
    }

    #[test]
    fn round_half_even_matches_the_std_library() {
        let mut x = -300.0f32;
        while x < 300.0 {
            assert_eq!(round_half_even(x), x.round_ties_even(), "{x}");
            x += 0.125;
        }
        for x in [
            0.49999997f32,
            2.5,
            -2.5,
            4194303.5,
            4194304.0,
            1e10,
            -1e10,
            8388609.0,
        ] {
            assert_eq!(round_half_even(x), x.round_ties_even(), "{x}");
        }
    }

    #[test]
    fn ties_round_to_even() {
        // scale = 127/127 = 1, so q = round(w): 0.5 → 0, 1.5 → 2, 2.5 → 2, -0.5 → -0.
        let w = [0.5f32, 1.5, 2.5, -0.5, 127.0];
        let r = quantize(
            &w,
            &[5],
            &scheme(QType::Int8, Mode::Symmetric, Granularity::Tensor),
        )
        .unwrap();
        assert_eq!(r.q, vec![0.0, 2.0, 2.0, -0.0, 127.0]);
    }

    #[test]
    fn asymmetric_uint8_maps_min_and_max_to_the_ends() {
        let w = [-1.0f32, 0.0, 0.5, 3.0];
        let r = quantize(
            &w,
            &[4],
            &scheme(QType::UInt8, Mode::Asymmetric, Granularity::Tensor),
        )
        .unwrap();
        let s = 4.0f32 / 255.0;
        assert_eq!(r.scale, vec![s]);
        assert_eq!(r.zero_point, vec![(1.0f32 / s).round_ties_even() as i32]); // 64
        assert_eq!(r.q[0], 0.0);
        assert_eq!(r.q[3], 255.0);
        assert_eq!(r.dequantized[1], 0.0, "zero is exact");
    }

    #[test]
    fn all_positive_tensors_include_zero_in_the_range() {
        let w = [2.0f32, 2.5, 3.0];
        let r = quantize(
            &w,
            &[3],
            &scheme(QType::UInt8, Mode::Asymmetric, Granularity::Tensor),
        )
        .unwrap();
        assert_eq!(r.zero_point, vec![0]);
        assert_eq!(r.q[2], 255.0);
        assert!(r.error(&w).max_abs_error < 0.01);
    }

    #[test]
    fn constant_and_zero_tensors_do_not_divide_by_zero() {
        for w in [[0.0f32; 4], [0.7f32; 4]] {
            for s in [
                scheme(QType::Int8, Mode::Symmetric, Granularity::Tensor),
                scheme(QType::UInt8, Mode::Asymmetric, Granularity::Tensor),
                scheme(QType::Int4, Mode::Symmetric, Granularity::Group(2)),
                scheme(QType::Fp8E4m3, Mode::Symmetric, Granularity::Tensor),
            ] {
                let r = quantize(&w, &[4], &s).unwrap();
                assert!(r.scale.iter().all(|s| *s > 0.0 && s.is_finite()));
                assert!(r.dequantized.iter().all(|d| d.is_finite()));
                assert!(r.error(&w).max_abs_error < 0.01, "{s} {w:?}");
            }
        }
    }

    #[test]
    fn per_channel_and_per_group_scales() {
        // 2×4 matrix: rows have very different ranges.
        let w = [1.0f32, -2.0, 0.5, 0.25, 100.0, 50.0, -25.0, 10.0];
        let r = quantize(
            &w,
            &[2, 4],
            &scheme(QType::Int8, Mode::Symmetric, Granularity::Channel(0)),
        )
        .unwrap();
        assert_eq!(r.scale, vec![2.0 / 127.0, 100.0 / 127.0]);
        let c = quantize(
            &w,
            &[2, 4],
            &scheme(QType::Int8, Mode::Symmetric, Granularity::Channel(1)),
        )
        .unwrap();
        assert_eq!(c.scale.len(), 4);
        assert_eq!(c.scale[1], 50.0 / 127.0);
        let g = quantize(
            &w,
            &[2, 4],
            &scheme(QType::Int4, Mode::Symmetric, Granularity::Group(3)),
        )
        .unwrap();
        // Groups per row: [0..3), [3..4) → 4 groups.
        assert_eq!(g.groups, 4);
        assert_eq!(g.scale[0], 2.0 / 7.0);
        assert_eq!(g.scale[1], 0.25 / 7.0);
        assert_eq!(g.scale[2], 100.0 / 7.0);
        let t = quantize(
            &w,
            &[2, 4],
            &scheme(QType::Int8, Mode::Symmetric, Granularity::Tensor),
        )
        .unwrap();
        assert!(r.error(&w).sqnr_db > t.error(&w).sqnr_db);
    }

    #[test]
    fn fp8_scaled_uses_the_full_range() {
        let w = [-3.0f32, 0.1, 1.0, 2.0];
        let r = quantize(
            &w,
            &[4],
            &scheme(QType::Fp8E4m3, Mode::Symmetric, Granularity::Tensor),
        )
        .unwrap();
        assert_eq!(r.scale, vec![3.0 / 448.0]);
        assert_eq!(r.q[0], -448.0);
        assert!(r.error(&w).sqnr_db > 25.0);
    }

    #[test]
    fn bad_requests_are_errors() {
        let w = [1.0f32; 6];
        assert!(
            quantize(
                &w,
                &[2, 3],
                &scheme(QType::Int8, Mode::Symmetric, Granularity::Channel(2))
            )
            .is_err()
        );
        assert!(
            quantize(
                &w,
                &[4],
                &scheme(QType::Int8, Mode::Symmetric, Granularity::Tensor)
            )
            .is_err()
        );
        assert!(
            quantize(
                &w,
                &[6],
                &scheme(QType::UInt8, Mode::Symmetric, Granularity::Tensor)
            )
            .is_err()
        );
        assert!(
            quantize(
                &w,
                &[6],
                &scheme(QType::Fp8E5m2, Mode::Asymmetric, Granularity::Tensor)
            )
            .is_err()
        );
        assert!(
            quantize(
                &[f32::NAN],
                &[1],
                &scheme(QType::Int8, Mode::Symmetric, Granularity::Tensor)
            )
            .is_err()
        );
    }

    #[test]
    fn quant_error_is_the_sums_of_the_pairs() {
        let w: Vec<f32> = (0..70_003)
            .map(|i| ((i as f32) * 0.29).sin() * 3.0)
            .collect();
        let d: Vec<f32> = w.iter().map(|&x| (x * 8.0).round() / 8.0).collect();
        let (mut signal, mut noise, mut max) = (0.0f64, 0.0f64, 0.0f64);
        for (&x, &y) in w.iter().zip(&d) {
            let e = (y as f64 - x as f64).abs();
            signal += x as f64 * x as f64;
            noise += e * e;
            max = max.max(e);
        }
        let q = quant_error(&w, &d);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
        assert!(
            close(q.mse, noise / w.len() as f64),
            "{} vs {}",
            q.mse,
            noise
        );
        assert!(close(q.sqnr_db, sqnr_db(signal, noise)));
        assert_eq!(q.max_abs_error, max);
        // A NaN is skipped (the pair-by-pair path), not spread over the result.
        let mut with_nan = d.clone();
        with_nan[10] = f32::NAN;
        assert!(quant_error(&w, &with_nan).mse.is_finite());
    }
}
