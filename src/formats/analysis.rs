//! Everything there is to say about one stored value: fields, class, formula, exact
//! decimal, rounding error, ulp and neighbours.

use super::codec::{self, decode, encode, int_value, ldexp};
use super::decimal::exact_decimal;
use super::rounding::Rounder;
use super::spec::{FloatSpec, Format, Kind, Specials};

/// Value class of a bit pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// ±0.
    Zero,
    /// Exponent field 0, mantissa ≠ 0 (no implicit leading 1).
    Subnormal,
    /// Ordinary float with implicit leading 1.
    Normal,
    /// ±infinity.
    Inf,
    /// Not a number.
    Nan,
    /// A non-zero integer.
    Integer,
}

impl Class {
    /// Lowercase name used in the CLI's JSON (`zero`, `subnormal`, `normal`, `inf`, `nan`, `integer`).
    pub fn name(self) -> &'static str {
        match self {
            Class::Zero => "zero",
            Class::Subnormal => "subnormal",
            Class::Normal => "normal",
            Class::Inf => "inf",
            Class::Nan => "nan",
            Class::Integer => "integer",
        }
    }
}

/// Which field a bit belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The sign bit (for signed integers: the -2^(n-1) bit).
    Sign,
    /// Exponent field.
    Exponent,
    /// Mantissa (fraction) field.
    Mantissa,
    /// Magnitude bits of an integer.
    Value,
}

impl Field {
    /// Human name of the field.
    pub fn name(self) -> &'static str {
        match self {
            Field::Sign => "sign",
            Field::Exponent => "exponent",
            Field::Mantissa => "mantissa",
            Field::Value => "value",
        }
    }
}

/// The field of bit `index` (0 = least significant) in `format`.
pub fn field_of_bit(format: &Format, index: u32) -> Field {
    match format.kind {
        Kind::Float(f) => {
            if index >= f.exp_bits + f.man_bits {
                Field::Sign
            } else if index >= f.man_bits {
                Field::Exponent
            } else {
                Field::Mantissa
            }
        }
        Kind::Int(i) => {
            if i.signed && index == i.bits - 1 {
                Field::Sign
            } else {
                Field::Value
            }
        }
    }
}

/// Raw fields of a bit pattern: (sign, exponent, mantissa). Integers report the sign bit
/// and their remaining bits as the "mantissa", with exponent 0.
pub fn split_fields(format: &Format, bits: u64) -> (u64, u64, u64) {
    let bits = bits & format.mask();
    match format.kind {
        Kind::Float(f) => (
            bits >> (f.exp_bits + f.man_bits),
            (bits >> f.man_bits) & f.exp_all_ones(),
            bits & f.man_all_ones(),
        ),
        Kind::Int(i) if i.signed => (
            bits >> (i.bits - 1),
            0,
            bits & super::spec::width_mask(i.bits - 1),
        ),
        Kind::Int(_) => (0, 0, bits),
    }
}

/// Class of a bit pattern.
pub fn classify(format: &Format, bits: u64) -> Class {
    let (_, exp, man) = split_fields(format, bits);
    match format.kind {
        Kind::Float(f) => {
            let all_ones = exp == f.exp_all_ones();
            match f.specials {
                Specials::Ieee if all_ones => {
                    return if man == 0 { Class::Inf } else { Class::Nan };
                }
                Specials::FiniteNan | Specials::Unsigned if all_ones && man == f.man_all_ones() => {
                    return Class::Nan;
                }
                Specials::Unsigned => return Class::Normal,
                _ => {}
            }
            match (exp, man) {
                (0, 0) => Class::Zero,
                (0, _) => Class::Subnormal,
                _ => Class::Normal,
            }
        }
        Kind::Int(i) => {
            if int_value(i, bits) == 0 {
                Class::Zero
            } else {
                Class::Integer
            }
        }
    }
}

