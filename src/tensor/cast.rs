//! Casting whole tensors: into preallocated outputs of the format's own width (bf16 and f16
//! as 16-bit values, fp8 / fp6 / fp4 and 8-bit integers as bytes) at memory speed, branch-free
//! and on all cores; and to stored values (f64) for the lab, by the same fast paths or the
//! exact generic codec for every other format and rounding mode. Every fast path gives the
//! generic codec's bits (tested).

use super::parallel::for_each_chunk;
use super::progress::{Cancelled, Progress};
use super::random::chunk_seed;
use crate::formats::table::NarrowEncoder;
use crate::formats::{Format, Rounder, RoundingMode, decode, encode};
use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};

/// Elements per work chunk; stochastic rounding seeds each chunk from (seed, chunk index),
/// so results do not depend on how many threads ran.
const CHUNK: usize = 1 << 16;

/// Values per piece of work when a cast is split over the threads.
const PAR_CHUNK: usize = 1 << 18;

/// `f(src, dst)` over matching pieces of `input` and `out`, on all cores for large inputs.
fn par_map<T: Send>(input: &[f32], out: &mut [T], f: impl Fn(&[f32], &mut [T]) + Sync) {
    let n = input.len().min(out.len());
    if n < 2 * PAR_CHUNK {
        return f(&input[..n], &mut out[..n]);
    }
    let pieces: Vec<(&[f32], &mut [T])> = input[..n]
        .chunks(PAR_CHUNK)
        .zip(out[..n].chunks_mut(PAR_CHUNK))
        .collect();
    crate::platform::run_parts(crate::platform::split_parts(pieces), |mine| {
        for (src, dst) in mine {
            f(src, dst);
        }
        false
    });
}

/// f32 → bf16 bits, round to nearest even; NaN stays NaN (quieted). Branch-free.
#[inline(always)]
pub fn bf16_bits(x: f32) -> u16 {
    let b = x.to_bits();
    let rounded = (b.wrapping_add(0x7fff + ((b >> 16) & 1)) >> 16) as u16;
    let nan = ((b >> 16) | 0x40) as u16;
    if x.is_nan() { nan } else { rounded }
}

/// The bf16 value nearest `x` (ties to even), as an f32.
#[inline(always)]
pub fn bf16_round(x: f32) -> f32 {
    f32::from_bits((bf16_bits(x) as u32) << 16)
}

/// f32 → bf16, round to nearest even, on all cores. `out.len()` must equal `input.len()`.
pub fn f32_to_bf16(input: &[f32], out: &mut [bf16]) {
    par_map(input, out, |src, dst| {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { bf16_avx2(src, dst) };
        }
        for (d, &x) in dst.iter_mut().zip(src) {
            *d = bf16::from_bits(bf16_bits(x));
        }
    });
}

