//! Parsing what a user types as a value: decimals, fractions, inf/nan, and bit patterns.

use super::spec::{Format, printable};
use std::fmt;

/// Why a typed value was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError(pub String);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValueError {}

/// What a piece of text stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Typed {
    /// A real number (correctly rounded to f64).
    Number(f64),
    /// A bit pattern of the current format (`0x…` or `0b…`).
    Bits(u64),
}

/// Parse a number: decimal (`0.1`, `-1e-3`, `1_000`), fraction (`1/3`, computed as
/// f64(a) / f64(b) like Python's `1/3`), `inf`, `-inf`, `nan`, `pi`, `e`.
pub fn parse_number(text: &str) -> Result<f64, ValueError> {
    let t = text.trim();
    if let Some((a, b)) = t.split_once('/') {
        let (a, b) = (parse_plain(a, text)?, parse_plain(b, text)?);
        if b == 0.0 {
            return Err(ValueError(format!(
                "'{}': division by zero",
                printable(text)
            )));
        }
        return Ok(a / b);
    }
    parse_plain(t, text)
}

/// Parse a bit pattern for `format`: `0x3eab` or `0b0011111010101011` (underscores allowed).
pub fn parse_bits(text: &str, format: &Format) -> Result<u64, ValueError> {
    let t = text.trim().to_ascii_lowercase().replace('_', "");
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x") {
        (h, 16)
    } else if let Some(b) = t.strip_prefix("0b") {
        (b, 2)
    } else {
        (t.as_str(), 16)
    };
    if digits.is_empty() {
        return Err(ValueError(format!(
            "'{}': no digits in bit pattern",
            printable(text)
        )));
    }
    let bits = u64::from_str_radix(digits, radix).map_err(|_| {
        ValueError(format!(
            "'{}' is not a {} bit pattern",
            printable(text),
            if radix == 16 { "hex" } else { "binary" }
        ))
    })?;
    if bits & !format.mask() != 0 {
        return Err(ValueError(format!(
            "bit pattern '{}' is wider than {} ({} bits)",
            printable(text),
            format.name(),
            format.bits()
        )));
    }
    Ok(bits)
}

/// Parse what the value box holds: `0x…`/`0b…` are bits of `format`, anything else a number.
pub fn parse_typed(text: &str, format: &Format) -> Result<Typed, ValueError> {
    let t = text.trim().to_ascii_lowercase();
    let unsigned = t.trim_start_matches(['+', '-']);
    if unsigned.starts_with("0x") || unsigned.starts_with("0b") {
        if t.starts_with(['+', '-']) {
            return Err(ValueError(
                "a bit pattern has no sign: flip the sign bit instead".into(),
            ));
        }
        return parse_bits(&t, format).map(Typed::Bits);
    }
    parse_number(text).map(Typed::Number)
}

fn parse_plain(part: &str, whole: &str) -> Result<f64, ValueError> {
    let t = part.trim().to_ascii_lowercase().replace('_', "");
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let magnitude = match body {
        "inf" | "infinity" | "∞" => f64::INFINITY,
        "nan" => f64::NAN,
        "pi" | "π" => std::f64::consts::PI,
        "e" => std::f64::consts::E,
        "" => {
            return Err(ValueError(if whole.trim().is_empty() {
                "type a value".into()
            } else {
                format!("'{}' is missing a number", printable(whole))
            }));
        }
        _ => {
            let ok = body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
                && body
                    .bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-'));
            match (ok, body.parse::<f64>()) {
                (true, Ok(v)) => v,
                _ => {
                    return Err(ValueError(format!(
                        "'{}' is not a number",
                        printable(whole)
                    )));
                }
            }
        }
    };
    Ok(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_fractions() {
        assert_eq!(parse_number("1/3"), Ok(1.0 / 3.0));
        assert_eq!(parse_number(" -1e-3 "), Ok(-0.001));
        assert_eq!(parse_number("1_000.5"), Ok(1000.5));
        assert_eq!(parse_number("-inf"), Ok(f64::NEG_INFINITY));
        assert!(parse_number("nan").unwrap().is_nan());
        assert!(parse_number("-nan").unwrap().is_sign_negative());
        assert_eq!(parse_number("-0").map(f64::is_sign_negative), Ok(true));
        assert_eq!(parse_number("1e400"), Ok(f64::INFINITY));
    }

    #[test]
    fn junk_is_an_error() {
        for bad in [
            "",
            "abc",
            "1/0",
            "1/",
            "--1",
            "1.2.3",
            "0x3eab",
            "1e",
            "nan(1)",
            "1 2",
            "\u{202e}1",
        ] {
            assert!(parse_number(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bits_must_fit_the_format() {
        let bf16 = Format::named("bfloat16");
        assert_eq!(parse_typed("0x3eab", &bf16), Ok(Typed::Bits(0x3eab)));
        assert_eq!(parse_typed("0b1", &bf16), Ok(Typed::Bits(1)));
        assert!(parse_bits("0x1ffff", &bf16).is_err());
        assert!(parse_bits("0xzz", &bf16).is_err());
        assert!(parse_typed("-0x1", &bf16).is_err());
        assert_eq!(parse_typed("0.5", &bf16), Ok(Typed::Number(0.5)));
        assert!(parse_bits("0xffffffffffffffffff", &Format::named("float64")).is_err());
    }
}
