//! Block-scaled quantization against its references, bit for bit: torchao's `to_mx`
//! (FLOOR) and `nvfp4_quantize`, and the NF4 definition, recorded in
//! `tests/fixtures/block_scaled.json` by `scripts/make_block_fixtures.py`.

use quantscope::quant::block::{BlockScheme, quantize_blocks};
use serde_json::Value;

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("u64"))
        .collect()
}

fn f32s(v: &Value) -> Vec<f32> {
    u64s(v).iter().map(|&b| f32::from_bits(b as u32)).collect()
}

#[test]
fn block_schemes_match_torchao_and_the_nf4_definition() {
    let fx: Value =
        serde_json::from_str(include_str!("fixtures/block_scaled.json")).expect("fixture");
    let tensors = fx["tensors"].as_object().expect("tensors");
    assert!(tensors.len() >= 6);
    let mut checked = 0;
    for (name, t) in tensors {
        let shape: Vec<usize> = u64s(&t["shape"]).iter().map(|&d| d as usize).collect();
        let values = f32s(&t["values"]);
        for (scheme_name, want) in t["schemes"].as_object().expect("schemes") {
            let scheme = match scheme_name.as_str() {
                "nvfp4_tensor_scale" => BlockScheme::Nvfp4 { tensor_scale: true },
                other => other.parse::<BlockScheme>().expect("scheme"),
            };
            let q = quantize_blocks(&values, &shape, scheme).expect("quantizes");
            let what = format!("{name} / {scheme_name}");
            assert_eq!(q.scale_bits, u64s(&want["scale_bits"]), "{what}: scales");
            let codes: Vec<u64> = q.codes.iter().map(|&c| u64::from(c)).collect();
            assert_eq!(codes, u64s(&want["codes"]), "{what}: codes");
            let got: Vec<u32> = q.dequantized.iter().map(|d| d.to_bits()).collect();
            let expect: Vec<u32> = f32s(&want["dequantized"])
                .iter()
                .map(|d| d.to_bits())
                .collect();
            assert_eq!(got, expect, "{what}: dequantized");
            if let Some(ts) = want.get("tensor_scale") {
                let ts = f32::from_bits(ts.as_u64().expect("bits") as u32);
                assert_eq!(q.tensor_scale, Some(ts), "{what}: tensor scale");
            }
            checked += 1;
        }
    }
    assert!(checked >= 6 * 8, "{checked}");
}
