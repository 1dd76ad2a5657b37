//! Dense convolutions as the matrix products they are, for the model files: 1×1 (stride 1)
//! is W[co, ci] · X[ci, h·w]; K×K builds the im2col matrix once and multiplies. candle's own
//! conv2d paths for these shapes run 2–3× slower on this machine than its matmul (measured
//! with `examples`-style timing: 8–20 GFLOP/s against 30–58).

use super::fused::Epilogue;
use candle_core::{DType, Result, Tensor};

/// Run `f` on the values of a contiguous f32 tensor in place (no copy), or on a contiguous
/// f32 copy of any other tensor.
pub(crate) fn with_f32_values<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R> {
    {
        let (storage, layout) = t.storage_and_layout();
        if let (candle_core::Storage::Cpu(candle_core::CpuStorage::F32(v)), Some((start, end))) =
            (&*storage, layout.contiguous_offsets())
        {
            return Ok(f(&v[start..end]));
        }
    }
    let copy = t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
    Ok(f(&copy))
}

/// `y`, then `epilogue` as a separate pass when the kernel could not apply it itself.
pub(crate) fn then(y: Tensor, epilogue: Option<&Epilogue>) -> Result<Tensor> {
    match epilogue {
        Some(e) => e.pass(y),
        None => Ok(y),
    }
}

/// A 1×1 convolution, stride 1, no groups: `x` [B, Ci, H, W], `w` [Co, Ci, 1, 1].
pub fn pointwise(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    pointwise_then(x, w, None)
}

/// [`pointwise`], then `epilogue` (a per-channel bias, SiLU) on each piece of the output as
/// it is computed.
pub fn pointwise_then(x: &Tensor, w: &Tensor, epilogue: Option<&Epilogue>) -> Result<Tensor> {
    let (b, ci, h, wd) = x.dims4()?;
    let co = w.dims()[0];
    let w2 = w.reshape((co, ci))?;
    let x3 = x.reshape((b, ci, h * wd))?;
    if b == 1 {
        let y = super::matmul::matmul_then(&w2, &x3.squeeze(0)?, epilogue)?;
        return y.reshape((b, co, h, wd));
    }
    then(w2.broadcast_matmul(&x3)?.reshape((b, co, h, wd))?, epilogue)
}

/// A K×K convolution (no groups, no dilation) of an f32 `x` [B, Ci, H, W] with `w`
/// [Co, Ci, K, K], zero padding `padding`, stride `stride`: im2col, then one matmul per image.
/// Other dtypes go to candle's conv2d.
pub fn dense(x: &Tensor, w: &Tensor, padding: usize, stride: usize) -> Result<Tensor> {
    dense_then(x, w, padding, stride, None)
}

/// [`dense`], then `epilogue` (a per-channel bias, SiLU) on each piece of the output as it
/// is computed.
pub fn dense_then(
    x: &Tensor,
    w: &Tensor,
    padding: usize,
    stride: usize,
    epilogue: Option<&Epilogue>,
) -> Result<Tensor> {
    let (b, ci, h, wd) = x.dims4()?;
    let (co, wci, k, k2) = w.dims4()?;
    if x.dtype() != DType::F32 || wci != ci || k != k2 || stride == 0 {
        return then(x.conv2d(w, padding, stride, 1, 1)?, epilogue);
    }
    let geometry = Geometry::new(h, wd, k, padding, stride)?;
    let (ho, wo) = (geometry.ho, geometry.wo);
    let w2 = w.reshape((co, ci * k * k))?;
    let cols = with_f32_values(x, |xs| {
        xs.chunks(ci * h * wd)
            .map(|image| geometry.im2col(image, ci))
            .collect::<Vec<_>>()
    })?;
    let mut outs = Vec::with_capacity(b);
    for col in cols {
        let col = Tensor::from_vec(col, (ci * k * k, ho * wo), x.device())?;
        outs.push(super::matmul::matmul_then(&w2, &col, epilogue)?.reshape((1, co, ho, wo))?);
    }
    Tensor::cat(&outs, 0)
}

/// Sizes of a convolution's input plane, square kernel and output plane.
pub(crate) struct Geometry {
    pub(crate) h: usize,
    pub(crate) w: usize,
    pub(crate) k: usize,
    pub(crate) padding: usize,
    pub(crate) stride: usize,
    pub(crate) ho: usize,
    pub(crate) wo: usize,
}

