//! What a GGUF file says about its model, in a few lines: architecture, name, the file type
//! named as llama.cpp names it (`MOSTLY_Q4_K_M`), sizes, and the tokenizer's vocabulary; and
//! its metadata grouped by key prefix for a tree.

use super::reader::Header;
use super::value::Value;

/// llama.cpp's `llama_ftype` names (gguf-py's `LlamaFileType`), by `general.file_type`.
pub fn file_type_name(v: u64) -> Option<&'static str> {
    Some(match v {
        0 => "ALL_F32",
        1 => "MOSTLY_F16",
        2 => "MOSTLY_Q4_0",
        3 => "MOSTLY_Q4_1",
        7 => "MOSTLY_Q8_0",
        8 => "MOSTLY_Q5_0",
        9 => "MOSTLY_Q5_1",
        10 => "MOSTLY_Q2_K",
        11 => "MOSTLY_Q3_K_S",
        12 => "MOSTLY_Q3_K_M",
        13 => "MOSTLY_Q3_K_L",
        14 => "MOSTLY_Q4_K_S",
        15 => "MOSTLY_Q4_K_M",
        16 => "MOSTLY_Q5_K_S",
        17 => "MOSTLY_Q5_K_M",
        18 => "MOSTLY_Q6_K",
        19 => "MOSTLY_IQ2_XXS",
        20 => "MOSTLY_IQ2_XS",
        21 => "MOSTLY_Q2_K_S",
        22 => "MOSTLY_IQ3_XS",
        23 => "MOSTLY_IQ3_XXS",
        24 => "MOSTLY_IQ1_S",
        25 => "MOSTLY_IQ4_NL",
        26 => "MOSTLY_IQ3_S",
        27 => "MOSTLY_IQ3_M",
        28 => "MOSTLY_IQ2_S",
        29 => "MOSTLY_IQ2_M",
        30 => "MOSTLY_IQ4_XS",
        31 => "MOSTLY_IQ1_M",
        32 => "MOSTLY_BF16",
        36 => "MOSTLY_TQ1_0",
        37 => "MOSTLY_TQ2_0",
        38 => "MOSTLY_MXFP4_MOE",
        39 => "MOSTLY_NVFP4",
        40 => "MOSTLY_Q1_0",
        1024 => "GUESSED",
        _ => return None,
    })
}

/// The model in a few labelled lines (only those the file has).
pub fn summary(h: &Header) -> Vec<(String, String)> {
    let mut out = vec![("GGUF version".to_string(), h.version.to_string())];
    let arch = h
        .get("general.architecture")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut put = |label: &str, v: Option<String>| {
        if let Some(v) = v {
            out.push((label.to_string(), v));
        }
    };
    put("architecture", (!arch.is_empty()).then(|| arch.to_string()));
    put(
        "name",
        h.get("general.name")
            .and_then(Value::as_str)
            .map(str::to_string),
    );
    put(
        "file type",
        h.get("general.file_type")
            .and_then(Value::as_u64)
            .map(|v| file_type_name(v).map_or(format!("{v} (unknown)"), |n| format!("{n} ({v})"))),
    );
    for (key, label) in [
        ("context_length", "context length"),
        ("embedding_length", "embedding length"),
        ("block_count", "layers"),
        ("attention.head_count", "attention heads"),
        ("attention.head_count_kv", "KV heads"),
        ("feed_forward_length", "feed-forward length"),
        ("expert_count", "experts"),
    ] {
        put(
            label,
            h.get(&format!("{arch}.{key}")).map(|v| v.summary(40)),
        );
    }
    put(
        "tokenizer",
        h.get("tokenizer.ggml.model")
            .and_then(Value::as_str)
            .map(|m| {
                let n = match h.get("tokenizer.ggml.tokens") {
                    Some(Value::Array(_, items)) => format!(", {} tokens", items.len()),
                    _ => String::new(),
                };
                format!("{m}{n}")
            }),
    );
    put("alignment", Some(h.alignment.to_string()));
    out
}

/// The metadata grouped by the key's first part (`general`, `llama`, `tokenizer` …), in file
/// order within each group.
pub fn groups(h: &Header) -> Vec<(String, Vec<(&str, &Value)>)> {
    let mut out: Vec<(String, Vec<(&str, &Value)>)> = Vec::new();
    for (k, v) in &h.metadata {
        let group = k.split('.').next().unwrap_or(k).to_string();
        match out.iter_mut().find(|(g, _)| *g == group) {
            Some((_, items)) => items.push((k.as_str(), v)),
            None => out.push((group, vec![(k.as_str(), v)])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_llama_header_is_summarised() {
        let h = Header {
            version: 3,
            metadata: vec![
                ("general.architecture".into(), Value::String("llama".into())),
                ("general.file_type".into(), Value::U32(15)),
                ("llama.block_count".into(), Value::U32(22)),
                ("tokenizer.ggml.model".into(), Value::String("llama".into())),
                (
                    "tokenizer.ggml.tokens".into(),
                    Value::Array(
                        super::super::ValueType::String,
                        vec![Value::String("a".into()); 3],
                    ),
                ),
            ],
            tensors: vec![],
            alignment: 32,
            data_offset: 0,
            data_size: 0,
        };
        let s = summary(&h);
        let get = |l: &str| s.iter().find(|(k, _)| k == l).map(|(_, v)| v.as_str());
        assert_eq!(get("file type"), Some("MOSTLY_Q4_K_M (15)"));
        assert_eq!(get("layers"), Some("22"));
        assert_eq!(get("tokenizer"), Some("llama, 3 tokens"));
        let g = groups(&h);
        assert_eq!(
            g.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["general", "llama", "tokenizer"]
        );
    }
}
