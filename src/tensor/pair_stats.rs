//! Everything the lab measures about a tensor and its stored values, in two passes over the
//! pair on all cores instead of one pass per statistic: the first gathers both summaries'
//! sums and ranges, the cast counts and the error statistics; the second (which needs the
//! means and ranges) the variances and the three histograms. Work is cut into fixed chunks
//! whose partial results are merged in chunk order, so the numbers do not depend on the
//! number of threads.

use super::stats::{CastCounts, ErrorStats, Histogram, Summary, format_max, sqnr_db};
use crate::formats::Format;

/// Values per chunk.
const CHUNK: usize = 1 << 16;

/// The lab's statistics of `original` and `stored` (equally long).
#[derive(Clone, Debug)]
pub struct PairStats {
    /// Summary of the original values.
    pub original: Summary,
    /// Summary of the stored values.
    pub stored: Summary,
    /// Underflow / overflow / saturation counts.
    pub counts: CastCounts,
    /// Error statistics.
    pub error: ErrorStats,
    /// Histograms of original and stored values over a shared range.
    pub hist_original: Histogram,
    /// See `hist_original`.
    pub hist_stored: Histogram,
    /// Histogram of stored − original over the finite errors' range.
    pub hist_error: Histogram,
}

/// Sums of one side's values.
#[derive(Clone, Copy, Debug)]
struct Moments {
    count: usize,
    finite: usize,
    zeros: usize,
    nan: usize,
    inf: usize,
    min: f64,
    max: f64,
    sum: f64,
}

impl Default for Moments {
    fn default() -> Self {
        Moments {
            count: 0,
            finite: 0,
            zeros: 0,
            nan: 0,
            inf: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
        }
    }
}

impl Moments {
    #[inline(always)]
    fn add(&mut self, x: f64) {
        self.count += 1;
        if x.is_nan() {
            self.nan += 1;
        } else if x.is_infinite() {
            self.inf += 1;
        } else {
            self.finite += 1;
            self.zeros += usize::from(x == 0.0);
            self.min = self.min.min(x);
            self.max = self.max.max(x);
            self.sum += x;
        }
    }

    fn merge(&mut self, o: &Moments) {
        self.count += o.count;
        self.finite += o.finite;
        self.zeros += o.zeros;
        self.nan += o.nan;
        self.inf += o.inf;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.sum += o.sum;
    }

    fn mean(&self) -> f64 {
        if self.finite > 0 {
            self.sum / self.finite as f64
        } else {
            f64::NAN
        }
    }

    fn summary(&self, squares: f64) -> Summary {
        let some = self.finite > 0;
        Summary {
            count: self.count,
            min: if some { self.min } else { f64::NAN },
            max: if some { self.max } else { f64::NAN },
            mean: self.mean(),
            std: if some {
                (squares / self.finite as f64).sqrt()
            } else {
                f64::NAN
            },
            zeros: self.zeros,
            nan: self.nan,
            inf: self.inf,
        }
    }
}

/// The first pass's partial results of one chunk.
#[derive(Clone, Copy, Debug, Default)]
struct First {
    original: Moments,
    stored: Moments,
    counts: CastCounts,
    n: usize,
    skipped: usize,
    sum_abs: f64,
    max_abs: f64,
    sum_sq: f64,
    signal: f64,
    max_rel: f64,
    err_min: f64,
    err_max: f64,
}

/// The second pass's partial results of one chunk.
struct Second {
    squares_original: f64,
    squares_stored: f64,
    original: Histogram,
    stored: Histogram,
    error: Histogram,
}

/// `f(range)` for every chunk of `0..n`, on all cores, the results in chunk order.
fn per_chunk<R: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> R + Sync) -> Vec<R> {
    let mut out: Vec<Option<R>> = (0..n.div_ceil(CHUNK)).map(|_| None).collect();
    let slots: Vec<(usize, &mut Option<R>)> = out.iter_mut().enumerate().collect();
    crate::platform::run_parts(crate::platform::split_parts(slots), |mine| {
        for (i, slot) in mine {
            *slot = Some(f(i * CHUNK..((i + 1) * CHUNK).min(n)));
        }
        false
    });
    out.into_iter().flatten().collect()
}

