//! Seeded random tensors: the shapes of data a student meets (activations, weights,
//! weights with outliers).

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution as _, Normal, StudentT};
use std::fmt;

/// Largest tensor the lab generates (10⁷ values).
pub const MAX_SIZE: usize = 10_000_000;

/// A distribution to draw a tensor from (in JSON: `{"kind": "normal", "mean": 0, "std": 1}`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Distribution {
    /// Uniform on [lo, hi); `torch.rand` is uniform on [0, 1).
    Uniform {
        /// Lower bound (inclusive).
        lo: f32,
        /// Upper bound (exclusive).
        hi: f32,
    },
    /// Gaussian.
    Normal {
        /// Mean.
        mean: f32,
        /// Standard deviation.
        std: f32,
    },
    /// Laplace (double exponential): heavier tails, like trained weights.
    Laplace {
        /// Location (median).
        loc: f32,
        /// Scale b (std = b·√2).
        scale: f32,
    },
    /// Student's t with `dof` degrees of freedom, times `scale`: very heavy tails.
    StudentT {
        /// Degrees of freedom (> 0); small values give heavy tails.
        dof: f32,
        /// Multiplier.
        scale: f32,
    },
    /// Normal(0, std) where a `fraction` of values are multiplied by `factor`: the
    /// outliers that wreck per-tensor int8 scales in LLM activations.
    Outliers {
        /// Standard deviation of the bulk.
        std: f32,
        /// Fraction of values that are outliers (0…1).
        fraction: f32,
        /// How much larger outliers are.
        factor: f32,
    },
}

/// The kinds, for menus and the CLI's `--dist`.
pub const KINDS: [&str; 5] = ["uniform", "normal", "laplace", "student-t", "outliers"];

impl Distribution {
    /// Default parameters for a kind name (`uniform` is `torch.rand`'s [0, 1)).
    pub fn named(kind: &str) -> Option<Distribution> {
        Some(
            match kind.trim().to_ascii_lowercase().replace('_', "-").as_str() {
                "uniform" | "rand" => Distribution::Uniform { lo: 0.0, hi: 1.0 },
                "normal" | "gaussian" | "randn" => Distribution::Normal {
                    mean: 0.0,
                    std: 1.0,
                },
                "laplace" => Distribution::Laplace {
                    loc: 0.0,
                    scale: 1.0,
                },
                "student-t" | "studentt" | "t" => Distribution::StudentT {
                    dof: 3.0,
                    scale: 1.0,
                },
                "outliers" => Distribution::Outliers {
                    std: 1.0,
                    fraction: 0.001,
                    factor: 100.0,
                },
                _ => return None,
            },
        )
    }

    /// The kind name (one of [`KINDS`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Distribution::Uniform { .. } => "uniform",
            Distribution::Normal { .. } => "normal",
            Distribution::Laplace { .. } => "laplace",
            Distribution::StudentT { .. } => "student-t",
            Distribution::Outliers { .. } => "outliers",
        }
    }

    /// Check the parameters; the message says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let finite = |x: f32, what: &str| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(format!("{what} must be a finite number"))
            }
        };
        match *self {
            Distribution::Uniform { lo, hi } => {
                finite(lo, "lower bound")?;
                finite(hi, "upper bound")?;
                if lo < hi {
                    Ok(())
                } else {
                    Err("uniform needs lower bound < upper bound".into())
                }
            }
            Distribution::Normal { mean, std } => {
                finite(mean, "mean")?;
                positive(std, "std")
            }
            Distribution::Laplace { loc, scale } => {
                finite(loc, "location")?;
                positive(scale, "scale")
            }
            Distribution::StudentT { dof, scale } => {
                positive(dof, "degrees of freedom")?;
                positive(scale, "scale")
            }
            Distribution::Outliers {
                std,
                fraction,
                factor,
            } => {
                positive(std, "std")?;
                finite(factor, "outlier factor")?;
                if (0.0..=1.0).contains(&fraction) {
                    Ok(())
                } else {
                    Err("outlier fraction must be between 0 and 1".into())
                }
            }
        }
    }
}

