//! Block-scaled quantization: small blocks of values sharing one scale.
//!
//! - **MX** (OCP Microscaling v1.0; `mxfp8_e4m3`, `mxfp8_e5m2`, `mxfp6_e3m2`, `mxfp6_e2m3`,
//!   `mxfp4`): blocks of 32 along the last axis, one float8_e8m0fnu scale each. As torchao's
//!   `to_mx` (FLOOR): `shared_exp = floor(log2(amax)) − emax_elem` (the exponent field of
//!   the f32 amax, so 0 and f32 subnormals count as 2^−127), clamped to E8M0's −127 … 127;
//!   element = `v / 2^shared_exp` in f32, rounded to nearest even in the element format,
//!   saturating at ± its largest value. Dequantized: element · 2^shared_exp.
//!   (torchao divides by max(2^shared_exp, 2^−126), a Triton workaround that halves blocks
//!   whose amax is below ~2^−119; this divides by the stored scale, as the spec says.)
//! - **NVFP4** (`nvfp4`): blocks of 16, FP4 (E2M1) elements, a float8_e4m3fn scale:
//!   `scale = e4m3(clamp(amax / 6, 2^−6, 448))`, element = `fp4(clamp(v · (1 / scale), ±6))`,
//!   as torchao's `nvfp4_quantize`. With a per-tensor scale (two-level),
//!   `t = amax_tensor / (448 · 6)`, `scale = e4m3(clamp(amax / 6 / t, 2^−6, 448))`, element =
//!   `fp4(v · ((1 / t) / scale))`, dequantized `element · (t · scale)`.
//! - **NF4** (`nf4`, QLoRA): blocks of 64 over the flattened tensor, absmax scale in f32,
//!   code = index of the NF4 level nearest to `v / absmax` (ties to the lower index);
//!   dequantized `level · absmax`. Optional double quantization of the absmax scales: their
//!   mean is subtracted and the rest stored as int8, symmetric, one f32 scale per 256 (the
//!   bits bitsandbytes spends; it uses its dynamic 8-bit code where this uses a linear one).
//!
//! All arithmetic in f32, as PyTorch does on f32 tensors.

use crate::formats::{Format, Rounder, decode, encode};
use std::fmt;
use std::str::FromStr;

/// The 16 NF4 levels (QLoRA, bitsandbytes' `NF4` code), in code order.
pub const NF4_LEVELS: [f32; 16] = [
    -1.0,
    -0.696_192_8,
    -0.525_073_05,
    -0.394_917_5,
    -0.284_441_38,
    -0.184_773_43,
    -0.091_050_036,
    0.0,
    0.079_580_3,
    0.160_930_2,
    0.246_112_3,
    0.337_915_24,
    0.440_709_83,
    0.562_617,
    0.722_956_84,
    1.0,
];

/// An MX element format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum MxElement {
    /// float8_e4m3fn (MXFP8).
    Fp8E4m3,
    /// float8_e5m2 (MXFP8).
    Fp8E5m2,
    /// float6_e3m2fn (MXFP6).
    Fp6E3m2,
    /// float6_e2m3fn (MXFP6).
    Fp6E2m3,
    /// float4_e2m1fn (MXFP4).
    Fp4,
}

impl MxElement {
    /// The element format.
    pub fn format(self) -> Format {
        Format::named(match self {
            MxElement::Fp8E4m3 => "float8_e4m3fn",
            MxElement::Fp8E5m2 => "float8_e5m2",
            MxElement::Fp6E3m2 => "float6_e3m2fn",
            MxElement::Fp6E2m3 => "float6_e2m3fn",
            MxElement::Fp4 => "float4_e2m1fn",
        })
    }

    /// Exponent of the largest power of two the element format holds (OCP MX's emax_elem).
    pub fn emax(self) -> i32 {
        match self {
            MxElement::Fp8E4m3 => 8,
            MxElement::Fp8E5m2 => 15,
            MxElement::Fp6E3m2 => 4,
            MxElement::Fp6E2m3 | MxElement::Fp4 => 2,
        }
    }
}

