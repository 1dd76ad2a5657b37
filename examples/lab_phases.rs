//! Where the Downcast lab's time goes at 10⁷ values: each step of `tensor::lab::run`
//! timed on its own (best of 5), then the whole run.
//!
//!     cargo run --release --example lab_phases -- [FORMAT] [--whole]
//!
//! `--whole` times only the whole run, ten times (for `perf record`).

use quantscope::formats::{Format, RoundingMode};
use quantscope::tensor::Progress;
use quantscope::tensor::cast::cast_values;
use quantscope::tensor::dot::{DotSpec, Summation, dot_against, reference_dot, standard_dots};
use quantscope::tensor::lab::{LabRequest, Target, run};
use quantscope::tensor::pair_stats::PairStats;
use quantscope::tensor::random::{Distribution, generate};
use std::time::Instant;

fn best<T>(mut f: impl FnMut() -> T) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    quantscope::platform::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let whole_only = args.iter().any(|a| a == "--whole");
    let name = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "bfloat16".into());
    let f = Format::parse(&name).expect("a format");
    let dist = Distribution::named("normal").expect("a kind");
    let n = 10_000_000;
    let req = LabRequest {
        dist,
        size: n,
        seed: 0,
        target: Target::Cast(f),
        rounding: RoundingMode::NearestEven,
        bins: 60,
        range: None,
    };
    if whole_only {
        for _ in 0..10 {
            let t = Instant::now();
            std::hint::black_box(run(&req, &Progress::new())).ok();
            println!("whole run  {:7.1} ms", t.elapsed().as_secs_f64() * 1e3);
        }
        return;
    }
    let x = generate(&dist, n, 0).expect("values");
    let p = Progress::new();
    let y = cast_values(&x, &f, RoundingMode::NearestEven, 0, &p).expect("cast");
    println!("generate   {:7.1} ms", best(|| generate(&dist, n, 0)));
    println!(
        "cast       {:7.1} ms",
        best(|| cast_values(&x, &f, RoundingMode::NearestEven, 0, &p))
    );
    println!(
        "statistics {:7.1} ms",
        best(|| PairStats::of(&x, &y, &f, 60, None))
    );
    println!("dots       {:7.1} ms", best(|| standard_dots(&x, &x, f)));
    println!("  reference {:6.1} ms", best(|| reference_dot(&x, &x)));
    for spec in [
        DotSpec::torch_like(Format::named("float32")),
        DotSpec::torch_like(f),
        DotSpec {
            inputs: f,
            accumulate: f,
            summation: Summation::Naive,
        },
        DotSpec {
            inputs: f,
            accumulate: f,
            summation: Summation::Pairwise,
        },
    ] {
        println!(
            "  {:50} {:6.1} ms",
            spec.label(),
            best(|| dot_against(&x, &x, &spec, 0.0))
        );
    }
    println!("whole run  {:7.1} ms", best(|| run(&req, &Progress::new())));
}
