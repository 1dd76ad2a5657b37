//! The number-format core against its references: every bit pattern of every format of
//! at most 16 bits, `half` (exact IEEE f16/bf16 from f32), and ml_dtypes casts recorded
//! in `tests/fixtures/ml_dtypes_casts.json` by `scripts/make_fixtures.py`.

use quantscope::formats::codec::{decode, encode, encode_with};
use quantscope::formats::{Analysis, CastPath, Class, Format, Rounder, RoundingMode};

fn rne() -> Rounder {
    Rounder::nearest_even()
}

/// Formats of at most 16 bits: the catalogue's plus a spread of custom layouts.
fn small_formats() -> Vec<Format> {
    let mut v: Vec<Format> = Format::all()
        .into_iter()
        .filter(|f| f.bits() <= 16)
        .collect();
    for name in [
        "e3m4", "e4m3", "e2m1", "e6m9", "e5m10fn", "e3m4fn", "e1m2fn", "e8m7fn", "e1m0fn", "e4m0fn",
    ] {
        v.push(Format::parse(name).unwrap());
    }
    v
}

#[test]
fn every_pattern_round_trips_through_its_value() {
    for format in small_formats() {
        for bits in 0..=format.mask() {
            let value = decode(&format, bits);
            let class = Analysis::of_bits(format, bits, value).class;
            if class == Class::Nan {
                assert!(value.is_nan(), "{format} {bits:#x}");
                continue;
            }
            for mode in RoundingMode::ALL {
                let mut r = Rounder::new(mode, 1);
                assert_eq!(
                    encode(&format, value, &mut r),
                    bits,
                    "{format} {bits:#x} = {value:e} under {mode}"
                );
                let mut r = Rounder::new(mode, 1);
                assert_eq!(
                    encode_with(&format, value, &mut r, CastPath::Direct),
                    bits,
                    "{format} {bits:#x} direct"
                );
            }
        }
    }
}

#[test]
fn every_float_pattern_decodes_by_the_formula() {
    // Independent restatement of the decode rule: value = (-1)^s · 2^(E-bias) · 1.M, or
    // (-1)^s · 2^(1-bias) · 0.M for E = 0, computed in f64 with powi.
    for format in small_formats() {
        let Some(f) = format.float() else { continue };
        for bits in 0..=format.mask() {
            let a = Analysis::of_bits(format, bits, 0.0);
            let sign = if a.sign == 1 { -1.0 } else { 1.0 };
            let frac = a.mantissa as f64 / 2f64.powi(f.man_bits as i32);
            let want = match a.class {
                Class::Nan => continue,
                Class::Inf => sign * f64::INFINITY,
                Class::Zero | Class::Subnormal => sign * frac * 2f64.powi(1 - f.bias),
                _ => sign * (1.0 + frac) * 2f64.powi(a.exponent as i32 - f.bias),
            };
            assert_eq!(a.value.to_bits(), want.to_bits(), "{format} {bits:#x}");
        }
    }
}

#[test]
fn f16_and_bf16_decode_like_half() {
    for bits in 0..=u16::MAX {
        let h = half::f16::from_bits(bits).to_f64();
        let b = half::bf16::from_bits(bits).to_f64();
        let ours_h = decode(&Format::named("float16"), u64::from(bits));
        let ours_b = decode(&Format::named("bfloat16"), u64::from(bits));
        assert!(
            h.to_bits() == ours_h.to_bits() || (h.is_nan() && ours_h.is_nan()),
            "f16 {bits:#x}"
        );
        assert!(
            b.to_bits() == ours_b.to_bits() || (b.is_nan() && ours_b.is_nan()),
            "bf16 {bits:#x}"
        );
    }
}

