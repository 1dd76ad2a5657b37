//! Hugging Face image processors (`preprocessor_config.json`), the PIL path of transformers
//! 5, for the checkpoints quantscope runs: `ViTImageProcessor`, `ConvNextImageProcessor`
//! (ResNet and ConvNeXt checkpoints, with `crop_pct` and its shortest-edge rule),
//! `MobileNetV2ImageProcessor` and `MobileViTImageProcessor`. Each step as transformers does
//! it: Pillow resize of the 8-bit image (any filter, `pil_resize`), center crop (zero-padded
//! when the crop is larger), rescale (an f64 product rounded to f32), normalize (f32
//! `(x − mean) / std`), RGB → BGR for MobileViT. Checked value for value against
//! transformers in `tests/hf_models.rs`.

use super::pil_resize::{Resample, resize};
use image::{DynamicImage, RgbImage};

/// Which processor a checkpoint uses (its defaults differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessorKind {
    /// `ViTImageProcessor`: resize to height × width (bilinear), normalize by 0.5.
    Vit,
    /// `ConvNextImageProcessor`: shortest edge ÷ crop_pct then crop when below 384, else
    /// warp to a square (bicubic); normalize by 0.5.
    ConvNext,
    /// `MobileNetV2ImageProcessor`: shortest edge 256 (bilinear), crop 224, normalize by 0.5.
    MobileNetV2,
    /// `MobileViTImageProcessor`: shortest edge 224 (bicubic), crop 256, no normalization,
    /// BGR.
    MobileVit,
}

impl ProcessorKind {
    /// From `image_processor_type` (or a legacy `feature_extractor_type`): the class name,
    /// with or without its `Fast` / `Pil` suffix.
    pub fn from_name(name: &str) -> Option<ProcessorKind> {
        let base = name
            .trim_end_matches("Fast")
            .trim_end_matches("Pil")
            .trim_end_matches("ImageProcessor")
            .trim_end_matches("FeatureExtractor");
        Some(match base {
            "ViT" | "DeiT" => ProcessorKind::Vit,
            "ConvNext" => ProcessorKind::ConvNext,
            "MobileNetV2" => ProcessorKind::MobileNetV2,
            "MobileViT" => ProcessorKind::MobileVit,
            _ => return None,
        })
    }
}

/// How the image is resized.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resize {
    /// The shorter side to this length, the longer one in proportion (truncated).
    ShortestEdge(u32),
    /// To exactly height × width.
    Exact(u32, u32),
    /// ConvNeXt's rule: below 384, the shorter side to ⌊edge / crop_pct⌋ then a center crop
    /// to edge × edge; from 384 on, a warp to edge × edge.
    CropPct(u32, f64),
}

/// The settings of an image processor.
#[derive(Clone, Debug, PartialEq)]
pub struct ImageProcessor {
    /// Which processor.
    pub kind: ProcessorKind,
    /// The resize (None: `do_resize` false).
    pub resize: Option<Resize>,
    /// The Pillow filter of that resize (`resample`).
    pub resample: Resample,
    /// Center crop to (height, width) (None: no crop).
    pub crop: Option<(u32, u32)>,
    /// Multiply 8-bit values by this (None: no rescale).
    pub rescale_factor: Option<f64>,
    /// Per-channel (mean, std) (None: no normalization).
    pub normalize: Option<([f32; 3], [f32; 3])>,
    /// RGB → BGR.
    pub flip_channel_order: bool,
}

/// transformers' IMAGENET_STANDARD_MEAN / _STD.
const HALF: [f32; 3] = [0.5, 0.5, 0.5];

/// Where ConvNeXt's processor stops cropping and warps instead.
const CROP_PCT_LIMIT: u32 = 384;