/// The first pass over one chunk, value by value, for any values.
fn first_exact(original: &[f32], stored: &[f64], max: f64) -> First {
    let mut p = First {
        err_min: f64::INFINITY,
        err_max: f64::NEG_INFINITY,
        ..First::default()
    };
    for (&x32, &y) in original.iter().zip(stored) {
        let x = x32 as f64;
        p.original.add(x);
        p.stored.add(y);
        // Cast counts, as CastCounts::of.
        if x == y {
            p.counts.exact += 1;
        } else if x.is_finite() && !y.is_finite() {
            p.counts.overflow += 1;
        } else if x != 0.0 && y == 0.0 {
            p.counts.underflow += 1;
        } else if x.abs() > max && y.abs() == max {
            p.counts.saturated += 1;
        }
        // Errors, as ErrorStats::of_pairs.
        let e = y - x;
        if e.is_finite() {
            p.err_min = p.err_min.min(e);
            p.err_max = p.err_max.max(e);
        }
        if !x.is_finite() || !y.is_finite() {
            p.skipped += 1;
            continue;
        }
        p.n += 1;
        let a = e.abs();
        p.sum_abs += a;
        p.max_abs = p.max_abs.max(a);
        p.sum_sq += a * a;
        p.signal += x * x;
        if x != 0.0 {
            p.max_rel = p.max_rel.max(a / x.abs());
        }
    }
    p
}

/// Lanes of the vectorised first pass.
const LANES: usize = 4;

/// The error sums of the vectorised passes, one partial result per lane.
struct ErrorLanes {
    sum_abs: [f64; LANES],
    max_abs: [f64; LANES],
    sum_sq: [f64; LANES],
    signal: [f64; LANES],
    max_rel: [f64; LANES],
    min: [f64; LANES],
    max: [f64; LANES],
}

impl ErrorLanes {
    fn new() -> ErrorLanes {
        ErrorLanes {
            sum_abs: [0.0; LANES],
            max_abs: [0.0; LANES],
            sum_sq: [0.0; LANES],
            signal: [0.0; LANES],
            max_rel: [0.0; LANES],
            min: [f64::INFINITY; LANES],
            max: [f64::NEG_INFINITY; LANES],
        }
    }

    /// Lane `j` takes the finite pair (x, y), as ErrorStats::of_pairs counts it.
    #[inline(always)]
    fn add(&mut self, j: usize, x: f64, y: f64) {
        let e = y - x;
        let a = e.abs();
        self.min[j] = self.min[j].min(e);
        self.max[j] = self.max[j].max(e);
        self.sum_abs[j] += a;
        self.max_abs[j] = self.max_abs[j].max(a);
        self.sum_sq[j] += a * a;
        self.signal[j] += x * x;
        let rel = if x != 0.0 { a / x.abs() } else { 0.0 };
        self.max_rel[j] = self.max_rel[j].max(rel);
    }

    /// The lanes' sums into `p`'s error fields.
    fn fold_into(&self, p: &mut First) {
        let sum = |v: &[f64; LANES]| v.iter().sum::<f64>();
        let most = |v: &[f64; LANES], from: f64| v.iter().fold(from, |m, &x| m.max(x));
        p.sum_abs = sum(&self.sum_abs);
        p.max_abs = most(&self.max_abs, 0.0);
        p.sum_sq = sum(&self.sum_sq);
        p.signal = sum(&self.signal);
        p.max_rel = most(&self.max_rel, 0.0);
        p.err_min = self.min.iter().fold(f64::INFINITY, |m, &x| m.min(x));
        p.err_max = most(&self.max, f64::NEG_INFINITY);
    }
}

/// `p` with the values past its lanes' whole blocks, `original[whole..]`, added exactly;
/// None if one is not finite.
fn with_tail(
    mut p: First,
    original: &[f32],
    stored: &[f64],
    whole: usize,
    max: f64,
) -> Option<First> {
    let n = original.len().min(stored.len());
    if whole < n {
        let tail = first_exact(&original[whole..n], &stored[whole..n], max);
        if tail.skipped > 0 {
            return None;
        }
        p.merge(&tail);
    }
    Some(p)
}

