//! Rounding modes and the exact rounding decision shared by every format.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cmp::Ordering;
use std::fmt;

/// How a value between two representable neighbours is rounded.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum RoundingMode {
    /// Round to nearest, ties to even (IEEE default; what PyTorch and ml_dtypes do).
    #[default]
    NearestEven,
    /// Round to nearest, ties away from zero.
    NearestAway,
    /// Truncate toward zero.
    TowardZero,
    /// Toward +infinity (ceiling).
    Up,
    /// Toward -infinity (floor).
    Down,
    /// Up with probability equal to the distance from the lower neighbour (seeded).
    Stochastic,
}

impl RoundingMode {
    /// All modes, in menu order.
    pub const ALL: [RoundingMode; 6] = [
        RoundingMode::NearestEven,
        RoundingMode::NearestAway,
        RoundingMode::TowardZero,
        RoundingMode::Up,
        RoundingMode::Down,
        RoundingMode::Stochastic,
    ];

    /// Command-line name (`nearest-even`, `toward-zero`, …).
    pub fn name(self) -> &'static str {
        match self {
            RoundingMode::NearestEven => "nearest-even",
            RoundingMode::NearestAway => "nearest-away",
            RoundingMode::TowardZero => "toward-zero",
            RoundingMode::Up => "up",
            RoundingMode::Down => "down",
            RoundingMode::Stochastic => "stochastic",
        }
    }

    /// Parse a command-line name (a few common spellings accepted).
    pub fn parse(text: &str) -> Option<RoundingMode> {
        let key = text.trim().to_ascii_lowercase().replace('_', "-");
        Some(match key.as_str() {
            "nearest-even" | "nearest" | "rne" | "even" | "ties-to-even" => {
                RoundingMode::NearestEven
            }
            "nearest-away" | "rna" | "away" | "ties-away" => RoundingMode::NearestAway,
            "toward-zero" | "towards-zero" | "zero" | "rtz" | "truncate" | "trunc" => {
                RoundingMode::TowardZero
            }
            "up" | "ceil" | "toward-positive" | "rtp" => RoundingMode::Up,
            "down" | "floor" | "toward-negative" | "rtn" => RoundingMode::Down,
            "stochastic" | "sr" => RoundingMode::Stochastic,
            _ => return None,
        })
    }

    /// Whether this mode, for a value of this sign, never increases the magnitude.
    pub fn truncates_magnitude(self, negative: bool) -> bool {
        match self {
            RoundingMode::TowardZero => true,
            RoundingMode::Up => negative,
            RoundingMode::Down => !negative,
            _ => false,
        }
    }
}

impl fmt::Display for RoundingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rounding mode plus the random stream stochastic rounding draws from (made on the
/// first stochastic decision: seeding a ChaCha generator costs more than a whole cast, and
/// the other modes never draw).
#[derive(Debug)]
pub struct Rounder {
    /// The mode.
    pub mode: RoundingMode,
    seed: u64,
    rng: Option<Box<StdRng>>,
}

impl Rounder {
    /// A rounder; `seed` feeds stochastic rounding (ignored by the other modes).
    pub fn new(mode: RoundingMode, seed: u64) -> Rounder {
        Rounder {
            mode,
            seed,
            rng: None,
        }
    }

    /// Round-to-nearest-even rounder.
    pub fn nearest_even() -> Rounder {
        Rounder::new(RoundingMode::NearestEven, 0)
    }

    /// Decide whether to add one unit to the truncated magnitude `kept`.
    ///
    /// The exact magnitude is `kept + dropped`, where `dropped` is a fraction in [0, 1)
    /// described by `tail` (see [`Tail`]).
    pub fn round_up(&mut self, negative: bool, kept: u64, tail: Tail) -> bool {
        if tail.is_zero() {
            return false;
        }
        match self.mode {
            RoundingMode::NearestEven => match tail.cmp_half() {
                Ordering::Greater => true,
                Ordering::Equal => kept & 1 == 1,
                Ordering::Less => false,
            },
            RoundingMode::NearestAway => tail.cmp_half() != Ordering::Less,
            RoundingMode::TowardZero => false,
            RoundingMode::Up => !negative,
            RoundingMode::Down => negative,
            RoundingMode::Stochastic => {
                let seed = self.seed;
                let rng = self
                    .rng
                    .get_or_insert_with(|| Box::new(StdRng::seed_from_u64(seed)));
                tail.below_random(rng.next_u64())
            }
        }
    }
}

/// The dropped part of a magnitude: `bits / 2^shift`, with `bits < 2^shift`.
///
/// `shift` may exceed 64 (then `bits` holds the value's whole significand, which is
/// far below one half).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tail {
    /// Dropped bits (the numerator).
    pub bits: u64,
    /// Number of dropped binary places (the denominator's exponent).
    pub shift: u32,
}

