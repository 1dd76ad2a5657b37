//! Quantizing f32 rows into ggml blocks, bit for bit as `ggml_quantize_chunk` does without an
//! importance matrix (what `llama-quantize` does without `--imatrix`): the same float
//! operations in the same order as `ggml-quants.c`'s `quantize_row_*_ref` (and, for IQ4_NL /
//! IQ4_XS, `quantize_iq4_nl` / `quantize_iq4_xs` with their 7-step scale search). The
//! K-quants' searches are in [`super::quant_k`]. References: ggml compiled without FMA
//! contraction (the portable build), checked on fixtures from scripts/make_gguf_fixtures.py.

// Ported from C index for index, so each line can be checked against ggml's.
#![allow(clippy::needless_range_loop)]

use super::dequant::{KVALUES_IQ4NL, KVALUES_MXFP4, e8m0_half};
use super::quant_k;
use super::types::{GgmlType, QK_K};
use half::f16;

/// `GGML_FP32_TO_FP16`: round to nearest even, little-endian bytes.
pub(super) fn half_bytes(x: f32) -> [u8; 2] {
    f16::from_f32(x).to_le_bytes()
}

/// ggml's `nearest_int`: round half to even by the 1.5·2²³ trick (|x| ≤ 4194303).
pub(super) fn nearest_int(fval: f32) -> i32 {
    let val = fval + 12_582_912.0;
    (val.to_bits() as i32 & 0x007f_ffff) - 0x0040_0000
}

/// C's `(int8_t)(x)` for the small values the quantizers convert (truncation toward zero).
fn trunc_i8(x: f32) -> i32 {
    x as i32
}

/// The ggml types [`quantize`] writes.
pub const QUANTIZABLE: [GgmlType; 15] = [
    GgmlType::Q4_0,
    GgmlType::Q4_1,
    GgmlType::Q5_0,
    GgmlType::Q5_1,
    GgmlType::Q8_0,
    GgmlType::Q2_K,
    GgmlType::Q3_K,
    GgmlType::Q4_K,
    GgmlType::Q5_K,
    GgmlType::Q6_K,
    GgmlType::IQ4_NL,
    GgmlType::IQ4_XS,
    GgmlType::TQ1_0,
    GgmlType::TQ2_0,
    GgmlType::MXFP4,
];

/// Quantize `x` (rows of `n_per_row` values) into type `t`: the blocks exactly as a GGUF file
/// stores them, row after row.
pub fn quantize(t: GgmlType, x: &[f32], n_per_row: usize) -> Result<Vec<u8>, String> {
    let bs = t.block_size();
    if n_per_row == 0 || !n_per_row.is_multiple_of(bs) {
        return Err(format!(
            "rows of {n_per_row} values are not whole {t} blocks of {bs}"
        ));
    }
    if !x.len().is_multiple_of(n_per_row) {
        return Err(format!(
            "{} values are not whole rows of {n_per_row}",
            x.len()
        ));
    }
    let mut out = vec![0u8; x.len() / bs * t.type_size()];
    quantize_into(t, x, &mut out)?;
    Ok(out)
}