/// [`bf16_bits`] sixteen at a time, written with non-temporal stores (the output is not read
/// back soon: this skips reading each destination line before writing it).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn bf16_avx2(src: &[f32], dst: &mut [bf16]) {
    use std::arch::x86_64::{
        __m256i, _mm_sfence, _mm256_add_epi32, _mm256_and_si256, _mm256_blendv_epi8,
        _mm256_cmpgt_epi32, _mm256_loadu_si256, _mm256_or_si256, _mm256_packus_epi32,
        _mm256_permute4x64_epi64, _mm256_set1_epi32, _mm256_srli_epi32, _mm256_stream_si256,
    };
    let n = src.len().min(dst.len());
    let mut i = 0;
    // Up to the first 32-byte-aligned output.
    while i < n && !(dst.as_ptr().wrapping_add(i) as usize).is_multiple_of(32) {
        dst[i] = bf16::from_bits(bf16_bits(src[i]));
        i += 1;
    }
    let bias = _mm256_set1_epi32(0x7fff);
    let one = _mm256_set1_epi32(1);
    let abs = _mm256_set1_epi32(0x7fff_ffff);
    let inf = _mm256_set1_epi32(0x7f80_0000);
    let quiet = _mm256_set1_epi32(0x40);
    // Eight values' bf16 bits, in the low halves of 32-bit lanes.
    let bits = |v: __m256i| {
        let lsb = _mm256_and_si256(_mm256_srli_epi32::<16>(v), one);
        let rounded = _mm256_srli_epi32::<16>(_mm256_add_epi32(_mm256_add_epi32(v, bias), lsb));
        let nan = _mm256_cmpgt_epi32(_mm256_and_si256(v, abs), inf);
        let quieted = _mm256_or_si256(_mm256_srli_epi32::<16>(v), quiet);
        _mm256_blendv_epi8(rounded, quieted, nan)
    };
    while i + 16 <= n {
        // SAFETY: i + 16 ≤ n, within both slices; dst + i is 32-byte aligned.
        unsafe {
            let a = bits(_mm256_loadu_si256(src.as_ptr().add(i) as *const __m256i));
            let b = bits(_mm256_loadu_si256(src.as_ptr().add(i + 8) as *const __m256i));
            // Sixteen 32-bit lanes (each ≤ 0xffff) to sixteen 16-bit ones, in order.
            let packed = _mm256_permute4x64_epi64::<0b1101_1000>(_mm256_packus_epi32(a, b));
            _mm256_stream_si256(dst.as_mut_ptr().add(i) as *mut __m256i, packed);
        }
        i += 16;
    }
    _mm_sfence();
    for j in i..n {
        dst[j] = bf16::from_bits(bf16_bits(src[j]));
    }
}

/// f32 → f16, round to nearest even (half's slice conversion, F16C where the CPU has it),
/// on all cores.
pub fn f32_to_f16(input: &[f32], out: &mut [f16]) {
    par_map(input, out, |src, dst| {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("f16c") {
            // SAFETY: the CPU has AVX2 and F16C (checked just above).
            return unsafe { f16_f16c(src, dst) };
        }
        dst.convert_from_f32_slice(src)
    });
}

/// f32 → f16 eight at a time with F16C's `vcvtps2ph` (round to nearest even: the same
/// instruction `half` uses four at a time); the tail through `half`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,f16c")]
unsafe fn f16_f16c(src: &[f32], dst: &mut [f16]) {
    use std::arch::x86_64::{
        __m128i, _mm_sfence, _mm_stream_si128, _mm256_cvtps_ph, _mm256_loadu_ps,
    };
    let n = src.len().min(dst.len());
    // Up to the first 16-byte-aligned output, then non-temporal stores (see bf16_avx2).
    let mut head = 0;
    while head < n && !(dst.as_ptr().wrapping_add(head) as usize).is_multiple_of(16) {
        head += 1;
    }
    dst[..head].convert_from_f32_slice(&src[..head]);
    let whole = head + (n - head) / 8 * 8;
    for i in (head..whole).step_by(8) {
        // SAFETY: i + 8 ≤ n, within both slices; dst + i is 16-byte aligned.
        unsafe {
            let v = _mm256_loadu_ps(src.as_ptr().add(i));
            let h = _mm256_cvtps_ph::<0>(v);
            _mm_stream_si128(dst.as_mut_ptr().add(i) as *mut __m128i, h);
        }
    }
    _mm_sfence();
    dst[whole..n].convert_from_f32_slice(&src[whole..n]);
}

/// f32 → a narrow float (fp8, fp6, fp4: at most 8 bits) or an integer of at most 8 bits,
/// one code per byte (two's complement for signed integers), round to nearest even, on all
/// cores; an error for other formats. Integers saturate and NaN becomes 0, as the codec.
pub fn f32_to_codes(input: &[f32], format: &Format, out: &mut [u8]) -> Result<(), String> {
    if let Some(enc) = NarrowEncoder::new(format) {
        let enc = &enc;
        par_map(input, out, |src, dst| codes_any(src, dst, enc));
        return Ok(());
    }
    match format.int() {
        Some(i) if i.bits <= 8 => {
            let ints = IntCodes {
                min: i.min() as f32,
                max: i.max() as f32,
                mask: format.mask() as i32,
            };
            par_map(input, out, |src, dst| codes_any(src, dst, &ints));
            Ok(())
        }
        _ => Err(format!(
            "{} is not a format of at most 8 bits",
            format.name()
        )),
    }
}