/// A block-scaled quantization scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BlockScheme {
    /// OCP MX: 32 elements, an E8M0 scale.
    Mx(MxElement),
    /// NVIDIA NVFP4: 16 FP4 elements, an E4M3 scale; optionally a per-tensor f32 scale too.
    Nvfp4 {
        /// Two-level scaling (a per-tensor f32 scale).
        tensor_scale: bool,
    },
    /// QLoRA NF4: 64 four-bit level indices, an f32 absmax; optionally the absmax values
    /// quantized again (double quantization).
    Nf4 {
        /// Double quantization of the absmax scales.
        double_quant: bool,
    },
}

impl BlockScheme {
    /// Every scheme (options off), in menu order.
    pub const ALL: [BlockScheme; 7] = [
        BlockScheme::Mx(MxElement::Fp8E4m3),
        BlockScheme::Mx(MxElement::Fp8E5m2),
        BlockScheme::Mx(MxElement::Fp6E3m2),
        BlockScheme::Mx(MxElement::Fp6E2m3),
        BlockScheme::Mx(MxElement::Fp4),
        BlockScheme::Nvfp4 {
            tensor_scale: false,
        },
        BlockScheme::Nf4 {
            double_quant: false,
        },
    ];

    /// CLI name (`mxfp4`, `nvfp4`, `nf4` …); options are not part of it.
    pub fn name(self) -> &'static str {
        match self {
            BlockScheme::Mx(MxElement::Fp8E4m3) => "mxfp8_e4m3",
            BlockScheme::Mx(MxElement::Fp8E5m2) => "mxfp8_e5m2",
            BlockScheme::Mx(MxElement::Fp6E3m2) => "mxfp6_e3m2",
            BlockScheme::Mx(MxElement::Fp6E2m3) => "mxfp6_e2m3",
            BlockScheme::Mx(MxElement::Fp4) => "mxfp4",
            BlockScheme::Nvfp4 { .. } => "nvfp4",
            BlockScheme::Nf4 { .. } => "nf4",
        }
    }

    /// Values per block.
    pub fn block_size(self) -> usize {
        match self {
            BlockScheme::Mx(_) => 32,
            BlockScheme::Nvfp4 { .. } => 16,
            BlockScheme::Nf4 { .. } => 64,
        }
    }

    /// The format of the elements (NF4: none, its codes index a table).
    pub fn element_format(self) -> Option<Format> {
        match self {
            BlockScheme::Mx(e) => Some(e.format()),
            BlockScheme::Nvfp4 { .. } => Some(Format::named("float4_e2m1fn")),
            BlockScheme::Nf4 { .. } => None,
        }
    }

    /// The format of the per-block scales.
    pub fn scale_format(self) -> Format {
        Format::named(match self {
            BlockScheme::Mx(_) => "float8_e8m0fnu",
            BlockScheme::Nvfp4 { .. } => "float8_e4m3fn",
            BlockScheme::Nf4 {
                double_quant: false,
            } => "float32",
            BlockScheme::Nf4 { double_quant: true } => "int8",
        })
    }

    /// Bits of one element.
    pub fn element_bits(self) -> u32 {
        self.element_format().map_or(4, |f| f.bits())
    }

    /// Storage per value, scales included: element bits + scale bits / block size (NF4 with
    /// double quantization: 4 + 8/64 + 32/(64·256) ≈ 4.127). A per-tensor scale (32 bits
    /// for the whole tensor) is not counted.
    pub fn bits_per_value(self) -> f64 {
        let b = self.block_size() as f64;
        let scale = match self {
            BlockScheme::Nf4 { double_quant: true } => 8.0 / b + 32.0 / (b * DQ_BLOCK as f64),
            _ => f64::from(self.scale_format().bits()) / b,
        };
        f64::from(self.element_bits()) + scale
    }
}

impl fmt::Display for BlockScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            BlockScheme::Nvfp4 { tensor_scale: true } => f.write_str(" + tensor scale"),
            BlockScheme::Nf4 { double_quant: true } => f.write_str(" + double quant"),
            _ => Ok(()),
        }
    }
}

impl FromStr for BlockScheme {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let key = s.trim().to_ascii_lowercase().replace('-', "_");
        BlockScheme::ALL
            .into_iter()
            .find(|b| b.name() == key)
            .ok_or_else(|| {
                format!(
                    "unknown block scheme '{}' (one of: {})",
                    crate::formats::spec::printable(s),
                    BlockScheme::ALL.map(|b| b.name()).join(", ")
                )
            })
    }
}

