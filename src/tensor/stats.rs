//! Statistics of a tensor, of what a cast did to it, and histograms.

use crate::formats::Format;
use serde::{Deserialize, Serialize};

/// Summary of the values of a tensor (NaN and ±inf are counted, not averaged).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of values.
    pub count: usize,
    /// Smallest finite value (NaN when there is none).
    pub min: f64,
    /// Largest finite value (NaN when there is none).
    pub max: f64,
    /// Mean of the finite values.
    pub mean: f64,
    /// Population standard deviation of the finite values.
    pub std: f64,
    /// Values equal to ±0.
    pub zeros: usize,
    /// NaN values.
    pub nan: usize,
    /// ±inf values.
    pub inf: usize,
}

impl Summary {
    /// Summarise `values` (two-pass mean / variance in f64).
    pub fn of<I: IntoIterator<Item = f64> + Clone>(values: I) -> Summary {
        let (mut count, mut finite, mut zeros, mut nan, mut inf) = (0, 0usize, 0, 0, 0);
        let (mut min, mut max, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
        for x in values.clone() {
            count += 1;
            if x.is_nan() {
                nan += 1;
            } else if x.is_infinite() {
                inf += 1;
            } else {
                finite += 1;
                zeros += usize::from(x == 0.0);
                min = min.min(x);
                max = max.max(x);
                sum += x;
            }
        }
        let mean = if finite > 0 {
            sum / finite as f64
        } else {
            f64::NAN
        };
        let var = values
            .into_iter()
            .filter(|x| x.is_finite())
            .map(|x| (x - mean) * (x - mean))
            .sum::<f64>()
            / finite.max(1) as f64;
        Summary {
            count,
            min: if finite > 0 { min } else { f64::NAN },
            max: if finite > 0 { max } else { f64::NAN },
            mean,
            std: if finite > 0 { var.sqrt() } else { f64::NAN },
            zeros,
            nan,
            inf,
        }
    }
}

/// What a cast did to the values: how many vanished, blew up or were clipped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CastCounts {
    /// Non-zero inputs stored as zero (underflow).
    pub underflow: usize,
    /// Finite inputs stored as ±inf or NaN (overflow).
    pub overflow: usize,
    /// Finite inputs beyond the largest finite value, stored as ±max (saturation).
    pub saturated: usize,
    /// Inputs stored exactly.
    pub exact: usize,
}

impl CastCounts {
    /// Compare each input with what `format` stored for it.
    pub fn of(input: &[f32], stored: &[f64], format: &Format) -> CastCounts {
        let max = format_max(format);
        let mut c = CastCounts::default();
        for (&x, &y) in input.iter().zip(stored) {
            let x = x as f64;
            if x == y {
                c.exact += 1;
            } else if x.is_finite() && !y.is_finite() {
                c.overflow += 1;
            } else if x != 0.0 && y == 0.0 {
                c.underflow += 1;
            } else if x.abs() > max && y.abs() == max {
                c.saturated += 1;
            }
        }
        c
    }
}

/// Largest finite value of a format.
pub fn format_max(format: &Format) -> f64 {
    match crate::formats::Info::of(format) {
        crate::formats::Info::Float(f) => f.max,
        crate::formats::Info::Int(i) => i.max as f64,
    }
}

/// Errors of stored values against the originals (finite pairs only).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorStats {
    /// Mean |stored − original|.
    pub mean_abs: f64,
    /// Largest |stored − original|.
    pub max_abs: f64,
    /// Root mean square error.
    pub rmse: f64,
    /// Mean squared error.
    pub mse: f64,
    /// Largest |stored − original| / |original| over non-zero originals.
    pub max_rel: f64,
    /// Signal-to-quantization-noise ratio 10·log10(Σx² / Σ(x−x')²) in dB (inf if exact).
    pub sqnr_db: f64,
    /// Pairs left out because either side was not finite.
    pub skipped: usize,
}

impl ErrorStats {
    /// Error statistics of `stored` against `original`.
    pub fn of(original: &[f32], stored: &[f64]) -> ErrorStats {
        Self::of_pairs(
            original
                .iter()
                .map(|&x| x as f64)
                .zip(stored.iter().copied()),
        )
    }