fn positive(x: f32, what: &str) -> Result<(), String> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        Err(format!("{what} must be a positive number"))
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Distribution::Uniform { lo, hi } => write!(f, "uniform [{lo}, {hi})"),
            Distribution::Normal { mean, std } => write!(f, "normal (mean {mean}, std {std})"),
            Distribution::Laplace { loc, scale } => write!(f, "laplace (loc {loc}, b {scale})"),
            Distribution::StudentT { dof, scale } => {
                write!(f, "student-t ({dof} dof, scale {scale})")
            }
            Distribution::Outliers {
                std,
                fraction,
                factor,
            } => write!(f, "normal (std {std}) with {fraction} outliers ×{factor}"),
        }
    }
}

/// Values drawn per generator: each chunk of this many values has its own generator, seeded
/// from (seed, chunk index), so a tensor is the same whatever the number of threads, and a
/// shorter tensor of the same seed is a prefix of a longer one.
pub const CHUNK: usize = 1 << 16;

/// `size` values (at most [`MAX_SIZE`]) drawn from `dist` with `seed`, on all cores: one
/// fast generator (xoshiro256++) per [`CHUNK`] values.
pub fn generate(dist: &Distribution, size: usize, seed: u64) -> Result<Vec<f32>, String> {
    let mut out = vec![0f32; size.min(MAX_SIZE)];
    generate_into(dist, seed, &mut out)?;
    Ok(out)
}

/// [`generate`] into `out` (its length is the size), reusing the caller's buffer.
pub fn generate_into(dist: &Distribution, seed: u64, out: &mut [f32]) -> Result<(), String> {
    dist.validate()?;
    let sampler = Sampler::new(dist)?;
    let chunks: Vec<(usize, &mut [f32])> = out.chunks_mut(CHUNK).enumerate().collect();
    crate::platform::run_parts(crate::platform::split_parts(chunks), |mine| {
        for (index, chunk) in mine {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(chunk_seed(seed, index));
            sampler.fill(&mut rng, chunk);
        }
        false
    });
    Ok(())
}

/// The seed of chunk `index` of a tensor of seed `seed` (a SplitMix64 step: distinct,
/// well-mixed seeds per chunk).
pub fn chunk_seed(seed: u64, index: usize) -> u64 {
    let mut z = seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Numbers drawn ahead from a generator a block at a time (its state stays in registers
/// while a block fills) and handed out in order: the same `u64`s, in the same order, as
/// drawing them one by one. Only whole `u64`s are handed out (a normal draw takes nothing
/// else); a caller's generator has moved past the numbers drawn ahead.
struct Ahead<'a> {
    rng: &'a mut Xoshiro256PlusPlus,
    block: [u64; AHEAD],
    next: usize,
}

/// `u64`s drawn ahead at a time.
const AHEAD: usize = 128;

impl<'a> Ahead<'a> {
    fn new(rng: &'a mut Xoshiro256PlusPlus) -> Ahead<'a> {
        Ahead {
            rng,
            block: [0; AHEAD],
            next: AHEAD,
        }
    }

    #[inline(never)]
    fn refill(&mut self) {
        for v in &mut self.block {
            *v = self.rng.next_u64();
        }
        self.next = 0;
    }
}

impl rand::TryRng for Ahead<'_> {
    type Error = std::convert::Infallible;

    #[inline(always)]
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        if self.next == AHEAD {
            self.refill();
        }
        let v = self.block[self.next];
        self.next += 1;
        Ok(v)
    }

    /// The upper half of the next `u64`, as xoshiro256++ gives a `u32`.
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|v| (v >> 32) as u32)
    }

    /// Little-endian `u64`s, as xoshiro256++ fills bytes.
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// A distribution ready to draw from.
enum Sampler {
    Uniform(f32, f32),
    Normal(Normal<f32>),
    Laplace(f32, f32),
    StudentT(StudentT<f64>, f32),
    Outliers(Normal<f32>, f32, f32),
}

impl Sampler {
    fn new(dist: &Distribution) -> Result<Sampler, String> {
        let e = |e: rand_distr::NormalError| e.to_string();
        Ok(match *dist {
            Distribution::Uniform { lo, hi } => Sampler::Uniform(lo, hi),
            Distribution::Normal { mean, std } => {
                Sampler::Normal(Normal::new(mean, std).map_err(e)?)
            }
            Distribution::Laplace { loc, scale } => Sampler::Laplace(loc, scale),
            Distribution::StudentT { dof, scale } => {
                Sampler::StudentT(StudentT::new(dof as f64).map_err(|e| e.to_string())?, scale)
            }
            Distribution::Outliers {
                std,
                fraction,
                factor,
            } => Sampler::Outliers(Normal::new(0.0f32, std).map_err(e)?, fraction, factor),
        })
    }