/// Blocks of absmax values per double-quantization scale (QLoRA).
pub const DQ_BLOCK: usize = 256;

/// A tensor quantized in blocks.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BlockQuantized {
    /// The scheme.
    pub scheme: BlockScheme,
    /// One scale per block, decoded (what the block's elements are multiplied by; for
    /// two-level NVFP4 without the per-tensor scale), blocks in row-major order.
    pub scales: Vec<f64>,
    /// Each scale's stored bits in [`BlockScheme::scale_format`] (NF4: the f32 bits, or
    /// with double quantization the int8 code).
    pub scale_bits: Vec<u64>,
    /// The per-tensor scale of two-level NVFP4 / the double-quantization offset of NF4.
    pub tensor_scale: Option<f32>,
    /// Element codes, flat row-major: the element format's bit pattern, or the NF4 level.
    pub codes: Vec<u8>,
    /// Dequantized values.
    pub dequantized: Vec<f32>,
}

impl BlockQuantized {
    /// Number of blocks.
    pub fn blocks(&self) -> usize {
        self.scales.len()
    }
}

/// Quantize `data` (row-major, of `shape`) with `scheme`. MX and NVFP4 block the last axis,
/// which the block size must divide; NF4 blocks the flattened tensor (a last block may be
/// short). Non-finite values are an error.
pub fn quantize_blocks(
    data: &[f32],
    shape: &[usize],
    scheme: BlockScheme,
) -> Result<BlockQuantized, String> {
    let numel: usize = shape.iter().product();
    if numel != data.len() {
        return Err(format!(
            "shape {shape:?} holds {numel} values but the tensor has {}",
            data.len()
        ));
    }
    if let Some(i) = data.iter().position(|w| !w.is_finite()) {
        return Err(format!("cannot quantize: value #{i} is {}", data[i]));
    }
    let block = scheme.block_size();
    let last = shape.last().copied().unwrap_or(1);
    if !matches!(scheme, BlockScheme::Nf4 { .. }) && last % block != 0 {
        return Err(format!(
            "{} needs the last axis to be a multiple of {block}, but shape {shape:?} ends in {last}",
            scheme.name()
        ));
    }
    Ok(match scheme {
        BlockScheme::Mx(e) => mx(data, e),
        BlockScheme::Nvfp4 { tensor_scale } => nvfp4(data, tensor_scale),
        BlockScheme::Nf4 { double_quant } => nf4(data, double_quant),
    })
}

/// The largest |v| of a block (finite values).
fn amax(block: &[f32]) -> f32 {
    block
        .iter()
        .fold(0f32, |m, &v| if v.abs() > m { v.abs() } else { m })
}

/// Store `x` in the element format, nearest even, saturating at ±`max`.
fn element(format: &Format, x: f32, max: f32) -> u8 {
    let x = x.clamp(-max, max);
    encode(format, f64::from(x), &mut Rounder::nearest_even()) as u8
}

fn mx(data: &[f32], e: MxElement) -> BlockQuantized {
    let format = e.format();
    let max = crate::tensor::stats::format_max(&format) as f32;
    let n_blocks = data.len() / 32;
    let mut out = BlockQuantized {
        scheme: BlockScheme::Mx(e),
        scales: Vec::with_capacity(n_blocks),
        scale_bits: Vec::with_capacity(n_blocks),
        tensor_scale: None,
        codes: Vec::with_capacity(data.len()),
        dequantized: Vec::with_capacity(data.len()),
    };
    let e8m0 = Format::named("float8_e8m0fnu");
    for block in data.chunks_exact(32) {
        // floor(log2(amax)) from the f32 exponent field: 0 and subnormals give −127.
        let floor_log2 = ((amax(block).to_bits() >> 23) & 0xff) as i32 - 127;
        let biased = (floor_log2 - e.emax()).clamp(-127, 127) + 127;
        // 2^(biased − 127), exact in f32 (code 0 is the subnormal 2^−127).
        let scale = decode(&e8m0, biased as u64) as f32;
        out.scales.push(f64::from(scale));
        out.scale_bits.push(biased as u64);
        for &v in block {
            let code = element(&format, v / scale, max);
            out.codes.push(code);
            out.dequantized
                .push(decode(&format, u64::from(code)) as f32 * scale);
        }
    }
    out
}