    /// Error statistics over (original, stored) pairs.
    pub fn of_pairs(pairs: impl Iterator<Item = (f64, f64)>) -> ErrorStats {
        let (mut n, mut skipped) = (0usize, 0usize);
        let (mut sum_abs, mut max_abs, mut sum_sq, mut signal, mut max_rel) =
            (0.0f64, 0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for (x, y) in pairs {
            if !x.is_finite() || !y.is_finite() {
                skipped += 1;
                continue;
            }
            n += 1;
            let e = (y - x).abs();
            sum_abs += e;
            max_abs = max_abs.max(e);
            sum_sq += e * e;
            signal += x * x;
            if x != 0.0 {
                max_rel = max_rel.max(e / x.abs());
            }
        }
        let n_f = n.max(1) as f64;
        let mse = sum_sq / n_f;
        ErrorStats {
            mean_abs: sum_abs / n_f,
            max_abs,
            rmse: mse.sqrt(),
            mse,
            max_rel,
            sqnr_db: sqnr_db(signal, sum_sq),
            skipped,
        }
    }
}

/// 10·log10(signal / noise); +∞ when there is no noise (the values were reproduced exactly,
/// an all-zero tensor included). JSON writes it as `null`, tables as [`sqnr_text`]'s "exact".
pub fn sqnr_db(signal: f64, noise: f64) -> f64 {
    if noise == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (signal / noise).log10()
    }
}

/// An SQNR for a table: "exact" for +∞ (no error at all), else `shown(db)`.
pub fn sqnr_text(db: f64, shown: impl Fn(f64) -> String) -> String {
    if db == f64::INFINITY {
        "exact".into()
    } else {
        shown(db)
    }
}

/// Counts of values in equal-width bins over [lo, hi].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Left edge of the first bin.
    pub lo: f64,
    /// Right edge of the last bin (values equal to `hi` go in the last bin).
    pub hi: f64,
    /// Count per bin.
    pub counts: Vec<u64>,
    /// Values below `lo`.
    pub below: u64,
    /// Values above `hi`.
    pub above: u64,
    /// NaN values (not binned).
    pub nan: u64,
}

/// The slot [`Histogram::add_scaled`] counts a value in, computed branch-free (so a block
/// of values vectorises and the counting is a separate loop): its bin for values in
/// [lo, hi], else `bins` (below), `bins + 1` (above), `bins + 2` (NaN).
#[derive(Clone, Copy, Debug)]
pub struct Binner {
    lo: f64,
    hi: f64,
    scale: f64,
    bins: u32,
}

impl Binner {
    /// Slots in all (bins, below, above, NaN).
    pub fn slots(&self) -> usize {
        self.bins as usize + 3
    }

    /// `x`'s slot.
    #[inline(always)]
    pub fn slot(&self, x: f64) -> u32 {
        // Clamped first (NaN becomes lo), so t is in [0, bins] as add_scaled's in-range t.
        let t = (x.max(self.lo).min(self.hi) - self.lo) * self.scale;
        // SAFETY: 0 ≤ t ≤ bins (finite, far below 2^31).
        let bin = (unsafe { t.to_int_unchecked::<i32>() } as u32).min(self.bins - 1);
        if x < self.lo {
            self.bins
        } else if x > self.hi {
            self.bins + 1
        } else if x.is_nan() {
            self.bins + 2
        } else {
            bin
        }
    }
}

impl Histogram {
    /// Bin `values` into `bins` (≥ 1) bins over [lo, hi]; a zero-width range is widened.
    pub fn new(values: impl Iterator<Item = f64>, bins: usize, lo: f64, hi: f64) -> Histogram {
        let mut h = Histogram::empty(bins, lo, hi);
        let scale = h.scale();
        for x in values {
            h.add_scaled(x, scale);
        }
        h
    }

