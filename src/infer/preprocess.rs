//! Images in, model inputs out: decoding with limits, and MNIST-style digit preprocessing.

use image::{DynamicImage, GrayImage, ImageReader, Limits, imageops::FilterType};
use std::io::Cursor;
use std::path::Path;

/// Largest width or height accepted.
pub const MAX_SIDE: u32 = 8192;

/// Largest decoder allocation accepted (bytes).
pub const MAX_ALLOC: u64 = 256 << 20;

/// MNIST mean and standard deviation of pixel values in [0, 1].
pub const MNIST_MEAN: f32 = 0.1307;
/// See [`MNIST_MEAN`].
pub const MNIST_STD: f32 = 0.3081;

/// Decode an image file (PNG, JPEG, WebP) with size limits; errors say what is wrong.
pub fn load_image(path: &Path) -> Result<DynamicImage, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    decode_image(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Decode image bytes with size limits.
pub fn decode_image(bytes: &[u8]) -> Result<DynamicImage, String> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read the image: {e}"))?;
    if reader.format().is_none() {
        return Err("not an image (PNG, JPEG or WebP expected)".into());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => {
            format!("image too large (at most {MAX_SIDE}×{MAX_SIDE} pixels)")
        }
        other => format!("cannot decode the image: {other}"),
    })
}

/// MNIST-style input: grayscale, light-on-dark (inverted when the background is light), the
/// ink's bounding box scaled to fit 20×20 and centred in 28×28, then normalised with the MNIST
/// mean and std. Returns 784 values, row-major.
pub fn digit_pixels(img: &DynamicImage) -> Vec<f32> {
    let gray = img.to_luma8();
    let mut v: Vec<f32> = gray.pixels().map(|p| p.0[0] as f32 / 255.0).collect();
    let mean = v.iter().sum::<f32>() / v.len().max(1) as f32;
    if mean > 0.5 {
        v.iter_mut().for_each(|x| *x = 1.0 - *x);
    }
    let (w, h) = gray.dimensions();
    // Bounding box of the ink.
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for y in 0..h {
        for x in 0..w {
            if v[(y * w + x) as usize] > 0.2 {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
        }
    }
    let mut out = vec![0.0f32; 28 * 28];
    if x0 <= x1 && y0 <= y1 {
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        let ink = GrayImage::from_fn(bw, bh, |x, y| {
            image::Luma([(v[((y0 + y) * w + x0 + x) as usize] * 255.0).round() as u8])
        });
        let scale = 20.0 / bw.max(bh) as f32;
        let (nw, nh) = (
            ((bw as f32 * scale).round() as u32).max(1),
            ((bh as f32 * scale).round() as u32).max(1),
        );
        let small = image::imageops::resize(&ink, nw, nh, FilterType::Triangle);
        let (ox, oy) = ((28 - nw) / 2, (28 - nh) / 2);
        for (x, y, p) in small.enumerate_pixels() {
            out[((oy + y) * 28 + ox + x) as usize] = p.0[0] as f32 / 255.0;
        }
    }
    out.iter().map(|&x| (x - MNIST_MEAN) / MNIST_STD).collect()
}

pub use super::image_processor::{ImageProcessor, ProcessorKind, Resize};
