//! Depthwise convolution (one K×K filter per channel, `groups == channels`), computed
//! directly. candle splits a grouped convolution into one convolution per group and joins
//! the results, which for MobileNet-style depthwise layers means hundreds of tiny
//! convolutions per layer; this does the same arithmetic in one pass over the data.
//!
//! Sums run in f32 in the order (ky, kx) for each output and the result is rounded once to
//! the input's dtype, as PyTorch's CPU kernels accumulate half-precision convolutions.

use super::conv::{Geometry, with_f32_values};
use super::fused::Epilogue;
use candle_core::{DType, Result, Tensor};

/// `x` [B, C, H, W] convolved with `w` [C, 1, K, K] (one filter per channel), zero padding
/// `padding`, stride `stride`, no dilation. The result has `x`'s dtype.
pub fn depthwise_conv2d(x: &Tensor, w: &Tensor, padding: usize, stride: usize) -> Result<Tensor> {
    depthwise_conv2d_then(x, w, padding, stride, None)
}

/// [`depthwise_conv2d`], then `epilogue` (a per-channel bias, SiLU) on each output plane
/// right after it is computed, in f32 (before the result is rounded to `x`'s dtype).
pub fn depthwise_conv2d_then(
    x: &Tensor,
    w: &Tensor,
    padding: usize,
    stride: usize,
    epilogue: Option<&Epilogue>,
) -> Result<Tensor> {
    let (b, c, h, wd) = x.dims4()?;
    let (wc, one, k, k2) = w.dims4()?;
    if wc != c || one != 1 || k != k2 || stride == 0 {
        candle_core::bail!(
            "depthwise conv2d needs a [{c}, 1, K, K] kernel and a stride ≥ 1, got {:?} and {stride}",
            w.dims()
        );
    }
    let geometry = Geometry::new(h, wd, k, padding, stride)?;
    let (ho, wo) = (geometry.ho, geometry.wo);
    let dtype = x.dtype();
    let ws = w.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
    let mut out = vec![0f32; b * c * ho * wo];
    let plane = ho * wo;
    let planes: Vec<(usize, &mut [f32])> = out.chunks_mut(plane.max(1)).enumerate().collect();
    // The input read where it lies (an f32 tensor is not copied first).
    with_f32_values(x, |xs| {
        crate::platform::run_parts(crate::platform::split_parts(planes), |mine| {
            let mut scratch = Vec::new();
            for (index, o) in mine {
                let ch = index % c;
                let input = &xs[index * h * wd..(index + 1) * h * wd];
                let filter = &ws[ch * k * k..(ch + 1) * k * k];
                geometry.plane_any(input, filter, o, &mut scratch);
                if let Some(e) = epilogue {
                    e.apply(o, ch, 0);
                }
            }
            false
        })
    })?;
    Tensor::from_vec(out, (b, c, ho, wo), x.device())?.to_dtype(dtype)
}

