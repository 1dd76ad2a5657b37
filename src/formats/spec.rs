//! Format descriptions: the catalogue of named formats, aliases and custom `eXmY` floats.

use std::fmt;

/// How a float format uses its all-ones exponent field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Specials {
    /// IEEE 754: all-ones exponent holds ±inf (mantissa 0) and NaN (mantissa ≠ 0).
    Ieee,
    /// OCP `fn` style of float8_e4m3fn: no infinity; only S.1111.111 is NaN, the
    /// rest of the all-ones exponent holds finite numbers.
    FiniteNan,
    /// MX style (float6/float4): no infinity and no NaN; every pattern is a number.
    Finite,
    /// OCP MX block scale (float8_e8m0fnu): no sign bit, no zero, no subnormals, no
    /// infinity; the all-ones exponent is NaN and every other exponent field e is the
    /// normal value 2^(e − bias), field 0 included.
    Unsigned,
}

/// A binary floating-point format: 1 sign bit, `exp_bits` exponent bits, `man_bits` mantissa bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FloatSpec {
    /// Exponent field width.
    pub exp_bits: u32,
    /// Stored mantissa (fraction) width, without the implicit leading bit.
    pub man_bits: u32,
    /// Exponent bias (IEEE style: 2^(exp_bits-1) - 1).
    pub bias: i32,
    /// Treatment of the all-ones exponent.
    pub specials: Specials,
}

/// A two's-complement (signed) or plain binary (unsigned) integer format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IntSpec {
    /// Width in bits (4 to 64).
    pub bits: u32,
    /// Whether the top bit has weight -2^(bits-1).
    pub signed: bool,
}

/// Which kind of numbers a format holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Floating point.
    Float(FloatSpec),
    /// Integer.
    Int(IntSpec),
}

/// A number format the app knows: a name plus its layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Format {
    /// Canonical name (PyTorch / ml_dtypes spelling for the catalogue, `eXmY[fn]` for custom).
    name: FormatName,
    /// Layout.
    pub kind: Kind,
}

/// Format name: static for catalogue formats, generated for custom ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum FormatName {
    Static(&'static str),
    Custom,
}

/// Catalogue entry: canonical name, aliases, layout.
struct Entry {
    name: &'static str,
    aliases: &'static [&'static str],
    kind: Kind,
}

const fn float(exp_bits: u32, man_bits: u32, specials: Specials) -> Kind {
    Kind::Float(FloatSpec {
        exp_bits,
        man_bits,
        bias: (1 << (exp_bits - 1)) - 1,
        specials,
    })
}

const fn int(bits: u32, signed: bool) -> Kind {
    Kind::Int(IntSpec { bits, signed })
}

