//! Matrix products of f32 tensors straight through `gemm` (the crate candle's own CPU matmul
//! calls), without what candle adds around it per call: a zero-filled output that gemm then
//! overwrites, and a look at the CPU count (files under /proc) to choose the threads.
//! The work is cut for the threads here (whole matrices of a batch, or a product's rows or
//! columns), each piece one single-threaded gemm call. Same gemm, same arithmetic per output:
//! the results equal candle's. Other dtypes go to candle's matmul.

use super::fused::Epilogue;
use candle_core::{CpuStorage, DType, Layout, Result, Storage, Tensor};
use gemm::{Parallelism, gemm};

/// A matrix operand: its values from `offset`, and its strides.
#[derive(Clone, Copy)]
struct Operand {
    offset: usize,
    /// Distance between consecutive matrices of the batch.
    batch: usize,
    rs: isize,
    cs: isize,
}

impl Operand {
    /// The strides of `layout` as a batch of matrices, if its batch dimensions are evenly
    /// spaced (as contiguous tensors and their transposes are); `None` otherwise.
    fn of(layout: &Layout) -> Option<Operand> {
        let (dims, strides) = (layout.dims(), layout.stride());
        let r = dims.len();
        if r < 2 {
            return None;
        }
        // Batch dimensions collapse into one stride when each outer one steps over all the
        // inner ones (dimensions of size 1 never step).
        let (mut batch, mut inner) = (None, 1usize);
        for i in (0..r - 2).rev() {
            if dims[i] == 1 {
                continue;
            }
            match batch {
                None => batch = Some(strides[i]),
                Some(step) if strides[i] != step * inner => return None,
                Some(_) => {}
            }
            inner *= dims[i];
        }
        Some(Operand {
            offset: layout.start_offset(),
            batch: batch.unwrap_or(0),
            rs: strides[r - 2] as isize,
            cs: strides[r - 1] as isize,
        })
    }
}

/// `a · b` over the last two dimensions, batch dimensions equal: gemm directly for f32 on
/// the CPU, candle's matmul otherwise (other dtypes, broadcast or irregular batches).
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    matmul_then(a, b, None)
}

/// [`matmul`], then `epilogue` (bias, SiLU) on each piece of the output as soon as it is
/// computed. Tensors candle multiplies get it as a separate pass.
pub fn matmul_then(a: &Tensor, b: &Tensor, epilogue: Option<&Epilogue>) -> Result<Tensor> {
    let candle = |a: &Tensor, b: &Tensor| -> Result<Tensor> {
        let y = a.matmul(b)?;
        match epilogue {
            Some(e) => {
                let r = y.rank();
                // Bias along the rows: move them to dimension 1 of a 2-D f32 view.
                let y2 = y.to_dtype(DType::F32)?.reshape(((), y.dims()[r - 1]))?;
                let out = if e.per_row {
                    e.pass(y2.t()?.contiguous()?)?.t()?
                } else {
                    e.pass(y2)?
                };
                out.reshape(y.dims())?.to_dtype(y.dtype())
            }
            None => Ok(y),
        }
    };
    let (ad, bd) = (a.dims(), b.dims());
    let r = ad.len();
    if a.dtype() != DType::F32
        || b.dtype() != DType::F32
        || r < 2
        || bd.len() != r
        || ad[..r - 2] != bd[..r - 2]
        || ad[r - 1] != bd[r - 2]
    {
        return candle(a, b);
    }
    let (m, k, n) = (ad[r - 2], ad[r - 1], bd[r - 1]);
    let batches: usize = ad[..r - 2].iter().product();
    let mut out_dims = ad.to_vec();
    out_dims[r - 1] = n;
    let out = {
        let (sa, la) = a.storage_and_layout();
        let (sb, lb) = b.storage_and_layout();
        let (Storage::Cpu(CpuStorage::F32(av)), Storage::Cpu(CpuStorage::F32(bv))) = (&*sa, &*sb)
        else {
            return candle(a, b);
        };
        let (Some(oa), Some(ob)) = (Operand::of(la), Operand::of(lb)) else {
            return candle(a, b);
        };
        products(av, oa, bv, ob, (batches, m, k, n), epilogue)
    };
    Tensor::from_vec(out, out_dims, a.device())
}

/// Output bytes per piece of work when an epilogue follows: about half this machine's L2,
/// so the epilogue reads what gemm just wrote from cache.
const EPILOGUE_PIECE_BYTES: usize = 256 << 10;

