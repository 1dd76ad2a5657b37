//! Decimal text for binary floats: exact expansions, shortest round-trip, and C's `%g`.

use super::codec::decompose;

/// The exact decimal expansion of `x` (every binary float is a finite decimal), without
/// trailing zeros: `0.333984375`, `65504`, `-0`, `inf`, `nan`.
pub fn exact_decimal(x: f64) -> String {
    if let Some(special) = special_text(x) {
        return special;
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    format!("{:.*}", fraction_digits(x), x)
}

/// Number of decimal places the exact expansion of a finite `x` needs.
pub fn fraction_digits(x: f64) -> usize {
    if x == 0.0 || !x.is_finite() {
        return 0;
    }
    let (sig, e2) = decompose(x.abs());
    let lowest = e2 + sig.trailing_zeros() as i32;
    if lowest >= 0 { 0 } else { (-lowest) as usize }
}

/// A compact number for tables: `0`, 3 significant digits in scientific notation
/// (`2.44e-5`), and no `e0` where none is needed (`1`, `2.5`).
pub fn compact(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return shortest_repr(x);
    }
    let s = format!("{x:.2e}");
    match s.strip_suffix("e0") {
        Some(m) => m.trim_end_matches('0').trim_end_matches('.').to_string(),
        None => s,
    }
}

/// Shortest decimal that reads back as the same f64, laid out like Python's `repr`:
/// `0.333984375`, `1.0`, `1e-05`, `3.3895313892515355e+38`, `inf`, `nan`.
pub fn shortest_repr(x: f64) -> String {
    if let Some(special) = special_text(x) {
        return special;
    }
    let sci = format!("{:e}", x); // shortest round-trip digits, e.g. "-3.33984375e-1"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        format!("{sign}{}", place_point(&digits, exp, true))
    } else {
        scientific(sign, &digits, exp)
    }
}

/// `d.ddde±XX` from significant digits (first digit before the point; at least two
/// exponent digits), as Python's repr and C's `%g` print it.
fn scientific(sign: &str, digits: &str, exp: i32) -> String {
    let (head, tail) = digits.split_at(1);
    let frac = if tail.is_empty() {
        String::new()
    } else {
        format!(".{tail}")
    };
    format!(
        "{sign}{head}{frac}e{}{:02}",
        if exp < 0 { '-' } else { '+' },
        exp.abs()
    )
}

/// C's `printf("%.{precision}g")`, as `std::ostream` prints a double by default
/// (precision 6): what `torch.finfo` and `torch.iinfo` show. Rounds the exact value
/// half-to-even, like glibc.
pub fn c_format_g(x: f64, precision: usize) -> String {
    if let Some(special) = special_text(x) {
        return special;
    }
    let p = precision.max(1);
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (digits, exp) = round_significant(x.abs(), p);
    let sign = if x < 0.0 { "-" } else { "" };
    if exp < -4 || exp >= p as i32 {
        scientific(sign, digits.trim_end_matches('0'), exp)
    } else {
        let fixed = place_point(&digits, exp, false);
        let fixed = if fixed.contains('.') {
            fixed
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        } else {
            fixed
        };
        format!("{sign}{fixed}")
    }
}

fn special_text(x: f64) -> Option<String> {
    if x.is_nan() {
        Some("nan".into())
    } else if x.is_infinite() {
        Some(if x > 0.0 { "inf".into() } else { "-inf".into() })
    } else {
        None
    }
}

/// Put a decimal point into significant `digits` whose first digit has weight 10^exp.
fn place_point(digits: &str, exp: i32, python_int_suffix: bool) -> String {
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            let int = format!("{digits}{}", "0".repeat(int_len - digits.len()));
            if python_int_suffix {
                format!("{int}.0")
            } else {
                int
            }
        } else {
            format!("{}.{}", &digits[..int_len], &digits[int_len..])
        }
    }
}

