//! A fast, exact nearest-even encoder for narrow floats (≤ 8 bits), by binary search over
//! the format's values: what whole-tensor casts to fp8 / fp6 / fp4 use. Values beyond the
//! largest finite one, NaN and inf go to the generic codec, so every format's overflow
//! rules stay exactly those of [`super::codec::encode`].

use super::codec::{decode, encode, max_finite_bits};
use super::rounding::Rounder;
use super::spec::Format;

/// Sorted non-negative finite values of a narrow float format, with their codes.
#[derive(Clone, Debug)]
pub struct NarrowEncoder {
    format: Format,
    /// values[i] is the value of code i, for codes 0 ..= max finite (increasing).
    values: Vec<f64>,
    sign_bit: u64,
    /// Largest finite value, as f32.
    max: f32,
    /// 2^emin: below it the grid is the subnormal one.
    min_normal: f32,
    /// 2^(emin − m + 23): adding and removing it rounds to the subnormal grid.
    subnormal_magic: f32,
    /// 23 − mantissa bits: how many f32 mantissa bits the format drops.
    shift: u32,
    /// Mantissa bits.
    man_bits: u32,
    /// The exponent bias.
    bias: i32,
    /// 2^(m − emin): a subnormal value times this is its code.
    subnormal_scale: f32,
    /// What NaN is stored as, and finite values of magnitude ≥ 2 · max (far past the
    /// rounding threshold) of either sign: the codec's answers, computed once.
    nan_value: Option<f64>,
    overflow: [f64; 2],
}

impl NarrowEncoder {
    /// An encoder for `format`, if it is a float of at most 8 bits.
    pub fn new(format: &Format) -> Option<NarrowEncoder> {
        let spec = format.float()?;
        // With no mantissa bits "even" is not the code's low bit: leave those to the codec.
        if format.bits() > 8 || spec.man_bits == 0 {
            return None;
        }
        let max = max_finite_bits(spec);
        let values: Vec<f64> = (0..=max).map(|code| decode(format, code)).collect();
        let max_value = *values.last()?;
        // Positive codes of a sign-magnitude float increase with their value.
        debug_assert!(values.windows(2).all(|w| w[0] < w[1]));
        let emin = spec.emin();
        let m = spec.man_bits as i32;
        Some(NarrowEncoder {
            format: *format,
            max: *values.last()? as f32,
            values,
            sign_bit: 1 << (format.bits() - 1),
            min_normal: (2.0f64).powi(emin) as f32,
            subnormal_magic: (2.0f64).powi(emin - m + 23) as f32,
            shift: (23 - m) as u32,
            man_bits: m as u32,
            bias: spec.bias,
            subnormal_scale: (2.0f64).powi(m - emin) as f32,
            // Formats without NaN decide by the NaN's sign: those keep the codec.
            nan_value: format.has_nan().then(|| {
                decode(
                    format,
                    encode(format, f64::NAN, &mut Rounder::nearest_even()),
                )
            }),
            overflow: [1.0, -1.0].map(|sign| {
                let far = sign * 4.0 * max_value;
                decode(format, encode(format, far, &mut Rounder::nearest_even()))
            }),
        })
    }

    /// The bits of `x` rounded to nearest, ties to even (identical to `encode` under
    /// [`super::RoundingMode::NearestEven`] for inputs that are f32 values).
    #[inline]
    pub fn encode(&self, x: f32) -> u64 {
        let a = x.abs() as f64;
        let top = self.values.len() - 1;
        if a.is_nan() || a > self.values[top] {
            // Overflow, inf, NaN: the format's own rules.
            return encode(&self.format, x as f64, &mut Rounder::nearest_even());
        }
        let sign = if x.is_sign_negative() {
            self.sign_bit
        } else {
            0
        };
        // First value greater than a; the neighbours are i-1 and i.
        let i = self.values.partition_point(|&v| v <= a);
        let code = if i > top {
            top
        } else {
            let (lo, hi) = (self.values[i - 1], self.values[i]);
            let mid = (lo + hi) / 2.0; // exact: both have few significant bits
            if a < mid {
                i - 1
            } else if a > mid {
                i
            } else if (i - 1) % 2 == 0 {
                i - 1
            } else {
                i
            }
        };
        sign | code as u64
    }

    /// The code of `x` rounded to nearest, ties to even, by f32 bit arithmetic: the same
    /// bits as [`NarrowEncoder::encode`] (tested), fast enough for whole tensors.
    #[inline]
    pub fn code(&self, x: f32) -> u8 {
        let a = x.abs();
        if a.is_nan() || a > self.max {
            return self.encode(x) as u8;
        }
        let r = self.round_magnitude(a);
        let rb = r.to_bits();
        let normal_code = ((((rb >> 23) as i32 - 127 + self.bias) as u32) << self.man_bits)
            | ((rb >> self.shift) & ((1 << self.man_bits) - 1));
        let subnormal_code = (r * self.subnormal_scale) as u32;
        let code = if r >= self.min_normal {
            normal_code
        } else {
            subnormal_code
        };
        let sign = if x.is_sign_negative() {
            self.sign_bit as u32
        } else {
            0
        };
        (sign | code) as u8
    }