impl ImageProcessor {
    /// The processor class's own defaults (what transformers uses for absent keys).
    pub fn class_defaults(kind: ProcessorKind) -> ImageProcessor {
        let mut p = ImageProcessor::defaults(kind, 224);
        match kind {
            ProcessorKind::ConvNext => p.resize = Some(Resize::CropPct(384, 224.0 / 256.0)),
            ProcessorKind::MobileVit => {
                p.resize = Some(Resize::ShortestEdge(224));
                p.crop = Some((256, 256));
            }
            ProcessorKind::Vit | ProcessorKind::MobileNetV2 => {}
        }
        p
    }

    /// The processor's defaults for a model of input side `image_size`, when a checkpoint
    /// has no `preprocessor_config.json` (the class's settings, sized to the model).
    pub fn defaults(kind: ProcessorKind, image_size: u32) -> ImageProcessor {
        let s = image_size;
        let base = ImageProcessor {
            kind,
            resize: None,
            resample: Resample::Bilinear,
            crop: None,
            rescale_factor: Some(1.0 / 255.0),
            normalize: Some((HALF, HALF)),
            flip_channel_order: false,
        };
        match kind {
            ProcessorKind::Vit => ImageProcessor {
                resize: Some(Resize::Exact(s, s)),
                ..base
            },
            ProcessorKind::ConvNext => ImageProcessor {
                resize: Some(Resize::CropPct(s, 224.0 / 256.0)),
                resample: Resample::Bicubic,
                ..base
            },
            ProcessorKind::MobileNetV2 => ImageProcessor {
                resize: Some(Resize::ShortestEdge(s * 256 / 224)),
                crop: Some((s, s)),
                ..base
            },
            ProcessorKind::MobileVit => ImageProcessor {
                resize: Some(Resize::ShortestEdge(s + s / 8)),
                resample: Resample::Bicubic,
                crop: Some((s, s)),
                normalize: None,
                flip_channel_order: true,
                ..base
            },
        }
    }