/// The named formats, in display order (widest floats first, then integers).
const CATALOGUE: &[Entry] = &[
    Entry {
        name: "float64",
        aliases: &["fp64", "f64", "double"],
        kind: float(11, 52, Specials::Ieee),
    },
    Entry {
        name: "float32",
        aliases: &["fp32", "f32", "float", "single"],
        kind: float(8, 23, Specials::Ieee),
    },
    Entry {
        name: "tfloat32",
        aliases: &["tf32"],
        kind: float(8, 10, Specials::Ieee),
    },
    Entry {
        name: "float16",
        aliases: &["fp16", "f16", "half"],
        kind: float(5, 10, Specials::Ieee),
    },
    Entry {
        name: "bfloat16",
        aliases: &["bf16"],
        kind: float(8, 7, Specials::Ieee),
    },
    Entry {
        name: "float8_e4m3fn",
        aliases: &[
            "fp8-e4m3",
            "fp8_e4m3",
            "fp8-e4m3fn",
            "e4m3fn",
            "e4m3",
            "fp8",
        ],
        kind: float(4, 3, Specials::FiniteNan),
    },
    Entry {
        name: "float8_e5m2",
        aliases: &["fp8-e5m2", "fp8_e5m2", "e5m2"],
        kind: float(5, 2, Specials::Ieee),
    },
    Entry {
        name: "float6_e3m2fn",
        aliases: &["fp6-e3m2", "fp6_e3m2", "e3m2fn"],
        kind: float(3, 2, Specials::Finite),
    },
    Entry {
        name: "float6_e2m3fn",
        aliases: &["fp6-e2m3", "fp6_e2m3", "e2m3fn"],
        kind: float(2, 3, Specials::Finite),
    },
    Entry {
        name: "float4_e2m1fn",
        aliases: &["fp4-e2m1", "fp4_e2m1", "fp4", "e2m1fn"],
        kind: float(2, 1, Specials::Finite),
    },
    Entry {
        name: "float8_e8m0fnu",
        aliases: &["e8m0", "e8m0fnu", "fp8_e8m0", "fp8-e8m0", "fp8_e8m0fnu"],
        kind: float(8, 0, Specials::Unsigned),
    },
    Entry {
        name: "uint8",
        aliases: &["u8"],
        kind: int(8, false),
    },
    Entry {
        name: "int8",
        aliases: &["i8"],
        kind: int(8, true),
    },
    Entry {
        name: "int16",
        aliases: &["i16", "short"],
        kind: int(16, true),
    },
    Entry {
        name: "int32",
        aliases: &["i32", "int"],
        kind: int(32, true),
    },
    Entry {
        name: "int64",
        aliases: &["i64", "long"],
        kind: int(64, true),
    },
    Entry {
        name: "int4",
        aliases: &["i4"],
        kind: int(4, true),
    },
    Entry {
        name: "uint4",
        aliases: &["u4"],
        kind: int(4, false),
    },
];

/// Why a format name or custom layout was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormatError {}

impl Format {
    /// All catalogue formats, in display order.
    pub fn all() -> Vec<Format> {
        CATALOGUE
            .iter()
            .map(|e| Format {
                name: FormatName::Static(e.name),
                kind: e.kind,
            })
            .collect()
    }

    /// Look a catalogue format up by canonical name.
    ///
    /// # Panics
    /// Panics if `name` is not a catalogue name; only for constants in code.
    pub fn named(name: &str) -> Format {
        Format::parse(name).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The aliases of a catalogue format (empty for custom formats).
    pub fn aliases(&self) -> &'static [&'static str] {
        match self.name {
            FormatName::Static(n) => CATALOGUE
                .iter()
                .find(|e| e.name == n)
                .map_or(&[], |e| e.aliases),
            FormatName::Custom => &[],
        }
    }

    /// Parse a format name: canonical, alias (case-insensitive, `-`/`_` interchangeable),
    /// or a custom float `eXmY` (IEEE inf/NaN) / `eXmYfn` (finite: no inf, no NaN).
    pub fn parse(text: &str) -> Result<Format, FormatError> {
        let key = normalize(text);
        if key.is_empty() {
            return Err(FormatError("empty format name".into()));
        }
        for e in CATALOGUE {
            if same_name(e.name, &key) || e.aliases.iter().any(|a| same_name(a, &key)) {
                return Ok(Format {
                    name: FormatName::Static(e.name),
                    kind: e.kind,
                });
            }
        }
        if let Some(custom) = parse_custom(&key) {
            return custom;
        }
        Err(FormatError(format!(
            "unknown format '{}' (try `quantscope formats`, or a custom float like e4m3 / e3m4fn)",
            printable(text)
        )))
    }

    /// A custom float: `exp_bits` in 1..=11, `man_bits` in 0..=52, IEEE bias;
    /// `ieee` = all-ones exponent holds inf/NaN, otherwise every pattern is finite.
    pub fn custom(exp_bits: u32, man_bits: u32, ieee: bool) -> Result<Format, FormatError> {
        let specials = if ieee {
            Specials::Ieee
        } else {
            Specials::Finite
        };
        if !(1..=11).contains(&exp_bits) {
            return Err(FormatError(format!(
                "custom float needs 1 to 11 exponent bits, got {exp_bits}"
            )));
        }
        if man_bits > 52 {
            return Err(FormatError(format!(
                "custom float needs 0 to 52 mantissa bits, got {man_bits}"
            )));
        }
        if ieee && (exp_bits < 2 || man_bits < 1) {
            return Err(FormatError(
                "an IEEE-style custom float needs at least 2 exponent bits and 1 mantissa bit (use the fn variant)".into(),
            ));
        }
        Ok(Format {
            name: FormatName::Custom,
            kind: float(exp_bits, man_bits, specials),
        })
    }

