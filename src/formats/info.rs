//! `finfo` / `iinfo`: the limits of a format, as `torch.finfo`, `torch.iinfo` and
//! `ml_dtypes.finfo` report them.

use super::codec::{decode, ldexp, max_finite_bits};
use super::decimal::c_format_g;
use super::spec::{Format, Kind};
use serde::Serialize;

/// Limits of a float format (`torch.finfo` fields plus `smallest_subnormal`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FloatInfo {
    /// Canonical name.
    pub dtype: String,
    /// Width in bits.
    pub bits: u32,
    /// Gap between 1.0 and the next value: 2^-mantissa_bits.
    pub eps: f64,
    /// Largest finite value.
    pub max: f64,
    /// Most negative finite value (-max).
    pub min: f64,
    /// Smallest positive normal value: 2^(1-bias).
    pub smallest_normal: f64,
    /// Same as `smallest_normal` (NumPy / PyTorch name).
    pub tiny: f64,
    /// Smallest positive subnormal value.
    pub smallest_subnormal: f64,
    /// 10^-floor(mantissa_bits · log10 2): decimal digits the format resolves.
    pub resolution: f64,
}

/// Limits of an integer format (`torch.iinfo`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntInfo {
    /// Canonical name.
    pub dtype: String,
    /// Width in bits.
    pub bits: u32,
    /// Smallest value.
    pub min: i64,
    /// Largest value.
    pub max: i64,
}

/// Limits of any format.
#[derive(Clone, Debug, PartialEq)]
pub enum Info {
    /// A float format.
    Float(FloatInfo),
    /// An integer format.
    Int(IntInfo),
}

impl Info {
    /// Limits of `format`.
    pub fn of(format: &Format) -> Info {
        match format.kind {
            Kind::Float(f) => {
                let m = f.man_bits as i32;
                let max = decode(format, max_finite_bits(f));
                let smallest_normal = ldexp(1.0, f.emin());
                // floor(m · log10 2), exact for m <= 52 (no product lands near an integer).
                let digits = (f64::from(f.man_bits) * std::f64::consts::LOG10_2).floor() as i32;
                Info::Float(FloatInfo {
                    dtype: format.name(),
                    bits: format.bits(),
                    eps: ldexp(1.0, -m),
                    max,
                    // Without a sign bit the smallest value is the smallest positive one
                    // (ml_dtypes' finfo(float8_e8m0fnu).min).
                    min: if f.signed() { -max } else { smallest_normal },
                    smallest_normal,
                    tiny: smallest_normal,
                    smallest_subnormal: ldexp(1.0, f.emin() - m),
                    resolution: format!("1e-{digits}").parse().unwrap_or(1.0),
                })
            }
            Kind::Int(i) => Info::Int(IntInfo {
                dtype: format.name(),
                bits: i.bits,
                min: i.min() as i64,
                max: i.max() as i64,
            }),
        }
    }

    /// The text PyTorch prints, e.g.
    /// `finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)`.
    pub fn torch_text(&self) -> String {
        let g = |x: f64| c_format_g(x, 6);
        match self {
            Info::Float(f) => format!(
                "finfo(resolution={}, min={}, max={}, eps={}, smallest_normal={}, tiny={}, dtype={})",
                g(f.resolution),
                g(f.min),
                g(f.max),
                g(f.eps),
                g(f.smallest_normal),
                g(f.tiny),
                f.dtype
            ),
            // torch converts iinfo's bounds to double before printing them.
            Info::Int(i) => format!(
                "iinfo(min={}, max={}, dtype={})",
                g(i.min as f64),
                g(i.max as f64),
                i.dtype
            ),
        }
    }