impl Geometry {
    /// An H×W input, a K×K kernel, zero padding and a stride ≥ 1; an error if the kernel
    /// does not fit the padded input.
    pub(crate) fn new(
        h: usize,
        w: usize,
        k: usize,
        padding: usize,
        stride: usize,
    ) -> Result<Geometry> {
        if stride == 0 || h + 2 * padding < k || w + 2 * padding < k {
            candle_core::bail!(
                "conv2d: a {k}×{k} kernel with stride {stride} does not fit a {h}×{w} input"
            );
        }
        Ok(Geometry {
            h,
            w,
            k,
            padding,
            stride,
            ho: (h + 2 * padding - k) / stride + 1,
            wo: (w + 2 * padding - k) / stride + 1,
        })
    }

    /// The [Ci·K·K, Ho·Wo] matrix whose row (c, ky, kx) holds input channel c shifted by
    /// (ky, kx), zeros where the window leaves the image; rows split over the threads.
    fn im2col(&self, image: &[f32], ci: usize) -> Vec<f32> {
        let (k, plane) = (self.k, self.ho * self.wo);
        let mut col = vec![0f32; ci * k * k * plane];
        let rows: Vec<(usize, &mut [f32])> = col.chunks_mut(plane.max(1)).enumerate().collect();
        crate::platform::run_parts(crate::platform::split_parts(rows), |mine| {
            for (r, out) in mine {
                let (c, ky, kx) = (r / (k * k), r / k % k, r % k);
                self.shifted(
                    &image[c * self.h * self.w..(c + 1) * self.h * self.w],
                    ky,
                    kx,
                    out,
                );
            }
            false
        });
        col
    }

    /// One im2col row: the input plane seen through kernel position (ky, kx).
    fn shifted(&self, plane: &[f32], ky: usize, kx: usize, out: &mut [f32]) {
        let (s, p) = (self.stride, self.padding);
        // Output columns whose input column ox·s + kx − p lies inside the row.
        let lo = p.saturating_sub(kx).div_ceil(s);
        let hi = (self.w + p).saturating_sub(kx).div_ceil(s).min(self.wo);
        for oy in 0..self.ho {
            let iy = (oy * s + ky) as isize - p as isize;
            if iy < 0 || iy >= self.h as isize || lo >= hi {
                continue;
            }
            let row = &plane[iy as usize * self.w..(iy as usize + 1) * self.w];
            let dst = &mut out[oy * self.wo + lo..oy * self.wo + hi];
            let first = lo * s + kx - p;
            if s == 1 {
                dst.copy_from_slice(&row[first..first + dst.len()]);
            } else {
                for (d, x) in dst.iter_mut().zip(row[first..].iter().step_by(s)) {
                    *d = *x;
                }
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use candle_core::Device;

    /// The largest |a − b| of two f32 tensors (shared with the depthwise tests).
    pub(crate) fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    }

    fn input(dims: (usize, usize, usize, usize), seed: usize) -> Tensor {
        let n = dims.0 * dims.1 * dims.2 * dims.3;
        let v: Vec<f32> = (0..n)
            .map(|i| (((i + seed) * 37 % 101) as f32 - 50.0) / 25.0)
            .collect();
        Tensor::from_vec(v, dims, &Device::Cpu).unwrap()
    }

    #[test]
    fn im2col_convolution_equals_candles() {
        for (b, ci, co, h, w, k, p, s) in [
            (1, 3, 16, 16, 16, 3, 1, 2),
            (1, 8, 4, 9, 7, 3, 1, 1),
            (2, 5, 6, 8, 8, 3, 0, 1),
            (1, 4, 3, 7, 7, 5, 2, 2),
            (1, 2, 2, 3, 3, 3, 1, 3),
        ] {
            let x = input((b, ci, h, w), 1);
            let wt = input((co, ci, k, k), 7);
            let ours = dense(&x, &wt, p, s).unwrap();
            let candle = x.conv2d(&wt, p, s, 1, 1).unwrap();
            assert_eq!(ours.dims(), candle.dims());
            assert!(
                max_diff(&ours, &candle) < 1e-4,
                "{b} {ci} {co} {h} {w} {k} {p} {s}"
            );
        }
    }

    #[test]
    fn pointwise_convolution_equals_candles() {
        for b in [1, 2] {
            let x = input((b, 6, 5, 4), 3);
            let wt = input((3, 6, 1, 1), 5);
            let ours = pointwise(&x, &wt).unwrap();
            let candle = x.conv2d(&wt, 0, 1, 1, 1).unwrap();
            assert_eq!(ours.dims(), candle.dims());
            assert!(max_diff(&ours, &candle) < 1e-4);
        }
    }

    #[test]
    fn half_precision_goes_to_candle() {
        let x = input((1, 2, 5, 5), 0).to_dtype(DType::F16).unwrap();
        let wt = input((3, 2, 3, 3), 1).to_dtype(DType::F16).unwrap();
        let y = dense(&x, &wt, 1, 1).unwrap();
        assert_eq!((y.dtype(), y.dims()), (DType::F16, &[1, 3, 5, 5][..]));
    }
}