/// The first pass over a chunk whose values are all finite (the usual case), branch-free in
/// [`LANES`] interleaved partial results so it vectorises; None if a value is not finite
/// (then [`first_exact`] runs).
#[allow(clippy::needless_range_loop)]
#[inline(always)]
fn first_finite(original: &[f32], stored: &[f64], max: f64) -> Option<First> {
    let n = original.len().min(stored.len());
    let whole = n / LANES * LANES;
    let inf = f64::INFINITY;
    let (mut omin, mut omax, mut osum) = ([inf; LANES], [-inf; LANES], [0.0; LANES]);
    let (mut smin, mut smax, mut ssum) = ([inf; LANES], [-inf; LANES], [0.0; LANES]);
    let mut errors = ErrorLanes::new();
    let mut counts = [[0u64; LANES]; 5]; // zeros (original, stored), exact, underflow, saturated
    let mut finite = true;
    for (xs, ys) in original[..whole]
        .chunks_exact(LANES)
        .zip(stored[..whole].chunks_exact(LANES))
    {
        for j in 0..LANES {
            let (x, y) = (xs[j] as f64, ys[j]);
            finite &= x.abs() < inf && y.abs() < inf;
            omin[j] = omin[j].min(x);
            omax[j] = omax[j].max(x);
            osum[j] += x;
            smin[j] = smin[j].min(y);
            smax[j] = smax[j].max(y);
            ssum[j] += y;
            counts[0][j] += u64::from(x == 0.0);
            counts[1][j] += u64::from(y == 0.0);
            counts[2][j] += u64::from(x == y);
            counts[3][j] += u64::from(x != y && x != 0.0 && y == 0.0);
            counts[4][j] += u64::from(x != y && y != 0.0 && x.abs() > max && y.abs() == max);
            errors.add(j, x, y);
        }
    }
    if !finite {
        return None;
    }
    let fold_sum = |v: [f64; LANES]| v.iter().sum::<f64>();
    let fold_min = |v: [f64; LANES]| v.iter().fold(inf, |m, &x| m.min(x));
    let fold_max = |v: [f64; LANES]| v.iter().fold(-inf, |m, &x| m.max(x));
    let count = |v: [u64; LANES]| v.iter().sum::<u64>() as usize;
    let moments = |min, max, sum, zeros| Moments {
        count: whole,
        finite: whole,
        zeros,
        nan: 0,
        inf: 0,
        min,
        max,
        sum,
    };
    let mut p = First {
        original: moments(
            fold_min(omin),
            fold_max(omax),
            fold_sum(osum),
            count(counts[0]),
        ),
        stored: moments(
            fold_min(smin),
            fold_max(smax),
            fold_sum(ssum),
            count(counts[1]),
        ),
        counts: CastCounts {
            exact: count(counts[2]),
            underflow: count(counts[3]),
            saturated: count(counts[4]),
            overflow: 0,
        },
        n: whole,
        ..First::default()
    };
    errors.fold_into(&mut p);
    with_tail(p, original, stored, whole, max)
}

/// [`first_finite`], compiled for AVX2 where the CPU has it (4 f64 lanes instead of 2; no
/// FMA is introduced, so the results are the same).
fn first_finite_any(original: &[f32], stored: &[f64], max: f64) -> Option<First> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        unsafe fn avx2(original: &[f32], stored: &[f64], max: f64) -> Option<First> {
            first_finite(original, stored, max)
        }
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { avx2(original, stored, max) };
    }
    first_finite(original, stored, max)
}

