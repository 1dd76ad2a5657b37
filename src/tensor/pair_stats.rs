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
            let mut p = First {
                err_min: f64::INFINITY,
                err_max: f64::NEG_INFINITY,
                ..First::default()
            };
            for (&x32, &y) in original[r.clone()].iter().zip(&stored[r]) {
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
        });
        let mut t = First {
            err_min: f64::INFINITY,
            err_max: f64::NEG_INFINITY,
            ..First::default()
        };
        for p in &firsts {
            t.original.merge(&p.original);
            t.stored.merge(&p.stored);
            t.counts.exact += p.counts.exact;
            t.counts.overflow += p.counts.overflow;
            t.counts.underflow += p.counts.underflow;
            t.counts.saturated += p.counts.saturated;
            t.n += p.n;
            t.skipped += p.skipped;
            t.sum_abs += p.sum_abs;
            t.max_abs = t.max_abs.max(p.max_abs);
            t.sum_sq += p.sum_sq;
            t.signal += p.signal;
            t.max_rel = t.max_rel.max(p.max_rel);
            t.err_min = t.err_min.min(p.err_min);
            t.err_max = t.err_max.max(p.err_max);
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
        let scale = Histogram::empty(bins, lo, hi).scale();
        let error_scale = Histogram::empty(bins, elo, ehi).scale();
        let seconds = per_chunk(n, |r| {
            let mut s = Second {
                squares_original: 0.0,
                squares_stored: 0.0,
                original: Histogram::empty(bins, lo, hi),
                stored: Histogram::empty(bins, lo, hi),
                error: Histogram::empty(bins, elo, ehi),
            };
            for (&x32, &y) in original[r.clone()].iter().zip(&stored[r]) {
                let x = x32 as f64;
                if x.is_finite() {
                    s.squares_original += (x - mo) * (x - mo);
                }
                if y.is_finite() {
                    s.squares_stored += (y - ms) * (y - ms);
                }
                s.original.add_scaled(x, scale);
                s.stored.add_scaled(y, scale);
                s.error.add_scaled(y - x, error_scale);
            }
            s
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
        let n_f = t.n.max(1) as f64;
        let mse = t.sum_sq / n_f;
        PairStats {
            original: t.original.summary(sq_o),
            stored: t.stored.summary(sq_s),
            counts: t.counts,
            error: ErrorStats {
                mean_abs: t.sum_abs / n_f,
                max_abs: t.max_abs,
                rmse: mse.sqrt(),
                mse,
                max_rel: t.max_rel,
                sqnr_db: sqnr_db(t.signal, t.sum_sq),
                skipped: t.skipped,
            },
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
}
