//! The K-quants' quantizers (Q2_K … Q6_K) as `ggml-quants.c`'s `quantize_row_q*_K_ref`, with
//! the scale searches they share (`make_qx_quants`, `make_q3_quants`, `make_qkx2_quants`):
//! the same float operations in the same order, so the blocks are ggml's, byte for byte.

// Ported from C index for index, so each line can be checked against ggml's.
#![allow(clippy::needless_range_loop)]

use super::dequant::{half_at, scale_min_k4};
use super::quant::{half_bytes, nearest_int};
use super::types::QK_K;

/// `GROUP_MAX_EPS`.
const GROUP_MAX_EPS: f32 = 1e-15;

/// `make_qx_quants` with `qw` NULL: symmetric levels −nmax … nmax−1 (stored + nmax) and the
/// scale, searched over 19 candidates.
fn make_qx_quants(n: usize, nmax: i32, x: &[f32], l: &mut [i8], rmse_type: i32) -> f32 {
    let (mut max, mut amax) = (0f32, 0f32);
    for &v in &x[..n] {
        if v.abs() > amax {
            amax = v.abs();
            max = v;
        }
    }
    if amax < GROUP_MAX_EPS {
        l[..n].fill(0);
        return 0.0;
    }
    let nmaxf = nmax as f32;
    let mut iscale = -nmaxf / max;
    let clamp = |v: i32| v.clamp(-nmax, nmax - 1);
    let weight = |xi: f32| match rmse_type {
        1 => xi * xi,
        2 => 1.0,
        3 => xi.abs(),
        _ => xi.abs().sqrt(),
    };
    if rmse_type == 0 {
        for i in 0..n {
            l[i] = (nmax + clamp(nearest_int(iscale * x[i]))) as i8;
        }
        return 1.0 / iscale;
    }
    let (mut sumlx, mut suml2) = (0f32, 0f32);
    for i in 0..n {
        let li = clamp(nearest_int(iscale * x[i]));
        l[i] = (li + nmax) as i8;
        let w = weight(x[i]);
        sumlx += w * x[i] * li as f32;
        suml2 += w * li as f32 * li as f32;
    }
    let mut scale = if suml2 != 0.0 { sumlx / suml2 } else { 0.0 };
    let mut best = scale * sumlx;
    for is in -9..=9 {
        if is == 0 {
            continue;
        }
        iscale = -(nmaxf + 0.1 * is as f32) / max;
        let (mut slx, mut sl2) = (0f32, 0f32);
        for i in 0..n {
            let li = clamp(nearest_int(iscale * x[i]));
            let w = weight(x[i]);
            slx += w * x[i] * li as f32;
            sl2 += w * li as f32 * li as f32;
        }
        if sl2 > 0.0 && slx * slx > best * sl2 {
            for i in 0..n {
                l[i] = (nmax + clamp(nearest_int(iscale * x[i]))) as i8;
            }
            scale = slx / sl2;
            best = scale * slx;
        }
    }
    scale
}

/// `make_q3_quants` with `do_rmse`: levels −nmax … nmax−1 (stored + nmax), refined five times.
fn make_q3_quants(x: &[f32], l: &mut [i8], nmax: i32) -> f32 {
    let n = x.len();
    let (mut max, mut amax) = (0f32, 0f32);
    for &v in x {
        if v.abs() > amax {
            amax = v.abs();
            max = v;
        }
    }
    if amax < GROUP_MAX_EPS {
        l[..n].fill(0);
        return 0.0;
    }
    let iscale = -(nmax as f32) / max;
    let clamp = |v: i32| v.clamp(-nmax, nmax - 1);
    let (mut sumlx, mut suml2) = (0f32, 0f32);
    for i in 0..n {
        let li = clamp(nearest_int(iscale * x[i]));
        l[i] = li as i8;
        let w = x[i] * x[i];
        sumlx += w * x[i] * li as f32;
        suml2 += w * li as f32 * li as f32;
    }
    for _ in 0..5 {
        let mut changed = 0;
        for i in 0..n {
            let w = x[i] * x[i];
            let li = f32::from(l[i]);
            let mut slx = sumlx - w * x[i] * li;
            if slx > 0.0 {
                let mut sl2 = suml2 - w * li * li;
                let new_l = clamp(nearest_int(x[i] * sl2 / slx));
                if new_l != i32::from(l[i]) {
                    slx += w * x[i] * new_l as f32;
                    sl2 += w * new_l as f32 * new_l as f32;
                    if sl2 > 0.0 && slx * slx * suml2 > sumlx * sumlx * sl2 {
                        l[i] = new_l as i8;
                        sumlx = slx;
                        suml2 = sl2;
                        changed += 1;
                    }
                }
            }
        }
        if changed == 0 {
            break;
        }
    }
    for v in l[..n].iter_mut() {
        *v += nmax as i8;
    }
    if suml2 > 0.0 { sumlx / suml2 } else { 0.0 }
}