/// Quantize `x` (whole blocks of `t`) into `out` (exactly their bytes), block by block; a
/// block holding a value that is not finite is an error (ggml's quantizers are undefined for
/// them).
pub(super) fn quantize_into(t: GgmlType, x: &[f32], out: &mut [u8]) -> Result<(), String> {
    let (bs, ts) = (t.block_size(), t.type_size());
    if !x.len().is_multiple_of(bs) || out.len() != x.len() / bs * ts {
        return Err(format!(
            "{} values do not fill {} bytes of {t}",
            x.len(),
            out.len()
        ));
    }
    // Each arm loops over the blocks with its own block function, inlined.
    macro_rules! each {
        ($f:expr) => {{
            for (xb, yb) in x.chunks_exact(bs).zip(out.chunks_exact_mut(ts)) {
                // One branch a block (the fold vectorises); the value is found only on error.
                if !xb.iter().fold(true, |ok, v| ok & v.is_finite()) {
                    let v = xb
                        .iter()
                        .find(|v| !v.is_finite())
                        .copied()
                        .unwrap_or(f32::NAN);
                    return Err(format!(
                        "a value is {v}: ggml's quantizers are defined for finite values only"
                    ));
                }
                $f(xb, yb);
            }
        }};
    }
    match t {
        GgmlType::Q4_0 => each!(q4_0),
        GgmlType::Q4_1 => each!(q4_1),
        GgmlType::Q5_0 => each!(q5_0),
        GgmlType::Q5_1 => each!(q5_1),
        GgmlType::Q8_0 => each!(q8_0),
        GgmlType::Q2_K => each!(quant_k::q2_k),
        GgmlType::Q3_K => each!(quant_k::q3_k),
        GgmlType::Q4_K => each!(quant_k::q4_k),
        GgmlType::Q5_K => each!(quant_k::q5_k),
        GgmlType::Q6_K => each!(quant_k::q6_k),
        GgmlType::IQ4_NL => each!(|x: &[f32], y: &mut [u8]| iq4(x, y, false)),
        GgmlType::IQ4_XS => each!(|x: &[f32], y: &mut [u8]| iq4(x, y, true)),
        GgmlType::TQ1_0 => each!(tq1_0),
        GgmlType::TQ2_0 => each!(tq2_0),
        GgmlType::MXFP4 => each!(mxfp4),
        other => return Err(format!("quantscope does not quantize into {other}")),
    }
    Ok(())
}

/// The value of largest magnitude (the first of equal ones) and that magnitude.
fn signed_max(x: &[f32]) -> (f32, f32) {
    // The largest magnitude in eight independent lanes, then the first value that has it —
    // what ggml's one-by-one loop keeps (all zeros: +0, as the loop never updates).
    let mut lanes = [0f32; 8];
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        for k in 0..8 {
            let a = c[k].abs();
            lanes[k] = if lanes[k] < a { a } else { lanes[k] };
        }
    }
    let mut amax = lanes
        .into_iter()
        .fold(0f32, |m, a| if m < a { a } else { m });
    for &v in chunks.remainder() {
        if amax < v.abs() {
            amax = v.abs();
        }
    }
    if amax == 0.0 {
        return (0.0, 0.0);
    }
    let max = x.iter().copied().find(|v| v.abs() == amax).unwrap_or(0.0);
    (max, amax)
}