    /// From `preprocessor_config.json` (the class's defaults where keys are absent; its
    /// `image_processor_type` chooses the class, else `kind`), or the defaults for a model
    /// of `image_size` when there is no file. Values of the wrong kind are errors naming
    /// the key.
    pub fn from_json(
        c: Option<&serde_json::Value>,
        kind: ProcessorKind,
        image_size: u32,
    ) -> Result<ImageProcessor, String> {
        let Some(c) = c else {
            return Ok(ImageProcessor::defaults(kind, image_size));
        };
        let kind = ["image_processor_type", "feature_extractor_type"]
            .iter()
            .find_map(|k| c.get(*k).and_then(|v| v.as_str()))
            .and_then(ProcessorKind::from_name)
            .unwrap_or(kind);
        let class = ImageProcessor::class_defaults(kind);
        let err = |k: &str, what: &str| format!("preprocessor_config.json: '{k}' must be {what}");
        let flag = |k: &str, d: bool| match c.get(k) {
            None | Some(serde_json::Value::Null) => Ok(d),
            Some(v) => v.as_bool().ok_or_else(|| err(k, "true or false")),
        };
        let side = |v: &serde_json::Value| v.as_u64().filter(|&x| x > 0 && x <= 1 << 14);
        // `size`: {"shortest_edge"}, {"height", "width"}, or one integer (a square for
        // ViT, the shortest edge for the others, as transformers' get_size_dict reads it).
        let size = match c.get("size") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(if let Some(n) = side(v) {
                if kind == ProcessorKind::Vit {
                    (None, Some((n as u32, n as u32)))
                } else {
                    (Some(n as u32), None)
                }
            } else {
                let edge = v.get("shortest_edge").and_then(side).map(|x| x as u32);
                let hw = v
                    .get("height")
                    .and_then(side)
                    .zip(v.get("width").and_then(side))
                    .map(|(h, w)| (h as u32, w as u32));
                if edge.is_none() && hw.is_none() {
                    return Err(err(
                        "size",
                        "{\"shortest_edge\": n}, {\"height\": h, \"width\": w} or n",
                    ));
                }
                (edge, hw)
            }),
        };
        let crop_pct = match c.get("crop_pct") {
            None | Some(serde_json::Value::Null) => 224.0 / 256.0,
            Some(v) => v
                .as_f64()
                .filter(|p| *p > 0.0 && *p <= 1.0)
                .ok_or_else(|| err("crop_pct", "a number in (0, 1]"))?,
        };
        let resize = if flag("do_resize", true)? {
            match (kind, size) {
                (_, None) => class.resize.map(|r| match r {
                    Resize::CropPct(e, _) => Resize::CropPct(e, crop_pct),
                    other => other,
                }),
                (ProcessorKind::ConvNext, Some((Some(e), _))) => Some(Resize::CropPct(e, crop_pct)),
                (ProcessorKind::ConvNext, Some((None, _))) => {
                    return Err(err(
                        "size",
                        "{\"shortest_edge\": n} for ConvNextImageProcessor",
                    ));
                }
                (_, Some((Some(e), _))) => Some(Resize::ShortestEdge(e)),
                (_, Some((None, Some((h, w))))) => Some(Resize::Exact(h, w)),
                (_, Some((None, None))) => None,
            }
        } else {
            None
        };
        let resample = match c.get("resample") {
            None | Some(serde_json::Value::Null) => class.resample,
            Some(v) => v
                .as_i64()
                .and_then(Resample::from_pil)
                .ok_or_else(|| err("resample", "a Pillow filter number 0–5"))?,
        };
        let crop = if flag("do_center_crop", class.crop.is_some())? {
            Some(match c.get("crop_size") {
                None | Some(serde_json::Value::Null) => class.crop.unwrap_or((224, 224)),
                Some(v) => match side(v) {
                    Some(n) => (n as u32, n as u32),
                    None => v
                        .get("height")
                        .and_then(side)
                        .zip(v.get("width").and_then(side))
                        .map(|(h, w)| (h as u32, w as u32))
                        .ok_or_else(|| err("crop_size", "{\"height\": h, \"width\": w} or n"))?,
                },
            })
        } else {
            None
        };
        let rescale_factor = if flag("do_rescale", true)? {
            Some(match c.get("rescale_factor") {
                None | Some(serde_json::Value::Null) => 1.0 / 255.0,
                Some(v) => v
                    .as_f64()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| err("rescale_factor", "a number"))?,
            })
        } else {
            None
        };
        let triple = |k: &str| -> Result<[f32; 3], String> {
            match c.get(k) {
                None | Some(serde_json::Value::Null) => Ok(HALF),
                Some(v) => {
                    if let Some(x) = v.as_f64() {
                        return Ok([x as f32; 3]);
                    }
                    v.as_array()
                        .and_then(|a| {
                            a.iter()
                                .map(|x| x.as_f64().map(|x| x as f32))
                                .collect::<Option<Vec<f32>>>()
                        })
                        .and_then(|v| <[f32; 3]>::try_from(v).ok())
                        .ok_or_else(|| err(k, "three numbers (one per channel)"))
                }
            }
        };
        let normalize = if flag("do_normalize", class.normalize.is_some())? {
            let std = triple("image_std")?;
            if std.contains(&0.0) {
                return Err(err("image_std", "non-zero"));
            }
            Some((triple("image_mean")?, std))
        } else {
            None
        };
        Ok(ImageProcessor {
            kind,
            resize,
            resample,
            crop,
            rescale_factor,
            normalize,
            flip_channel_order: flag("do_flip_channel_order", class.flip_channel_order)?,
        })
    }

    /// The (height, width) of every output, when it does not depend on the image.
    pub fn fixed_size(&self) -> Option<(u32, u32)> {
        self.crop.or(match self.resize {
            Some(Resize::Exact(h, w)) => Some((h, w)),
            Some(Resize::CropPct(e, _)) => Some((e, e)),
            _ => None,
        })
    }

    /// `pixel_values` [3, H, W] (row-major) and (H, W), as the Hugging Face processor makes
    /// them.
    pub fn pixels(&self, img: &DynamicImage) -> (Vec<f32>, (u32, u32)) {
        let mut rgb = img.to_rgb8();
        match self.resize {
            Some(Resize::ShortestEdge(s)) => rgb = self.shortest_edge(&rgb, s),
            Some(Resize::Exact(h, w)) => rgb = resize(&rgb, w, h, self.resample),
            Some(Resize::CropPct(e, pct)) if e < CROP_PCT_LIMIT => {
                rgb = self.shortest_edge(&rgb, (e as f64 / pct) as u32);
                rgb = center_crop(&rgb, e, e);
            }
            Some(Resize::CropPct(e, _)) => rgb = resize(&rgb, e, e, self.resample),
            None => {}
        }
        if let Some((h, w)) = self.crop {
            rgb = center_crop(&rgb, h, w);
        }
        let (w, h) = rgb.dimensions();
        let plane = (w * h) as usize;
        let mut out = vec![0.0f32; 3 * plane];
        for (i, p) in rgb.pixels().enumerate() {
            for c in 0..3 {
                let src = if self.flip_channel_order { 2 - c } else { c };
                let mut v = match self.rescale_factor {
                    Some(s) => (p.0[src] as f64 * s) as f32,
                    None => p.0[src] as f32,
                };
                if let Some((mean, std)) = &self.normalize {
                    v = (v - mean[c]) / std[c];
                }
                out[c * plane + i] = v;
            }
        }
        (out, (h, w))
    }

    /// The 8-bit RGB pixels `pixel_values` [3, H, W] were made from (normalize, rescale and
    /// the channel flip undone), for showing what the model sees.
    pub fn to_rgb8(&self, px: &[f32]) -> Vec<[u8; 3]> {
        let plane = px.len() / 3;
        (0..plane)
            .map(|i| {
                let mut rgb = [0u8; 3];
                for c in 0..3 {
                    let mut v = px[c * plane + i];
                    if let Some((mean, std)) = &self.normalize {
                        v = v * std[c] + mean[c];
                    }
                    let v = match self.rescale_factor {
                        Some(f) if f != 0.0 => v as f64 / f,
                        _ => v as f64,
                    };
                    let dst = if self.flip_channel_order { 2 - c } else { c };
                    rgb[dst] = v.round().clamp(0.0, 255.0) as u8;
                }
                rgb
            })
            .collect()
    }

    /// The shorter side resized to `s`, the longer one to ⌊s · long / short⌋.
    fn shortest_edge(&self, rgb: &RgbImage, s: u32) -> RgbImage {
        let (w, h) = rgb.dimensions();
        let (short, long) = if w <= h { (w, h) } else { (h, w) };
        let new_long = (s as f64 * long as f64 / short.max(1) as f64) as u32;
        let (nw, nh) = if w <= h { (s, new_long) } else { (new_long, s) };
        resize(rgb, nw.max(1), nh.max(1), self.resample)
    }
}