/// `batches` products [m, k] · [k, n] into a fresh row-major [batches, m, n], each piece
/// followed by `epilogue`.
fn products(
    av: &[f32],
    a: Operand,
    bv: &[f32],
    b: Operand,
    (batches, m, k, n): (usize, usize, usize, usize),
    epilogue: Option<&Epilogue>,
) -> Vec<f32> {
    let len = batches * m * n;
    // The extent each operand's last element reaches, checked once so the raw pointers
    // below stay inside the slices.
    let reach = |o: Operand, rows: usize, cols: usize| {
        let last = (batches.max(1) - 1) * o.batch
            + (rows.max(1) - 1) * o.rs as usize
            + (cols.max(1) - 1) * o.cs as usize;
        o.offset + last
    };
    assert!(len == 0 || (reach(a, m, k) < av.len() && reach(b, k, n) < bv.len()));
    let mut out: Vec<f32> = Vec::with_capacity(len);
    if len == 0 {
        return out;
    }
    let threads = crate::platform::threads();
    let dst = SendPtr(out.as_mut_ptr());
    // Product `i`'s output rows r0..r0+rows and columns c0..c0+cols, on this thread.
    let tile = |i: usize, (r0, rows): (usize, usize), (c0, cols): (usize, usize)| {
        // SAFETY: operands were bounds-checked above and the tile lies inside product `i`'s
        // m × n block of `out`'s capacity, which no other tile overlaps; with read_dst =
        // false gemm writes every element of the tile before reading any (alpha is zero
        // for the first depth block).
        unsafe {
            gemm(
                rows,
                cols,
                k,
                dst.at(i * m * n + r0 * n + c0),
                1,
                n as isize,
                false,
                av.as_ptr()
                    .add(a.offset + i * a.batch)
                    .offset(r0 as isize * a.rs),
                a.cs,
                a.rs,
                bv.as_ptr()
                    .add(b.offset + i * b.batch)
                    .offset(c0 as isize * b.cs),
                b.cs,
                b.rs,
                0.0,
                1.0,
                false,
                false,
                false,
                Parallelism::None,
            )
        }
        if let Some(e) = epilogue {
            for r in r0..r0 + rows {
                // SAFETY: gemm has just written these `cols` values of row r, which belong
                // to this tile alone.
                let row =
                    unsafe { std::slice::from_raw_parts_mut(dst.at(i * m * n + r * n + c0), cols) };
                e.apply(row, r, c0);
            }
        }
    };
    // Work for each thread: whole products when there are enough of them, else each
    // product cut along its longer side (in whole 16-wide register tiles). gemm's own
    // threading scaled 1.2–1.5× on 2 cores here where these cuts scale ~1.9×; the
    // arithmetic per output is the same either way.
    type Tile = (usize, (usize, usize), (usize, usize));
    // With an epilogue, pieces small enough to stay in cache until it has run.
    let pieces = if epilogue.is_some() {
        (m * n * 4).div_ceil(EPILOGUE_PIECE_BYTES).max(threads)
    } else {
        threads
    };
    let tiles: Vec<Tile> = if (threads == 1 && epilogue.is_none()) || batches >= threads {
        (0..batches).map(|i| (i, (0, m), (0, n))).collect()
    } else {
        let long = m.max(n);
        let per = long.div_ceil(pieces).div_ceil(16) * 16;
        let cuts: Vec<(usize, usize)> = (0..long)
            .step_by(per.max(1))
            .map(|s| (s, per.min(long - s)))
            .collect();
        (0..batches)
            .flat_map(|i| {
                cuts.iter().map(move |&cut| {
                    if m >= n {
                        (i, cut, (0, n))
                    } else {
                        (i, (0, m), cut)
                    }
                })
            })
            .collect()
    };
    crate::platform::run_parts(crate::platform::split_parts(tiles), |mine| {
        for (i, rows, cols) in mine {
            tile(i, rows, cols);
        }
        false
    });
    // SAFETY: every one of the `len` elements was written by gemm above.
    unsafe { out.set_len(len) };
    out
}

/// The output pointer shared by the threads, each writing its own blocks.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: the threads write disjoint blocks of the buffer behind the pointer.
unsafe impl Send for SendPtr {}
// SAFETY: as above.
unsafe impl Sync for SendPtr {}

