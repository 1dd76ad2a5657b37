//! What a quantization is: target type, symmetric or asymmetric, and granularity.

use crate::formats::{Format, Kind};
use std::fmt;
use std::str::FromStr;

/// The quantized type (`--scheme`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum QType {
    /// Signed 8-bit integers.
    Int8,
    /// Unsigned 8-bit integers.
    UInt8,
    /// Signed 4-bit integers.
    Int4,
    /// Unsigned 4-bit integers.
    UInt4,
    /// float8_e4m3fn with a per-group scale.
    Fp8E4m3,
    /// float8_e5m2 with a per-group scale.
    Fp8E5m2,
}

impl QType {
    /// All types, in menu order.
    pub const ALL: [QType; 6] = [
        QType::Int8,
        QType::UInt8,
        QType::Int4,
        QType::UInt4,
        QType::Fp8E4m3,
        QType::Fp8E5m2,
    ];

    /// CLI name.
    pub fn name(self) -> &'static str {
        match self {
            QType::Int8 => "int8",
            QType::UInt8 => "uint8",
            QType::Int4 => "int4",
            QType::UInt4 => "uint4",
            QType::Fp8E4m3 => "fp8_e4m3fn",
            QType::Fp8E5m2 => "fp8_e5m2",
        }
    }

    /// The storage format of the quantized values.
    pub fn format(self) -> Format {
        Format::named(match self {
            QType::Int8 => "int8",
            QType::UInt8 => "uint8",
            QType::Int4 => "int4",
            QType::UInt4 => "uint4",
            QType::Fp8E4m3 => "float8_e4m3fn",
            QType::Fp8E5m2 => "float8_e5m2",
        })
    }

    /// Whether this is an integer type (else a scaled float).
    pub fn is_int(self) -> bool {
        matches!(self.format().kind, Kind::Int(_))
    }

    /// Bits per stored value.
    pub fn bits(self) -> u32 {
        self.format().bits()
    }

    /// Integer range [qmin, qmax] (for floats: ±max finite).
    pub fn range(self) -> (f64, f64) {
        let f = self.format();
        match f.kind {
            Kind::Int(i) => (i.min() as f64, i.max() as f64),
            Kind::Float(_) => {
                let m = crate::tensor::stats::format_max(&f);
                (-m, m)
            }
        }
    }
}

impl FromStr for QType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let key = s.trim().to_ascii_lowercase().replace('-', "_");
        QType::ALL
            .into_iter()
            .find(|q| {
                q.name() == key
                    || q.format().name() == key
                    || (key == "fp8" && *q == QType::Fp8E4m3)
            })
            .ok_or_else(|| {
                format!(
                    "unknown quantization type '{}' (one of: {})",
                    crate::formats::spec::printable(s),
                    QType::ALL.map(|q| q.name()).join(", ")
                )
            })
    }
}

/// Symmetric (zero maps to zero, scale from max |w|) or asymmetric (min…max with a zero point).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Mode {
    /// `scale = max|w| / qmax`, `zero_point = 0`.
    Symmetric,
    /// `scale = (max − min) / (qmax − qmin)`, `zero_point = qmin − round(min / scale)`.
    Asymmetric,
}

impl Mode {
    /// CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Symmetric => "symmetric",
            Mode::Asymmetric => "asymmetric",
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "symmetric" | "sym" => Ok(Mode::Symmetric),
            "asymmetric" | "asym" | "affine" => Ok(Mode::Asymmetric),
            _ => Err(format!(
                "unknown mode '{}' (symmetric or asymmetric)",
                crate::formats::spec::printable(s)
            )),
        }
    }
}

/// Which values share one scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Granularity {
    /// One scale for the whole tensor.
    Tensor,
    /// One scale per index along this axis (axis 0 = output channels of a weight).
    Channel(usize),
    /// One scale per run of this many consecutive values along the last axis.
    Group(usize),
}

impl Granularity {
    /// CLI spelling: `tensor`, `channel:0`, `group:32`.
    pub fn name(self) -> String {
        match self {
            Granularity::Tensor => "tensor".into(),
            Granularity::Channel(a) => format!("channel:{a}"),
            Granularity::Group(g) => format!("group:{g}"),
        }
    }
}

impl FromStr for Granularity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        let bad = || {
            format!(
                "bad granularity '{}' (tensor, channel[:AXIS] or group:SIZE)",
                crate::formats::spec::printable(s)
            )
        };
        let (head, arg) = match t.split_once(':') {
            Some((h, a)) => (h, Some(a)),
            None => (t.as_str(), None),
        };
        match (head, arg) {
            ("tensor" | "per-tensor", None) => Ok(Granularity::Tensor),
            ("channel" | "per-channel", None) => Ok(Granularity::Channel(0)),
            ("channel" | "per-channel", Some(a)) => {
                a.parse().map(Granularity::Channel).map_err(|_| bad())
            }
            ("group" | "per-group", Some(g)) => match g.parse::<usize>() {
                Ok(g) if g > 0 => Ok(Granularity::Group(g)),
                _ => Err(format!(
                    "group size must be a positive integer, got '{}'",
                    crate::formats::spec::printable(g)
                )),
            },
            _ => Err(bad()),
        }
    }
}

/// A complete quantization scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Scheme {
    /// Stored type.
    pub qtype: QType,
    /// Symmetric or asymmetric.
    pub mode: Mode,
    /// Which values share a scale.
    pub granularity: Granularity,
}

impl Scheme {
    /// Check that the combination makes sense (float types and signed symmetric only).
    pub fn validate(&self) -> Result<(), String> {
        match (self.qtype, self.mode) {
            (QType::UInt8 | QType::UInt4, Mode::Symmetric) => Err(format!(
                "{} is unsigned: use asymmetric, or int8/int4 for symmetric",
                self.qtype.name()
            )),
            (QType::Fp8E4m3 | QType::Fp8E5m2, Mode::Asymmetric) => Err(format!(
                "{} quantization is symmetric (a scale, no zero point)",
                self.qtype.name()
            )),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} per-{}",
            self.qtype.name(),
            self.mode.name(),
            self.granularity.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse() {
        assert_eq!("int8".parse::<QType>(), Ok(QType::Int8));
        assert_eq!("float8_e4m3fn".parse::<QType>(), Ok(QType::Fp8E4m3));
        assert_eq!(
            "channel:1".parse::<Granularity>(),
            Ok(Granularity::Channel(1))
        );
        assert_eq!(
            "channel".parse::<Granularity>(),
            Ok(Granularity::Channel(0))
        );
        assert_eq!(
            "group:32".parse::<Granularity>(),
            Ok(Granularity::Group(32))
        );
        assert!("group:0".parse::<Granularity>().is_err());
        assert!("group".parse::<Granularity>().is_err());
        assert!("int7".parse::<QType>().is_err());
        assert_eq!(QType::Int4.range(), (-8.0, 7.0));
        assert_eq!(QType::Fp8E4m3.range(), (-448.0, 448.0));
    }
}