/// Round positive finite `a` to `p` significant digits, half-to-even on its exact value.
/// Returns the digits and the decimal exponent of the first one.
fn round_significant(a: f64, p: usize) -> (String, i32) {
    let exact = exact_decimal(a);
    let (int_part, frac_part) = exact.split_once('.').unwrap_or((&exact, ""));
    let all: String = format!("{int_part}{frac_part}");
    let first = all.find(|c: char| c != '0').unwrap_or(0);
    let mut exp = int_part.len() as i32 - 1 - first as i32;
    let sig: Vec<u8> = all[first..].bytes().map(|b| b - b'0').collect();
    let mut kept: Vec<u8> = sig.iter().take(p).copied().collect();
    kept.resize(p, 0);
    let rest = if sig.len() > p { &sig[p..] } else { &[][..] };
    let round_up = match rest.first() {
        None => false,
        Some(&d) if d > 5 => true,
        Some(&d) if d < 5 => false,
        Some(_) => rest[1..].iter().any(|&d| d != 0) || kept[p - 1] % 2 == 1,
    };
    if round_up {
        let mut i = p;
        loop {
            if i == 0 {
                kept.insert(0, 1);
                kept.truncate(p);
                exp += 1;
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    (kept.iter().map(|d| (b'0' + d) as char).collect(), exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_numbers_drop_what_says_nothing() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(1.0), "1");
        assert_eq!(compact(2.5), "2.5");
        assert_eq!(compact(-7.25), "-7.25");
        assert_eq!(compact(2.44140625e-5), "2.44e-5");
        assert_eq!(compact(1234.5), "1.23e3");
        assert_eq!(compact(f64::INFINITY), "inf");
    }

    #[test]
    fn exact_expansions_of_one_third() {
        // Source: shared/lesson/000_779ed6e5cb8dbc8a.txt, `format(value, '.60f')`.
        assert_eq!(
            exact_decimal(1.0 / 3.0),
            "0.333333333333333314829616256247390992939472198486328125"
        );
        assert_eq!(
            exact_decimal(f64::from(1.0f32 / 3.0)),
            "0.3333333432674407958984375"
        );
        assert_eq!(exact_decimal(65504.0), "65504");
        assert_eq!(exact_decimal(-0.0), "-0");
        assert_eq!(exact_decimal(f64::from_bits(1)).len(), 2 + 1074);
    }

    #[test]
    fn shortest_repr_matches_python() {
        // Python 3.11: repr() of each value.
        let cases = [
            (0.333984375, "0.333984375"),
            (1.0, "1.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e16, "1e+16"),
            (123456789012345.6, "123456789012345.6"),
            (3.3895313892515355e38, "3.3895313892515355e+38"),
            (-2.5, "-2.5"),
            (5e-324, "5e-324"),
            (65504.0, "65504.0"),
        ];
        for (x, want) in cases {
            assert_eq!(shortest_repr(x), want);
        }
    }

    #[test]
    fn c_g_matches_torch_finfo_printing() {
        // Source: shared/lesson/000_779ed6e5cb8dbc8a.txt (torch.finfo / torch.iinfo output).
        let cases = [
            (0.0009765625, "0.000976562"), // exact tie, glibc rounds half to even
            (6.103515625e-05, "6.10352e-05"),
            (65504.0, "65504"),
            (3.3895313892515355e38, "3.38953e+38"),
            (1.1754943508222875e-38, "1.17549e-38"),
            (1e-06, "1e-06"),
            (0.001, "0.001"),
            (0.0078125, "0.0078125"),
            (1.1920928955078125e-07, "1.19209e-07"),
            (1.7976931348623157e308, "1.79769e+308"),
            (2.220446049250313e-16, "2.22045e-16"),
            (2.2250738585072014e-308, "2.22507e-308"),
            (-9_223_372_036_854_775_808_f64, "-9.22337e+18"),
            (-2147483648.0, "-2.14748e+09"),
            (-32768.0, "-32768"),
            (999999.5, "1e+06"),
            (448.0, "448"),
            (0.1015625, "0.101562"),
        ];
        for (x, want) in cases {
            assert_eq!(c_format_g(x, 6), want, "{x:e}");
        }
    }
}
