//! Every ggml type decoded bit for bit as gguf-py's `gguf.quants.dequantize` (which matches
//! ggml's `dequantize_row_*`), on `tests/fixtures/gguf/dequant.gguf` — a file written by
//! gguf-py's GGUFWriter — from `scripts/make_gguf_fixtures.py` (gguf 0.19, NumPy 2.4).

use quantscope::ggml::{self, GgmlType};
use safetensors::SafeTensors;

const FIXTURES: &str = "tests/fixtures/gguf";

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
}

#[test]
fn a_gguf_py_file_reads_with_every_tensor_where_its_infos_say() {
    let bytes = read("dequant.gguf");
    let h = quantscope::gguf::parse(&bytes).expect("a valid file");
    assert_eq!(h.version, 3);
    assert_eq!(h.alignment, 32);
    assert_eq!(
        h.get("general.architecture").and_then(|v| v.as_str()),
        Some("quantscope-fixture")
    );
    let f32_t = &h.tensors[0];
    assert_eq!(f32_t.name, "F32");
    assert_eq!(f32_t.ne, [32, 2]);
    assert_eq!(f32_t.shape(), [2, 32]);
    assert_eq!(f32_t.ggml_type, GgmlType::F32);
    // Where gguf-py's GGUFReader finds every tensor (its data_offset and n_bytes).
    let reader: serde_json::Value =
        serde_json::from_slice(&read("dequant_reader.json")).expect("JSON");
    let theirs = reader["tensors"].as_array().expect("tensors");
    assert_eq!(theirs.len(), h.tensors.len());
    for (t, r) in h.tensors.iter().zip(theirs) {
        let start = r["offset"].as_u64().unwrap_or(0) as usize;
        let len = r["bytes"].as_u64().unwrap_or(0) as usize;
        assert_eq!(h.range(t), start..start + len, "{}", t.name);
    }
    assert_eq!(h.range(f32_t).len(), 256);
    assert_eq!(h.data_offset % 32, 0);
}

#[test]
fn every_type_decodes_as_gguf_py_does() {
    let bytes = read("dequant.gguf");
    let h = quantscope::gguf::parse(&bytes).expect("a valid file");
    let expected_file = read("dequant_expected.safetensors");
    let expected = SafeTensors::deserialize(&expected_file).expect("safetensors");
    let mut seen = std::collections::BTreeSet::new();
    for t in &h.tensors {
        let want = expected.tensor(&t.name).expect("expected values");
        let want: Vec<f32> = want
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let mut got = vec![0f32; t.n_values() as usize];
        ggml::dequantize(t.ggml_type, &bytes[h.range(t)], &mut got).expect("decodes");
        assert_eq!(got.len(), want.len(), "{}", t.name);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                "{} value {i}: ours {g:e} ({:#010x}), gguf-py {w:e} ({:#010x})",
                t.name,
                g.to_bits(),
                w.to_bits()
            );
        }
        seen.insert(t.ggml_type);
    }
    // Every type the issue lists, plus the plain ones.
    for name in [
        "F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K",
        "Q5_K", "Q6_K", "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S",
        "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0", "MXFP4", "NVFP4", "F64", "I8", "I16", "I32", "I64",
    ] {
        let t = GgmlType::named(name).expect("a type");
        assert!(seen.contains(&t), "{name} has no fixture");
    }
}
