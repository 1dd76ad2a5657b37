//! Encoding f64 values into bit patterns and decoding them back, exactly.
//!
//! One generic float codec serves every float layout (exponent bits, mantissa bits,
//! specials); it works on the integer significand of the f64 input, so no step rounds
//! except the one rounding the mode asks for.

use super::rounding::{Rounder, RoundingMode, Tail};
use super::spec::{FloatSpec, Format, IntSpec, Kind, Specials};

/// Which path a cast takes from an f64 input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CastPath {
    /// What PyTorch and ml_dtypes do: a double is first rounded to float32 (nearest-even),
    /// then to the narrow format. Applies under nearest-even to formats narrower than
    /// float32; it can differ from one direct rounding ("double rounding"). NumPy's own
    /// float16 cast from float64 rounds directly instead.
    #[default]
    Reference,
    /// One correct rounding straight from the f64 value.
    Direct,
}

/// Decode a bit pattern (low `format.bits()` bits are used) into its value.
///
/// Floats decode exactly; integers beyond 2^53 round to the nearest f64.
pub fn decode(format: &Format, bits: u64) -> f64 {
    let bits = bits & format.mask();
    match format.kind {
        Kind::Float(spec) => decode_float(spec, bits),
        Kind::Int(spec) => int_value(spec, bits) as f64,
    }
}

/// Encode `x` into `format` along the reference path (see [`CastPath::Reference`]).
pub fn encode(format: &Format, x: f64, rounder: &mut Rounder) -> u64 {
    encode_with(format, x, rounder, CastPath::Reference)
}

/// Encode `x` into `format` along the chosen path.
pub fn encode_with(format: &Format, x: f64, rounder: &mut Rounder, path: CastPath) -> u64 {
    match format.kind {
        Kind::Float(spec) => {
            if path == CastPath::Reference
                && rounder.mode == RoundingMode::NearestEven
                && narrower_than_f32(spec)
            {
                let x32 = x as f32; // Rust `as` rounds to nearest-even, like C's (float) cast.
                if !spec.signed() && x32 > 0.0 && x32 < f32::MIN_POSITIVE {
                    // ml_dtypes 0.6.0 rounds an f32 subnormal to the grid {0, 2^−126} and
                    // stores 0 as the smallest value: (2^−127, 2^−126) → 2^−126 (code 1),
                    // (0, 2^−127] → 2^−127 (code 0). Measured; see scripts/make_fixtures.py.
                    return u64::from(x32 > f32::from_bits(1 << 22));
                }
                return match (spec.exp_bits, spec.man_bits, spec.specials) {
                    // `half` is exact from f32 (same algorithm as c10::Half / c10::BFloat16).
                    (5, 10, Specials::Ieee) => u64::from(half::f16::from_f32(x32).to_bits()),
                    (8, 7, Specials::Ieee) => u64::from(half::bf16::from_f32(x32).to_bits()),
                    _ => encode_float(spec, f64::from(x32), rounder),
                };
            }
            encode_float(spec, x, rounder)
        }
        Kind::Int(spec) => encode_int(spec, x, rounder),
    }
}

/// Where storing `x` the way PyTorch and ml_dtypes store a double (f64 → f32 → format, both
/// nearest-even) gives another result than rounding `x` once: `(as PyTorch stores it,
/// correctly rounded)`; `None` when they agree.
pub fn double_rounding(format: &Format, x: f64) -> Option<(u64, u64)> {
    let reference = encode_with(format, x, &mut Rounder::nearest_even(), CastPath::Reference);
    let direct = encode_with(format, x, &mut Rounder::nearest_even(), CastPath::Direct);
    (reference != direct).then_some((reference, direct))
}

/// Whether every finite value of `spec` is also a finite float32 value (so rounding through
/// f32 first is defined) and the format is strictly narrower than float32.
fn narrower_than_f32(spec: FloatSpec) -> bool {
    spec.exp_bits <= 8 && spec.man_bits < 23 && spec.emax() <= 127
}

