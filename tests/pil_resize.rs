//! Resizing against Pillow, byte for byte, with every filter an image processor's
//! `resample` may name (tests/fixtures/pil_resize.json, scripts/make_resize_fixtures.py).

use quantscope::infer::pil_resize::{Resample, resize};

#[test]
fn every_filter_matches_pillow() {
    let fx: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/pil_resize.json")).unwrap();
    let bytes = |v: &serde_json::Value| -> Vec<u8> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap() as u8)
            .collect()
    };
    let (w, h) = (
        fx["width"].as_u64().unwrap() as u32,
        fx["height"].as_u64().unwrap() as u32,
    );
    let src = image::RgbImage::from_raw(w, h, bytes(&fx["pixels"])).unwrap();
    let mut checked = 0;
    for case in fx["resized"].as_array().unwrap() {
        let filter = Resample::from_pil(case["resample"].as_i64().unwrap()).unwrap();
        let (ow, oh) = (
            case["width"].as_u64().unwrap() as u32,
            case["height"].as_u64().unwrap() as u32,
        );
        let ours = resize(&src, ow, oh, filter);
        assert_eq!(
            ours.into_raw(),
            bytes(&case["pixels"]),
            "{filter:?} to {ow}×{oh}"
        );
        checked += 1;
    }
    assert_eq!(checked, 30);
    assert_eq!(Resample::from_pil(6), None);
}