/// The bit pattern of the next representable value above (`up`) or below, if any.
///
/// Follows IEEE `nextUp`/`nextDown`: ±0 step to the smallest subnormal, the largest finite
/// value steps to infinity where the format has one, NaN has no neighbours.
pub fn neighbour(format: &Format, bits: u64, up: bool) -> Option<u64> {
    let bits = bits & format.mask();
    match format.kind {
        Kind::Int(i) => {
            let v = int_value(i, bits);
            let next = if up { v + 1 } else { v - 1 };
            (i.min()..=i.max())
                .contains(&next)
                .then(|| (next as u64) & format.mask())
        }
        Kind::Float(f) => {
            let class = classify(format, bits);
            if class == Class::Nan {
                return None;
            }
            if !f.signed() {
                // float8_e8m0fnu: codes increase with the value, 0 ..= the largest finite.
                return if up {
                    (bits < codec::max_finite_bits(f)).then_some(bits + 1)
                } else {
                    bits.checked_sub(1)
                };
            }
            let sign_bit = 1u64 << (f.exp_bits + f.man_bits);
            let negative = bits & sign_bit != 0;
            let magnitude = bits & !sign_bit;
            // Moving away from zero on the positive side when going up, and vice versa.
            let away = up != negative;
            if magnitude == 0 {
                return Some(if up { 1 } else { sign_bit | 1 });
            }
            if away {
                let next = magnitude + 1;
                let top = match f.specials {
                    Specials::Ieee => f.exp_all_ones() << f.man_bits, // +inf is the last step
                    _ => codec::max_finite_bits(f),
                };
                (next <= top).then_some((bits & sign_bit) | next)
            } else {
                // Toward zero; -min_subnormal steps up to -0 (IEEE nextUp).
                Some((bits & sign_bit) | (magnitude - 1))
            }
        }
    }
}

/// Spacing of the format at a finite float value: the gap to the next larger magnitude
/// (numpy's `spacing`). 1 for integers; NaN for inf and NaN.
pub fn ulp(format: &Format, bits: u64) -> f64 {
    match format.kind {
        Kind::Int(_) => 1.0,
        Kind::Float(f) => {
            let (_, exp, _) = split_fields(format, bits);
            match classify(format, bits) {
                Class::Inf | Class::Nan => f64::NAN,
                // Exponent field 0 is the subnormals' (they share emin), except without them.
                _ => ldexp(1.0, f.emin().max(exp as i32 - f.bias) - f.man_bits as i32),
            }
        }
    }
}

/// A full report on one input stored in one format.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// The format the value is stored in.
    pub format: Format,
    /// The value that was asked for (what the error is measured against).
    pub input: f64,
    /// The stored bit pattern.
    pub bits: u64,
    /// Raw sign field.
    pub sign: u64,
    /// Raw (biased) exponent field.
    pub exponent: u64,
    /// Raw mantissa field.
    pub mantissa: u64,
    /// Class of the stored value.
    pub class: Class,
    /// The stored value.
    pub value: f64,
}

impl Analysis {
    /// Store `input` in `format` with `rounder`, then analyse the result.
    pub fn of_value(format: Format, input: f64, rounder: &mut Rounder) -> Analysis {
        let bits = encode(&format, input, rounder);
        Analysis::of_bits(format, bits, input)
    }

    /// Analyse a given bit pattern; the error is measured against `input`.
    pub fn of_bits(format: Format, bits: u64, input: f64) -> Analysis {
        let bits = bits & format.mask();
        let (sign, exponent, mantissa) = split_fields(&format, bits);
        Analysis {
            format,
            input,
            bits,
            sign,
            exponent,
            mantissa,
            class: classify(&format, bits),
            value: decode(&format, bits),
        }
    }

    /// Bits as lowercase hex, zero-padded to the format's width: `0x3eab`.
    pub fn hex(&self) -> String {
        format!(
            "0x{:0width$x}",
            self.bits,
            width = self.format.bits().div_ceil(4) as usize
        )
    }

    /// Bits as a binary string, most significant first.
    pub fn binary(&self) -> String {
        format!(
            "{:0width$b}",
            self.bits,
            width = self.format.bits() as usize
        )
    }

    /// The exact decimal expansion of the stored value (integers: exact even beyond 2^53).
    pub fn exact(&self) -> String {
        match self.format.kind {
            Kind::Int(i) => int_value(i, self.bits).to_string(),
            Kind::Float(_) => exact_decimal(self.value),
        }
    }

    /// |stored − input|: 0 when both are the same infinity, NaN when either is NaN.
    pub fn abs_error(&self) -> f64 {
        if self.value == self.input {
            return 0.0;
        }
        (self.value - self.input).abs()
    }

    /// |stored − input| / |input| (0 when both are 0, inf when only the input is 0).
    pub fn rel_error(&self) -> f64 {
        let abs = self.abs_error();
        if abs == 0.0 {
            0.0
        } else if self.input == 0.0 {
            f64::INFINITY
        } else {
            abs / self.input.abs()
        }
    }

