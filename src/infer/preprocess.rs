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

/// The settings of a Hugging Face `MobileViTImageProcessor` (`preprocessor_config.json`).
#[derive(Clone, Debug, PartialEq)]
pub struct ImageProcessor {
    /// Resize so the shorter side is this long (None: no resize).
    pub shortest_edge: Option<u32>,
    /// The Pillow filter of that resize (`resample`; transformers' default: bicubic).
    pub resample: super::pil_resize::Resample,
    /// Center crop to (height, width) (None: no crop).
    pub crop: Option<(u32, u32)>,
    /// Multiply 8-bit values by this (None: no rescale).
    pub rescale_factor: Option<f64>,
    /// RGB → BGR.
    pub flip_channel_order: bool,
}

impl ImageProcessor {
    /// From `preprocessor_config.json` (transformers' defaults where keys are absent), or the
    /// defaults for a model of `image_size` when there is no file.
    pub fn from_json(c: Option<&serde_json::Value>, image_size: u32) -> ImageProcessor {
        let Some(c) = c else {
            return ImageProcessor {
                shortest_edge: Some(image_size + image_size / 8),
                resample: super::pil_resize::Resample::Bicubic,
                crop: Some((image_size, image_size)),
                rescale_factor: Some(1.0 / 255.0),
                flip_channel_order: true,
            };
        };
        let flag = |k: &str, d: bool| c.get(k).and_then(|v| v.as_bool()).unwrap_or(d);
        let num = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_u64()).map(|x| x as u32);
        ImageProcessor {
            shortest_edge: flag("do_resize", true)
                .then(|| num(c.get("size").and_then(|s| s.get("shortest_edge"))).unwrap_or(224)),
            resample: c
                .get("resample")
                .and_then(|v| v.as_i64())
                .and_then(super::pil_resize::Resample::from_pil)
                .unwrap_or(super::pil_resize::Resample::Bicubic),
            crop: flag("do_center_crop", true).then(|| {
                let cs = c.get("crop_size");
                (
                    num(cs.and_then(|s| s.get("height"))).unwrap_or(256),
                    num(cs.and_then(|s| s.get("width"))).unwrap_or(256),
                )
            }),
            rescale_factor: flag("do_rescale", true).then(|| {
                c.get("rescale_factor")
                    .and_then(|v| v.as_f64())
                    .unwrap_or(1.0 / 255.0)
            }),
            flip_channel_order: flag("do_flip_channel_order", true),
        }
    }

    /// `pixel_values` [3, H, W] (row-major) and (H, W), as the Hugging Face processor makes
    /// them: resize the shorter side with Pillow's `resample` filter, rescale, center crop,
    /// flip to BGR.
    pub fn pixels(&self, img: &DynamicImage) -> (Vec<f32>, (u32, u32)) {
        let mut rgb = img.to_rgb8();
        if let Some(s) = self.shortest_edge {
            let (w, h) = rgb.dimensions();
            let (short, long) = if w <= h { (w, h) } else { (h, w) };
            let new_long = (s as f64 * long as f64 / short.max(1) as f64) as u32;
            let (nw, nh) = if w <= h { (s, new_long) } else { (new_long, s) };
            rgb = super::pil_resize::resize(&rgb, nw.max(1), nh.max(1), self.resample);
        }
        let (w, h) = rgb.dimensions();
        let (ch, cw) = self.crop.unwrap_or((h, w));
        let top = (h as i64 - ch as i64).div_euclid(2);
        let left = (w as i64 - cw as i64).div_euclid(2);
        let scale = self.rescale_factor.unwrap_or(1.0);
        let mut out = vec![0.0f32; 3 * (ch * cw) as usize];
        for y in 0..ch as i64 {
            for x in 0..cw as i64 {
                let (sy, sx) = (y + top, x + left);
                if sy < 0 || sx < 0 || sy >= h as i64 || sx >= w as i64 {
                    continue;
                }
                let p = rgb.get_pixel(sx as u32, sy as u32).0;
                for c in 0..3 {
                    let src = if self.flip_channel_order { 2 - c } else { c };
                    out[c * (ch * cw) as usize + (y * cw as i64 + x) as usize] =
                        (p[src] as f64 * scale) as f32;
                }
            }
        }
        (out, (ch, cw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::pil_resize::Resample;

    #[test]
    fn the_processor_resizes_with_the_configs_resample() {
        let json = |r: &str| {
            serde_json::from_str::<serde_json::Value>(&format!(
                r#"{{"size": {{"shortest_edge": 20}}, "crop_size": {{"height": 16, "width": 16}}{r}}}"#
            ))
            .unwrap()
        };
        // transformers' MobileViTImageProcessor: BICUBIC unless the config says otherwise.
        let default = ImageProcessor::from_json(Some(&json("")), 16);
        assert_eq!(default.resample, Resample::Bicubic);
        let bilinear = ImageProcessor::from_json(Some(&json(r#", "resample": 2"#)), 16);
        assert_eq!(bilinear.resample, Resample::Bilinear);
        let odd = ImageProcessor::from_json(Some(&json(r#", "resample": 9"#)), 16);
        assert_eq!(odd.resample, Resample::Bicubic);
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(37, 29, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 9) as u8, ((x * y) % 251) as u8])
        }));
        let (a, _) = default.pixels(&img);
        let (b, _) = bilinear.pixels(&img);
        assert_eq!(a.len(), 3 * 16 * 16);
        assert_ne!(a, b);
    }
}
