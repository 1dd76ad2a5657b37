//! Decoding ggml blocks into f32, block by block, as ggml's `dequantize_row_*` in
//! `ggml-quants.c` does — the same float operations in the same order, so the values are the
//! same bits (gguf-py's `gguf.quants.dequantize` computes them the same way; tests check both
//! on fixtures). Plain types (F32, F16, BF16, F64, integers) convert value by value.

// Ported from C index for index, so each line can be checked against ggml's.
#![allow(clippy::needless_range_loop)]

use super::grids::*;
use super::types::{GgmlType, QK_K};
use half::{bf16, f16};

/// ggml's `kvalues_iq4nl`: the 16 levels of IQ4_NL and IQ4_XS.
pub const KVALUES_IQ4NL: [i8; 16] = [
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
];

/// ggml's `kvalues_mxfp4`: the E2M1 values, doubled (the scale is halved to match).
pub const KVALUES_MXFP4: [i8; 16] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

/// `IQ1S_DELTA` (also IQ1_M's).
const IQ1S_DELTA: f32 = 0.125;

/// An fp16 stored little-endian at `b[0..2]`, as f32 (exact).
pub fn half_at(b: &[u8], at: usize) -> f32 {
    f16::from_bits(u16::from_le_bytes([b[at], b[at + 1]])).to_f32()
}

/// ggml's `ggml_e8m0_to_fp32_half`: 2^(e − 128), with e = 0 and 1 as f32 subnormals.
pub fn e8m0_half(e: u8) -> f32 {
    let bits = if e < 2 {
        0x0020_0000u32 << e
    } else {
        u32::from(e - 1) << 23
    };
    f32::from_bits(bits)
}

/// ggml's `ggml_ue4m3_to_fp32`: an unsigned E4M3 scale, halved (0 and 0x7F are 0).
pub fn ue4m3_half(x: u8) -> f32 {
    if x == 0 || x == 0x7F {
        return 0.0;
    }
    let exp = i32::from((x >> 3) & 0xF);
    let man = f32::from(x & 7);
    let raw = if exp == 0 {
        man * 2f32.powi(-9)
    } else {
        (1.0 + man / 8.0) * 2f32.powi(exp - 7)
    };
    raw * 0.5
}

/// Whether quantscope decodes `t` (the rest are listed as "not decoded yet").
pub fn decodes(t: GgmlType) -> bool {
    !matches!(t, GgmlType::Q8_1 | GgmlType::Q1_0 | GgmlType::Q2_0)
}

