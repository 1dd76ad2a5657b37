//! Sweeping an input across a range: the staircase of stored values and the rounding error.

use super::analysis::Analysis;
use super::rounding::{Rounder, RoundingMode};
use super::spec::Format;

/// One sample of a sweep.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SweepPoint {
    /// The value asked for.
    pub input: f64,
    /// The value the format stores for it.
    pub stored: f64,
    /// stored − input (signed, so the sawtooth shows).
    pub error: f64,
}

/// `samples` evenly spaced inputs from `lo` to `hi` (inclusive), each stored in `format`.
///
/// Stochastic rounding draws from one seeded stream, so a sweep is reproducible.
/// Non-finite or reversed bounds are swapped/sanitised rather than rejected.
pub fn sweep(
    format: &Format,
    lo: f64,
    hi: f64,
    samples: usize,
    mode: RoundingMode,
    seed: u64,
) -> Vec<SweepPoint> {
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    if !lo.is_finite() || !hi.is_finite() || samples == 0 {
        return Vec::new();
    }
    let mut rounder = Rounder::new(mode, seed);
    let n = samples.max(2);
    (0..n)
        .map(|i| {
            let t = i as f64 / (n - 1) as f64;
            let input = lo + (hi - lo) * t;
            let a = Analysis::of_value(*format, input, &mut rounder);
            SweepPoint {
                input,
                stored: a.value,
                error: a.value - input,
            }
        })
        .collect()
}

/// How many different stored values a sweep hit (the number of stairs it shows).
pub fn distinct_levels(points: &[SweepPoint]) -> usize {
    let mut levels: Vec<u64> = points.iter().map(|p| p.stored.to_bits()).collect();
    levels.sort_unstable();
    levels.dedup();
    levels.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float8_e4m3fn_has_eight_steps_per_binade() {
        // e4m3 has 3 mantissa bits: 8 values in [1, 2), 9 counting 2 itself.
        let pts = sweep(
            &Format::named("float8_e4m3fn"),
            1.0,
            2.0,
            1001,
            RoundingMode::TowardZero,
            0,
        );
        assert_eq!(pts.len(), 1001);
        assert_eq!(distinct_levels(&pts), 9);
        assert!(pts.iter().all(|p| p.error <= 0.0 && p.error > -0.125));
    }

    #[test]
    fn bounds_are_sanitised() {
        let f = Format::named("bfloat16");
        assert!(sweep(&f, f64::NAN, 1.0, 10, RoundingMode::NearestEven, 0).is_empty());
        let pts = sweep(&f, 2.0, 1.0, 3, RoundingMode::NearestEven, 0);
        assert_eq!(pts[0].input, 1.0);
        assert_eq!(pts[2].input, 2.0);
    }
}