    fn fill(&self, rng: &mut Xoshiro256PlusPlus, out: &mut [f32]) {
        match *self {
            Sampler::Uniform(lo, hi) => {
                for o in out {
                    let u = (rng.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0);
                    *o = lo + (hi - lo) * u;
                }
            }
            Sampler::Normal(n) => {
                // The sampler is too large to inline, so the generator's state would go
                // through memory on every draw: draw ahead in blocks instead (same numbers).
                let mut ahead = Ahead::new(rng);
                out.iter_mut().for_each(|o| *o = n.sample(&mut ahead));
            }
            Sampler::Laplace(loc, scale) => {
                for o in out {
                    let u: f64 = rng.random::<f64>() - 0.5;
                    let x = -(scale as f64)
                        * u.signum()
                        * (1.0 - 2.0 * u.abs()).max(f64::MIN_POSITIVE).ln();
                    *o = loc + x as f32;
                }
            }
            Sampler::StudentT(t, scale) => out
                .iter_mut()
                .for_each(|o| *o = (t.sample(rng) * scale as f64) as f32),
            Sampler::Outliers(n, fraction, factor) => {
                for o in out {
                    let x = n.sample(rng);
                    let outlier = rng.random::<f32>() < fraction;
                    *o = if outlier { x * factor } else { x };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_std(v: &[f32]) -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().map(|&x| x as f64).sum::<f64>() / n;
        let var = v.iter().map(|&x| (x as f64 - m).powi(2)).sum::<f64>() / n;
        (m, var.sqrt())
    }

    #[test]
    fn drawing_ahead_gives_the_values_drawn_one_by_one() {
        let d = Distribution::Normal {
            mean: 0.5,
            std: 2.0,
        };
        let n = Normal::new(0.5f32, 2.0).unwrap();
        let got = generate(&d, 2 * CHUNK + 777, 11).unwrap();
        for (index, chunk) in got.chunks(CHUNK).enumerate() {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(chunk_seed(11, index));
            let want: Vec<f32> = (0..chunk.len()).map(|_| n.sample(&mut rng)).collect();
            assert_eq!(chunk, &want[..], "chunk {index}");
        }
    }

    #[test]
    fn same_seed_same_tensor() {
        for kind in KINDS {
            let d = Distribution::named(kind).unwrap();
            assert_eq!(generate(&d, 1000, 7), generate(&d, 1000, 7), "{kind}");
            assert_ne!(generate(&d, 1000, 7), generate(&d, 1000, 8), "{kind}");
        }
    }

    #[test]
    fn moments_match_the_distribution() {
        let n = 200_000;
        let u = generate(&Distribution::named("uniform").unwrap(), n, 1).unwrap();
        assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
        let (m, s) = mean_std(&u);
        assert!((m - 0.5).abs() < 0.005 && (s - (1.0f64 / 12.0).sqrt()).abs() < 0.005);
        let g = generate(&Distribution::named("normal").unwrap(), n, 1).unwrap();
        let (m, s) = mean_std(&g);
        assert!(m.abs() < 0.01 && (s - 1.0).abs() < 0.01);
        let l = generate(&Distribution::named("laplace").unwrap(), n, 1).unwrap();
        let (m, s) = mean_std(&l);
        assert!(m.abs() < 0.02 && (s - 2f64.sqrt()).abs() < 0.02, "{m} {s}");
    }

    #[test]
    fn outliers_are_rare_and_large() {
        let d = Distribution::named("outliers").unwrap();
        let v = generate(&d, 100_000, 3).unwrap();
        let big = v.iter().filter(|x| x.abs() > 10.0).count();
        assert!((50..200).contains(&big), "{big}");
    }

    #[test]
    fn bad_parameters_are_errors() {
        for d in [
            Distribution::Uniform { lo: 1.0, hi: 1.0 },
            Distribution::Normal {
                mean: 0.0,
                std: -1.0,
            },
            Distribution::StudentT {
                dof: 0.0,
                scale: 1.0,
            },
            Distribution::Outliers {
                std: 1.0,
                fraction: 2.0,
                factor: 10.0,
            },
            Distribution::Uniform {
                lo: f32::NAN,
                hi: 1.0,
            },
        ] {
            assert!(generate(&d, 10, 0).is_err(), "{d:?}");
        }
        assert!(Distribution::named("cauchy").is_none());
    }
}