/// Decode `out.len()` values of type `t` from `bytes` (exactly their blocks).
pub fn dequantize(t: GgmlType, bytes: &[u8], out: &mut [f32]) -> Result<(), String> {
    let bs = t.block_size();
    let ts = t.type_size();
    if !out.len().is_multiple_of(bs) {
        return Err(format!(
            "{} values are not whole {t} blocks of {bs}",
            out.len()
        ));
    }
    if bytes.len() != out.len() / bs * ts {
        return Err(format!(
            "{} values of {t} need {} bytes, got {}",
            out.len(),
            out.len() / bs * ts,
            bytes.len()
        ));
    }
    // Each arm loops over the blocks with its own block function, inlined.
    macro_rules! each {
        ($f:expr) => {{
            for (b, y) in bytes.chunks_exact(ts).zip(out.chunks_exact_mut(bs)) {
                $f(b, y);
            }
        }};
    }
    match t {
        GgmlType::F32 => {
            each!(|b: &[u8], y: &mut [f32]| y[0] = f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }
        GgmlType::F16 => each!(|b: &[u8], y: &mut [f32]| y[0] = half_at(b, 0)),
        GgmlType::BF16 => each!(|b: &[u8], y: &mut [f32]| y[0] =
            bf16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32()),
        GgmlType::F64 => each!(|b: &[u8], y: &mut [f32]| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            y[0] = f64::from_le_bytes(a) as f32;
        }),
        GgmlType::I8 => each!(|b: &[u8], y: &mut [f32]| y[0] = f32::from(b[0] as i8)),
        GgmlType::I16 => {
            each!(|b: &[u8], y: &mut [f32]| y[0] = f32::from(i16::from_le_bytes([b[0], b[1]])))
        }
        GgmlType::I32 => {
            each!(|b: &[u8], y: &mut [f32]| y[0] =
                i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32)
        }
        GgmlType::I64 => each!(|b: &[u8], y: &mut [f32]| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            y[0] = i64::from_le_bytes(a) as f32;
        }),
        GgmlType::Q4_0 => each!(q4_0),
        GgmlType::Q4_1 => each!(q4_1),
        GgmlType::Q5_0 => each!(q5_0),
        GgmlType::Q5_1 => each!(q5_1),
        GgmlType::Q8_0 => each!(q8_0),
        GgmlType::Q2_K => each!(q2_k),
        GgmlType::Q3_K => each!(q3_k),
        GgmlType::Q4_K => each!(q4_k),
        GgmlType::Q5_K => each!(q5_k),
        GgmlType::Q6_K => each!(q6_k),
        GgmlType::Q8_K => each!(q8_k),
        GgmlType::IQ2_XXS => each!(iq2_xxs),
        GgmlType::IQ2_XS => each!(iq2_xs),
        GgmlType::IQ2_S => each!(iq2_s),
        GgmlType::IQ3_XXS => each!(iq3_xxs),
        GgmlType::IQ3_S => each!(iq3_s),
        GgmlType::IQ1_S => each!(iq1_s),
        GgmlType::IQ1_M => each!(iq1_m),
        GgmlType::IQ4_NL => each!(iq4_nl),
        GgmlType::IQ4_XS => each!(iq4_xs),
        GgmlType::TQ1_0 => each!(tq1_0),
        GgmlType::TQ2_0 => each!(tq2_0),
        GgmlType::MXFP4 => each!(mxfp4),
        GgmlType::NVFP4 => each!(nvfp4),
        GgmlType::Q8_1 | GgmlType::Q1_0 | GgmlType::Q2_0 => {
            return Err(format!("{t} is not decoded yet"));
        }
    }
    Ok(())
}

fn q4_0(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let qs = &b[2..18];
    for j in 0..16 {
        y[j] = f32::from(i16::from(qs[j] & 0x0F) - 8) * d;
        y[j + 16] = f32::from(i16::from(qs[j] >> 4) - 8) * d;
    }
}

fn q4_1(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let m = half_at(b, 2);
    let qs = &b[4..20];
    for j in 0..16 {
        y[j] = f32::from(qs[j] & 0x0F) * d + m;
        y[j + 16] = f32::from(qs[j] >> 4) * d + m;
    }
}

fn q5_0(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
    let qs = &b[6..22];
    for j in 0..16 {
        let h0 = ((qh >> j) << 4) & 0x10;
        let h1 = (qh >> (j + 12)) & 0x10;
        let x0 = (u32::from(qs[j] & 0x0F) | h0) as i32 - 16;
        let x1 = (u32::from(qs[j] >> 4) | h1) as i32 - 16;
        y[j] = x0 as f32 * d;
        y[j + 16] = x1 as f32 * d;
    }
}

fn q5_1(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let m = half_at(b, 2);
    let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    let qs = &b[8..24];
    for j in 0..16 {
        let h0 = ((qh >> j) << 4) & 0x10;
        let h1 = (qh >> (j + 12)) & 0x10;
        y[j] = (u32::from(qs[j] & 0x0F) | h0) as f32 * d + m;
        y[j + 16] = (u32::from(qs[j] >> 4) | h1) as f32 * d + m;
    }
}

fn q8_0(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let (Some(qs), Some(y)) = (b.get(2..34), y.get_mut(..32)) else {
        return;
    };
    for (y, &q) in y.iter_mut().zip(qs) {
        *y = f32::from(q as i8) * d;
    }
}

fn q2_k(b: &[u8], y: &mut [f32]) {
    let (scales, rest) = b.split_at(16);
    let (qs, dm) = rest.split_at(64);
    let d = half_at(dm, 0);
    let min = half_at(dm, 2);
    let mut is = 0;
    let mut out = 0;
    for n in 0..2 {
        let q = &qs[32 * n..32 * n + 32];
        for shift in [0, 2, 4, 6] {
            for half in 0..2 {
                let sc = scales[is];
                is += 1;
                let dl = d * f32::from(sc & 0xF);
                let ml = min * f32::from(sc >> 4);
                for l in 0..16 {
                    y[out] = dl * f32::from((q[l + 16 * half] >> shift) & 3) - ml;
                    out += 1;
                }
            }
        }
    }
}