/// The signed integer held by an integer bit pattern.
pub fn int_value(spec: IntSpec, bits: u64) -> i128 {
    let bits = bits & super::spec::width_mask(spec.bits);
    if spec.signed && spec.bits < 128 && (bits >> (spec.bits - 1)) & 1 == 1 {
        i128::from(bits) - (1i128 << spec.bits)
    } else {
        i128::from(bits)
    }
}

/// `x * 2^k` for an integer-valued `x < 2^53`, exact whenever the result is representable.
pub fn ldexp(x: f64, k: i32) -> f64 {
    let mut x = x;
    let mut k = k;
    while k > 1023 {
        x *= f64::from_bits(0x7FE0_0000_0000_0000); // 2^1023
        k -= 1023;
    }
    while k < -1022 {
        x *= f64::from_bits(0x0010_0000_0000_0000); // 2^-1022
        k += 1022;
        if x == 0.0 {
            return x;
        }
    }
    x * f64::from_bits(((k + 1023) as u64) << 52)
}

/// Split a finite positive f64 into an integer significand and a power of two: `a = m * 2^e`.
pub fn decompose(a: f64) -> (u64, i32) {
    let bits = a.to_bits() & !(1u64 << 63);
    let exp_field = (bits >> 52) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    if exp_field == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp_field - 1075)
    }
}

fn decode_float(spec: FloatSpec, bits: u64) -> f64 {
    let m = spec.man_bits;
    if !spec.has_subnormals() {
        // float8_e8m0fnu: every field but all-ones is a normal power of two; no sign.
        let exp = (bits >> m) & spec.exp_all_ones();
        if exp == spec.exp_all_ones() {
            return f64::NAN;
        }
        let man = bits & spec.man_all_ones();
        return ldexp(
            (man | (1u64 << m)) as f64,
            exp as i32 - spec.bias - m as i32,
        );
    }
    let man = bits & spec.man_all_ones();
    let exp = (bits >> m) & spec.exp_all_ones();
    let negative = (bits >> (spec.exp_bits + m)) & 1 == 1;
    let all_ones = exp == spec.exp_all_ones();
    let magnitude = match spec.specials {
        Specials::Ieee if all_ones => {
            if man == 0 {
                f64::INFINITY
            } else {
                f64::NAN
            }
        }
        Specials::FiniteNan if all_ones && man == spec.man_all_ones() => f64::NAN,
        _ if exp == 0 => ldexp(man as f64, spec.emin() - m as i32),
        _ => ldexp(
            (man | (1u64 << m)) as f64,
            exp as i32 - spec.bias - m as i32,
        ),
    };
    if negative { -magnitude } else { magnitude }
}

/// The bit pattern of the largest finite magnitude.
pub(crate) fn max_finite_bits(spec: FloatSpec) -> u64 {
    (spec.max_finite_exp_field() << spec.man_bits) | spec.max_finite_man_field()
}

/// The canonical quiet NaN (positive), for formats that have one.
pub(crate) fn nan_bits(spec: FloatSpec) -> Option<u64> {
    let exp = spec.exp_all_ones() << spec.man_bits;
    match spec.specials {
        Specials::Ieee => Some(exp | (1u64 << (spec.man_bits - 1))),
        Specials::FiniteNan | Specials::Unsigned => Some(exp | spec.man_all_ones()),
        Specials::Finite => None,
    }
}

