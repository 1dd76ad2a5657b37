//! Nearest-even rounding of f64 values to a float format by bit arithmetic, for the values
//! in the format's normal range (the common case of a running sum): a handful of integer
//! operations instead of the generic codec. Outside that range (zero, subnormals, overflow,
//! NaN, ±inf) it declines and callers use the codec, so results always equal the codec's —
//! including its reference path, which rounds an f64 to float32 first for narrower formats
//! (as PyTorch and ml_dtypes do; see `CastPath::Reference`).

use super::spec::{Format, Specials};

/// Rounds f64 values to one format's normal numbers.
#[derive(Clone, Copy, Debug)]
pub struct NormalRounder {
    /// f64 mantissa bits dropped (52 − the format's).
    drop: u32,
    /// Smallest normal magnitude.
    min_normal: f64,
    /// Largest finite magnitude.
    max_finite: f64,
    /// Whether values are rounded to float32 first (formats narrower than float32).
    via_f32: bool,
}

impl NormalRounder {
    /// For a signed float format with subnormals and at most 52 mantissa bits whose range
    /// fits f64's; None otherwise.
    pub fn new(format: &Format) -> Option<NormalRounder> {
        let f = format.float()?;
        if f.specials == Specials::Unsigned || f.man_bits == 0 || f.man_bits > 52 {
            return None;
        }
        let (emin, emax) = (f.emin(), f.emax());
        if emin < -1022 || emax > 1023 {
            return None;
        }
        let frac = f.max_finite_man_field() as f64 / (1u64 << f.man_bits) as f64;
        Some(NormalRounder {
            drop: 52 - f.man_bits,
            min_normal: 2f64.powi(emin),
            max_finite: (1.0 + frac) * 2f64.powi(emax),
            via_f32: format.bits() < 32,
        })
    }

    /// `x` rounded to the nearest value of the format (ties to even), when `x` and the
    /// result are normal numbers of the format; None otherwise.
    #[inline]
    pub fn round(&self, x: f64) -> Option<f64> {
        let x = if self.via_f32 { x as f32 as f64 } else { x };
        let a = x.abs();
        if !(a >= self.min_normal && a <= self.max_finite) {
            return None;
        }
        if self.drop == 0 {
            return Some(x);
        }
        let bits = x.to_bits();
        let lsb = (bits >> self.drop) & 1;
        let half = 1u64 << (self.drop - 1);
        let rounded = (bits + (half - 1) + lsb) & !((1u64 << self.drop) - 1);
        let y = f64::from_bits(rounded);
        (y.abs() <= self.max_finite).then_some(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::{Rounder, decode, encode};

    #[test]
    fn equals_the_codec_wherever_it_answers() {
        let mut state = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for name in [
            "bfloat16",
            "float16",
            "float8_e4m3fn",
            "float8_e5m2",
            "float6_e3m2fn",
            "float4_e2m1fn",
            "float32",
        ] {
            let f = Format::named(name);
            let r = NormalRounder::new(&f).unwrap();
            let mut answered = 0;
            for i in 0..200_000 {
                // Values spread over many binades, ties included.
                let x = match i % 3 {
                    0 => f64::from_bits(next()),
                    1 => (next() % 2_000_001) as f64 / 1000.0 - 1000.0,
                    _ => (next() % 4096) as f64 / 64.0 * if i % 2 == 0 { 1.0 } else { -1.0 },
                };
                let want = decode(&f, encode(&f, x, &mut Rounder::nearest_even()));
                if let Some(y) = r.round(x) {
                    answered += 1;
                    assert_eq!(
                        y.to_bits(),
                        want.to_bits(),
                        "{name} {x:e}: {y:e} vs {want:e}"
                    );
                }
            }
            assert!(answered > 5_000, "{name}: {answered}");
        }
        assert!(NormalRounder::new(&Format::named("float8_e8m0fnu")).is_none());
        assert!(NormalRounder::new(&Format::named("int8")).is_none());
    }
}