impl Tail {
    /// Nothing dropped.
    pub const ZERO: Tail = Tail { bits: 0, shift: 0 };

    /// Whether the dropped fraction is zero.
    pub fn is_zero(&self) -> bool {
        self.bits == 0
    }

    /// Compare the dropped fraction with one half.
    pub fn cmp_half(&self) -> Ordering {
        if self.shift == 0 || self.shift > 64 {
            // shift 0: nothing dropped; shift > 64: bits < 2^64 <= 2^(shift-1).
            return Ordering::Less;
        }
        self.bits.cmp(&(1u64 << (self.shift - 1)))
    }

    /// Whether a uniform random 64-bit draw, read as a fraction in [0, 1), lies below the
    /// dropped fraction (probability exactly equal to it up to 2^-64).
    fn below_random(&self, draw: u64) -> bool {
        if self.shift == 0 {
            return false;
        }
        if self.shift <= 64 {
            // Compare draw's top `shift` bits with `bits`.
            let top = if self.shift == 64 {
                draw
            } else {
                draw >> (64 - self.shift)
            };
            return top < self.bits;
        }
        // bits / 2^shift with shift > 64: compare at 64-bit resolution.
        let scaled = self.bits >> (self.shift - 64).min(63);
        draw < scaled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_names_round_trip() {
        for m in RoundingMode::ALL {
            assert_eq!(RoundingMode::parse(m.name()), Some(m));
        }
        assert_eq!(RoundingMode::parse("bogus"), None);
    }

    #[test]
    fn nearest_even_breaks_ties_to_even() {
        let mut r = Rounder::nearest_even();
        let half = Tail { bits: 1, shift: 1 };
        assert!(!r.round_up(false, 2, half));
        assert!(r.round_up(false, 3, half));
        assert!(r.round_up(false, 2, Tail { bits: 3, shift: 2 }));
        assert!(!r.round_up(false, 3, Tail { bits: 1, shift: 2 }));
    }

    #[test]
    fn directed_modes_follow_sign() {
        let t = Tail { bits: 1, shift: 8 };
        assert!(Rounder::new(RoundingMode::Up, 0).round_up(false, 0, t));
        assert!(!Rounder::new(RoundingMode::Up, 0).round_up(true, 0, t));
        assert!(Rounder::new(RoundingMode::Down, 0).round_up(true, 0, t));
        assert!(!Rounder::new(RoundingMode::TowardZero, 0).round_up(true, 0, t));
        assert!(Rounder::new(RoundingMode::NearestAway, 0).round_up(
            true,
            0,
            Tail {
                bits: 128,
                shift: 8
            }
        ));
    }

    #[test]
    fn stochastic_probability_matches_the_fraction() {
        let mut r = Rounder::new(RoundingMode::Stochastic, 42);
        let quarter = Tail { bits: 1, shift: 2 };
        let ups = (0..100_000)
            .filter(|_| r.round_up(false, 0, quarter))
            .count();
        assert!((24_000..26_000).contains(&ups), "{ups}");
        // Seeded: the same seed draws the same decisions.
        let a: Vec<bool> = {
            let mut r = Rounder::new(RoundingMode::Stochastic, 7);
            (0..64).map(|_| r.round_up(false, 0, quarter)).collect()
        };
        let b: Vec<bool> = {
            let mut r = Rounder::new(RoundingMode::Stochastic, 7);
            (0..64).map(|_| r.round_up(false, 0, quarter)).collect()
        };
        assert_eq!(a, b);
    }
}