#[test]
fn generic_codec_agrees_with_half_on_f32_inputs() {
    // A deterministic walk through float32 patterns (a stride coprime to 2^32 visits
    // every region: subnormals, ties, overflow, NaN).
    let (f16, bf16) = (Format::named("float16"), Format::named("bfloat16"));
    let mut bits: u32 = 0;
    for _ in 0..400_000 {
        bits = bits.wrapping_add(0x9E37_79B1 / 37);
        let x = f32::from_bits(bits);
        if x.is_nan() {
            continue;
        }
        let direct_h = encode_with(&f16, f64::from(x), &mut rne(), CastPath::Direct);
        let direct_b = encode_with(&bf16, f64::from(x), &mut rne(), CastPath::Direct);
        assert_eq!(
            direct_h,
            u64::from(half::f16::from_f32(x).to_bits()),
            "f16 of {x:e}"
        );
        assert_eq!(
            direct_b,
            u64::from(half::bf16::from_f32(x).to_bits()),
            "bf16 of {x:e}"
        );
    }
}

/// The ml_dtypes fixture.
struct Fixture(serde_json::Value);

impl Fixture {
    fn load() -> Fixture {
        let text = include_str!("fixtures/ml_dtypes_casts.json");
        Fixture(serde_json::from_str(text).expect("fixture is JSON"))
    }

    fn list(&self, path: &[&str]) -> Vec<u64> {
        let mut v = &self.0;
        for key in path {
            v = &v[*key];
        }
        v.as_array()
            .expect("array")
            .iter()
            .map(|x| x.as_u64().expect("u64"))
            .collect()
    }
}

#[test]
fn casts_match_ml_dtypes_bit_for_bit() {
    let fx = Fixture::load();
    let x32 = fx.list(&["f32_inputs"]);
    let x64 = fx.list(&["f64_inputs"]);
    assert!(x32.len() > 20_000 && x64.len() > 1000);
    for name in [
        "float16",
        "bfloat16",
        "float8_e4m3fn",
        "float8_e5m2",
        "float6_e3m2fn",
        "float6_e2m3fn",
        "float4_e2m1fn",
        "float8_e8m0fnu",
    ] {
        let format = Format::named(name);
        let mut wrong = Vec::new();
        for (input, want) in x32.iter().zip(fx.list(&["formats", name, "from_f32"])) {
            let x = f64::from(f32::from_bits(*input as u32));
            let got = encode(&format, x, &mut rne());
            if got != want {
                wrong.push(format!("{x:e}: got {got:#x}, ml_dtypes {want:#x}"));
            }
        }
        // NumPy's float16 (the fixture's float16 reference) rounds float64 directly; PyTorch
        // and ml_dtypes round through float32 (our reference path).
        let path = if name == "float16" {
            CastPath::Direct
        } else {
            CastPath::Reference
        };
        for (input, want) in x64.iter().zip(fx.list(&["formats", name, "from_f64"])) {
            let x = f64::from_bits(*input);
            let got = encode_with(&format, x, &mut rne(), path);
            if got != want {
                wrong.push(format!("f64 {x:e}: got {got:#x}, ml_dtypes {want:#x}"));
            }
        }
        assert!(
            wrong.is_empty(),
            "{name}: {} mismatches, e.g. {:?}",
            wrong.len(),
            &wrong[..wrong.len().min(5)]
        );
        let decoded = fx.list(&["formats", name, "decode"]);
        for (bits, want) in decoded.iter().enumerate() {
            let got = decode(&format, bits as u64);
            let want = f64::from_bits(*want);
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{name} decode {bits:#x}"
            );
        }
    }
}