/// The second pass over one chunk: the sums of squared deviations from the means (in
/// [`LANES`] partial sums, vectorised), and the three histograms.
#[inline(always)]
#[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
fn second(original: &[f32], stored: &[f64], (mo, ms): (f64, f64), mut s: Second) -> Second {
    let n = original.len().min(stored.len());
    let whole = n / LANES * LANES;
    let (mut so, mut ss) = ([0.0; LANES], [0.0; LANES]);
    for (xs, ys) in original[..whole]
        .chunks_exact(LANES)
        .zip(stored[..whole].chunks_exact(LANES))
    {
        for j in 0..LANES {
            let (x, y) = (xs[j] as f64, ys[j]);
            let (dx, dy) = (x - mo, y - ms);
            so[j] += if x.abs() < f64::INFINITY {
                dx * dx
            } else {
                0.0
            };
            ss[j] += if y.abs() < f64::INFINITY {
                dy * dy
            } else {
                0.0
            };
        }
    }
    s.squares_original = so.iter().sum();
    s.squares_stored = ss.iter().sum();
    for (&x32, &y) in original[whole..n].iter().zip(&stored[whole..n]) {
        let x = x32 as f64;
        if x.is_finite() {
            s.squares_original += (x - mo) * (x - mo);
        }
        if y.is_finite() {
            s.squares_stored += (y - ms) * (y - ms);
        }
    }
    // The histograms: each block's slots computed branch-free (vectorised), then counted.
    const BLOCK: usize = 256;
    let (value_bins, error_bins) = (s.original.binner(), s.error.binner());
    let mut counts = vec![0u32; 2 * value_bins.slots() + error_bins.slots()];
    let (c_original, rest) = counts.split_at_mut(value_bins.slots());
    let (c_stored, c_error) = rest.split_at_mut(value_bins.slots());
    let mut slots = [[0u32; BLOCK]; 3];
    for (xs, ys) in original[..n].chunks(BLOCK).zip(stored[..n].chunks(BLOCK)) {
        for (k, (&x32, &y)) in xs.iter().zip(ys).enumerate() {
            let x = x32 as f64;
            slots[0][k] = value_bins.slot(x);
            slots[1][k] = value_bins.slot(y);
            slots[2][k] = error_bins.slot(y - x);
        }
        for k in 0..xs.len() {
            c_original[slots[0][k] as usize] += 1;
            c_stored[slots[1][k] as usize] += 1;
            c_error[slots[2][k] as usize] += 1;
        }
    }
    s.original.add_slots(c_original);
    s.stored.add_slots(c_stored);
    s.error.add_slots(c_error);
    s
}

/// [`second`] compiled for AVX2 where the CPU has it.
fn second_any(original: &[f32], stored: &[f64], means: (f64, f64), s: Second) -> Second {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        unsafe fn avx2(original: &[f32], stored: &[f64], means: (f64, f64), s: Second) -> Second {
            second(original, stored, means, s)
        }
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { avx2(original, stored, means, s) };
    }
    second(original, stored, means, s)
}

/// [`ErrorStats::of`] on all cores and vectorised (chunked partial sums merged in order):
/// what the sensitivity table computes for every tensor and scheme.
pub fn error_stats(original: &[f32], stored: &[f64]) -> ErrorStats {
    let n = original.len().min(stored.len());
    let no_max = f64::INFINITY;
    let firsts = per_chunk(n, |r| {
        let (xs, ys) = (&original[r.clone()], &stored[r]);
        errors_finite_any(xs, ys).unwrap_or_else(|| first_exact(xs, ys, no_max))
    });
    let mut t = First::default();
    for p in &firsts {
        t.merge(p);
    }
    t.error_stats()
}

/// The error sums alone of a chunk whose values are all finite, in lanes (vectorised); None
/// if a value is not finite.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
fn errors_finite(original: &[f32], stored: &[f64]) -> Option<First> {
    let n = original.len().min(stored.len());
    let whole = n / LANES * LANES;
    let inf = f64::INFINITY;
    let mut errors = ErrorLanes::new();
    let mut finite = true;
    for (xs, ys) in original[..whole]
        .chunks_exact(LANES)
        .zip(stored[..whole].chunks_exact(LANES))
    {
        for j in 0..LANES {
            let (x, y) = (xs[j] as f64, ys[j]);
            finite &= x.abs() < inf && y.abs() < inf;
            errors.add(j, x, y);
        }
    }
    if !finite {
        return None;
    }
    let mut p = First {
        n: whole,
        ..First::default()
    };
    errors.fold_into(&mut p);
    with_tail(p, original, stored, whole, inf)
}