    /// Unbiased exponent (subnormals report emin); `None` for zero, inf, NaN and integers.
    pub fn unbiased_exponent(&self) -> Option<i32> {
        let f = self.format.float()?;
        match self.class {
            Class::Normal => Some(self.exponent as i32 - f.bias),
            Class::Subnormal => Some(f.emin()),
            _ => None,
        }
    }

    /// Spacing at the stored value (see [`ulp`]).
    pub fn ulp(&self) -> f64 {
        ulp(&self.format, self.bits)
    }

    /// Bits of the next value up, if any.
    pub fn next_up(&self) -> Option<u64> {
        neighbour(&self.format, self.bits, true)
    }

    /// Bits of the next value down, if any.
    pub fn next_down(&self) -> Option<u64> {
        neighbour(&self.format, self.bits, false)
    }

    /// The decoding formula with this value's numbers, e.g.
    /// `(-1)^0 × 2^(125-127) × 1.0101011₂ = (-1)^0 × 2^-2 × 1.3359375 = 0.333984375`.
    pub fn formula(&self) -> String {
        match self.format.kind {
            Kind::Float(f) => self.float_formula(f),
            Kind::Int(i) => {
                let exact = self.exact();
                if i.signed {
                    format!(
                        "-{} × 2^{} + {} = {exact}",
                        self.sign,
                        i.bits - 1,
                        self.mantissa
                    )
                } else {
                    format!("{} = {exact}", self.mantissa)
                }
            }
        }
    }