/// Q3_K's sixteen 6-bit scales, unpacked from 12 bytes as `dequantize_row_q3_K` does.
pub fn q3_k_scales(packed: &[u8]) -> [i8; 16] {
    let mut aux = [0u32; 3];
    for (i, a) in aux.iter_mut().enumerate() {
        *a = u32::from_le_bytes([
            packed[4 * i],
            packed[4 * i + 1],
            packed[4 * i + 2],
            packed[4 * i + 3],
        ]);
    }
    const M1: u32 = 0x0303_0303;
    const M2: u32 = 0x0f0f_0f0f;
    let tmp = aux[2];
    let words = [
        (aux[0] & M2) | ((tmp & M1) << 4),
        (aux[1] & M2) | (((tmp >> 2) & M1) << 4),
        ((aux[0] >> 4) & M2) | (((tmp >> 4) & M1) << 4),
        ((aux[1] >> 4) & M2) | (((tmp >> 6) & M1) << 4),
    ];
    let mut s = [0i8; 16];
    for (i, w) in words.iter().enumerate() {
        for (k, byte) in w.to_le_bytes().iter().enumerate() {
            s[4 * i + k] = *byte as i8;
        }
    }
    s
}

fn q3_k(b: &[u8], y: &mut [f32]) {
    let hm = &b[0..32];
    let qs = &b[32..96];
    let scales = q3_k_scales(&b[96..108]);
    let d_all = half_at(b, 108);
    let mut is = 0;
    let mut out = 0;
    let mut m = 1u8;
    for n in 0..2 {
        let q = &qs[32 * n..32 * n + 32];
        for shift in [0, 2, 4, 6] {
            for half in 0..2 {
                let dl = d_all * f32::from(i16::from(scales[is]) - 32);
                is += 1;
                for l in 0..16 {
                    let i = l + 16 * half;
                    let low = i16::from((q[i] >> shift) & 3);
                    let high = if hm[i] & m != 0 { 0 } else { 4 };
                    y[out] = dl * f32::from(low - high);
                    out += 1;
                }
            }
            m <<= 1;
        }
    }
}

/// The K-quants' `get_scale_min_k4`: sub-block `j`'s 6-bit scale and min from 12 bytes.
pub fn scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

fn q4_k(b: &[u8], y: &mut [f32]) {
    let (Ok(b), Ok(y)) = (<&[u8; 144]>::try_from(b), <&mut [f32; 256]>::try_from(y)) else {
        return;
    };
    let d = half_at(b, 0);
    let min = half_at(b, 2);
    let scales = &b[4..16];
    let qs = &b[16..144];
    for (chunk, j) in (0..QK_K).step_by(64).enumerate() {
        let q = &qs[32 * chunk..32 * chunk + 32];
        let (sc, m) = scale_min_k4(2 * chunk, scales);
        let (d1, m1) = (d * f32::from(sc), min * f32::from(m));
        let (sc, m) = scale_min_k4(2 * chunk + 1, scales);
        let (d2, m2) = (d * f32::from(sc), min * f32::from(m));
        for l in 0..32 {
            y[j + l] = d1 * f32::from(q[l] & 0xF) - m1;
            y[j + 32 + l] = d2 * f32::from(q[l] >> 4) - m2;
        }
    }
}

fn q5_k(b: &[u8], y: &mut [f32]) {
    let (Ok(b), Ok(y)) = (<&[u8; 176]>::try_from(b), <&mut [f32; 256]>::try_from(y)) else {
        return;
    };
    let d = half_at(b, 0);
    let min = half_at(b, 2);
    let scales = &b[4..16];
    let qh = &b[16..48];
    let qs = &b[48..176];
    let (mut u1, mut u2) = (1u8, 2u8);
    for (chunk, j) in (0..QK_K).step_by(64).enumerate() {
        let ql = &qs[32 * chunk..32 * chunk + 32];
        let (sc, m) = scale_min_k4(2 * chunk, scales);
        let (d1, m1) = (d * f32::from(sc), min * f32::from(m));
        let (sc, m) = scale_min_k4(2 * chunk + 1, scales);
        let (d2, m2) = (d * f32::from(sc), min * f32::from(m));
        for l in 0..32 {
            let h1 = if qh[l] & u1 != 0 { 16 } else { 0 };
            let h2 = if qh[l] & u2 != 0 { 16 } else { 0 };
            y[j + l] = d1 * f32::from((ql[l] & 0xF) + h1) - m1;
            y[j + 32 + l] = d2 * f32::from((ql[l] >> 4) + h2) - m2;
        }
        u1 <<= 2;
        u2 <<= 2;
    }
}

