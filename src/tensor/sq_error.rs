//! The three numbers of the sensitivity table — SQNR, mean squared error, largest |error| —
//! measured while the stored values are made, a small buffer at a time, so a scheme's stored
//! tensor is never written out whole. The sums are taken in the same lanes, chunks and order
//! as [`super::pair_stats::error_stats`], so the results are the same bits (tested).

use super::stats::sqnr_db;

/// Values per chunk (as `pair_stats`): partial sums are merged in chunk order.
const CHUNK: usize = 1 << 16;

/// Values made and measured at a time, inside a chunk (stays in the first-level cache):
/// the longest `out` a `fill` is given.
const PIECE: usize = 4096;

/// Interleaved partial sums (as `pair_stats`' lanes).
const LANES: usize = 4;

/// The sums behind SQNR, MSE and the largest error.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SqError {
    /// Pairs measured.
    pub n: usize,
    /// Σx².
    pub signal: f64,
    /// Σ(y − x)².
    pub noise: f64,
    /// max |y − x|.
    pub max_abs: f64,
}

impl SqError {
    /// Mean squared error (0 for no values).
    pub fn mse(&self) -> f64 {
        self.noise / self.n.max(1) as f64
    }

    /// 10·log10(Σx² / Σe²); +∞ when exact.
    pub fn sqnr_db(&self) -> f64 {
        sqnr_db(self.signal, self.noise)
    }

    fn merge(&mut self, p: &SqError) {
        self.n += p.n;
        self.max_abs = self.max_abs.max(p.max_abs);
        self.noise += p.noise;
        self.signal += p.signal;
    }
}

/// Lane sums over one chunk, fed a piece at a time.
struct Lanes {
    signal: [f64; LANES],
    noise: [f64; LANES],
    max_abs: [f64; LANES],
    finite: bool,
}

impl Lanes {
    fn new() -> Lanes {
        Lanes {
            signal: [0.0; LANES],
            noise: [0.0; LANES],
            max_abs: [0.0; LANES],
            finite: true,
        }
    }

    /// Add pairs, `xs.len()` a multiple of [`LANES`].
    #[inline(always)]
    #[allow(clippy::needless_range_loop)]
    fn add(&mut self, xs: &[f32], ys: &[f32]) {
        let inf = f64::INFINITY;
        for (x4, y4) in xs.chunks_exact(LANES).zip(ys.chunks_exact(LANES)) {
            for j in 0..LANES {
                let (x, y) = (x4[j] as f64, y4[j] as f64);
                self.finite &= x.abs() < inf && y.abs() < inf;
                let a = (y - x).abs();
                self.max_abs[j] = self.max_abs[j].max(a);
                self.noise[j] += a * a;
                self.signal[j] += x * x;
            }
        }
    }

    /// The lanes folded, `n` pairs.
    fn fold(&self, n: usize) -> SqError {
        SqError {
            n,
            signal: self.signal.iter().sum(),
            noise: self.noise.iter().sum(),
            max_abs: self.max_abs.iter().fold(0.0, |m, &a| m.max(a)),
        }
    }
}

/// Pairs one by one (a chunk's last values past its lanes); None if one is not finite.
fn exact(xs: &[f32], ys: &[f32]) -> Option<SqError> {
    let mut p = SqError::default();
    for (&x, &y) in xs.iter().zip(ys) {
        let (x, y) = (x as f64, y as f64);
        if !x.is_finite() || !y.is_finite() {
            return None;
        }
        let a = (y - x).abs();
        p.n += 1;
        p.max_abs = p.max_abs.max(a);
        p.noise += a * a;
        p.signal += x * x;
    }
    Some(p)
}