    fn float_formula(&self, f: FloatSpec) -> String {
        let s = self.sign;
        let m = f.man_bits as usize;
        let frac_bits = if m == 0 {
            String::new()
        } else {
            format!("{:0m$b}", self.mantissa)
        };
        let exact = self.exact();
        match self.class {
            Class::Nan => format!(
                "exponent all ones{} → NaN",
                match f.specials {
                    _ if m == 0 && f.specials != Specials::Ieee => "",
                    Specials::FiniteNan | Specials::Unsigned => ", mantissa all ones",
                    _ => ", mantissa ≠ 0",
                }
            ),
            Class::Normal if !f.signed() && m == 0 => format!(
                "2^({}-{}) = 2^{} = {exact}",
                self.exponent,
                f.bias,
                self.exponent as i32 - f.bias
            ),
            Class::Inf => format!(
                "exponent all ones, mantissa 0 → {}inf",
                if s == 1 { "-" } else { "" }
            ),
            Class::Zero => format!("exponent 0, mantissa 0 → {exact}"),
            Class::Subnormal => {
                let significand = exact_decimal(ldexp(self.mantissa as f64, -(m as i32)));
                format!(
                    "(-1)^{s} × 2^({}) × 0.{frac_bits}₂ = (-1)^{s} × 2^{} × {significand} = {exact}",
                    f.emin(),
                    f.emin()
                )
            }
            _ => {
                let significand =
                    exact_decimal(ldexp(((1u64 << m) | self.mantissa) as f64, -(m as i32)));
                let point = if m == 0 {
                    String::new()
                } else {
                    format!(".{frac_bits}")
                };
                format!(
                    "(-1)^{s} × 2^({}-{}) × 1{point}₂ = (-1)^{s} × 2^{} × {significand} = {exact}",
                    self.exponent,
                    f.bias,
                    self.exponent as i32 - f.bias
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyse(name: &str, x: f64) -> Analysis {
        Analysis::of_value(Format::named(name), x, &mut Rounder::nearest_even())
    }

    #[test]
    fn one_third_in_the_lesson_formats() {
        // Source: shared/lesson/000_779ed6e5cb8dbc8a.txt, 1/3 printed with '.60f'.
        assert_eq!(
            analyse("float64", 1.0 / 3.0).exact(),
            "0.333333333333333314829616256247390992939472198486328125"
        );
        assert_eq!(
            analyse("float32", 1.0 / 3.0).exact(),
            "0.3333333432674407958984375"
        );
        assert_eq!(analyse("float16", 1.0 / 3.0).exact(), "0.333251953125");
        let bf = analyse("bfloat16", 1.0 / 3.0);
        assert_eq!(bf.exact(), "0.333984375");
        assert_eq!(
            (bf.hex().as_str(), bf.sign, bf.exponent, bf.mantissa),
            ("0x3eab", 0, 125, 43)
        );
        assert_eq!(bf.class, Class::Normal);
        assert_eq!(bf.unbiased_exponent(), Some(-2));
        assert_eq!(
            bf.formula(),
            "(-1)^0 × 2^(125-127) × 1.0101011₂ = (-1)^0 × 2^-2 × 1.3359375 = 0.333984375"
        );
        assert_eq!(bf.ulp(), 2f64.powi(-9));
    }

    #[test]
    fn errors_are_measured_against_the_input() {
        let a = analyse("float16", 1.0 / 3.0);
        assert_eq!(a.abs_error(), (0.333251953125f64 - 1.0 / 3.0).abs());
        assert!((a.rel_error() - 2.44140625e-4).abs() < 1e-12);
        assert_eq!(analyse("float16", f64::INFINITY).abs_error(), 0.0);
        assert!(analyse("float16", f64::NAN).abs_error().is_nan());
        assert_eq!(analyse("float16", 1e-30).rel_error(), 1.0); // underflow to 0
    }

    #[test]
    fn neighbours_follow_ieee_next_up_and_down() {
        let f16 = Format::named("float16");
        assert_eq!(neighbour(&f16, 0x3c00, true), Some(0x3c01));
        assert_eq!(neighbour(&f16, 0x3c00, false), Some(0x3bff));
        assert_eq!(neighbour(&f16, 0x0000, true), Some(0x0001));
        assert_eq!(neighbour(&f16, 0x8000, true), Some(0x0001));
        assert_eq!(neighbour(&f16, 0x0000, false), Some(0x8001));
        assert_eq!(neighbour(&f16, 0x8001, true), Some(0x8000));
        assert_eq!(neighbour(&f16, 0x7bff, true), Some(0x7c00)); // 65504 -> inf
        assert_eq!(neighbour(&f16, 0x7c00, true), None);
        assert_eq!(neighbour(&f16, 0xfc00, true), Some(0xfbff));
        assert_eq!(neighbour(&f16, 0x7e00, true), None);
        let e4m3 = Format::named("float8_e4m3fn");
        assert_eq!(neighbour(&e4m3, 0x7e, true), None); // 448 is the top, 0x7f is NaN
        let i8f = Format::named("int8");
        assert_eq!(neighbour(&i8f, 0x7f, true), None);
        assert_eq!(neighbour(&i8f, 0x00, false), Some(0xff));
    }

    #[test]
    fn e8m0_is_all_exponent() {
        let e8m0 = Format::named("float8_e8m0fnu");
        assert_eq!(e8m0.bits(), 8);
        assert!((0..8).all(|i| field_of_bit(&e8m0, i) == Field::Exponent));
        let one = Analysis::of_bits(e8m0, 0x7f, 1.0);
        assert_eq!((one.class, one.sign, one.exponent), (Class::Normal, 0, 127));
        assert_eq!(one.formula(), "2^(127-127) = 2^0 = 1");
        let smallest = Analysis::of_bits(e8m0, 0x00, 0.0);
        assert_eq!(smallest.class, Class::Normal);
        assert_eq!(smallest.unbiased_exponent(), Some(-127));
        assert_eq!(smallest.ulp(), 2f64.powi(-127)); // the gap to 2^-126
        assert_eq!(one.ulp(), 1.0);
        let nan = Analysis::of_bits(e8m0, 0xff, 0.0);
        assert_eq!(nan.class, Class::Nan);
        assert_eq!(nan.formula(), "exponent all ones → NaN");
        assert_eq!(neighbour(&e8m0, 0x00, false), None);
        assert_eq!(neighbour(&e8m0, 0x00, true), Some(0x01));
        assert_eq!(neighbour(&e8m0, 0xfe, true), None);
        assert_eq!(neighbour(&e8m0, 0xff, true), None);
    }

    #[test]
    fn fields_and_formulas_for_every_class() {
        let f16 = Format::named("float16");
        assert_eq!(field_of_bit(&f16, 15), Field::Sign);
        assert_eq!(field_of_bit(&f16, 10), Field::Exponent);
        assert_eq!(field_of_bit(&f16, 9), Field::Mantissa);
        let sub = Analysis::of_bits(f16, 0x0001, 0.0);
        assert_eq!(sub.class, Class::Subnormal);
        assert_eq!(sub.exact(), "0.000000059604644775390625");
        assert!(
            sub.formula()
                .starts_with("(-1)^0 × 2^(-14) × 0.0000000001₂")
        );
        assert_eq!(Analysis::of_bits(f16, 0xfc00, 0.0).class, Class::Inf);
        let i8a = Analysis::of_bits(Format::named("int8"), 0x82, 0.0);
        assert_eq!(i8a.formula(), "-1 × 2^7 + 2 = -126");
        assert_eq!(i8a.class, Class::Integer);
    }
}