fn q6_k(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 208);
    for n in 0..2 {
        let ql = &b[64 * n..64 * n + 64];
        let qh = &b[128 + 32 * n..128 + 32 * n + 32];
        let sc = &b[192 + 8 * n..192 + 8 * n + 8];
        let y = &mut y[128 * n..128 * n + 128];
        for l in 0..32 {
            let is = l / 16;
            let q1 = i16::from((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32;
            let q2 = i16::from((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
            let q3 = i16::from((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
            let q4 = i16::from((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            let s = |k: usize| f32::from(sc[is + k] as i8);
            y[l] = d * s(0) * f32::from(q1);
            y[l + 32] = d * s(2) * f32::from(q2);
            y[l + 64] = d * s(4) * f32::from(q3);
            y[l + 96] = d * s(6) * f32::from(q4);
        }
    }
}

fn q8_k(b: &[u8], y: &mut [f32]) {
    let d = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    for j in 0..QK_K {
        y[j] = d * f32::from(b[4 + j] as i8);
    }
}

/// Byte `j` of grid entry `g` (the grids are arrays of bytes, little-endian in a word).
fn grid_byte(g: u64, j: usize) -> f32 {
    f32::from(((g >> (8 * j)) & 0xFF) as u8)
}

fn sign(signs: u8, j: usize) -> f32 {
    if signs & KMASK_IQ2XS[j] != 0 {
        -1.0
    } else {
        1.0
    }
}

fn iq2_xxs(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    for ib in 0..8 {
        let q = &b[2 + 8 * ib..2 + 8 * ib + 8];
        let aux1 = u32::from_le_bytes([q[4], q[5], q[6], q[7]]);
        let db = d * (0.5 + (aux1 >> 28) as f32) * 0.25;
        for l in 0..4 {
            let grid = IQ2XXS_GRID[usize::from(q[l])];
            let signs = KSIGNS_IQ2XS[((aux1 >> (7 * l)) & 127) as usize];
            for j in 0..8 {
                y[32 * ib + 8 * l + j] = db * grid_byte(grid, j) * sign(signs, j);
            }
        }
    }
}

fn iq2_xs(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let scales = &b[66..74];
    for ib in 0..8 {
        let db = [
            d * (0.5 + f32::from(scales[ib] & 0xF)) * 0.25,
            d * (0.5 + f32::from(scales[ib] >> 4)) * 0.25,
        ];
        for l in 0..4 {
            let at = 2 + 2 * (4 * ib + l);
            let q = u16::from_le_bytes([b[at], b[at + 1]]);
            let grid = IQ2XS_GRID[usize::from(q & 511)];
            let signs = KSIGNS_IQ2XS[usize::from(q >> 9)];
            for j in 0..8 {
                y[32 * ib + 8 * l + j] = db[l / 2] * grid_byte(grid, j) * sign(signs, j);
            }
        }
    }
}

fn iq2_s(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let qs = &b[2..34];
    let signs = &b[34..66];
    let qh = &b[66..74];
    let scales = &b[74..82];
    for ib in 0..8 {
        let db = [
            d * (0.5 + f32::from(scales[ib] & 0xF)) * 0.25,
            d * (0.5 + f32::from(scales[ib] >> 4)) * 0.25,
        ];
        for l in 0..4 {
            let idx = usize::from(qs[4 * ib + l]) | ((usize::from(qh[ib]) << (8 - 2 * l)) & 0x300);
            let grid = IQ2S_GRID[idx];
            let s = signs[4 * ib + l];
            for j in 0..8 {
                y[32 * ib + 8 * l + j] = db[l / 2] * grid_byte(grid, j) * sign(s, j);
            }
        }
    }
}

fn iq3_xxs(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let qs = &b[2..66];
    let ss = &b[66..98];
    for ib in 0..8 {
        let aux = u32::from_le_bytes([ss[4 * ib], ss[4 * ib + 1], ss[4 * ib + 2], ss[4 * ib + 3]]);
        let db = d * (0.5 + (aux >> 28) as f32) * 0.5;
        let q = &qs[8 * ib..8 * ib + 8];
        for l in 0..4 {
            let signs = KSIGNS_IQ2XS[((aux >> (7 * l)) & 127) as usize];
            let g1 = u64::from(IQ3XXS_GRID[usize::from(q[2 * l])]);
            let g2 = u64::from(IQ3XXS_GRID[usize::from(q[2 * l + 1])]);
            for j in 0..4 {
                y[32 * ib + 8 * l + j] = db * grid_byte(g1, j) * sign(signs, j);
                y[32 * ib + 8 * l + j + 4] = db * grid_byte(g2, j) * sign(signs, j + 4);
            }
        }
    }
}

fn iq3_s(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let qs = &b[2..66];
    let qh = &b[66..74];
    let signs = &b[74..106];
    let scales = &b[106..110];
    for ib in 0..8 {
        let sc = scales[ib / 2];
        let nib = if ib % 2 == 0 { sc & 0xF } else { sc >> 4 };
        let db = d * f32::from(1 + 2 * u16::from(nib));
        let q = &qs[8 * ib..8 * ib + 8];
        let h = usize::from(qh[ib]);
        for l in 0..4 {
            let g1 = u64::from(IQ3S_GRID[usize::from(q[2 * l]) | ((h << (8 - 2 * l)) & 256)]);
            let g2 = u64::from(IQ3S_GRID[usize::from(q[2 * l + 1]) | ((h << (7 - 2 * l)) & 256)]);
            let s = signs[4 * ib + l];
            for j in 0..4 {
                y[32 * ib + 8 * l + j] = db * grid_byte(g1, j) * sign(s, j);
                y[32 * ib + 8 * l + j + 4] = db * grid_byte(g2, j) * sign(s, j + 4);
            }
        }
    }
}

/// Signed byte `j` of an IQ1 grid entry.
fn grid_i8(g: u64, j: usize) -> f32 {
    f32::from(((g >> (8 * j)) & 0xFF) as u8 as i8)
}

fn iq1_s(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let qs = &b[2..34];
    for ib in 0..8 {
        let qh = u16::from_le_bytes([b[34 + 2 * ib], b[35 + 2 * ib]]);
        let dl = d * f32::from(2 * ((qh >> 12) & 7) + 1);
        let delta = if qh & 0x8000 != 0 {
            -IQ1S_DELTA
        } else {
            IQ1S_DELTA
        };
        for l in 0..4 {
            let idx = usize::from(qs[4 * ib + l]) | (usize::from((qh >> (3 * l)) & 7) << 8);
            let grid = IQ1S_GRID[idx];
            for j in 0..8 {
                y[32 * ib + 8 * l + j] = dl * (grid_i8(grid, j) + delta);
            }
        }
    }
}

fn iq1_m(b: &[u8], y: &mut [f32]) {
    let qs = &b[0..32];
    let qh = &b[32..48];
    let sc: [u16; 4] = std::array::from_fn(|i| u16::from_le_bytes([b[48 + 2 * i], b[49 + 2 * i]]));
    let scale =
        (sc[0] >> 12) | ((sc[1] >> 8) & 0x00f0) | ((sc[2] >> 4) & 0x0f00) | (sc[3] & 0xf000);
    let d = f16::from_bits(scale).to_f32();
    for ib in 0..8 {
        let s = sc[ib / 2];
        let dl1 = d * f32::from(2 * ((s >> (6 * (ib % 2))) & 7) + 1);
        let dl2 = d * f32::from(2 * ((s >> (6 * (ib % 2) + 3)) & 7) + 1);
        let q = &qs[4 * ib..4 * ib + 4];
        let h = &qh[2 * ib..2 * ib + 2];
        let idx = [
            usize::from(q[0]) | ((usize::from(h[0]) << 8) & 0x700),
            usize::from(q[1]) | ((usize::from(h[0]) << 4) & 0x700),
            usize::from(q[2]) | ((usize::from(h[1]) << 8) & 0x700),
            usize::from(q[3]) | ((usize::from(h[1]) << 4) & 0x700),
        ];
        let delta = |bit: bool| if bit { -IQ1S_DELTA } else { IQ1S_DELTA };
        let deltas = [
            delta(h[0] & 0x08 != 0),
            delta(h[0] & 0x80 != 0),
            delta(h[1] & 0x08 != 0),
            delta(h[1] & 0x80 != 0),
        ];
        for l in 0..4 {
            let dl = if l < 2 { dl1 } else { dl2 };
            let grid = IQ1S_GRID[idx[l]];
            for j in 0..8 {
                y[32 * ib + 8 * l + j] = dl * (grid_i8(grid, j) + deltas[l]);
            }
        }
    }
}

fn iq4_nl(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    for j in 0..16 {
        y[j] = d * f32::from(KVALUES_IQ4NL[usize::from(b[2 + j] & 0xF)]);
        y[j + 16] = d * f32::from(KVALUES_IQ4NL[usize::from(b[2 + j] >> 4)]);
    }
}

fn iq4_xs(b: &[u8], y: &mut [f32]) {
    let d = half_at(b, 0);
    let scales_h = u16::from_le_bytes([b[2], b[3]]);
    let scales_l = &b[4..8];
    let qs = &b[8..136];
    for ib in 0..8 {
        let ls = ((scales_l[ib / 2] >> (4 * (ib % 2))) & 0xF) as i32
            | ((((scales_h >> (2 * ib)) & 3) as i32) << 4);
        let dl = d * (ls - 32) as f32;
        let q = &qs[16 * ib..16 * ib + 16];
        for j in 0..16 {
            y[32 * ib + j] = dl * f32::from(KVALUES_IQ4NL[usize::from(q[j] & 0xF)]);
            y[32 * ib + j + 16] = dl * f32::from(KVALUES_IQ4NL[usize::from(q[j] >> 4)]);
        }
    }
}

/// A TQ1_0 base-3 digit: byte `q` multiplied by 3^n (mod 256), then its top trit.
fn trit(q: u8, pow: u8) -> f32 {
    let q = q.wrapping_mul(pow);
    let xi = (u16::from(q) * 3) >> 8;
    f32::from(xi as i16 - 1)
}

fn tq1_0(b: &[u8], y: &mut [f32]) {
    let (Ok(b), Ok(y)) = (<&[u8; 54]>::try_from(b), <&mut [f32; 256]>::try_from(y)) else {
        return;
    };
    const POW3: [u8; 5] = [1, 3, 9, 27, 81];
    let qs = &b[0..48];
    let qh = &b[48..52];
    let d = half_at(b, 52);
    let mut out = 0;
    for pow in POW3 {
        for &q in &qs[0..32] {
            y[out] = trit(q, pow) * d;
            out += 1;
        }
    }
    for pow in POW3 {
        for &q in &qs[32..48] {
            y[out] = trit(q, pow) * d;
            out += 1;
        }
    }
    for pow in &POW3[..4] {
        for &q in qh {
            y[out] = trit(q, *pow) * d;
            out += 1;
        }
    }
}

fn tq2_0(b: &[u8], y: &mut [f32]) {
    let (Ok(b), Ok(y)) = (<&[u8; 66]>::try_from(b), <&mut [f32; 256]>::try_from(y)) else {
        return;
    };
    let d = half_at(b, 64);
    let mut out = 0;
    for j in (0..64).step_by(32) {
        for l in 0..4 {
            for m in 0..32 {
                let q = (b[j + m] >> (2 * l)) & 3;
                y[out] = f32::from(i16::from(q) - 1) * d;
                out += 1;
            }
        }
    }
}

fn mxfp4(b: &[u8], y: &mut [f32]) {
    let d = e8m0_half(b[0]);
    for j in 0..16 {
        y[j] = f32::from(KVALUES_MXFP4[usize::from(b[1 + j] & 0xF)]) * d;
        y[j + 16] = f32::from(KVALUES_MXFP4[usize::from(b[1 + j] >> 4)]) * d;
    }
}

fn nvfp4(b: &[u8], y: &mut [f32]) {
    for s in 0..4 {
        let d = ue4m3_half(b[s]);
        let q = &b[4 + 8 * s..4 + 8 * s + 8];
        for j in 0..8 {
            y[16 * s + j] = f32::from(KVALUES_MXFP4[usize::from(q[j] & 0xF)]) * d;
            y[16 * s + j + 8] = f32::from(KVALUES_MXFP4[usize::from(q[j] >> 4)]) * d;
        }
    }
}
