//! Property test: a valid checkpoint mutated in 10 000 random ways (flipped bytes, cuts,
//! insertions, lying header lengths, junk spliced into the JSON) never makes opening,
//! decoding, statistics or the sensitivity table panic.

mod common;

use common::*;
use proptest::prelude::*;
use quantscope::model::ModelFiles;
use quantscope::model::analysis::{TensorScheme, sensitivity, tensor_report};
use quantscope::tensor::Progress;

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    HeaderLength(u64),
    Splice(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Flip(p, b)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(p, b)| Mutation::Insert(p, b)),
        1 => prop_oneof![any::<u64>(), 0u64..4096].prop_map(Mutation::HeaderLength),
        3 => (any::<usize>(), "[\\[\\]{}\",:0-9a-zA-Z_ .-]{1,12}").prop_map(|(p, s)| Mutation::Splice(p, s)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match m {
        Mutation::Flip(p, b) => {
            let i = p % len;
            if let Some(x) = bytes.get_mut(i) {
                *x ^= b | 1;
            }
        }
        Mutation::Truncate(n) => bytes.truncate(n % len),
        Mutation::Insert(p, b) => {
            let i = p % len;
            bytes.splice(i..i, b.iter().copied());
        }
        Mutation::HeaderLength(n) => {
            if bytes.len() >= 8 {
                bytes[..8].copy_from_slice(&n.to_le_bytes());
            }
        }
        Mutation::Splice(_, _) if bytes.len() < 9 => {}
        Mutation::Splice(p, s) => {
            // Inside the JSON header, where the structure is.
            let header = u64::from_le_bytes(bytes[..8].try_into().unwrap_or([0; 8])) as usize;
            let end = (8 + header).min(bytes.len()).max(9);
            let i = 8 + p % (end - 8);
            let j = (i + s.len()).min(bytes.len());
            bytes.splice(i.min(bytes.len())..j.max(i.min(bytes.len())), s.bytes());
        }
    }
}

proptest! {
    // A fixed seed keeps CI reproducible; change it to explore other mutations.
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261126),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_checkpoints_never_panic(mutations in proptest::collection::vec(mutation(), 1..4)) {
        static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
        let dir = DIR.get_or_init(|| temp_dir("fuzz"));
        let mut bytes = every_dtype_checkpoint();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let path = write(dir, "m.safetensors", &bytes);
        if let Ok(files) = ModelFiles::open(&path) {
            let int8 = TensorScheme::parse("int8:channel").ok();
            for t in &files.tensors {
                let _ = files.values_f64(&t.name);
                let _ = tensor_report(&files, &t.name, 16, int8, &Progress::new());
            }
            let schemes = TensorScheme::parse_list("int4:group:8,fp8_e4m3fn").unwrap();
            let _ = sensitivity(&files, &schemes, &Progress::new());
        }
        prop_assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file is not modified");
    }
}
