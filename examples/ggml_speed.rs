//! Times our ggml decoding and quantizing, one thread and all cores, for
//! `scripts/bench_ggml.py` (which times ggml's own functions on the same input in the same
//! run and prints the ratios):
//!
//! ```sh
//! cargo run --release --example ggml_speed -- X.f32 ROWS COLS q4_0,q4_k,... [REPEAT]
//! ```
//!
//! X.f32 is ROWS × COLS little-endian f32. Prints one JSON object: per type the median
//! milliseconds of `quantize` and `dequantize` on one thread, and of `quantize_par` and
//! `dequantize_par` on all cores, each after a warm-up, outputs preallocated where the API
//! allows (decoding writes into a buffer made once).

use quantscope::ggml::{self, GgmlType};
use std::time::Instant;

fn median_ms(repeat: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..repeat)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: ggml_speed X.f32 ROWS COLS TYPES [REPEAT]");
        std::process::exit(2);
    }
    let bytes = std::fs::read(&args[1]).unwrap_or_default();
    let x: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let rows: usize = args[2].parse().unwrap_or(0);
    let cols: usize = args[3].parse().unwrap_or(0);
    if x.len() != rows * cols || x.is_empty() {
        eprintln!("{} values, not {rows} × {cols}", x.len());
        std::process::exit(2);
    }
    let repeat: usize = args.get(5).and_then(|r| r.parse().ok()).unwrap_or(7);
    let mut out = serde_json::Map::new();
    for name in args[4].split(',') {
        let Some(t) = GgmlType::scheme(name) else {
            eprintln!("unknown type {name}");
            std::process::exit(2);
        };
        let blocks = match ggml::quantize(t, &x, cols) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{name}: {e}");
                std::process::exit(2);
            }
        };
        let mut decoded = vec![0f32; x.len()];
        let q1 = median_ms(repeat, || {
            std::hint::black_box(ggml::quantize(t, &x, cols).ok());
        });
        let d1 = median_ms(repeat, || {
            ggml::dequantize(t, &blocks, &mut decoded).ok();
            std::hint::black_box(&decoded);
        });
        let qn = median_ms(repeat, || {
            std::hint::black_box(ggml::quantize_par(t, &x, cols).ok());
        });
        let dn = median_ms(repeat, || {
            ggml::dequantize_par(t, &blocks, &mut decoded).ok();
            std::hint::black_box(&decoded);
        });
        out.insert(
            name.to_string(),
            serde_json::json!({
                "quantize_ms": q1, "dequantize_ms": d1,
                "quantize_all_ms": qn, "dequantize_all_ms": dn,
                "threads": quantscope::platform::threads(),
            }),
        );
    }
    println!("{}", serde_json::Value::Object(out));
}