#[test]
fn encode_edge_cases() {
    let cases: &[(&str, f64, u64)] = &[
        // ties to even
        ("float16", 1.0 + 2f64.powi(-11), 0x3c00),
        ("float16", 1.0 + 3.0 * 2f64.powi(-11), 0x3c02),
        ("bfloat16", 1.0 + 2f64.powi(-8), 0x3f80),
        // max finite, just above max (rounds back), halfway above max (to inf / NaN / saturate)
        ("float16", 65504.0, 0x7bff),
        ("float16", 65519.0, 0x7bff),
        ("float16", 65520.0, 0x7c00),
        ("float8_e4m3fn", 448.0, 0x7e),
        ("float8_e4m3fn", 464.0, 0x7e), // tie -> even mantissa 110
        ("float8_e4m3fn", 465.0, 0x7f), // rounds to the NaN pattern: ml_dtypes gives NaN
        ("float8_e5m2", 57344.0, 0x7b),
        ("float8_e5m2", 61440.0, 0x7c), // tie -> inf
        ("float4_e2m1fn", 100.0, 0x7),  // saturates (ml_dtypes)
        ("float6_e3m2fn", -1e9, 0x3f),
        // min subnormal, half of it (tie -> 0), a bit more than half
        ("float16", 2f64.powi(-24), 0x0001),
        ("float16", 2f64.powi(-25), 0x0000),
        ("float16", 2f64.powi(-25) * 1.0001, 0x0001),
        ("float8_e4m3fn", 2f64.powi(-9), 0x01),
        ("float8_e4m3fn", -2f64.powi(-10), 0x80),
        // signed zeros, NaN, inf
        ("float16", -0.0, 0x8000),
        ("float8_e5m2", f64::NAN, 0x7e),
        ("float8_e4m3fn", f64::INFINITY, 0x7f),
        ("float8_e4m3fn", f64::NEG_INFINITY, 0xff),
        ("float16", f64::NEG_INFINITY, 0xfc00),
        ("float6_e2m3fn", f64::INFINITY, 0x1f),
        ("float6_e2m3fn", f64::NAN, 0x20), // ml_dtypes: NaN -> zero with inverted sign
        ("float32", 1.0 / 3.0, 0x3eaa_aaab),
        ("tfloat32", 1.0 / 3.0, 0x1f555),
    ];
    for &(name, x, want) in cases {
        let got = encode(&Format::named(name), x, &mut rne());
        assert_eq!(got, want, "{name} of {x:e}: got {got:#x}");
    }
}

#[test]
fn directed_rounding_modes_bracket_the_value() {
    let f = Format::named("float16");
    for x in [1.0 / 3.0, -1.0 / 3.0, 1e-6, -7e4, 65519.0, 1e-9] {
        let down = decode(&f, encode(&f, x, &mut Rounder::new(RoundingMode::Down, 0)));
        let up = decode(&f, encode(&f, x, &mut Rounder::new(RoundingMode::Up, 0)));
        let zero = decode(
            &f,
            encode(&f, x, &mut Rounder::new(RoundingMode::TowardZero, 0)),
        );
        assert!(down <= x && x <= up, "{x}: {down} {up}");
        assert!(zero.abs() <= x.abs());
    }
    // Overflow: toward zero saturates, up goes to inf for positives.
    assert_eq!(
        encode(&f, 1e6, &mut Rounder::new(RoundingMode::TowardZero, 0)),
        0x7bff
    );
    assert_eq!(
        encode(&f, 1e6, &mut Rounder::new(RoundingMode::Up, 0)),
        0x7c00
    );
    assert_eq!(
        encode(&f, -1e6, &mut Rounder::new(RoundingMode::Up, 0)),
        0xfbff
    );
    // Nearest-away breaks the tie upward in magnitude.
    assert_eq!(
        encode(
            &f,
            1.0 + 2f64.powi(-11),
            &mut Rounder::new(RoundingMode::NearestAway, 0)
        ),
        0x3c01
    );
}

#[test]
fn stochastic_rounding_is_unbiased_and_seeded() {
    let f = Format::named("bfloat16");
    let x = 1.0 + 2f64.powi(-9); // a quarter of the way from 1 to the next bf16 (1 + 2^-7)
    let mut r = Rounder::new(RoundingMode::Stochastic, 123);
    let n = 40_000;
    let mean: f64 = (0..n)
        .map(|_| decode(&f, encode(&f, x, &mut r)))
        .sum::<f64>()
        / f64::from(n);
    assert!((mean - x).abs() < 2e-4, "mean {mean} vs {x}");
    let draw = |seed| {
        let mut r = Rounder::new(RoundingMode::Stochastic, seed);
        (0..32).map(|_| encode(&f, x, &mut r)).collect::<Vec<_>>()
    };
    assert_eq!(draw(5), draw(5));
    assert_ne!(draw(5), draw(6));
}
