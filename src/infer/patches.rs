//! MobileViT's unfold (a feature map into patch sequences) and fold (back), each one copy
//! split over the threads. transformers spells each as two reshape/transpose steps, which
//! candle would run as two single-threaded strided copies; the values land in the same
//! places (a permutation moves numbers without changing them).

use candle_core::{DType, Result, Tensor};

/// `f` [B, C, nh·ps, nw·ps] → [B·ps², nh·nw, C]: row (b, py, px), column (ih, iw) holds
/// channel c of pixel (ih·ps + py, iw·ps + px).
pub fn unfold(f: &Tensor, ps: usize) -> Result<Tensor> {
    let (b, c, h, w) = f.dims4()?;
    let (nh, nw) = (h / ps, w / ps);
    let (area, np) = (ps * ps, nh * nw);
    if f.dtype() != DType::F32 || nh * ps != h || nw * ps != w {
        return f
            .reshape((b * c * nh, ps, nw, ps))?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b, c, np, area))?
            .transpose(1, 3)?
            .contiguous()?
            .reshape((b * area, np, c));
    }
    let mut out = vec![0f32; b * area * np * c];
    super::conv::with_f32_values(f, |xs| {
        // One output row (b, py, px, ih) of nw patches × C channels per item.
        let rows: Vec<(usize, &mut [f32])> = out.chunks_mut(nw * c).enumerate().collect();
        crate::platform::run_parts(crate::platform::split_parts(rows), |mine| {
            for (r, row) in mine {
                let ih = r % nh;
                let (px, py, bi) = (r / nh % ps, r / nh / ps % ps, r / nh / area);
                let y = ih * ps + py;
                for (iw, pixel) in row.chunks_mut(c).enumerate() {
                    let x = iw * ps + px;
                    for (ch, v) in pixel.iter_mut().enumerate() {
                        *v = xs[((bi * c + ch) * h + y) * w + x];
                    }
                }
            }
            false
        })
    })?;
    Tensor::from_vec(out, (b * area, np, c), f.device())
}

/// The inverse of [`unfold`]: `t` [B·ps², nh·nw, C] → [B, C, nh·ps, nw·ps].
pub fn fold(t: &Tensor, b: usize, nh: usize, nw: usize, ps: usize) -> Result<Tensor> {
    let c = t.dims3()?.2;
    let (area, np) = (ps * ps, nh * nw);
    let (h, w) = (nh * ps, nw * ps);
    if t.dtype() != DType::F32 {
        return t
            .reshape((b, area, np, c))?
            .transpose(1, 3)?
            .contiguous()?
            .reshape((b * c * nh, nw, ps, ps))?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b, c, h, w));
    }
    if t.dims3()? != (b * area, np, c) {
        candle_core::bail!("fold: {:?} is not [{}, {np}, {c}]", t.dims(), b * area);
    }
    let mut out = vec![0f32; b * c * h * w];
    super::conv::with_f32_values(t, |xs| {
        // One output image row (b, ch, y) per item.
        let rows: Vec<(usize, &mut [f32])> = out.chunks_mut(w).enumerate().collect();
        crate::platform::run_parts(crate::platform::split_parts(rows), |mine| {
            for (r, row) in mine {
                let (y, ch, bi) = (r % h, r / h % c, r / h / c);
                let (ih, py) = (y / ps, y % ps);
                for (x, v) in row.iter_mut().enumerate() {
                    let (iw, px) = (x / ps, x % ps);
                    let patch_row = bi * area + py * ps + px;
                    *v = xs[(patch_row * np + ih * nw + iw) * c + ch];
                }
            }
            false
        })
    })?;
    Tensor::from_vec(out, (b, c, h, w), t.device())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn unfold_and_fold_equal_transformers_reshapes_and_invert_each_other() {
        let dev = Device::Cpu;
        let (b, c, nh, nw, ps) = (2, 3, 4, 5, 2);
        let n = b * c * nh * ps * nw * ps;
        let f = Tensor::arange(0f32, n as f32, &dev)
            .unwrap()
            .reshape((b, c, nh * ps, nw * ps))
            .unwrap();
        let ours = unfold(&f, ps).unwrap();
        // The same steps in f64 take the reshape/transpose path.
        let theirs = unfold(&f.to_dtype(DType::F64).unwrap(), ps).unwrap();
        assert_eq!(ours.dims(), &[b * ps * ps, nh * nw, c]);
        let flat = |t: &Tensor| -> Vec<f64> {
            t.to_dtype(DType::F64)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1()
                .unwrap()
        };
        assert_eq!(flat(&ours), flat(&theirs));
        let back = fold(&ours, b, nh, nw, ps).unwrap();
        let back64 = fold(&theirs, b, nh, nw, ps).unwrap();
        assert_eq!(flat(&back), flat(&f));
        assert_eq!(flat(&back64), flat(&f));
    }
}