fn encode_float(spec: FloatSpec, x: f64, rounder: &mut Rounder) -> u64 {
    if !spec.signed() {
        return encode_unsigned(spec, x, rounder);
    }
    let m = spec.man_bits;
    let sign_bit = 1u64 << (spec.exp_bits + m);
    let negative = x.is_sign_negative();
    let sign = if negative { sign_bit } else { 0 };
    let inf_bits = spec.exp_all_ones() << m;

    if x.is_nan() {
        return match nan_bits(spec) {
            Some(nan) => sign | nan,
            // ml_dtypes 0.6.0 (measured, see scripts/make_fixtures.py): float6/float4 have no
            // NaN; NaN becomes a zero whose sign bit is the inverse of the NaN's.
            None => sign ^ sign_bit,
        };
    }
    if x.is_infinite() {
        return sign
            | match spec.specials {
                Specials::Ieee => inf_bits,
                // ml_dtypes and c10::Float8_e4m3fn: inf -> NaN.
                Specials::FiniteNan | Specials::Unsigned => nan_bits(spec).unwrap_or(0),
                // ml_dtypes: inf saturates to the largest finite value.
                Specials::Finite => max_finite_bits(spec),
            };
    }
    if x == 0.0 {
        return sign;
    }

    let (sig, e2) = decompose(x.abs());
    let floor_log2 = e2 + 63 - sig.leading_zeros() as i32;
    let e = floor_log2.max(spec.emin());
    let quantum_exp = e - m as i32;
    let shift = e2 - quantum_exp;
    let (kept, tail) = if shift >= 0 {
        (sig << shift, Tail::ZERO)
    } else {
        let s = (-shift) as u32;
        if s < 64 {
            (
                sig >> s,
                Tail {
                    bits: sig & ((1u64 << s) - 1),
                    shift: s,
                },
            )
        } else {
            (
                0,
                Tail {
                    bits: sig,
                    shift: s,
                },
            )
        }
    };
    let n = kept + u64::from(rounder.round_up(negative, kept, tail));

    let implicit = 1u64 << m;
    let (exp_field, man_field) = if n < implicit {
        (0i64, n) // subnormal or zero (only when e == emin)
    } else if n == implicit << 1 {
        (i64::from(e) + 1 + i64::from(spec.bias), 0)
    } else {
        (i64::from(e) + i64::from(spec.bias), n - implicit)
    };

    let max_exp = spec.max_finite_exp_field() as i64;
    let overflow =
        exp_field > max_exp || (exp_field == max_exp && man_field > spec.max_finite_man_field());
    if overflow {
        let saturate =
            rounder.mode.truncates_magnitude(negative) || spec.specials == Specials::Finite;
        return sign
            | if saturate {
                max_finite_bits(spec)
            } else if spec.specials == Specials::Ieee {
                inf_bits
            } else {
                // float8_e4m3fn: ml_dtypes and PyTorch give NaN on overflow.
                nan_bits(spec).unwrap_or(0)
            };
    }
    sign | ((exp_field as u64) << m) | man_field
}

/// float8_e8m0fnu, as ml_dtypes 0.6.0 casts float32 to it (measured; see
/// scripts/make_fixtures.py): zero, negative values, inf and NaN become NaN (0xFF); positive
/// values round to the nearest power of two (a tie, 1.5 · 2^e, goes up: the significand's
/// implicit 1 is odd); everything below 2^−127 becomes 2^−127 (there is no zero), beyond
/// 2^127 NaN (or 2^127 when the rounding mode truncates the magnitude). (The reference path
/// adds ml_dtypes' rule for f32 subnormals, see [`encode_with`].)
fn encode_unsigned(spec: FloatSpec, x: f64, rounder: &mut Rounder) -> u64 {
    let m = spec.man_bits;
    let nan = nan_bits(spec).unwrap_or(0);
    if x.is_nan() || x.is_infinite() || x <= 0.0 {
        return nan;
    }
    let (sig, e2) = decompose(x);
    let e = e2 + 63 - sig.leading_zeros() as i32;
    let shift = e2 - (e - m as i32);
    let (kept, tail) = if shift >= 0 {
        (sig << shift, Tail::ZERO)
    } else {
        let s = (-shift) as u32;
        (
            sig >> s,
            Tail {
                bits: sig & ((1u64 << s) - 1),
                shift: s,
            },
        )
    };
    let n = kept + u64::from(rounder.round_up(false, kept, tail));
    let implicit = 1u64 << m;
    let (e, man) = if n == implicit << 1 {
        (e + 1, 0)
    } else {
        (e, n - implicit)
    };
    let field = i64::from(e) + i64::from(spec.bias);
    if field < 0 {
        // Below the smallest value, which is also the nearest one (no zero to round to).
        return 0;
    }
    let max = spec.max_finite_exp_field() as i64;
    if field > max {
        return if rounder.mode.truncates_magnitude(false) {
            max_finite_bits(spec)
        } else {
            nan
        };
    }
    ((field as u64) << m) | man
}