    /// No values yet, `bins` bins over [lo, hi] (a point range is widened around it).
    pub fn empty(bins: usize, lo: f64, hi: f64) -> Histogram {
        let bins = bins.clamp(1, 1 << 24);
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            let pad = if lo == 0.0 { 0.5 } else { lo.abs() * 0.5 };
            (lo - pad, lo + pad)
        };
        Histogram {
            lo,
            hi,
            counts: vec![0; bins],
            below: 0,
            above: 0,
            nan: 0,
        }
    }

    /// Bins per unit of value, for [`Histogram::add_scaled`].
    pub fn scale(&self) -> f64 {
        self.counts.len() as f64 / (self.hi - self.lo)
    }

    /// Count `x`; `scale` is [`Histogram::scale`] (computed once by the caller).
    #[inline(always)]
    pub fn add_scaled(&mut self, x: f64, scale: f64) {
        if x >= self.lo && x <= self.hi {
            let last = self.counts.len() - 1;
            let t = (x - self.lo) * scale;
            // SAFETY: lo ≤ x ≤ hi, so 0 ≤ t ≤ bins (finite, far below 2^31).
            let i = unsafe { t.to_int_unchecked::<i32>() } as usize;
            self.counts[i.min(last)] += 1;
        } else if x < self.lo {
            self.below += 1;
        } else if x > self.hi {
            self.above += 1;
        } else {
            self.nan += 1;
        }
    }

    /// Where [`Histogram::add_scaled`] counts values, as slots: see [`Binner`].
    pub fn binner(&self) -> Binner {
        let bins = self.counts.len() as u32;
        Binner {
            lo: self.lo,
            hi: self.hi,
            scale: self.scale(),
            bins,
        }
    }

    /// Add counts per [`Binner`] slot (`bins + 3` of them).
    pub fn add_slots(&mut self, slots: &[u32]) {
        let bins = self.counts.len();
        for (c, &k) in self.counts.iter_mut().zip(slots) {
            *c += k as u64;
        }
        self.below += slots[bins] as u64;
        self.above += slots[bins + 1] as u64;
        self.nan += slots[bins + 2] as u64;
    }

    /// Add the counts of `other` (same bins and range).
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.below += other.below;
        self.above += other.above;
        self.nan += other.nan;
    }

    pub fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len() as f64
    }

    /// Centre of bin `i`.
    pub fn centre(&self, i: usize) -> f64 {
        self.lo + (i as f64 + 0.5) * self.bin_width()
    }
}

/// The range [min, max] of the finite values of both slices (for shared histogram axes).
pub fn finite_range(a: &[f32], b: &[f64]) -> Option<(f64, f64)> {
    let it = a.iter().map(|&x| x as f64).chain(b.iter().copied());
    let (lo, hi) = it
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
    (lo <= hi).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_small_tensor() {
        let s = Summary::of([1.0, 2.0, 3.0, 0.0, f64::NAN, f64::INFINITY]);
        assert_eq!((s.count, s.zeros, s.nan, s.inf), (6, 1, 1, 1));
        assert_eq!((s.min, s.max, s.mean), (0.0, 3.0, 1.5));
        assert!((s.std - 1.25f64.sqrt()).abs() < 1e-15);
        assert!(Summary::of(std::iter::empty()).mean.is_nan());
    }

    #[test]
    fn error_stats_and_sqnr() {
        let e = ErrorStats::of(&[1.0, -2.0, 4.0], &[1.5, -2.0, 3.0]);
        assert_eq!(e.max_abs, 1.0);
        assert_eq!(e.mean_abs, 0.5);
        assert_eq!(e.mse, 1.25 / 3.0);
        assert_eq!(e.max_rel, 0.5);
        // 10·log10(21 / 1.25)
        assert!((e.sqnr_db - 12.253092817258628).abs() < 1e-12);
        assert_eq!(ErrorStats::of(&[1.0], &[1.0]).sqnr_db, f64::INFINITY);
        // An all-zero tensor (a fresh bias) is reproduced exactly too.
        assert_eq!(sqnr_db(0.0, 0.0), f64::INFINITY);
        assert_eq!(sqnr_text(f64::INFINITY, |x| x.to_string()), "exact");
        assert_eq!(sqnr_text(12.5, |x| x.to_string()), "12.5");
    }

    #[test]
    fn counts_underflow_overflow_saturation() {
        let f = Format::named("float8_e4m3fn");
        let input = [1e-6f32, 1000.0, 449.0, 0.0, 1.0];
        let stored = [0.0, f64::NAN, 448.0, 0.0, 1.0];
        let c = CastCounts::of(&input, &stored, &f);
        assert_eq!(
            (c.underflow, c.overflow, c.saturated, c.exact),
            (1, 1, 1, 2)
        );
    }

    #[test]
    fn histogram_bins_edges_and_outliers() {
        let h = Histogram::new(
            [0.0, 0.25, 0.5, 1.0, 2.0, -1.0, f64::NAN].into_iter(),
            4,
            0.0,
            1.0,
        );
        assert_eq!(h.counts, vec![1, 1, 1, 1]);
        assert_eq!((h.below, h.above, h.nan), (1, 1, 1));
        assert_eq!(h.centre(0), 0.125);
        let flat = Histogram::new([3.0, 3.0].into_iter(), 10, 3.0, 3.0);
        assert_eq!(flat.counts.iter().sum::<u64>(), 2);
    }
}