/// [`errors_finite`] compiled for AVX2 where the CPU has it.
fn errors_finite_any(original: &[f32], stored: &[f64]) -> Option<First> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        unsafe fn avx2(original: &[f32], stored: &[f64]) -> Option<First> {
            errors_finite(original, stored)
        }
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { avx2(original, stored) };
    }
    errors_finite(original, stored)
}

impl First {
    /// The error statistics of the merged partial results.
    fn error_stats(&self) -> ErrorStats {
        let n_f = self.n.max(1) as f64;
        let mse = self.sum_sq / n_f;
        ErrorStats {
            mean_abs: self.sum_abs / n_f,
            max_abs: self.max_abs,
            rmse: mse.sqrt(),
            mse,
            max_rel: self.max_rel,
            sqnr_db: sqnr_db(self.signal, self.sum_sq),
            skipped: self.skipped,
        }
    }

    /// Add another chunk's partial results.
    fn merge(&mut self, p: &First) {
        self.original.merge(&p.original);
        self.stored.merge(&p.stored);
        self.counts.exact += p.counts.exact;
        self.counts.overflow += p.counts.overflow;
        self.counts.underflow += p.counts.underflow;
        self.counts.saturated += p.counts.saturated;
        self.n += p.n;
        self.skipped += p.skipped;
        self.sum_abs += p.sum_abs;
        self.max_abs = self.max_abs.max(p.max_abs);
        self.sum_sq += p.sum_sq;
        self.signal += p.signal;
        self.max_rel = self.max_rel.max(p.max_rel);
        self.err_min = self.err_min.min(p.err_min);
        self.err_max = self.err_max.max(p.err_max);
    }
}