fn nvfp4(data: &[f32], two_level: bool) -> BlockQuantized {
    let fp4 = Format::named("float4_e2m1fn");
    let e4m3 = Format::named("float8_e4m3fn");
    let to_e4m3 = |x: f32| {
        // torchao: clamp(x, E4M3 tiny = 2^-6, 448), then the (nearest-even) cast.
        let bits = encode(
            &e4m3,
            f64::from(x.clamp(2f32.powi(-6), 448.0)),
            &mut Rounder::nearest_even(),
        );
        (bits, decode(&e4m3, bits) as f32)
    };
    // Two-level: t = amax / (448 · 6); an all-zero tensor keeps t = 1 (nothing to scale).
    let tensor_scale = two_level.then(|| {
        let t = amax(data) / (448.0 * 6.0);
        if t > 0.0 { t } else { 1.0 }
    });
    let n_blocks = data.len() / 16;
    let mut out = BlockQuantized {
        scheme: BlockScheme::Nvfp4 {
            tensor_scale: two_level,
        },
        scales: Vec::with_capacity(n_blocks),
        scale_bits: Vec::with_capacity(n_blocks),
        tensor_scale,
        codes: Vec::with_capacity(data.len()),
        dequantized: Vec::with_capacity(data.len()),
    };
    for block in data.chunks_exact(16) {
        let block_scale = amax(block) / 6.0;
        let (bits, scale, reciprocal, dequant_scale) = match tensor_scale {
            None => {
                let (bits, s) = to_e4m3(block_scale);
                (bits, s, 1.0 / s, s)
            }
            Some(t) => {
                let (bits, s) = to_e4m3(block_scale / t);
                (bits, s, (1.0 / t) / s, t * s)
            }
        };
        out.scales.push(f64::from(scale));
        out.scale_bits.push(bits);
        for &v in block {
            let code = element(&fp4, v * reciprocal, 6.0);
            out.codes.push(code);
            out.dequantized
                .push(decode(&fp4, u64::from(code)) as f32 * dequant_scale);
        }
    }
    out
}

/// The NF4 code of a normalised value: the nearest level, ties to the lower index.
pub fn nf4_code(x: f32) -> u8 {
    let x = f64::from(x);
    let mut best = 0;
    for (i, &level) in NF4_LEVELS.iter().enumerate().skip(1) {
        // Differences of two f32 values are exact in f64.
        if (x - f64::from(level)).abs() < (x - f64::from(NF4_LEVELS[best])).abs() {
            best = i;
        }
    }
    best as u8
}