/// transformers' `center_crop`: the middle h × w (top and left rounded down), zeros where
/// the crop reaches past the image.
fn center_crop(rgb: &RgbImage, h: u32, w: u32) -> RgbImage {
    let (iw, ih) = rgb.dimensions();
    if (iw, ih) == (w, h) {
        return rgb.clone();
    }
    let top = (ih as i64 - h as i64).div_euclid(2);
    let left = (iw as i64 - w as i64).div_euclid(2);
    RgbImage::from_fn(w, h, |x, y| {
        let (sx, sy) = (x as i64 + left, y as i64 + top);
        if sx < 0 || sy < 0 || sx >= iw as i64 || sy >= ih as i64 {
            image::Rgb([0, 0, 0])
        } else {
            *rgb.get_pixel(sx as u32, sy as u32)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> serde_json::Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn the_processor_resizes_with_the_configs_resample() {
        let cfg = |r: &str| {
            json(&format!(
                r#"{{"size": {{"shortest_edge": 20}}, "crop_size": {{"height": 16, "width": 16}}{r}}}"#
            ))
        };
        let kind = ProcessorKind::MobileVit;
        // transformers' MobileViTImageProcessor: BICUBIC unless the config says otherwise.
        let default = ImageProcessor::from_json(Some(&cfg("")), kind, 16).unwrap();
        assert_eq!(default.resample, Resample::Bicubic);
        let bilinear = ImageProcessor::from_json(Some(&cfg(r#", "resample": 2"#)), kind, 16);
        assert_eq!(bilinear.as_ref().unwrap().resample, Resample::Bilinear);
        let odd = ImageProcessor::from_json(Some(&cfg(r#", "resample": 9"#)), kind, 16);
        assert!(odd.unwrap_err().contains("'resample'"));
        let img = DynamicImage::ImageRgb8(RgbImage::from_fn(37, 29, |x, y| {
            image::Rgb([(x * 7) as u8, (y * 9) as u8, ((x * y) % 251) as u8])
        }));
        let (a, _) = default.pixels(&img);
        let (b, _) = bilinear.unwrap().pixels(&img);
        assert_eq!(a.len(), 3 * 16 * 16);
        assert_ne!(a, b);
    }

    #[test]
    fn what_the_model_sees_is_the_cropped_picture_back() {
        let img = RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([(x * 6) as u8, (y * 8) as u8, 200])
        });
        let dynamic = DynamicImage::ImageRgb8(img.clone());
        for kind in [
            ProcessorKind::Vit,
            ProcessorKind::MobileVit,
            ProcessorKind::ConvNext,
        ] {
            let mut p = ImageProcessor::defaults(kind, 24);
            p.resize = None;
            p.crop = Some((24, 24));
            let (px, _) = p.pixels(&dynamic);
            let back = p.to_rgb8(&px);
            let want: Vec<[u8; 3]> = center_crop(&img, 24, 24).pixels().map(|p| p.0).collect();
            assert_eq!(back, want, "{kind:?}");
        }
    }

    #[test]
    fn sizes_read_as_transformers_reads_them() {
        // An integer size is a square for ViT and a shortest edge for the others
        // (google/vit-base-patch16-224 and facebook/convnext-tiny-224 ship `"size": 224`).
        let vit = ImageProcessor::from_json(
            Some(&json(
                r#"{"image_processor_type": "ViTImageProcessor", "size": 224}"#,
            )),
            ProcessorKind::ConvNext,
            0,
        )
        .unwrap();
        assert_eq!(vit.kind, ProcessorKind::Vit);
        assert_eq!(vit.resize, Some(Resize::Exact(224, 224)));
        assert_eq!(vit.fixed_size(), Some((224, 224)));
        assert_eq!(vit.crop, None);
        let convnext = ImageProcessor::from_json(
            Some(&json(r#"{"size": 224, "crop_pct": 0.875}"#)),
            ProcessorKind::ConvNext,
            0,
        )
        .unwrap();
        assert_eq!(convnext.resize, Some(Resize::CropPct(224, 0.875)));
        assert_eq!(convnext.resample, Resample::Bicubic);
        assert_eq!(convnext.normalize, Some((HALF, HALF)));
        // No file: the class defaults sized to the model.
        let none = ImageProcessor::from_json(None, ProcessorKind::MobileNetV2, 224).unwrap();
        assert_eq!(none.resize, Some(Resize::ShortestEdge(256)));
        assert_eq!(none.fixed_size(), Some((224, 224)));
        // Lying values are errors naming the key.
        for (bad, key) in [
            (r#"{"image_mean": [0.5, 0.5]}"#, "image_mean"),
            (r#"{"image_std": [0, 1, 1]}"#, "image_std"),
            (r#"{"size": "big"}"#, "size"),
            (r#"{"crop_pct": 7}"#, "crop_pct"),
            (r#"{"do_resize": "yes"}"#, "do_resize"),
            (
                r#"{"do_center_crop": true, "crop_size": {"height": 0, "width": 3}}"#,
                "crop_size",
            ),
        ] {
            let e = ImageProcessor::from_json(Some(&json(bad)), ProcessorKind::ConvNext, 224)
                .unwrap_err();
            assert!(e.contains(key), "{bad}: {e}");
        }
    }
}