impl PairStats {
    /// Measure `stored` (the values `original` took in `format`) with `bins`-bin
    /// histograms over `range` (None: the finite values' range).
    pub fn of(
        original: &[f32],
        stored: &[f64],
        format: &Format,
        bins: usize,
        range: Option<(f64, f64)>,
    ) -> PairStats {
        let n = original.len().min(stored.len());
        let max = format_max(format);
        let firsts = per_chunk(n, |r| {
            let (xs, ys) = (&original[r.clone()], &stored[r]);
            first_finite_any(xs, ys, max).unwrap_or_else(|| first_exact(xs, ys, max))
        });
        let mut t = First {
            err_min: f64::INFINITY,
            err_max: f64::NEG_INFINITY,
            ..First::default()
        };
        for p in &firsts {
            t.merge(p);
        }
        let finite_lo = t.original.min.min(t.stored.min);
        let finite_hi = t.original.max.max(t.stored.max);
        let (lo, hi) = range
            .filter(|(a, b)| a.is_finite() && b.is_finite() && a < b)
            .or((finite_lo <= finite_hi).then_some((finite_lo, finite_hi)))
            .unwrap_or((0.0, 1.0));
        let (elo, ehi) = if t.err_min <= t.err_max {
            (t.err_min, t.err_max)
        } else {
            (0.0, 1.0)
        };
        let bins = bins.max(1);
        let (mo, ms) = (t.original.mean(), t.stored.mean());
        let seconds = per_chunk(n, |r| {
            let empty = Second {
                squares_original: 0.0,
                squares_stored: 0.0,
                original: Histogram::empty(bins, lo, hi),
                stored: Histogram::empty(bins, lo, hi),
                error: Histogram::empty(bins, elo, ehi),
            };
            let (xs, ys) = (&original[r.clone()], &stored[r]);
            second_any(xs, ys, (mo, ms), empty)
        });
        let mut hist_original = Histogram::empty(bins, lo, hi);
        let mut hist_stored = Histogram::empty(bins, lo, hi);
        let mut hist_error = Histogram::empty(bins, elo, ehi);
        let (mut sq_o, mut sq_s) = (0.0, 0.0);
        for s in &seconds {
            sq_o += s.squares_original;
            sq_s += s.squares_stored;
            hist_original.merge(&s.original);
            hist_stored.merge(&s.stored);
            hist_error.merge(&s.error);
        }
        PairStats {
            original: t.original.summary(sq_o),
            stored: t.stored.summary(sq_s),
            counts: t.counts,
            error: t.error_stats(),
            hist_original,
            hist_stored,
            hist_error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::stats::finite_range;

    #[test]
    fn equals_the_one_statistic_at_a_time_functions() {
        let f = Format::named("float8_e4m3fn");
        let mut original: Vec<f32> = (0..300_000)
            .map(|i| ((i as f32 * 0.618_034).fract() - 0.5) * 1000.0)
            .collect();
        original.extend([f32::NAN, f32::INFINITY, 0.0, 1e-9, 500.0]);
        let stored: Vec<f64> = original
            .iter()
            .map(|&x| {
                let mut r = crate::formats::Rounder::nearest_even();
                crate::formats::decode(&f, crate::formats::encode(&f, x as f64, &mut r))
            })
            .collect();
        let p = PairStats::of(&original, &stored, &f, 50, None);
        let close = |a: f64, b: f64| a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
        let o = Summary::of(original.iter().map(|&x| x as f64));
        assert_eq!(
            (p.original.count, p.original.nan, p.original.inf),
            (o.count, o.nan, o.inf)
        );
        assert!(close(p.original.mean, o.mean) && close(p.original.std, o.std));
        assert_eq!(
            (p.original.min, p.original.max, p.original.zeros),
            (o.min, o.max, o.zeros)
        );
        let s = Summary::of(stored.iter().copied());
        assert!(close(p.stored.mean, s.mean) && close(p.stored.std, s.std));
        assert_eq!(p.counts, CastCounts::of(&original, &stored, &f));
        let e = ErrorStats::of(&original, &stored);
        assert!(close(p.error.mse, e.mse) && close(p.error.sqnr_db, e.sqnr_db));
        let alone = error_stats(&original, &stored);
        assert!(close(alone.mse, e.mse) && close(alone.mean_abs, e.mean_abs));
        assert_eq!(
            (alone.max_abs, alone.max_rel, alone.skipped),
            (e.max_abs, e.max_rel, e.skipped)
        );
        assert_eq!(
            (p.error.max_abs, p.error.max_rel, p.error.skipped),
            (e.max_abs, e.max_rel, e.skipped)
        );
        let (lo, hi) = finite_range(&original, &stored).unwrap();
        let h = Histogram::new(original.iter().map(|&x| x as f64), 50, lo, hi);
        assert_eq!(p.hist_original, h);
        let errors: Vec<f64> = original
            .iter()
            .zip(&stored)
            .map(|(&x, &y)| y - x as f64)
            .collect();
        let (elo, ehi) = finite_range(&[], &errors).unwrap();
        assert_eq!(
            p.hist_error,
            Histogram::new(errors.iter().copied(), 50, elo, ehi)
        );
    }

    #[test]
    fn a_fixed_range_counts_below_above_and_nan_as_one_value_at_a_time() {
        let f = Format::named("bfloat16");
        let mut original: Vec<f32> = (0..70_001)
            .map(|i| ((i as f32) * 0.37).sin() * 4.0)
            .collect();
        original.extend([
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -1.0,
            1.0,
            0.0,
            -0.0,
        ]);
        let stored: Vec<f64> = original
            .iter()
            .map(|&x| crate::tensor::cast::bf16_round(x) as f64)
            .collect();
        let p = PairStats::of(&original, &stored, &f, 37, Some((-1.0, 1.0)));
        let mut h = Histogram::empty(37, -1.0, 1.0);
        let mut hs = Histogram::empty(37, -1.0, 1.0);
        for (&x, &y) in original.iter().zip(&stored) {
            h.add_scaled(x as f64, h.scale());
            hs.add_scaled(y, hs.scale());
        }
        assert_eq!(p.hist_original, h);
        assert_eq!(p.hist_stored, hs);
        assert!(h.below > 0 && h.above > 0 && h.nan == 1);
    }
}