impl SendPtr {
    /// The pointer `i` elements on (a method, so closures capture the whole `SendPtr`).
    ///
    /// # Safety
    /// `i` must lie inside the buffer.
    unsafe fn at(self, i: usize) -> *mut f32 {
        // SAFETY: the caller keeps `i` inside the buffer.
        unsafe { self.0.add(i) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::fused::FusedAct;
    use candle_core::Device;

    fn values(n: usize, seed: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i * 37 + seed * 11) % 101) as f32 / 17.0 - 3.0)
            .collect()
    }

    fn same(ours: &Tensor, candle: &Tensor) {
        assert_eq!(ours.dims(), candle.dims());
        let (x, y): (Vec<f32>, Vec<f32>) = (
            ours.flatten_all().unwrap().to_vec1().unwrap(),
            candle.flatten_all().unwrap().to_vec1().unwrap(),
        );
        assert_eq!(
            x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            y.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn equals_candles_matmul_bit_for_bit() {
        let dev = Device::Cpu;
        let t = |dims: &[usize], seed| {
            Tensor::from_vec(values(dims.iter().product(), seed), dims, &dev).unwrap()
        };
        // Plain, transposed, batched (fewer and more matrices than threads), sliced.
        let a = t(&[37, 300], 1);
        let b = t(&[300, 53], 2);
        same(&matmul(&a, &b).unwrap(), &a.matmul(&b).unwrap());
        let bt = t(&[53, 300], 3).t().unwrap();
        same(&matmul(&a, &bt).unwrap(), &a.matmul(&bt).unwrap());
        for batch in [1, 2, 5] {
            let a = t(&[batch, 3, 40, 36], 4);
            let b = t(&[batch, 3, 36, 40], 5);
            same(&matmul(&a, &b).unwrap(), &a.matmul(&b).unwrap());
            let kt = t(&[batch, 3, 40, 36], 6).transpose(2, 3).unwrap();
            same(&matmul(&a, &kt).unwrap(), &a.matmul(&kt).unwrap());
        }
        let qkv = t(&[3, 2, 4, 16, 8], 7);
        let (q, k) = (qkv.get(0).unwrap(), qkv.get(1).unwrap());
        let kt = k.t().unwrap();
        same(&matmul(&q, &kt).unwrap(), &q.matmul(&kt).unwrap());
    }

    #[test]
    fn the_epilogue_equals_a_separate_bias_act_pass() {
        let dev = Device::Cpu;
        let a = Tensor::from_vec(values(96 * 70, 1), (96, 70), &dev).unwrap();
        let b = Tensor::from_vec(values(70 * 2000, 2), (70, 2000), &dev).unwrap();
        for (per_row, act) in [
            (true, FusedAct::Silu),
            (false, FusedAct::None),
            (false, FusedAct::Silu),
            (true, FusedAct::Relu6),
            (false, FusedAct::Relu),
        ] {
            let len = if per_row { 96 } else { 2000 };
            let bias = Tensor::from_vec(values(len, 3), len, &dev).unwrap();
            let e = Epilogue::new(&bias, per_row, act).unwrap();
            let ours = matmul_then(&a, &b, Some(&e)).unwrap();
            let plain = a.matmul(&b).unwrap();
            let separate = if per_row {
                crate::infer::fused::bias_act(plain.t().unwrap().contiguous().unwrap(), &bias, act)
                    .unwrap()
                    .t()
                    .unwrap()
            } else {
                crate::infer::fused::bias_act(plain, &bias, act).unwrap()
            };
            same(&ours, &separate.contiguous().unwrap());
            // The candle path (f16 operands are not ours) applies it as a pass.
            let half = matmul_then(
                &a.to_dtype(DType::F16).unwrap(),
                &b.to_dtype(DType::F16).unwrap(),
                Some(&e),
            );
            assert_eq!(half.unwrap().dims(), &[96, 2000]);
        }
    }

    #[test]
    fn other_dtypes_and_bad_shapes_go_to_candle() {
        let dev = Device::Cpu;
        let a = Tensor::ones((2, 3), DType::F16, &dev).unwrap();
        let b = Tensor::ones((3, 4), DType::F16, &dev).unwrap();
        assert_eq!(matmul(&a, &b).unwrap().dims(), &[2, 4]);
        let a = Tensor::ones((2, 3), DType::F32, &dev).unwrap();
        let b = Tensor::ones((4, 4), DType::F32, &dev).unwrap();
        assert!(matmul(&a, &b).is_err());
        let empty = Tensor::ones((0, 3), DType::F32, &dev).unwrap();
        let b = Tensor::ones((3, 4), DType::F32, &dev).unwrap();
        assert_eq!(matmul(&empty, &b).unwrap().dims(), &[0, 4]);
    }
}