/// A branch-free loop writing one code byte per value (so it vectorises).
trait Codes {
    /// `dst[i]` = the code of `src[i]`.
    fn codes(&self, src: &[f32], dst: &mut [u8]);
}

impl Codes for NarrowEncoder {
    #[inline(always)]
    fn codes(&self, src: &[f32], dst: &mut [u8]) {
        self.codes_into(src, dst)
    }
}

/// Integers of at most 8 bits: round half to even, saturate to [min, max], NaN → 0, two's
/// complement bits under `mask`.
struct IntCodes {
    min: f32,
    max: f32,
    mask: i32,
}

impl Codes for IntCodes {
    #[inline(always)]
    fn codes(&self, src: &[f32], dst: &mut [u8]) {
        for (d, &x) in dst.iter_mut().zip(src) {
            let v = round_ties_even_f32(x).max(self.min).min(self.max);
            // SAFETY: v is finite (NaN became 0) and within an 8-bit range.
            let i = unsafe { v.to_int_unchecked::<i32>() };
            *d = (i & self.mask) as u8;
        }
    }
}

/// `codes`, compiled for AVX2 with non-temporal stores where the CPU has it.
fn codes_any(src: &[f32], dst: &mut [u8], codes: &impl Codes) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { codes_avx2(src, dst, codes) };
    }
    codes.codes(src, dst)
}

/// `codes` compiled for AVX2, 64 codes at a time into a buffer that is then written with
/// non-temporal stores (see `bf16_avx2`).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn codes_avx2(src: &[f32], dst: &mut [u8], codes: &impl Codes) {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_sfence, _mm_stream_si128};
    let n = src.len().min(dst.len());
    let mut head = 0;
    while head < n && !(dst.as_ptr().wrapping_add(head) as usize).is_multiple_of(16) {
        head += 1;
    }
    codes.codes(&src[..head], &mut dst[..head]);
    let whole = head + (n - head) / 64 * 64;
    let mut block = [0u8; 64];
    for i in (head..whole).step_by(64) {
        codes.codes(&src[i..i + 64], &mut block);
        for k in (0..64).step_by(16) {
            // SAFETY: i + 64 ≤ n, within dst; dst + i + k is 16-byte aligned.
            unsafe {
                let v = _mm_loadu_si128(block.as_ptr().add(k) as *const __m128i);
                _mm_stream_si128(dst.as_mut_ptr().add(i + k) as *mut __m128i, v);
            }
        }
    }
    _mm_sfence();
    codes.codes(&src[whole..n], &mut dst[whole..n]);
}