impl Geometry {
    /// [`Geometry::plane`] with 8-lane vectors where the CPU has them (the same arithmetic in
    /// the same order, so the same results).
    fn plane_any(&self, input: &[f32], filter: &[f32], out: &mut [f32], scratch: &mut Vec<f32>) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { self.plane_avx2(input, filter, out, scratch) };
        }
        self.plane(input, filter, out, scratch)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn plane_avx2(
        &self,
        input: &[f32],
        filter: &[f32],
        out: &mut [f32],
        scratch: &mut Vec<f32>,
    ) {
        self.plane(input, filter, out, scratch)
    }

    /// One channel: `input` [H, W] with `filter` [K, K] into `out` [Ho, Wo]: the common
    /// 3×3 / stride 1 / padding 1 in registers, anything else tap by tap.
    #[inline(always)]
    fn plane(&self, input: &[f32], filter: &[f32], out: &mut [f32], scratch: &mut Vec<f32>) {
        if self.stride == 1 && self.k == 3 && self.padding == 1 && self.w >= 3 {
            return self.plane_3x3(input, filter, out);
        }
        if self.stride == 2 && self.k == 3 && self.padding == 1 && self.w >= 4 {
            return self.plane_3x3_s2(input, filter, out, scratch);
        }
        self.plane_taps(input, filter, out, scratch)
    }

    /// [`Geometry::plane`] for the common 3×3, stride 1, padding 1: each output is summed in
    /// registers over its nine taps, in the same (ky, kx) order (so the same value), and
    /// written once, instead of nine passes over the output row.
    #[inline(always)]
    fn plane_3x3(&self, input: &[f32], f: &[f32], out: &mut [f32]) {
        let (h, w) = (self.h, self.w);
        let row = |iy: isize| -> Option<&[f32]> {
            (0..h as isize)
                .contains(&iy)
                .then(|| &input[iy as usize * w..(iy as usize + 1) * w])
        };
        for oy in 0..h {
            let rows = [row(oy as isize - 1), row(oy as isize), row(oy as isize + 1)];
            let o = &mut out[oy * w..(oy + 1) * w];
            // Any output with a tap outside the image: the taps that fall inside, in order.
            let edge = |ox: usize| -> f32 {
                let mut acc = 0f32;
                for (ky, r) in rows.iter().enumerate() {
                    let Some(r) = r else { continue };
                    for kx in 0..3 {
                        let ix = ox as isize + kx as isize - 1;
                        if (0..w as isize).contains(&ix) {
                            acc += f[ky * 3 + kx] * r[ix as usize];
                        }
                    }
                }
                acc
            };
            o[0] = edge(0);
            o[w - 1] = edge(w - 1);
            match rows {
                [Some(a), Some(b), Some(c)] => {
                    // Each input row seen at offsets 0, 1, 2 as slices of the interior's
                    // length, zipped: no bounds checks, so the loop vectorises.
                    let n = w - 2;
                    let (a0, a1, a2) = (&a[..n], &a[1..n + 1], &a[2..n + 2]);
                    let (b0, b1, b2) = (&b[..n], &b[1..n + 1], &b[2..n + 2]);
                    let (c0, c1, c2) = (&c[..n], &c[1..n + 1], &c[2..n + 2]);
                    for (i, y) in o[1..n + 1].iter_mut().enumerate() {
                        let mut acc = 0f32;
                        acc += f[0] * a0[i];
                        acc += f[1] * a1[i];
                        acc += f[2] * a2[i];
                        acc += f[3] * b0[i];
                        acc += f[4] * b1[i];
                        acc += f[5] * b2[i];
                        acc += f[6] * c0[i];
                        acc += f[7] * c1[i];
                        acc += f[8] * c2[i];
                        *y = acc;
                    }
                }
                _ => {
                    for (ox, y) in o.iter_mut().enumerate().take(w - 1).skip(1) {
                        *y = edge(ox);
                    }
                }
            }
        }
    }

    /// [`Geometry::plane`] for 3×3, stride 2, padding 1 (MobileNet's downsampling): the input
    /// split once into even and odd columns, then each output summed in registers over its
    /// nine taps in (ky, kx) order, as [`Geometry::plane_taps`] adds them.
    #[inline(always)]
    fn plane_3x3_s2(&self, input: &[f32], f: &[f32], out: &mut [f32], scratch: &mut Vec<f32>) {
        let (h, w, wo) = (self.h, self.w, self.wo);
        // Row r's even columns at [r·w, r·w + ne), its odd ones right after.
        let ne = w.div_ceil(2);
        scratch.resize(h * w, 0.0);
        for (row, split) in input.chunks_exact(w).zip(scratch.chunks_exact_mut(w)) {
            let (even, odd) = split.split_at_mut(ne);
            for (pair, (e, o)) in row.chunks_exact(2).zip(even.iter_mut().zip(odd.iter_mut())) {
                *e = pair[0];
                *o = pair[1];
            }
            if w % 2 == 1 {
                even[ne - 1] = row[w - 1];
            }
        }
        let phases = |iy: isize| -> Option<(&[f32], &[f32])> {
            (0..h as isize).contains(&iy).then(|| {
                let split = &scratch[iy as usize * w..(iy as usize + 1) * w];
                split.split_at(ne)
            })
        };
        // Outputs 1 .. interior have all three columns 2·ox − 1, 2·ox, 2·ox + 1 inside.
        let interior = (w / 2).min(wo);
        for oy in 0..self.ho {
            let iy = 2 * oy as isize - 1;
            let rows = [phases(iy), phases(iy + 1), phases(iy + 2)];
            let o = &mut out[oy * wo..(oy + 1) * wo];
            let edge = |ox: usize| -> f32 {
                let mut acc = 0f32;
                for (ky, r) in rows.iter().enumerate() {
                    let Some((even, odd)) = r else { continue };
                    for kx in 0..3 {
                        let ix = (2 * ox + kx) as isize - 1;
                        if (0..w as isize).contains(&ix) {
                            let ix = ix as usize;
                            let v = if ix.is_multiple_of(2) {
                                even[ix / 2]
                            } else {
                                odd[ix / 2]
                            };
                            acc += f[ky * 3 + kx] * v;
                        }
                    }
                }
                acc
            };
            o[0] = edge(0);
            for (ox, y) in o.iter_mut().enumerate().skip(interior.max(1)) {
                *y = edge(ox);
            }
            if interior <= 1 {
                continue;
            }
            let n = interior - 1;
            match rows {
                [Some(a), Some(b), Some(c)] => {
                    // Column 2·ox − 1 is odd[ox − 1], 2·ox is even[ox], 2·ox + 1 is odd[ox].
                    let (a0, a1, a2) = (&a.1[..n], &a.0[1..n + 1], &a.1[1..n + 1]);
                    let (b0, b1, b2) = (&b.1[..n], &b.0[1..n + 1], &b.1[1..n + 1]);
                    let (c0, c1, c2) = (&c.1[..n], &c.0[1..n + 1], &c.1[1..n + 1]);
                    for (i, y) in o[1..n + 1].iter_mut().enumerate() {
                        let mut acc = 0f32;
                        acc += f[0] * a0[i];
                        acc += f[1] * a1[i];
                        acc += f[2] * a2[i];
                        acc += f[3] * b0[i];
                        acc += f[4] * b1[i];
                        acc += f[5] * b2[i];
                        acc += f[6] * c0[i];
                        acc += f[7] * c1[i];
                        acc += f[8] * c2[i];
                        *y = acc;
                    }
                }
                _ => {
                    for (ox, y) in o.iter_mut().enumerate().take(interior).skip(1) {
                        *y = edge(ox);
                    }
                }
            }
        }
    }

    /// Any kernel and stride, tap by tap in (ky, kx) order, each tap a pass over the output
    /// row. With a stride, each input row is first split into its `stride` phases
    /// (`scratch`), so every inner loop runs over contiguous values.
    #[inline(always)]
    fn plane_taps(&self, input: &[f32], filter: &[f32], out: &mut [f32], scratch: &mut Vec<f32>) {
        let (s, p) = (self.stride, self.padding);
        // Phase r of a row holds its columns r, r + s, r + 2s, …
        let phase_len = self.w.div_ceil(s);
        if s > 1 {
            scratch.resize(s * phase_len, 0.0);
        }
        for oy in 0..self.ho {
            let row_out = &mut out[oy * self.wo..(oy + 1) * self.wo];
            for ky in 0..self.k {
                let iy = (oy * s + ky) as isize - p as isize;
                if iy < 0 || iy >= self.h as isize {
                    continue;
                }
                let row = &input[iy as usize * self.w..(iy as usize + 1) * self.w];
                let phases: &[f32] = if s == 1 {
                    row
                } else {
                    for (i, &v) in row.iter().enumerate() {
                        scratch[(i % s) * phase_len + i / s] = v;
                    }
                    scratch
                };
                for kx in 0..self.k {
                    let wv = filter[ky * self.k + kx];
                    // Outputs whose input column ox·s + kx − p lies inside the row.
                    let lo = p.saturating_sub(kx).div_ceil(s);
                    let hi = ((self.w + p).saturating_sub(kx)).div_ceil(s).min(self.wo);
                    if lo >= hi {
                        continue;
                    }
                    // Input column ox·s + kx − p = (lo·s + kx − p) + (ox − lo)·s: one phase.
                    let first = lo * s + kx - p;
                    let phase = &phases[(first % s) * phase_len + first / s..];
                    for (o, x) in row_out[lo..hi].iter_mut().zip(phase) {
                        *o += wv * x;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn check(b: usize, c: usize, h: usize, w: usize, k: usize, padding: usize, stride: usize) {
        let dev = Device::Cpu;
        let n = b * c * h * w;
        let xs: Vec<f32> = (0..n)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
            .collect();
        let ws: Vec<f32> = (0..c * k * k)
            .map(|i| ((i * 13 % 17) as f32 - 8.0) / 8.0)
            .collect();
        let x = Tensor::from_vec(xs, (b, c, h, w), &dev).unwrap();
        let wt = Tensor::from_vec(ws, (c, 1, k, k), &dev).unwrap();
        let ours = depthwise_conv2d(&x, &wt, padding, stride).unwrap();
        let candle = x.conv2d(&wt, padding, stride, 1, c).unwrap();
        assert_eq!(ours.dims(), candle.dims());
        let diff = crate::infer::conv::tests::max_diff(&ours, &candle);
        assert!(
            diff < 1e-5,
            "{b}×{c}×{h}×{w} k{k} p{padding} s{stride}: {diff}"
        );
    }

    #[test]
    fn the_3x3_paths_give_the_tap_by_tap_sums_bit_for_bit() {
        for (h, w, stride) in [
            (3, 3, 1),
            (5, 9, 1),
            (16, 16, 1),
            (4, 4, 2),
            (5, 9, 2),
            (9, 5, 2),
            (16, 16, 2),
            (7, 7, 2),
        ] {
            let g = Geometry::new(h, w, 3, 1, stride).unwrap();
            let input: Vec<f32> = (0..h * w)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
                .collect();
            let filter: Vec<f32> = (0..9).map(|i| (i as f32 - 4.3) / 3.0).collect();
            let plane = g.ho * g.wo;
            let (mut a, mut b) = (vec![f32::NAN; plane], vec![0f32; plane]);
            g.plane(&input, &filter, &mut a, &mut Vec::new());
            g.plane_taps(&input, &filter, &mut b, &mut Vec::new());
            assert_eq!(
                a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "{h}×{w} stride {stride}"
            );
        }
    }

    #[test]
    fn equals_candles_grouped_convolution() {
        check(1, 3, 8, 8, 3, 1, 1);
        check(2, 5, 9, 7, 3, 1, 2);
        check(1, 4, 6, 6, 3, 0, 1);
        check(1, 2, 7, 7, 5, 2, 1);
        check(1, 2, 7, 7, 5, 2, 2);
        check(1, 1, 3, 3, 3, 1, 3);
    }

    #[test]
    fn f16_input_gives_f16_output_rounded_once() {
        let dev = Device::Cpu;
        let x = Tensor::ones((1, 2, 4, 4), DType::F16, &dev).unwrap();
        let w = (Tensor::ones((2, 1, 3, 3), DType::F16, &dev).unwrap() * 0.1).unwrap();
        let y = depthwise_conv2d(&x, &w, 1, 1).unwrap();
        assert_eq!(y.dtype(), DType::F16);
        // The centre sums nine 0.0999755859375 (0.1 in f16) in f32: 0.8997802734375 → f16.
        let v: Vec<half::f16> = y.flatten_all().unwrap().to_vec1().unwrap();
        assert_eq!(
            v[5],
            half::f16::from_f32(9.0 * half::f16::from_f32(0.1).to_f32())
        );
    }

    #[test]
    fn bad_shapes_are_errors() {
        let dev = Device::Cpu;
        let x = Tensor::zeros((1, 2, 4, 4), DType::F32, &dev).unwrap();
        let w = Tensor::zeros((3, 1, 3, 3), DType::F32, &dev).unwrap();
        assert!(depthwise_conv2d(&x, &w, 1, 1).is_err());
        let w = Tensor::zeros((2, 1, 7, 7), DType::F32, &dev).unwrap();
        assert!(depthwise_conv2d(&x, &w, 0, 1).is_err());
    }
}
