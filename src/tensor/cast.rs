//! Casting whole tensors: fast slice paths for f32 → bf16 / f16 (via `half`), and the exact
//! generic codec for every other format and rounding mode, in parallel chunks.

use super::parallel::for_each_chunk;
use super::progress::{Cancelled, Progress};
use crate::formats::table::NarrowEncoder;
use crate::formats::{Format, Rounder, RoundingMode, decode, encode};
use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};

/// Elements per work chunk; stochastic rounding seeds each chunk from (seed, chunk index),
/// so results do not depend on how many threads ran.
const CHUNK: usize = 1 << 16;

/// f32 → bf16, round to nearest even (half's slice conversion). `out.len()` must equal `input.len()`.
pub fn f32_to_bf16(input: &[f32], out: &mut [bf16]) {
    out.convert_from_f32_slice(input);
}

/// f32 → f16, round to nearest even (half's slice conversion, F16C where the CPU has it).
pub fn f32_to_f16(input: &[f32], out: &mut [f16]) {
    out.convert_from_f32_slice(input);
}

/// The values `input` takes once stored in `format` under `mode`, as f64 (exact: every
/// value of every format is an f64). Runs on all cores; checks `progress` for cancellation.
pub fn cast_values(
    input: &[f32],
    format: &Format,
    mode: RoundingMode,
    seed: u64,
    progress: &Progress,
) -> Result<Vec<f64>, Cancelled> {
    let mut out = vec![0.0f64; input.len()];
    let fast = Fast::for_format(format, mode);
    for_each_chunk(
        input,
        &mut out,
        CHUNK,
        progress,
        |index, src, dst| match &fast {
            Some(f) => f.run(src, dst),
            None => {
                let mut r = Rounder::new(mode, chunk_seed(seed, index));
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = decode(format, encode(format, x as f64, &mut r));
                }
            }
        },
    )?;
    Ok(out)
}

fn chunk_seed(seed: u64, index: usize) -> u64 {
    // SplitMix64 step: distinct, well-mixed seeds per chunk.
    let mut z = seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Slice paths that give the same bits as the generic codec (tested), only faster.
enum Fast {
    /// f32 and f64 hold every f32 exactly.
    Identity,
    /// half's f32 → bf16 slice conversion.
    Bf16,
    /// half's f32 → f16 slice conversion.
    F16,
    /// fp8 / fp6 / fp4 by f32 bit arithmetic.
    Narrow(NarrowEncoder),
    /// Integers of at most 32 bits: round half to even, saturate, NaN → 0.
    Int {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
    },
}

impl Fast {
    fn for_format(format: &Format, mode: RoundingMode) -> Option<Fast> {
        if mode != RoundingMode::NearestEven {
            return None;
        }
        if !format.is_custom() {
            match format.name().as_str() {
                "float32" | "float64" => return Some(Fast::Identity),
                "bfloat16" => return Some(Fast::Bf16),
                "float16" => return Some(Fast::F16),
                _ => {}
            }
        }
        if let Some(i) = format.int()
            && i.bits <= 32
        {
            return Some(Fast::Int {
                min: i.min() as f64,
                max: i.max() as f64,
            });
        }
        NarrowEncoder::new(format).map(Fast::Narrow)
    }

    fn run(&self, src: &[f32], dst: &mut [f64]) {
        match self {
            Fast::Identity => {
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = x as f64;
                }
            }
            Fast::Bf16 => {
                let mut tmp = vec![bf16::ZERO; src.len()];
                f32_to_bf16(src, &mut tmp);
                for (d, h) in dst.iter_mut().zip(tmp) {
                    *d = h.to_f64();
                }
            }
            Fast::F16 => {
                let mut tmp = vec![f16::ZERO; src.len()];
                f32_to_f16(src, &mut tmp);
                for (d, h) in dst.iter_mut().zip(tmp) {
                    *d = h.to_f64();
                }
            }
            Fast::Narrow(enc) => {
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = enc.round(x);
                }
            }
            Fast::Int { min, max } => {
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = if x.is_nan() {
                        0.0
                    } else {
                        round_half_even(x as f64).clamp(*min, *max)
                    };
                }
            }
        }
    }
}

/// `f64::round_ties_even` without a libm call (adding and removing 1.5·2^52 rounds to an
/// integer under nearest-even; beyond 2^51 every f64 is already an integer).
#[inline]
fn round_half_even(x: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
    if x.abs() < 2_251_799_813_685_248.0 {
        (x + MAGIC) - MAGIC
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<f32> {
        let mut v: Vec<f32> = (0..200_000u32)
            .map(|i| f32::from_bits(i.wrapping_mul(2_654_435_761)))
            .collect();
        v.extend([
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            65520.0,
            1e-8,
        ]);
        v
    }

    #[test]
    fn fast_paths_equal_the_generic_codec() {
        let input = sample();
        for name in [
            "float32",
            "float64",
            "bfloat16",
            "float16",
            "float8_e4m3fn",
            "float8_e5m2",
            "float4_e2m1fn",
            "int8",
            "uint8",
            "int4",
            "int32",
        ] {
            let f = Format::named(name);
            let fast =
                cast_values(&input, &f, RoundingMode::NearestEven, 0, &Progress::new()).unwrap();
            for (i, (&x, &y)) in input.iter().zip(&fast).enumerate() {
                let mut r = Rounder::nearest_even();
                let want = decode(&f, encode(&f, x as f64, &mut r));
                assert!(
                    want.to_bits() == y.to_bits() || (want.is_nan() && y.is_nan()),
                    "{name} #{i} {x:e}: {want:e} vs {y:e}"
                );
            }
        }
    }

    #[test]
    fn stochastic_results_do_not_depend_on_threads() {
        let input: Vec<f32> = (0..300_000).map(|i| i as f32 * 1e-3).collect();
        let f = Format::named("float8_e4m3fn");
        let a = cast_values(&input, &f, RoundingMode::Stochastic, 9, &Progress::new()).unwrap();
        let b = cast_values(&input, &f, RoundingMode::Stochastic, 9, &Progress::new()).unwrap();
        assert_eq!(a, b);
        let c = cast_values(&input, &f, RoundingMode::Stochastic, 10, &Progress::new()).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn cancelling_stops_the_job() {
        let p = Progress::new();
        p.cancel();
        let input = vec![1.0f32; 1000];
        assert_eq!(
            cast_values(
                &input,
                &Format::named("int8"),
                RoundingMode::NearestEven,
                0,
                &p
            ),
            Err(Cancelled)
        );
    }
}