    /// Canonical name (`float16`, `int8`, `e4m3`, `e3m4fn` …).
    pub fn name(&self) -> String {
        match (self.name, self.kind) {
            (FormatName::Static(n), _) => n.to_string(),
            (FormatName::Custom, Kind::Float(f)) => {
                let suffix = if f.specials == Specials::Ieee {
                    ""
                } else {
                    "fn"
                };
                format!("e{}m{}{}", f.exp_bits, f.man_bits, suffix)
            }
            (FormatName::Custom, Kind::Int(i)) => {
                format!("{}int{}", if i.signed { "" } else { "u" }, i.bits)
            }
        }
    }

    /// Whether this is a custom `eXmY` float rather than a catalogue format.
    pub fn is_custom(&self) -> bool {
        self.name == FormatName::Custom
    }

    /// Total width in bits.
    pub fn bits(&self) -> u32 {
        match self.kind {
            Kind::Float(f) => u32::from(f.signed()) + f.exp_bits + f.man_bits,
            Kind::Int(i) => i.bits,
        }
    }

    /// Mask of the format's bit width.
    pub fn mask(&self) -> u64 {
        width_mask(self.bits())
    }

    /// The float layout, if this is a float format.
    pub fn float(&self) -> Option<FloatSpec> {
        match self.kind {
            Kind::Float(f) => Some(f),
            Kind::Int(_) => None,
        }
    }

    /// The integer layout, if this is an integer format.
    pub fn int(&self) -> Option<IntSpec> {
        match self.kind {
            Kind::Int(i) => Some(i),
            Kind::Float(_) => None,
        }
    }

    /// Whether the format can hold infinities.
    pub fn has_inf(&self) -> bool {
        matches!(self.kind, Kind::Float(f) if f.specials == Specials::Ieee)
    }

    /// Whether the format can hold NaN.
    pub fn has_nan(&self) -> bool {
        matches!(self.kind, Kind::Float(f) if f.specials != Specials::Finite)
    }
}