fn nf4(data: &[f32], double_quant: bool) -> BlockQuantized {
    let absmax: Vec<f32> = data.chunks(64).map(amax).collect();
    // Double quantization: the absmax values minus their mean, int8 symmetric per 256.
    let (scales, scale_bits, offset): (Vec<f32>, Vec<u64>, Option<f32>) = if double_quant {
        let mean =
            (absmax.iter().map(|&a| f64::from(a)).sum::<f64>() / absmax.len().max(1) as f64) as f32;
        let mut scales = Vec::with_capacity(absmax.len());
        let mut bits = Vec::with_capacity(absmax.len());
        for group in absmax.chunks(DQ_BLOCK) {
            let centred: Vec<f32> = group.iter().map(|&a| a - mean).collect();
            let s = amax(&centred) / 127.0;
            let s = if s > 0.0 { s } else { 1.0 };
            for c in centred {
                let q = super::linear::round_half_even(c / s).clamp(-127.0, 127.0);
                bits.push((q as i8 as u8) as u64);
                scales.push(q * s + mean);
            }
        }
        (scales, bits, Some(mean))
    } else {
        let bits = absmax.iter().map(|a| u64::from(a.to_bits())).collect();
        (absmax.clone(), bits, None)
    };
    let mut out = BlockQuantized {
        scheme: BlockScheme::Nf4 { double_quant },
        scales: scales.iter().map(|&s| f64::from(s)).collect(),
        scale_bits,
        tensor_scale: offset,
        codes: Vec::with_capacity(data.len()),
        dequantized: Vec::with_capacity(data.len()),
    };
    for ((block, &a), &s) in data.chunks(64).zip(&absmax).zip(&scales) {
        for &v in block {
            // Normalised by the exact absmax (as bitsandbytes quantizes); dequantized with
            // the stored scale.
            let code = if a > 0.0 { nf4_code(v / a) } else { 7 };
            out.codes.push(code);
            out.dequantized.push(NF4_LEVELS[code as usize] * s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sizes_and_bits_per_value() {
        for s in BlockScheme::ALL {
            assert_eq!(s.name().parse::<BlockScheme>(), Ok(s));
        }
        let bpv = |s: &str| s.parse::<BlockScheme>().unwrap().bits_per_value();
        assert_eq!(bpv("mxfp4"), 4.25);
        assert_eq!(bpv("mxfp6_e2m3"), 6.25);
        assert_eq!(bpv("mxfp8_e4m3"), 8.25);
        assert_eq!(bpv("nvfp4"), 4.5);
        assert_eq!(bpv("nf4"), 4.5);
        let dq = BlockScheme::Nf4 { double_quant: true }.bits_per_value();
        assert!((dq - 4.127).abs() < 1e-3, "{dq}");
        assert!("mxfp5".parse::<BlockScheme>().is_err());
    }

    #[test]
    fn mx_scale_is_the_floor_power_of_two_over_emax() {
        // amax 5.9: floor(log2) = 2, minus emax 2 (FP4) → 2^0; 5.9 saturates to 6, 1.3 → 1.5.
        let mut v = vec![0f32; 32];
        v[0] = 5.9;
        v[1] = -1.3;
        let q = quantize_blocks(&v, &[32], "mxfp4".parse().unwrap()).unwrap();
        assert_eq!((q.scales[0], q.scale_bits[0]), (1.0, 127));
        assert_eq!(&q.dequantized[..3], &[6.0, -1.5, 0.0]);
        assert_eq!(&q.codes[..3], &[0x7, 0x8 | 0x3, 0x0]);
        // An all-zero block: scale 2^-127 (E8M0 code 0), zeros back.
        let z = quantize_blocks(&[0.0; 32], &[32], "mxfp8_e4m3".parse().unwrap()).unwrap();
        assert_eq!(z.scale_bits, vec![0]);
        assert!(z.dequantized.iter().all(|&d| d == 0.0));
    }

    #[test]
    fn nvfp4_tiny_tensors_need_the_tensor_scale() {
        let v = vec![1e-6f32; 16];
        let one = quantize_blocks(&v, &[16], "nvfp4".parse().unwrap()).unwrap();
        assert!(one.dequantized.iter().all(|&d| d == 0.0), "underflows");
        let two = quantize_blocks(&v, &[16], BlockScheme::Nvfp4 { tensor_scale: true }).unwrap();
        let err = (two.dequantized[0] - 1e-6).abs() / 1e-6;
        assert!(err < 1e-6, "{:?}", two.dequantized[0]);
    }

    #[test]
    fn nf4_codes_pick_the_nearest_level() {
        assert_eq!(nf4_code(1.0), 15);
        assert_eq!(nf4_code(-1.0), 0);
        assert_eq!(nf4_code(0.0), 7);
        assert_eq!(nf4_code(0.04), 8); // 0.0398 is the midpoint of 0 and 0.0796
        assert_eq!(nf4_code(0.03), 7);
        let v: Vec<f32> = (0..64).map(|i| i as f32 - 31.5).collect();
        let q = quantize_blocks(&v, &[64], "nf4".parse().unwrap()).unwrap();
        assert_eq!(q.scales, vec![31.5]);
        // −31.5 / 31.5 = −1 → code 0; 0.5 / 31.5 = 0.0159 → code 7 (0).
        assert_eq!((q.codes[0], q.dequantized[0]), (0, -31.5));
        assert_eq!((q.codes[32], q.dequantized[32]), (7, 0.0));
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mx = "mxfp4".parse().unwrap();
        assert!(
            quantize_blocks(&[0.0; 48], &[48], mx)
                .unwrap_err()
                .contains("multiple of 32")
        );
        let mut v = vec![0f32; 32];
        v[3] = f32::NAN;
        assert!(quantize_blocks(&v, &[32], mx).unwrap_err().contains("NaN"));
        assert!(quantize_blocks(&[0.0; 4], &[5], mx).is_err());
        // NF4 blocks the flattened tensor: any length.
        assert!(quantize_blocks(&[1.0; 70], &[7, 10], "nf4".parse().unwrap()).is_ok());
    }
}