fn min_max(x: &[f32]) -> (f32, f32) {
    // Eight independent lanes, then combined: the same values as ggml's one-by-one loop for
    // finite inputs, but for which of ±0 survives when the extreme is zero — then the loop.
    let (mut lo, mut hi) = ([f32::MAX; 8], [-f32::MAX; 8]);
    let mut chunks = x.chunks_exact(8);
    for c in &mut chunks {
        for k in 0..8 {
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
        }
    }
    let fold = |a: [f32; 8], pick: fn(f32, f32) -> f32| a.into_iter().fold(a[0], pick);
    let mut min = fold(lo, |m, v| if v < m { v } else { m });
    let mut max = fold(hi, |m, v| if v > m { v } else { m });
    for &v in chunks.remainder() {
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    if min == 0.0 || max == 0.0 {
        (min, max) = (f32::MAX, -f32::MAX);
        for &v in x {
            if v < min {
                min = v;
            }
            if v > max {
                max = v;
            }
        }
    }
    (min, max)
}

fn q4_0(x: &[f32], y: &mut [u8]) {
    // Fixed sizes: no bounds checks in the loops.
    let (Ok(x), Ok(y)) = (<&[f32; 32]>::try_from(x), <&mut [u8; 18]>::try_from(y)) else {
        return;
    };
    let (max, _) = signed_max(x);
    let d = max / -8.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    y[0..2].copy_from_slice(&half_bytes(d));
    for j in 0..16 {
        let x0 = trunc_i8(x[j] * id + 8.5).min(15);
        let x1 = trunc_i8(x[j + 16] * id + 8.5).min(15);
        y[2 + j] = (x0 as u8) | ((x1 as u8) << 4);
    }
}

fn q4_1(x: &[f32], y: &mut [u8]) {
    // Fixed sizes: no bounds checks in the loops.
    let (Ok(x), Ok(y)) = (<&[f32; 32]>::try_from(x), <&mut [u8; 20]>::try_from(y)) else {
        return;
    };
    let (min, max) = min_max(x);
    let d = (max - min) / 15.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    y[0..2].copy_from_slice(&half_bytes(d));
    y[2..4].copy_from_slice(&half_bytes(min));
    for j in 0..16 {
        let x0 = trunc_i8((x[j] - min) * id + 0.5).min(15);
        let x1 = trunc_i8((x[j + 16] - min) * id + 0.5).min(15);
        y[4 + j] = (x0 as u8) | ((x1 as u8) << 4);
    }
}

fn q5_0(x: &[f32], y: &mut [u8]) {
    // Fixed sizes: no bounds checks in the loops.
    let (Ok(x), Ok(y)) = (<&[f32; 32]>::try_from(x), <&mut [u8; 22]>::try_from(y)) else {
        return;
    };
    let (max, _) = signed_max(x);
    let d = max / -16.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    y[0..2].copy_from_slice(&half_bytes(d));
    let mut qh = 0u32;
    for j in 0..16 {
        let x0 = trunc_i8(x[j] * id + 16.5).min(31) as u32;
        let x1 = trunc_i8(x[j + 16] * id + 16.5).min(31) as u32;
        y[6 + j] = ((x0 & 0x0F) | ((x1 & 0x0F) << 4)) as u8;
        qh |= ((x0 & 0x10) >> 4) << j;
        qh |= ((x1 & 0x10) >> 4) << (j + 16);
    }
    y[2..6].copy_from_slice(&qh.to_le_bytes());
}

fn q5_1(x: &[f32], y: &mut [u8]) {
    // Fixed sizes: no bounds checks in the loops.
    let (Ok(x), Ok(y)) = (<&[f32; 32]>::try_from(x), <&mut [u8; 24]>::try_from(y)) else {
        return;
    };
    let (min, max) = min_max(x);
    let d = (max - min) / 31.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    y[0..2].copy_from_slice(&half_bytes(d));
    y[2..4].copy_from_slice(&half_bytes(min));
    let mut qh = 0u32;
    for j in 0..16 {
        // C's (uint8_t)(x0 + 0.5f): the values are 0…31.
        let x0 = ((x[j] - min) * id + 0.5) as u32 & 0xFF;
        let x1 = ((x[j + 16] - min) * id + 0.5) as u32 & 0xFF;
        y[8 + j] = ((x0 & 0x0F) | ((x1 & 0x0F) << 4)) as u8;
        qh |= ((x0 & 0x10) >> 4) << j;
        qh |= ((x1 & 0x10) >> 4) << (j + 16);
    }
    y[4..8].copy_from_slice(&qh.to_le_bytes());
}

fn q8_0(x: &[f32], y: &mut [u8]) {
    let amax = x.iter().fold(0f32, |a, v| a.max(v.abs()));
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    y[0..2].copy_from_slice(&half_bytes(d));
    for j in 0..32 {
        // roundf: half away from zero.
        y[2 + j] = ((x[j] * id).round() as i32) as i8 as u8;
    }
}

/// `best_index_mxfp4`: the code whose doubled E2M1 value times `e` is nearest `x` (the first
/// of equally near ones).
fn best_index_mxfp4(x: f32, e: f32) -> u8 {
    let mut best = 0;
    let mut best_err = (f32::from(KVALUES_MXFP4[0]) * e - x).abs();
    for (i, &k) in KVALUES_MXFP4.iter().enumerate().skip(1) {
        let err = (f32::from(k) * e - x).abs();
        if err < best_err {
            best = i;
            best_err = err;
        }
    }
    best as u8
}

fn mxfp4(x: &[f32], y: &mut [u8]) {
    let amax = x
        .iter()
        .fold(0f32, |a, v| if a < v.abs() { v.abs() } else { a });
    // (uint8_t)(floorf(log2f(amax)) - 2 + 127), as x86 converts it (through int32).
    let e = if amax > 0.0 {
        ((amax.log2().floor() - 2.0 + 127.0) as i32) as u8
    } else {
        0
    };
    let d = e8m0_half(e);
    y[0] = e;
    for j in 0..16 {
        y[1 + j] = best_index_mxfp4(x[j], d) | (best_index_mxfp4(x[j + 16], d) << 4);
    }
}

/// lroundf(v) + 1: a ternary digit 0, 1, 2.
fn ternary(v: f32) -> u8 {
    (v.round() as i32 + 1) as u8
}

fn tq1_0(x: &[f32], y: &mut [u8]) {
    let amax = x.iter().fold(0f32, |a, v| a.max(v.abs()));
    let d = amax;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    y[52..54].copy_from_slice(&half_bytes(d));
    let ceil_div = |q: u8| (u16::from(q) * 256).div_ceil(243) as u8;
    let mut off = 0;
    for m in 0..32 {
        let mut q = 0u8;
        for n in 0..5 {
            q = q
                .wrapping_mul(3)
                .wrapping_add(ternary(x[off + m + n * 32] * id));
        }
        y[m] = ceil_div(q);
    }
    off += 160;
    for m in 0..16 {
        let mut q = 0u8;
        for n in 0..5 {
            q = q
                .wrapping_mul(3)
                .wrapping_add(ternary(x[off + m + n * 16] * id));
        }
        y[32 + m] = ceil_div(q);
    }
    off += 80;
    for j in 0..4 {
        let mut q = 0u8;
        for m in 0..4 {
            q = q
                .wrapping_mul(3)
                .wrapping_add(ternary(x[off + j + m * 4] * id));
        }
        y[48 + j] = ceil_div(q.wrapping_mul(3));
    }
}

fn tq2_0(x: &[f32], y: &mut [u8]) {
    let amax = x.iter().fold(0f32, |a, v| a.max(v.abs()));
    let d = amax;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    y[64..66].copy_from_slice(&half_bytes(d));
    for j in (0..64).step_by(32) {
        let xs = &x[4 * j..4 * j + 128];
        for m in 0..32 {
            let mut q = 0u8;
            for n in 0..4 {
                q += (ternary(xs[m + n * 32] * id) & 3) << (2 * n);
            }
            y[j + m] = q;
        }
    }
}

/// `best_index_int8`: the nearest of the sorted `values` to `x` (binary search; a tie goes up).
pub(super) fn best_index_int8(values: &[i8; 16], x: f32) -> usize {
    let v = |i: usize| f32::from(values[i]);
    if x <= v(0) {
        return 0;
    }
    if x >= v(15) {
        return 15;
    }
    let (mut ml, mut mu) = (0, 15);
    while mu - ml > 1 {
        let mav = (ml + mu) / 2;
        if x < v(mav) {
            mu = mav;
        } else {
            ml = mav;
        }
    }
    if x - v(mu - 1) < v(mu) - x {
        mu - 1
    } else {
        mu
    }
}

/// `quantize_row_iq4_nl_impl` without weights and with `ntry` 7, for IQ4_NL (one block of
/// 32) or IQ4_XS (a super-block of 256 in eight blocks of 32, their 6-bit scales packed).
fn iq4(x: &[f32], y: &mut [u8], xs: bool) {
    const NTRY: i32 = 7;
    let values = &KVALUES_IQ4NL;
    let sbs = x.len();
    let nb = sbs / 32;
    let mut l = vec![0u8; sbs];
    let mut scales = [0f32; QK_K / 32];
    let mut weight = [0f32; 32];
    let (mut max_scale, mut amax_scale) = (0f32, 0f32);
    for ib in 0..nb {
        let xb = &x[32 * ib..32 * ib + 32];
        let lb = &mut l[32 * ib..32 * ib + 32];
        for j in 0..32 {
            weight[j] = xb[j] * xb[j];
        }
        let (mut amax, mut max) = (0f32, 0f32);
        for &v in xb {
            if v.abs() > amax {
                amax = v.abs();
                max = v;
            }
        }
        if amax < 1e-15 {
            scales[ib] = 0.0;
            continue;
        }
        let v0 = f32::from(values[0]);
        let mut d = -max / v0;
        let mut id = 1.0 / d;
        let (mut sumqx, mut sumq2) = (0f32, 0f32);
        for j in 0..32 {
            let al = id * xb[j];
            let k = best_index_int8(values, al);
            lb[j] = k as u8;
            let q = f32::from(values[k]);
            let w = weight[j];
            sumqx += w * q * xb[j];
            sumq2 += w * q * q;
        }
        d = if sumq2 > 0.0 { sumqx / sumq2 } else { 0.0 };
        let mut best = d * sumqx;
        for itry in -NTRY..=NTRY {
            id = (itry as f32 + v0) / max;
            let (mut sqx, mut sq2) = (0f32, 0f32);
            for j in 0..32 {
                let al = id * xb[j];
                let k = best_index_int8(values, al);
                let q = f32::from(values[k]);
                let w = weight[j];
                sqx += w * q * xb[j];
                sq2 += w * q * q;
            }
            if sq2 > 0.0 && sqx * sqx > best * sq2 {
                d = sqx / sq2;
                best = d * sqx;
            }
        }
        scales[ib] = d;
        if d.abs() > amax_scale {
            amax_scale = d.abs();
            max_scale = d;
        }
    }
    let qs_at;
    if xs {
        // d (2) | scales_h (2) | scales_l (4) | qs (128)
        let mut scales_h = 0u16;
        let mut scales_l = [0u8; 4];
        let d = -max_scale / 32.0;
        y[0..2].copy_from_slice(&half_bytes(d));
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        for ib in 0..nb {
            let mut li = nearest_int(id * scales[ib]).clamp(-32, 31);
            let dl = d * li as f32;
            let idl = if dl != 0.0 { 1.0 / dl } else { 0.0 };
            for j in 0..32 {
                l[32 * ib + j] = best_index_int8(values, idl * x[32 * ib + j]) as u8;
            }
            li += 32;
            let (l_l, l_h) = ((li & 0xF) as u8, (li >> 4) as u16);
            if ib % 2 == 0 {
                scales_l[ib / 2] = l_l;
            } else {
                scales_l[ib / 2] |= l_l << 4;
            }
            scales_h |= l_h << (2 * (ib % 8));
        }
        y[2..4].copy_from_slice(&scales_h.to_le_bytes());
        y[4..8].copy_from_slice(&scales_l);
        qs_at = 8;
    } else {
        y[0..2].copy_from_slice(&half_bytes(scales[0]));
        let id = if scales[0] != 0.0 {
            1.0 / scales[0]
        } else {
            0.0
        };
        for j in 0..sbs {
            l[j] = best_index_int8(values, id * x[j]) as u8;
        }
        qs_at = 2;
    }
    for i in 0..sbs / 32 {
        for j in 0..16 {
            y[qs_at + 16 * i + j] = l[32 * i + j] | (l[32 * i + 16 + j] << 4);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ggml's one-by-one loops, for the lane versions to be checked against.
    fn naive(x: &[f32]) -> ((f32, f32), (f32, f32)) {
        let (mut amax, mut max) = (0f32, 0f32);
        let (mut lo, mut hi) = (f32::MAX, -f32::MAX);
        for &v in x {
            if amax < v.abs() {
                amax = v.abs();
                max = v;
            }
            if v < lo {
                lo = v;
            }
            if v > hi {
                hi = v;
            }
        }
        ((max, amax), (lo, hi))
    }

    #[test]
    fn lane_extremes_are_the_loops_bits_signed_zeros_and_ties_included() {
        let pool = [
            0.0f32, -0.0, 1.5, -1.5, 0.25, -0.25, 3.0, -3.0, 1e-30, -1e-30,
        ];
        let mut seed = 12345u64;
        for _ in 0..20_000 {
            let x: Vec<f32> = (0..32)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let k = (seed >> 33) as usize
                        % if seed.is_multiple_of(3) {
                            2
                        } else {
                            pool.len()
                        };
                    pool[k]
                })
                .collect();
            let ((max, amax), (lo, hi)) = naive(&x);
            let (m, a) = signed_max(&x);
            assert_eq!(
                (m.to_bits(), a.to_bits()),
                (max.to_bits(), amax.to_bits()),
                "{x:?}"
            );
            let (l, h) = min_max(&x);
            assert_eq!(
                (l.to_bits(), h.to_bits()),
                (lo.to_bits(), hi.to_bits()),
                "{x:?}"
            );
        }
    }

    #[test]
    fn values_that_are_not_finite_are_refused_with_a_message() {
        let mut x = vec![0.5f32; 512];
        x[300] = f32::NAN;
        for t in QUANTIZABLE {
            let e = quantize(t, &x, 512).unwrap_err();
            assert!(
                e.contains("NaN") && e.contains("finite values only"),
                "{t}: {e}"
            );
        }
        x[300] = f32::INFINITY;
        assert!(
            quantize(GgmlType::Q8_0, &x, 512)
                .unwrap_err()
                .contains("inf")
        );
    }
}
