//! Quantizing into ggml types bit for bit as `ggml_quantize_chunk` without an importance
//! matrix: tests/fixtures/gguf/quant_expected.gguf holds ggml's blocks (llama-cpp-python
//! 0.3.36's libggml-base, built portable: no FMA contraction) of quant_input.safetensors, from
//! scripts/make_gguf_fixtures.py.

use quantscope::ggml::{self, GgmlType};

const FIXTURES: &str = "tests/fixtures/gguf";

fn input() -> (Vec<f32>, usize) {
    let bytes = std::fs::read(format!("{FIXTURES}/quant_input.safetensors")).expect("fixture");
    let st = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let x = st.tensor("x").expect("x");
    let cols = x.shape()[1];
    let v = x
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (v, cols)
}

#[test]
fn every_type_quantizes_as_ggml_does() {
    let (x, cols) = input();
    let file = std::fs::read(format!("{FIXTURES}/quant_expected.gguf")).expect("fixture");
    let h = quantscope::gguf::parse(&file).expect("gguf");
    let mut checked = Vec::new();
    for t in &h.tensors {
        let want = &file[h.range(t)];
        let got = ggml::quantize(t.ggml_type, &x, cols).expect("quantizes");
        assert_eq!(got.len(), want.len(), "{}", t.name);
        let bs = t.ggml_type.type_size();
        for (i, (g, w)) in got.chunks(bs).zip(want.chunks(bs)).enumerate() {
            assert_eq!(
                g,
                w,
                "{} block {i} (row {}): ours {g:02x?}, ggml {w:02x?}",
                t.name,
                i * t.ggml_type.block_size() / cols
            );
        }
        checked.push(t.ggml_type);
    }
    assert_eq!(checked, ggml::quant::QUANTIZABLE.to_vec());
}

#[test]
fn a_row_the_block_does_not_divide_is_an_error() {
    let e = ggml::quantize(GgmlType::Q4_K, &[0.0; 300], 300).unwrap_err();
    assert!(e.contains("not whole Q4_K blocks of 256"), "{e}");
    assert!(ggml::quantize(GgmlType::IQ2_XXS, &[0.0; 256], 256).is_err());
}
