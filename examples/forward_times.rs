//! Time the forward pass of a checkpoint in every precision the way
//! `scripts/bench_mobilevit.py` times PyTorch: in one process, weights prepared, one warm-up
//! forward, then the best of RUNS forwards; prints JSON {precision: best ms}.
//!
//!     cargo run --release --example forward_times -- MODEL_DIR PIXEL_VALUES.safetensors [RUNS]

use quantscope::infer::Precision;
use quantscope::infer::run::Classifier;
use quantscope::model::Checkpoint;
use std::time::Instant;

fn main() -> Result<(), String> {
    quantscope::platform::keep_freed_memory();
    let args: Vec<String> = std::env::args().collect();
    let [_, model, pixels, rest @ ..] = args.as_slice() else {
        return Err("usage: forward_times MODEL_DIR PIXEL_VALUES.safetensors [RUNS]".into());
    };
    let runs: usize = rest
        .first()
        .map_or(Ok(7), |r| r.parse())
        .map_err(|e| format!("{e}"))?;
    let classifier = Classifier::load(std::path::Path::new(model))?;
    let (pixels, _) = Checkpoint::open(std::path::Path::new(pixels))?.values_f32("pixel_values")?;
    let mut out = serde_json::Map::new();
    for p in Precision::ALL {
        classifier.run(&pixels, p)?; // prepares the weights and warms up
        let best = (0..runs.max(1))
            .map(|_| {
                let t = Instant::now();
                classifier
                    .run(&pixels, p)
                    .map(|_| t.elapsed().as_secs_f64() * 1e3)
            })
            .collect::<Result<Vec<f64>, String>>()?
            .into_iter()
            .fold(f64::INFINITY, f64::min);
        out.insert(p.name().to_string(), best.into());
    }
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}