/// `make_qkx2_quants`: levels 0 … nmax with a min, the scale and min searched over
/// `nstep + 1` candidates; returns (scale, the min as a positive offset).
#[allow(clippy::too_many_arguments)]
fn make_qkx2_quants(
    nmax: i32,
    x: &[f32],
    weights: &[f32],
    l: &mut [u8],
    rmin: f32,
    rdelta: f32,
    nstep: i32,
    use_mad: bool,
) -> (f32, f32) {
    let n = x.len();
    let mut laux = [0u8; 32];
    let (mut min, mut max) = (x[0], x[0]);
    let mut sum_w = weights[0];
    let mut sum_x = sum_w * x[0];
    for i in 1..n {
        if x[i] < min {
            min = x[i];
        }
        if x[i] > max {
            max = x[i];
        }
        let w = weights[i];
        sum_w += w;
        sum_x += w * x[i];
    }
    if min > 0.0 {
        min = 0.0;
    }
    if max == min {
        l[..n].fill(0);
        return (0.0, -min);
    }
    let nmaxf = nmax as f32;
    let mut iscale = nmaxf / (max - min);
    let mut scale = 1.0 / iscale;
    let err = |d: f32| if use_mad { d.abs() } else { d * d };
    let mut best_error = 0f32;
    for i in 0..n {
        let li = nearest_int(iscale * (x[i] - min)).clamp(0, nmax);
        l[i] = li as u8;
        let diff = scale * f32::from(l[i]) + min - x[i];
        best_error += weights[i] * err(diff);
    }
    if nstep < 1 {
        return (scale, -min);
    }
    for is in 0..=nstep {
        iscale = (rmin + rdelta * is as f32 + nmaxf) / (max - min);
        let (mut sum_l, mut sum_l2, mut sum_xl) = (0f32, 0f32, 0f32);
        for i in 0..n {
            let li = nearest_int(iscale * (x[i] - min)).clamp(0, nmax);
            laux[i] = li as u8;
            let w = weights[i];
            let lf = li as f32;
            sum_l += w * lf;
            sum_l2 += w * lf * lf;
            sum_xl += w * lf * x[i];
        }
        let d = sum_w * sum_l2 - sum_l * sum_l;
        if d > 0.0 {
            let mut this_scale = (sum_w * sum_xl - sum_x * sum_l) / d;
            let mut this_min = (sum_l2 * sum_x - sum_l * sum_xl) / d;
            if this_min > 0.0 {
                this_min = 0.0;
                this_scale = sum_xl / sum_l2;
            }
            let mut cur_error = 0f32;
            for i in 0..n {
                let diff = this_scale * f32::from(laux[i]) + this_min - x[i];
                cur_error += weights[i] * err(diff);
            }
            if cur_error < best_error {
                l[..n].copy_from_slice(&laux[..n]);
                best_error = cur_error;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    (scale, -min)
}

/// Q2_K: scales[16] | qs[64] | d | dmin.
pub(super) fn q2_k(x: &[f32], y: &mut [u8]) {
    let mut l = [0u8; QK_K];
    let mut scales = [0f32; 16];
    let mut mins = [0f32; 16];
    let mut weights = [0f32; 16];
    let (mut max_scale, mut max_min) = (0f32, 0f32);
    for j in 0..16 {
        let xb = &x[16 * j..16 * j + 16];
        for k in 0..16 {
            weights[k] = xb[k].abs();
        }
        let (s, m) = make_qkx2_quants(
            3,
            xb,
            &weights,
            &mut l[16 * j..16 * j + 16],
            -0.5,
            0.1,
            15,
            true,
        );
        scales[j] = s;
        mins[j] = m;
        if s > max_scale {
            max_scale = s;
        }
        if m > max_min {
            max_min = m;
        }
    }
    let q4scale = 15f32;
    let sc = &mut y[0..16];
    if max_scale > 0.0 {
        let iscale = q4scale / max_scale;
        for j in 0..16 {
            sc[j] = nearest_int(iscale * scales[j]) as u8;
        }
    } else {
        sc.fill(0);
    }
    let d = if max_scale > 0.0 {
        max_scale / q4scale
    } else {
        0.0
    };
    y[80..82].copy_from_slice(&half_bytes(d));
    if max_min > 0.0 {
        let iscale = q4scale / max_min;
        for j in 0..16 {
            let li = nearest_int(iscale * mins[j]);
            y[j] |= (li << 4) as u8;
        }
        y[82..84].copy_from_slice(&half_bytes(max_min / q4scale));
    } else {
        y[82..84].copy_from_slice(&half_bytes(0.0));
    }
    let (d, dmin) = (half_at(y, 80), half_at(y, 82));
    for j in 0..16 {
        let dj = d * f32::from(y[j] & 0xF);
        if dj == 0.0 {
            continue;
        }
        let dm = dmin * f32::from(y[j] >> 4);
        for ii in 0..16 {
            let li = nearest_int((x[16 * j + ii] + dm) / dj);
            l[16 * j + ii] = li.clamp(0, 3) as u8;
        }
    }
    for j in (0..QK_K).step_by(128) {
        for k in 0..32 {
            y[16 + j / 4 + k] =
                l[j + k] | (l[j + k + 32] << 2) | (l[j + k + 64] << 4) | (l[j + k + 96] << 6);
        }
    }
}

/// Q3_K: hmask[32] | qs[64] | scales[12] | d.
pub(super) fn q3_k(x: &[f32], y: &mut [u8]) {
    let mut l = [0i8; QK_K];
    let mut scales = [0f32; 16];
    let (mut max_scale, mut amax) = (0f32, 0f32);
    for j in 0..16 {
        scales[j] = make_q3_quants(&x[16 * j..16 * j + 16], &mut l[16 * j..16 * j + 16], 4);
        if scales[j].abs() > amax {
            amax = scales[j].abs();
            max_scale = scales[j];
        }
    }
    y.fill(0);
    if max_scale != 0.0 {
        let iscale = -32.0 / max_scale;
        for j in 0..16 {
            // int8_t l = nearest_int(...): kept to 8 bits, then clamped and offset.
            let li = (nearest_int(iscale * scales[j]) as i8).clamp(-32, 31) + 32;
            if j < 8 {
                y[96 + j] = (li & 0xF) as u8;
            } else {
                y[96 + j - 8] |= ((li & 0xF) << 4) as u8;
            }
            let hi = li >> 4;
            y[96 + j % 4 + 8] |= (hi << (2 * (j / 4))) as u8;
        }
        y[108..110].copy_from_slice(&half_bytes(1.0 / iscale));
    } else {
        y[108..110].copy_from_slice(&half_bytes(0.0));
    }
    let d_all = half_at(y, 108);
    for j in 0..16 {
        let low = if j < 8 {
            y[96 + j] & 0xF
        } else {
            y[96 + j - 8] >> 4
        };
        let sc = (low | (((y[96 + 8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) as i8 - 32;
        let d = d_all * f32::from(sc);
        if d == 0.0 {
            continue;
        }
        for ii in 0..16 {
            let li = nearest_int(x[16 * j + ii] / d).clamp(-4, 3);
            l[16 * j + ii] = (li + 4) as i8;
        }
    }
    let (mut m, mut hm) = (0usize, 1u8);
    for v in l.iter_mut() {
        if *v > 3 {
            y[m] |= hm;
            *v -= 4;
        }
        m += 1;
        if m == QK_K / 8 {
            m = 0;
            hm <<= 1;
        }
    }
    for j in (0..QK_K).step_by(128) {
        for k in 0..32 {
            let q = |o: usize| l[j + k + o] as u8;
            y[32 + j / 4 + k] = q(0) | (q(32) << 2) | (q(64) << 4) | (q(96) << 6);
        }
    }
}

/// The eight sub-block scales and mins of Q4_K / Q5_K, searched and packed into 12 bytes;
/// d and dmin written; returns the levels (0 … nmax) after the final pass.
fn k_scales_mins(x: &[f32], y: &mut [u8], nmax: i32, rmin: f32, nstep: i32) -> [u8; QK_K] {
    let mut l = [0u8; QK_K];
    let mut scales = [0f32; 8];
    let mut mins = [0f32; 8];
    let mut weights = [0f32; 32];
    let (mut max_scale, mut max_min) = (0f32, 0f32);
    for j in 0..8 {
        let xb = &x[32 * j..32 * j + 32];
        let mut sum_x2 = 0f32;
        for &v in xb {
            sum_x2 += v * v;
        }
        let av_x = (sum_x2 / 32.0).sqrt();
        for k in 0..32 {
            weights[k] = av_x + xb[k].abs();
        }
        let (s, m) = make_qkx2_quants(
            nmax,
            xb,
            &weights,
            &mut l[32 * j..32 * j + 32],
            rmin,
            0.1,
            nstep,
            false,
        );
        scales[j] = s;
        mins[j] = m;
        if s > max_scale {
            max_scale = s;
        }
        if m > max_min {
            max_min = m;
        }
    }
    let inv_scale = if max_scale > 0.0 {
        63.0 / max_scale
    } else {
        0.0
    };
    let inv_min = if max_min > 0.0 { 63.0 / max_min } else { 0.0 };
    let sc = &mut y[4..16];
    sc.fill(0);
    for j in 0..8 {
        let ls = (nearest_int(inv_scale * scales[j]) as u8).min(63);
        let lm = (nearest_int(inv_min * mins[j]) as u8).min(63);
        if j < 4 {
            sc[j] = ls;
            sc[j + 4] = lm;
        } else {
            sc[j + 4] = (ls & 0xF) | ((lm & 0xF) << 4);
            sc[j - 4] |= (ls >> 4) << 6;
            sc[j] |= (lm >> 4) << 6;
        }
    }
    y[0..2].copy_from_slice(&half_bytes(max_scale / 63.0));
    y[2..4].copy_from_slice(&half_bytes(max_min / 63.0));
    let (d_all, dmin_all) = (half_at(y, 0), half_at(y, 2));
    for j in 0..8 {
        let (s, m) = scale_min_k4(j, &y[4..16]);
        let d = d_all * f32::from(s);
        if d == 0.0 {
            continue;
        }
        let dm = dmin_all * f32::from(m);
        for ii in 0..32 {
            let li = nearest_int((x[32 * j + ii] + dm) / d);
            l[32 * j + ii] = li.clamp(0, nmax) as u8;
        }
    }
    l
}

/// Q4_K: d | dmin | scales[12] | qs[128].
pub(super) fn q4_k(x: &[f32], y: &mut [u8]) {
    let l = k_scales_mins(x, y, 15, -1.0, 20);
    for (chunk, j) in (0..QK_K).step_by(64).enumerate() {
        for k in 0..32 {
            y[16 + 32 * chunk + k] = l[j + k] | (l[j + k + 32] << 4);
        }
    }
}

/// Q5_K: d | dmin | scales[12] | qh[32] | qs[128].
pub(super) fn q5_k(x: &[f32], y: &mut [u8]) {
    let l = k_scales_mins(x, y, 31, -0.5, 15);
    y[16..48].fill(0);
    let (mut m1, mut m2) = (1u8, 2u8);
    for (chunk, n) in (0..QK_K).step_by(64).enumerate() {
        for j in 0..32 {
            let mut l1 = l[n + j];
            if l1 > 15 {
                l1 -= 16;
                y[16 + j] |= m1;
            }
            let mut l2 = l[n + j + 32];
            if l2 > 15 {
                l2 -= 16;
                y[16 + j] |= m2;
            }
            y[48 + 32 * chunk + j] = l1 | (l2 << 4);
        }
        m1 <<= 2;
        m2 <<= 2;
    }
}

/// Q6_K: ql[128] | qh[64] | scales[16] | d.
pub(super) fn q6_k(x: &[f32], y: &mut [u8]) {
    let mut l = [0i8; QK_K];
    let mut scales = [0f32; 16];
    let (mut max_scale, mut max_abs_scale) = (0f32, 0f32);
    for ib in 0..16 {
        let s = make_qx_quants(
            16,
            32,
            &x[16 * ib..16 * ib + 16],
            &mut l[16 * ib..16 * ib + 16],
            1,
        );
        scales[ib] = s;
        if s.abs() > max_abs_scale {
            max_abs_scale = s.abs();
            max_scale = s;
        }
    }
    if max_abs_scale < GROUP_MAX_EPS {
        y.fill(0);
        return;
    }
    let iscale = -128.0 / max_scale;
    y[208..210].copy_from_slice(&half_bytes(1.0 / iscale));
    for ib in 0..16 {
        y[192 + ib] = nearest_int(iscale * scales[ib]).min(127) as i8 as u8;
    }
    let d_all = half_at(y, 208);
    for j in 0..16 {
        let d = d_all * f32::from(y[192 + j] as i8);
        if d == 0.0 {
            continue;
        }
        for ii in 0..16 {
            let li = nearest_int(x[16 * j + ii] / d).clamp(-32, 31);
            l[16 * j + ii] = (li + 32) as i8;
        }
    }
    for (half, j) in (0..QK_K).step_by(128).enumerate() {
        let ql = 64 * half;
        let qh = 128 + 32 * half;
        for k in 0..32 {
            let q = |o: usize| l[j + k + o] as u8;
            y[ql + k] = (q(0) & 0xF) | ((q(64) & 0xF) << 4);
            y[ql + k + 32] = (q(32) & 0xF) | ((q(96) & 0xF) << 4);
            y[qh + k] =
                (q(0) >> 4) | ((q(32) >> 4) << 2) | ((q(64) >> 4) << 4) | ((q(96) >> 4) << 6);
        }
    }
}