/// `x` rounded to an integer, ties to even (NaN → 0), without a libm call: adding and
/// removing 1.5·2^23 rounds under nearest-even; beyond 2^23 every f32 is an integer.
#[inline(always)]
#[allow(clippy::manual_clamp)]
fn round_ties_even_f32(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0; // 1.5 · 2^23
    let r = if x.abs() < 8_388_608.0 {
        (x + MAGIC) - MAGIC
    } else {
        x
    };
    if x.is_nan() { 0.0 } else { r }
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

/// Rounds f32 values into a format (nearest even) with f32 outputs, for formats whose every
/// stored value of an f32 input is itself an f32: the values [`cast_values`] gives, narrowed
/// exactly.
pub struct F32Rounder(Fast);

impl F32Rounder {
    /// For bf16, f16, f32, f64, fp8 / fp6 / fp4 and integers of at most 24 bits; None for
    /// other formats.
    pub fn new(format: &Format) -> Option<F32Rounder> {
        match Fast::for_format(format, RoundingMode::NearestEven)? {
            Fast::Int { min, max } if min < -16_777_216.0 || max > 16_777_216.0 => None,
            fast => Some(F32Rounder(fast)),
        }
    }

    /// `dst[i]` = `src[i]` stored in the format.
    #[inline(always)]
    pub fn round(&self, src: &[f32], dst: &mut [f32]) {
        self.0.run(src, dst)
    }
}

/// An output of [`Fast::run`]: f64 (every stored value), or f32 where the format's stored
/// values of f32 inputs are all f32 ([`F32Rounder`]).
trait Stored: Copy {
    fn from_f32(x: f32) -> Self;
    fn from_f64(x: f64) -> Self;
}

impl Stored for f32 {
    #[inline(always)]
    fn from_f32(x: f32) -> f32 {
        x
    }
    #[inline(always)]
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
}

impl Stored for f64 {
    #[inline(always)]
    fn from_f32(x: f32) -> f64 {
        x as f64
    }
    #[inline(always)]
    fn from_f64(x: f64) -> f64 {
        x
    }
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

    #[inline(always)]
    fn run<T: Stored>(&self, src: &[f32], dst: &mut [T]) {
        match self {
            Fast::Identity => {
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = T::from_f32(x);
                }
            }
            Fast::Bf16 => {
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = T::from_f32(bf16_round(x));
                }
            }
            Fast::F16 => {
                // Through stack buffers: F16C both ways, no allocation.
                let mut half = [f16::ZERO; 1024];
                let mut back = [0f32; 1024];
                for (s, d) in src.chunks(1024).zip(dst.chunks_mut(1024)) {
                    let (h, b) = (&mut half[..s.len()], &mut back[..s.len()]);
                    h.convert_from_f32_slice(s);
                    h.convert_to_f32_slice(b);
                    for (d, &x) in d.iter_mut().zip(b.iter()) {
                        *d = T::from_f32(x);
                    }
                }
            }
            Fast::Narrow(enc) => {
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = T::from_f64(enc.round(x));
                }
            }
            Fast::Int { min, max } => {
                for (d, &x) in dst.iter_mut().zip(src) {
                    *d = T::from_f64(if x.is_nan() {
                        0.0
                    } else {
                        round_half_even(x as f64).clamp(*min, *max)
                    });
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
    fn own_width_outputs_equal_the_generic_codec() {
        let input = sample();
        // Long enough to be split over the threads.
        let long: Vec<f32> = input
            .iter()
            .copied()
            .cycle()
            .take(3 * PAR_CHUNK + 7)
            .collect();
        let codec = |f: &Format, x: f32| encode(f, x as f64, &mut Rounder::nearest_even());
        let same = |f: &Format, x: f32, got: u64| {
            let want = codec(f, x);
            let nan = |b: u64| decode(f, b).is_nan();
            assert!(
                got == want || (nan(got) && nan(want)),
                "{f} {x:e}: {got:#x} vs {want:#x}"
            );
        };
        let mut b = vec![bf16::ZERO; long.len()];
        f32_to_bf16(&long, &mut b);
        let bf = Format::named("bfloat16");
        long.iter()
            .zip(&b)
            .for_each(|(&x, h)| same(&bf, x, h.to_bits() as u64));
        let mut h = vec![f16::ZERO; long.len()];
        f32_to_f16(&long, &mut h);
        let hf = Format::named("float16");
        long.iter()
            .zip(&h)
            .for_each(|(&x, v)| same(&hf, x, v.to_bits() as u64));
        for name in [
            "float8_e4m3fn",
            "float8_e5m2",
            "float6_e3m2fn",
            "float6_e2m3fn",
            "float4_e2m1fn",
            "int8",
            "uint8",
            "int4",
        ] {
            let f = Format::named(name);
            let mut codes = vec![0u8; long.len()];
            f32_to_codes(&long, &f, &mut codes).unwrap();
            long.iter()
                .zip(&codes)
                .for_each(|(&x, &c)| same(&f, x, c as u64 & f.mask()));
        }
        let mut codes = vec![0u8; 4];
        assert!(f32_to_codes(&[1.0; 4], &Format::named("float16"), &mut codes).is_err());
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
