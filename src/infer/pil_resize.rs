//! Pillow's resampling (`Image.resize` with any of its filters), reimplemented bit for bit so
//! preprocessing matches Hugging Face image processors that resize with PIL: the same
//! filter support scaled for downsampling, the same fixed-point coefficients (22 bits), the
//! horizontal pass first, and rounding and clipping to 8 bits after each pass
//! (Pillow's `libImaging/Resample.c`); NEAREST picks the pixel under each output pixel's
//! centre, `floor((x + 0.5) · in / out)`, as Pillow's affine nearest transform does.
//! Checked against Pillow 13 in `tests/pil_resize.rs` (`scripts/make_resize_fixtures.py`).

use image::RgbImage;

const PRECISION_BITS: u32 = 32 - 8 - 2;

/// A Pillow resampling filter, by its `PIL.Image.Resampling` number (what an image
/// processor's `resample` holds).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Resample {
    /// 0: the pixel under the centre.
    Nearest,
    /// 1: Lanczos (a = 3).
    Lanczos,
    /// 2: bilinear (triangle).
    Bilinear,
    /// 3: bicubic (a = −0.5).
    Bicubic,
    /// 4: box.
    Box,
    /// 5: Hamming.
    Hamming,
}

impl Resample {
    /// The filter of `PIL.Image.Resampling` number `code`.
    pub fn from_pil(code: i64) -> Option<Resample> {
        Some(match code {
            0 => Resample::Nearest,
            1 => Resample::Lanczos,
            2 => Resample::Bilinear,
            3 => Resample::Bicubic,
            4 => Resample::Box,
            5 => Resample::Hamming,
            _ => return None,
        })
    }

    /// The kernel and its support (Pillow's `filters` table).
    fn kernel(self) -> (fn(f64) -> f64, f64) {
        match self {
            Resample::Box => (box_filter, 0.5),
            Resample::Bilinear => (bilinear, 1.0),
            Resample::Hamming => (hamming, 1.0),
            Resample::Bicubic | Resample::Nearest => (bicubic, 2.0),
            Resample::Lanczos => (lanczos, 3.0),
        }
    }
}

fn box_filter(x: f64) -> f64 {
    if x > -0.5 && x <= 0.5 { 1.0 } else { 0.0 }
}

fn bilinear(x: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 { 1.0 - x } else { 0.0 }
}

fn hamming(x: f64) -> f64 {
    let x = x.abs();
    if x == 0.0 {
        1.0
    } else if x >= 1.0 {
        0.0
    } else {
        let x = x * std::f64::consts::PI;
        x.sin() / x * (0.54 + 0.46 * x.cos())
    }
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let x = x * std::f64::consts::PI;
        x.sin() / x
    }
}

fn lanczos(x: f64) -> f64 {
    if (-3.0..3.0).contains(&x) {
        sinc(x) * sinc(x / 3.0)
    } else {
        0.0
    }
}

/// Pillow's bicubic kernel (a = −0.5), support 2.
fn bicubic(x: f64) -> f64 {
    let a = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        (((x - 5.0) * x + 8.0) * x - 4.0) * a
    } else {
        0.0
    }
}

/// For each output index: first input index and fixed-point weights.
fn coefficients(
    in_size: usize,
    out_size: usize,
    (kernel, support): (fn(f64) -> f64, f64),
) -> Vec<(usize, Vec<i32>)> {
    let scale = in_size as f64 / out_size as f64;
    let filterscale = scale.max(1.0);
    let support = support * filterscale;
    (0..out_size)
        .map(|xx| {
            let center = (xx as f64 + 0.5) * scale;
            let ss = 1.0 / filterscale;
            let xmin = ((center - support + 0.5) as i64).max(0) as usize;
            let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
            let mut k: Vec<f64> = (xmin..xmax)
                .map(|x| kernel((x as f64 - center + 0.5) * ss))
                .collect();
            let ww: f64 = k.iter().sum();
            if ww != 0.0 {
                k.iter_mut().for_each(|w| *w /= ww);
            }
            let fixed = k
                .iter()
                .map(|&w| {
                    let v = w * (1u64 << PRECISION_BITS) as f64;
                    if w < 0.0 {
                        (v - 0.5) as i32
                    } else {
                        (v + 0.5) as i32
                    }
                })
                .collect();
            (xmin, fixed)
        })
        .collect()
}

fn clip8(v: i64) -> u8 {
    (v >> PRECISION_BITS).clamp(0, 255) as u8
}

/// Resize an RGB image to `w` × `h` exactly as Pillow's `resize((w, h), filter)`.
pub fn resize(img: &RgbImage, w: u32, h: u32, filter: Resample) -> RgbImage {
    let (iw, ih) = img.dimensions();
    if filter == Resample::Nearest {
        // The source pixel under each output pixel's centre (in f64, as Pillow computes it).
        let pick = |o: u32, from: u32, to: u32| {
            (((f64::from(o) + 0.5) * f64::from(from) / f64::from(to)) as u32).min(from - 1)
        };
        return RgbImage::from_fn(w, h, |x, y| *img.get_pixel(pick(x, iw, w), pick(y, ih, h)));
    }
    let half = 1i64 << (PRECISION_BITS - 1);
    // Horizontal pass (skipped when the width is unchanged, as Pillow does).
    let horiz = if iw == w {
        img.clone()
    } else {
        let cx = coefficients(iw as usize, w as usize, filter.kernel());
        RgbImage::from_fn(w, ih, |x, y| {
            let (x0, k) = &cx[x as usize];
            let mut px = [0u8; 3];
            for (c, out) in px.iter_mut().enumerate() {
                let mut ss = half;
                for (i, &kw) in k.iter().enumerate() {
                    ss += img.get_pixel((x0 + i) as u32, y).0[c] as i64 * kw as i64;
                }
                *out = clip8(ss);
            }
            image::Rgb(px)
        })
    };
    if ih == h {
        return horiz;
    }
    let cy = coefficients(ih as usize, h as usize, filter.kernel());
    RgbImage::from_fn(w, h, |x, y| {
        let (y0, k) = &cy[y as usize];
        let mut px = [0u8; 3];
        for (c, out) in px.iter_mut().enumerate() {
            let mut ss = half;
            for (i, &kw) in k.iter().enumerate() {
                ss += horiz.get_pixel(x, (y0 + i) as u32).0[c] as i64 * kw as i64;
            }
            *out = clip8(ss);
        }
        image::Rgb(px)
    })
}