/// One chunk: `fill(start, out)` writes the stored values of `original[start..start + out.len()]`.
#[inline(always)]
fn chunk(
    original: &[f32],
    start: usize,
    fill: &(impl Fn(usize, &mut [f32]) + Sync),
) -> Option<SqError> {
    let mut buf = [0f32; PIECE];
    let mut lanes = Lanes::new();
    let whole = original.len() / LANES * LANES;
    let mut tail = None;
    for (k, xs) in original.chunks(PIECE).enumerate() {
        let ys = &mut buf[..xs.len()];
        fill(start + k * PIECE, ys);
        let w = xs.len() / LANES * LANES;
        lanes.add(&xs[..w], &ys[..w]);
        if w < xs.len() {
            tail = exact(&xs[w..], &ys[w..]);
            tail?;
        }
    }
    if !lanes.finite {
        return None;
    }
    let mut p = lanes.fold(whole);
    if let Some(t) = tail {
        p.merge(&t);
    }
    Some(p)
}

/// [`chunk`] compiled for AVX2 where the CPU has it (4 f64 lanes in one register).
fn chunk_any(
    original: &[f32],
    start: usize,
    fill: &(impl Fn(usize, &mut [f32]) + Sync),
) -> Option<SqError> {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        #[target_feature(enable = "avx2")]
        unsafe fn avx2(
            original: &[f32],
            start: usize,
            fill: &(impl Fn(usize, &mut [f32]) + Sync),
        ) -> Option<SqError> {
            chunk(original, start, fill)
        }
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { avx2(original, start, fill) };
    }
    chunk(original, start, fill)
}

/// The error of the stored values `fill` makes — `fill(i, out)` writes the stored values of
/// `original[i..i + out.len()]` — against `original`, on all cores. None if a value is not
/// finite (the caller measures those tensors the exact way).
pub fn sq_error(original: &[f32], fill: impl Fn(usize, &mut [f32]) + Sync) -> Option<SqError> {
    let n = original.len();
    let mut out: Vec<Option<SqError>> = vec![None; n.div_ceil(CHUNK)];
    let slots: Vec<(usize, &mut Option<SqError>)> = out.iter_mut().enumerate().collect();
    crate::platform::run_parts(crate::platform::split_parts(slots), |mine| {
        for (i, slot) in mine {
            let r = i * CHUNK..((i + 1) * CHUNK).min(n);
            *slot = chunk_any(&original[r.clone()], r.start, &fill);
        }
        false
    });
    let mut total = SqError::default();
    for p in out {
        total.merge(&p?);
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::cast::bf16_round;
    use crate::tensor::pair_stats::error_stats;

    fn sample(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as f32) * 0.37).sin() * (1.0 + (i % 13) as f32))
            .collect()
    }

    #[test]
    fn equals_the_exact_error_statistics_bit_for_bit() {
        // Lengths that end mid-lane, mid-piece and mid-chunk.
        for n in [0, 3, 4099, CHUNK + 5, 3 * CHUNK + 4097] {
            let xs = sample(n);
            let fast = sq_error(&xs, |i, out| {
                for (o, &x) in out.iter_mut().zip(&xs[i..]) {
                    *o = bf16_round(x);
                }
            })
            .expect("finite");
            let stored: Vec<f64> = xs.iter().map(|&x| bf16_round(x) as f64).collect();
            let e = error_stats(&xs, &stored);
            assert_eq!(fast.mse().to_bits(), e.mse.to_bits(), "n = {n}");
            assert_eq!(fast.max_abs.to_bits(), e.max_abs.to_bits(), "n = {n}");
            assert_eq!(fast.sqnr_db().to_bits(), e.sqnr_db.to_bits(), "n = {n}");
        }
    }

    #[test]
    fn non_finite_values_are_left_to_the_exact_path() {
        let mut xs = sample(10_000);
        xs[7000] = f32::INFINITY;
        assert!(sq_error(&xs, |i, out| out.copy_from_slice(&xs[i..i + out.len()])).is_none());
        xs[7000] = 1.0;
        xs[9999] = f32::NAN;
        assert!(sq_error(&xs, |i, out| out.copy_from_slice(&xs[i..i + out.len()])).is_none());
    }
}