/// A format crosses the wire (see [`crate::wire`]) as its name.
impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Format {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Format, D::Error> {
        let name = String::deserialize(d)?;
        Format::parse(&name).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FloatSpec {
    /// Whether the format has a sign bit (all but float8_e8m0fnu).
    pub fn signed(&self) -> bool {
        self.specials != Specials::Unsigned
    }

    /// Whether exponent field 0 holds zero and subnormals (all but float8_e8m0fnu, whose
    /// field 0 is the normal value 2^−bias).
    pub fn has_subnormals(&self) -> bool {
        self.specials != Specials::Unsigned
    }

    /// Unbiased exponent of the smallest normal number (1 - bias; −bias without subnormals).
    pub fn emin(&self) -> i32 {
        if self.has_subnormals() {
            1 - self.bias
        } else {
            -self.bias
        }
    }

    /// All-ones exponent field value.
    pub fn exp_all_ones(&self) -> u64 {
        width_mask(self.exp_bits)
    }

    /// All-ones mantissa field value.
    pub fn man_all_ones(&self) -> u64 {
        width_mask(self.man_bits)
    }

    /// Largest exponent field holding finite numbers.
    pub fn max_finite_exp_field(&self) -> u64 {
        match self.specials {
            Specials::Ieee | Specials::Unsigned => self.exp_all_ones() - 1,
            Specials::FiniteNan | Specials::Finite => self.exp_all_ones(),
        }
    }

    /// Largest mantissa field at the largest finite exponent field.
    pub fn max_finite_man_field(&self) -> u64 {
        match self.specials {
            Specials::Ieee | Specials::Finite | Specials::Unsigned => self.man_all_ones(),
            Specials::FiniteNan => self.man_all_ones() - 1,
        }
    }

    /// Unbiased exponent of the largest finite number.
    pub fn emax(&self) -> i32 {
        self.max_finite_exp_field() as i32 - self.bias
    }
}

impl IntSpec {
    /// Smallest representable value.
    pub fn min(&self) -> i128 {
        if self.signed {
            -(1i128 << (self.bits - 1))
        } else {
            0
        }
    }

    /// Largest representable value.
    pub fn max(&self) -> i128 {
        if self.signed {
            (1i128 << (self.bits - 1)) - 1
        } else {
            (1i128 << self.bits) - 1
        }
    }
}

/// `(1 << bits) - 1` without overflow for 64.
pub fn width_mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

fn normalize(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace('-', "_")
}

/// `normalize(name) == key` for an already normalized `key`, without allocating.
fn same_name(name: &str, key: &str) -> bool {
    let fold = |c: u8| {
        if c == b'-' {
            b'_'
        } else {
            c.to_ascii_lowercase()
        }
    };
    let name = name.trim().as_bytes();
    name.len() == key.len() && name.iter().zip(key.as_bytes()).all(|(&a, &b)| fold(a) == b)
}

/// Shorten and strip control characters so any user text can go into a one-line message.
pub fn printable(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if clean.chars().count() > 40 {
        format!("{}…", clean.chars().take(40).collect::<String>())
    } else {
        clean
    }
}

fn parse_custom(key: &str) -> Option<Result<Format, FormatError>> {
    let rest = key.strip_prefix('e')?;
    let (rest, ieee) = match rest.strip_suffix("fn") {
        Some(r) => (r, false),
        None => (rest, true),
    };
    let (x, y) = rest.split_once('m')?;
    if x.is_empty()
        || y.is_empty()
        || !x.bytes().all(|b| b.is_ascii_digit())
        || !y.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let (Ok(x), Ok(y)) = (x.parse::<u32>(), y.parse::<u32>()) else {
        return Some(Err(FormatError(format!(
            "custom float '{key}' has absurd field widths"
        ))));
    };
    Some(Format::custom(x, y, ieee))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_resolve() {
        assert_eq!(Format::parse("fp32").unwrap().name(), "float32");
        assert_eq!(Format::parse("BF16").unwrap().name(), "bfloat16");
        assert_eq!(Format::parse("fp8-e4m3").unwrap().name(), "float8_e4m3fn");
        assert_eq!(Format::parse("e5m2").unwrap().name(), "float8_e5m2");
        assert_eq!(Format::parse("float8-e5m2").unwrap().name(), "float8_e5m2");
        assert_eq!(Format::parse("e3m4").unwrap().name(), "e3m4");
        assert_eq!(Format::parse("e3m4fn").unwrap().name(), "e3m4fn");
        assert!(Format::parse("e3m4").unwrap().is_custom());
    }

    #[test]
    fn bad_names_are_errors_not_panics() {
        for bad in [
            "",
            "float17",
            "e0m3",
            "e12m3",
            "e4m99",
            "e1m3",
            "e99999999999999999999m1",
            "\u{0}x",
        ] {
            assert!(Format::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn widths_match_pytorch_and_ml_dtypes() {
        let bits: Vec<(String, u32)> = Format::all().iter().map(|f| (f.name(), f.bits())).collect();
        let expect = [
            ("float64", 64),
            ("float32", 32),
            ("tfloat32", 19),
            ("float16", 16),
            ("bfloat16", 16),
            ("float8_e4m3fn", 8),
            ("float8_e5m2", 8),
            ("float6_e3m2fn", 6),
            ("float6_e2m3fn", 6),
            ("float4_e2m1fn", 4),
            ("float8_e8m0fnu", 8),
            ("uint8", 8),
            ("int8", 8),
            ("int16", 16),
            ("int32", 32),
            ("int64", 64),
            ("int4", 4),
            ("uint4", 4),
        ];
        assert_eq!(bits, expect.map(|(n, b)| (n.to_string(), b)).to_vec());
    }
}