fn encode_int(spec: IntSpec, x: f64, rounder: &mut Rounder) -> u64 {
    let (min, max) = (spec.min(), spec.max());
    let value: i128 = if x.is_nan() {
        0
    } else if x.is_infinite() || x.abs() >= 1e30 {
        if x > 0.0 { max } else { min }
    } else {
        let negative = x.is_sign_negative();
        let whole = x.abs().trunc();
        let frac = x.abs() - whole; // exact
        let kept = whole as u128;
        let tail = if frac == 0.0 {
            Tail::ZERO
        } else {
            let (sig, e2) = decompose(frac);
            Tail {
                bits: sig,
                shift: (-e2) as u32,
            }
        };
        let magnitude = (kept + u128::from(rounder.round_up(negative, kept as u64, tail))) as i128;
        if negative { -magnitude } else { magnitude }
    };
    (value.clamp(min, max) as u64) & super::spec::width_mask(spec.bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rne() -> Rounder {
        Rounder::nearest_even()
    }

    #[test]
    fn ldexp_reaches_the_subnormal_range_exactly() {
        assert_eq!(ldexp(1.0, -1074), f64::from_bits(1));
        assert_eq!(ldexp(3.0, -1074), f64::from_bits(3));
        assert_eq!(ldexp(1.0, 1023), 2f64.powi(1023));
        assert_eq!(ldexp(5.0, -3), 0.625);
    }

    #[test]
    fn float64_and_float32_round_trip_like_the_hardware() {
        let f64f = Format::named("float64");
        let f32f = Format::named("float32");
        for x in [
            1.0 / 3.0,
            -0.0,
            1e-310,
            5e-324,
            1.7976931348623157e308,
            0.1,
            -2.5e-45,
            3.4028235677973366e38,
        ] {
            assert_eq!(encode(&f64f, x, &mut rne()), x.to_bits());
            let direct = encode_with(&f32f, x, &mut rne(), CastPath::Direct);
            assert_eq!(direct, u64::from((x as f32).to_bits()), "{x:e}");
            assert_eq!(decode(&f32f, direct), f64::from(x as f32));
        }
    }

    #[test]
    fn reference_path_double_rounds_like_ml_dtypes() {
        // ml_dtypes 0.6.0: np.array([1+2**-8+2**-30]).astype(bfloat16) -> 0x3f80 (via float32),
        // while one direct rounding gives 0x3f81.
        let bf16 = Format::named("bfloat16");
        let x = 1.0 + 2f64.powi(-8) + 2f64.powi(-30);
        assert_eq!(encode(&bf16, x, &mut rne()), 0x3f80);
        assert_eq!(encode_with(&bf16, x, &mut rne(), CastPath::Direct), 0x3f81);
        assert_eq!(double_rounding(&bf16, x), Some((0x3f80, 0x3f81)));
        assert_eq!(double_rounding(&bf16, 1.0 / 3.0), None);
        // ml_dtypes 0.6.0: np.array([1+2**-4+2**-40]).astype(float8_e4m3fn) -> 0x38.
        let e4m3 = Format::named("float8_e4m3fn");
        assert_eq!(
            encode(&e4m3, 1.0 + 2f64.powi(-4) + 2f64.powi(-40), &mut rne()),
            0x38
        );
    }

    #[test]
    fn e8m0_casts_like_ml_dtypes() {
        // ml_dtypes 0.6.0, np.array(x, np.float32).astype(ml_dtypes.float8_e8m0fnu):
        let e8m0 = Format::named("float8_e8m0fnu");
        let cases: &[(f64, u64)] = &[
            (0.3, 0x7d),                   // 0.25
            (3.0, 0x81),                   // 4.0: a tie goes up
            (5.9, 0x81),                   // 4.0
            (0.75, 0x7f),                  // 1.0
            (1.5, 0x80),                   // 2.0
            (6.0, 0x82),                   // 8.0
            (1.0, 0x7f),                   // 1.0
            (0.0, 0xff),                   // NaN: no zero
            (-0.0, 0xff),                  // NaN
            (-1.0, 0xff),                  // NaN: no sign
            (2f64.powi(-127), 0x00),       // the smallest value
            (2f64.powi(-128), 0x00),       // below it: still the smallest
            (1.2 * 2f64.powi(-127), 0x01), // an f32 subnormal above 2^-127: 2^-126 (ml_dtypes)
            (1e-45, 0x00),                 // an f32 subnormal: the smallest
            (1.5 * 2f64.powi(-126), 0x02), // a tie: 2^-125
            (2f64.powi(127), 0xfe),        // the largest value
            (1.4 * 2f64.powi(127), 0xfe),  // rounds down to it
            (1.5 * 2f64.powi(127), 0xff),  // rounds up past it: NaN
            (3e38, 0xff),                  // NaN
            (f64::INFINITY, 0xff),
            (f64::NEG_INFINITY, 0xff),
            (f64::NAN, 0xff),
        ];
        for &(x, bits) in cases {
            assert_eq!(encode(&e8m0, x, &mut rne()), bits, "{x:e}");
        }
        // ml_dtypes: np.uint8([0, 1, 127, 128, 254, 255]).view(float8_e8m0fnu)
        assert_eq!(decode(&e8m0, 0x00), 2f64.powi(-127));
        assert_eq!(decode(&e8m0, 0x01), 2f64.powi(-126));
        assert_eq!(decode(&e8m0, 0x7f), 1.0);
        assert_eq!(decode(&e8m0, 0x80), 2.0);
        assert_eq!(decode(&e8m0, 0xfe), 2f64.powi(127));
        assert!(decode(&e8m0, 0xff).is_nan());
        // Every value decodes and encodes back to itself.
        for b in 0..0xff {
            assert_eq!(encode(&e8m0, decode(&e8m0, b), &mut rne()), b);
        }
    }

    #[test]
    fn integers_round_then_saturate() {
        let i8f = Format::named("int8");
        assert_eq!(encode(&i8f, 2.5, &mut rne()), 2);
        assert_eq!(encode(&i8f, 3.5, &mut rne()), 4);
        assert_eq!(encode(&i8f, -2.5, &mut rne()), 0xfe);
        assert_eq!(encode(&i8f, 1000.0, &mut rne()), 0x7f);
        assert_eq!(encode(&i8f, -1000.0, &mut rne()), 0x80);
        assert_eq!(encode(&i8f, f64::NAN, &mut rne()), 0);
        let mut trunc = Rounder::new(RoundingMode::TowardZero, 0);
        assert_eq!(encode(&i8f, -2.7, &mut trunc), 0xfe); // torch .to(int8) truncates: -2
        let u4 = Format::named("uint4");
        assert_eq!(encode(&u4, -3.0, &mut rne()), 0);
        assert_eq!(encode(&u4, 15.4, &mut rne()), 15);
        let i64f = Format::named("int64");
        assert_eq!(encode(&i64f, 9.3e18, &mut rne()), i64::MAX as u64);
        assert_eq!(
            int_value(
                IntSpec {
                    bits: 4,
                    signed: true
                },
                0b1000
            ),
            -8
        );
    }
}