    /// JSON object of the fields above (integer bounds as exact integers).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Info::Float(f) => serde_json::to_value(f),
            Info::Int(i) => serde_json::to_value(i),
        }
        .unwrap_or(serde_json::Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(name: &str) -> String {
        Info::of(&Format::named(name)).torch_text()
    }

    #[test]
    fn torch_prints_the_lesson_values() {
        // Source: shared/lesson/000_779ed6e5cb8dbc8a.txt (torch 2.1.1 output).
        assert_eq!(text("uint8"), "iinfo(min=0, max=255, dtype=uint8)");
        assert_eq!(text("int8"), "iinfo(min=-128, max=127, dtype=int8)");
        assert_eq!(
            text("int64"),
            "iinfo(min=-9.22337e+18, max=9.22337e+18, dtype=int64)"
        );
        assert_eq!(
            text("int32"),
            "iinfo(min=-2.14748e+09, max=2.14748e+09, dtype=int32)"
        );
        assert_eq!(text("int16"), "iinfo(min=-32768, max=32767, dtype=int16)");
        assert_eq!(
            text("bfloat16"),
            "finfo(resolution=0.01, min=-3.38953e+38, max=3.38953e+38, eps=0.0078125, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=bfloat16)"
        );
        assert_eq!(
            text("float32"),
            "finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)"
        );
        assert_eq!(
            text("float16"),
            "finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)"
        );
        assert_eq!(
            text("float64"),
            "finfo(resolution=1e-15, min=-1.79769e+308, max=1.79769e+308, eps=2.22045e-16, smallest_normal=2.22507e-308, tiny=2.22507e-308, dtype=float64)"
        );
    }

    #[test]
    fn ml_dtypes_finfo_of_small_floats() {
        // ml_dtypes 0.6.0 finfo: (bits, eps, max, smallest_normal, smallest_subnormal, resolution).
        // fp8 resolution follows torch.finfo (10^-digits10 = 1; c10 numeric_limits digits10 = 0):
        // ml_dtypes hard-codes float8(0.1) there instead (0.1015625 / 0.09375).
        let cases = [
            ("float8_e4m3fn", 8, 0.125, 448.0, 0.015625, 0.001953125, 1.0),
            (
                "float8_e5m2",
                8,
                0.25,
                57344.0,
                6.103515625e-05,
                1.52587890625e-05,
                1.0,
            ),
            ("float6_e3m2fn", 6, 0.25, 28.0, 0.25, 0.0625, 1.0),
            ("float6_e2m3fn", 6, 0.125, 7.5, 1.0, 0.125, 1.0),
            ("float4_e2m1fn", 4, 0.5, 6.0, 1.0, 0.5, 1.0),
        ];
        for (name, bits, eps, max, normal, sub, res) in cases {
            let Info::Float(f) = Info::of(&Format::named(name)) else {
                panic!("{name} is a float")
            };
            assert_eq!(
                (f.bits, f.eps, f.max, f.min, f.smallest_normal, f.tiny),
                (bits, eps, max, -max, normal, normal),
                "{name}"
            );
            assert_eq!((f.smallest_subnormal, f.resolution), (sub, res), "{name}");
        }
    }

    #[test]
    fn e8m0_limits_match_ml_dtypes() {
        // ml_dtypes 0.6.0 finfo(float8_e8m0fnu): bits 8, eps 1, max 2^127, min = tiny =
        // smallest_normal = smallest_subnormal = 2^-127.
        let Info::Float(f) = Info::of(&Format::named("e8m0")) else {
            panic!("a float")
        };
        let tiny = 2f64.powi(-127);
        assert_eq!((f.bits, f.eps, f.max), (8, 1.0, 2f64.powi(127)));
        assert_eq!(
            (f.min, f.tiny, f.smallest_normal, f.smallest_subnormal),
            (tiny, tiny, tiny, tiny)
        );
    }

    #[test]
    fn json_keeps_integer_bounds_exact() {
        let j = Info::of(&Format::named("int64")).to_json();
        assert_eq!(j["min"], serde_json::json!(i64::MIN));
        assert_eq!(j["max"], serde_json::json!(i64::MAX));
        assert_eq!(
            Info::of(&Format::named("tfloat32")).to_json()["eps"],
            serde_json::json!(0.0009765625)
        );
    }
}