    /// The codes of `src` into `dst` (as [`NarrowEncoder::code`]), vectorisable: each block
    /// of values is coded branch-free as if finite and in range, and the few values beyond
    /// the largest finite one, NaN and inf are redone by the codec afterwards.
    #[inline(always)]
    pub fn codes_into(&self, src: &[f32], dst: &mut [u8]) {
        const BLOCK: usize = 64;
        let mask = (1u32 << self.man_bits) - 1;
        let sign_bit = self.sign_bit as u32;
        for (s, d) in src.chunks(BLOCK).zip(dst.chunks_mut(BLOCK)) {
            let mut special = false;
            for (o, &x) in d.iter_mut().zip(s) {
                let a = x.abs();
                let out_of_range = a.is_nan() | (a > self.max);
                special |= out_of_range;
                let a = if out_of_range { 0.0 } else { a };
                let r = if a < self.min_normal {
                    (a + self.subnormal_magic) - self.subnormal_magic
                } else {
                    let b = a.to_bits();
                    let half = (1u32 << (self.shift - 1)) - 1 + ((b >> self.shift) & 1);
                    f32::from_bits((b + half) & !((1u32 << self.shift) - 1))
                };
                let rb = r.to_bits();
                let normal = ((((rb >> 23) as i32 - 127 + self.bias) as u32) << self.man_bits)
                    | ((rb >> self.shift) & mask);
                // SAFETY: r is finite, 0 ≤ r ≤ max, so r · 2^(m − emin) < 2^31.
                let subnormal =
                    unsafe { (r * self.subnormal_scale).to_int_unchecked::<i32>() } as u32;
                let code = if r >= self.min_normal {
                    normal
                } else {
                    subnormal
                };
                let sign = (x.to_bits() >> 31) * sign_bit;
                *o = (sign | code) as u8;
            }
            if special {
                for (o, &x) in d.iter_mut().zip(s) {
                    if x.is_nan() || x.abs() > self.max {
                        *o = self.encode(x) as u8;
                    }
                }
            }
        }
    }

    /// A finite magnitude `a` ≤ the largest value, rounded to the format.
    #[inline(always)]
    fn round_magnitude(&self, a: f32) -> f32 {
        if a < self.min_normal {
            (a + self.subnormal_magic) - self.subnormal_magic
        } else {
            let b = a.to_bits();
            let half = (1u32 << (self.shift - 1)) - 1 + ((b >> self.shift) & 1);
            f32::from_bits((b + half) & !((1u32 << self.shift) - 1))
        }
    }

    /// The stored value of `x`, by f32 bit arithmetic (no search, few branches): the
    /// mantissa is rounded to nearest even in the normal range, and by adding and removing
    /// a magic constant in the subnormal range.
    #[inline(always)]
    pub fn round(&self, x: f32) -> f64 {
        let a = x.abs();
        if a.is_nan() || a > self.max {
            return self.round_outside(x);
        }
        self.round_magnitude(a).copysign(x) as f64
    }

    /// [`NarrowEncoder::round`] for NaN and magnitudes past the largest value (rare: kept
    /// out of line so the usual path inlines).
    #[cold]
    #[inline(never)]
    fn round_outside(&self, x: f32) -> f64 {
        let a = x.abs();
        if let (true, Some(v)) = (a.is_nan(), self.nan_value) {
            return v;
        }
        if a.is_finite() && a >= 2.0 * self.max {
            return self.overflow[usize::from(x.is_sign_negative())];
        }
        decode(&self.format, self.encode(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formats() -> Vec<Format> {
        [
            "float8_e4m3fn",
            "float8_e5m2",
            "float6_e3m2fn",
            "float6_e2m3fn",
            "float4_e2m1fn",
            "e3m4",
            "e2m1fn",
            "e1m2fn",
        ]
        .iter()
        .map(|n| Format::parse(n).unwrap())
        .collect()
    }

    #[test]
    fn agrees_with_the_codec_on_values_midpoints_and_neighbours() {
        for f in formats() {
            let enc = NarrowEncoder::new(&f).unwrap();
            let mut inputs: Vec<f32> = vec![
                0.0,
                -0.0,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::NAN,
                1e30,
                -1e30,
                1e-30,
            ];
            for w in enc.values.windows(2) {
                for x in [w[0], (w[0] + w[1]) / 2.0, w[1]] {
                    let x = x as f32;
                    inputs.extend([
                        x,
                        f32::from_bits(x.to_bits() + 1),
                        f32::from_bits(x.to_bits().saturating_sub(1)),
                        -x,
                    ]);
                }
            }
            let top = *enc.values.last().unwrap() as f32;
            inputs.extend([top * 1.0625, top * 1.125, top * 1.5, top * 2.0]);
            for i in 0..200_000u32 {
                inputs.push(f32::from_bits(i.wrapping_mul(2_654_435_761)));
            }
            for x in inputs {
                let want = encode(&f, x as f64, &mut Rounder::nearest_even());
                assert_eq!(enc.encode(x), want, "{f} {x:e}");
                assert_eq!(enc.code(x) as u64, want, "{f} {x:e} (code)");
                let v = enc.round(x);
                let d = decode(&f, want);
                assert!(
                    v.to_bits() == d.to_bits() || (v.is_nan() && d.is_nan()),
                    "{f} {x:e}"
                );
            }
        }
    }

    #[test]
    fn only_narrow_floats() {
        assert!(NarrowEncoder::new(&Format::named("bfloat16")).is_none());
        assert!(NarrowEncoder::new(&Format::named("int8")).is_none());
    }
}
