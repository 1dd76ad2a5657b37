//! Speed of the quantizer and the histogram, each beside a baseline measured in the same
//! run: a `memcpy` of the same input bytes. `scripts/bench-report.sh` turns the criterion
//! estimates into the ratios docs/speed.md reports. Casts and the lab, against PyTorch:
//! `benches/lab.rs` and `scripts/bench_lab.py`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quantscope::quant::{Granularity, Mode, QType, Scheme, quantize};
use quantscope::tensor::random::{Distribution, generate};
use quantscope::tensor::stats::Histogram;
use std::hint::black_box;

const MATRIX: usize = 4096;
const HIST_N: usize = 1_000_000;

/// `n` normal values (the generator stops at 10⁷, so longer tensors repeat it).
fn data(n: usize) -> Vec<f32> {
    let base = generate(
        &Distribution::Normal {
            mean: 0.0,
            std: 1.0,
        },
        n,
        1,
    )
    .expect("valid distribution");
    base.iter().copied().cycle().take(n).collect()
}

fn quantization(c: &mut Criterion) {
    let w = data(MATRIX * MATRIX);
    let mut g = c.benchmark_group("quantize_4096x4096");
    g.sample_size(10);
    g.throughput(Throughput::Bytes((w.len() * 4) as u64));
    let mut copy = vec![0f32; w.len()];
    g.bench_function("memcpy_f32", |b| {
        b.iter(|| copy.copy_from_slice(black_box(&w)))
    });
    let scheme = Scheme {
        qtype: QType::Int8,
        mode: Mode::Symmetric,
        granularity: Granularity::Channel(0),
    };
    g.bench_function("int8_per_channel", |b| {
        b.iter(|| quantize(black_box(&w), &[MATRIX, MATRIX], &scheme))
    });
    g.finish();
}

fn histogram(c: &mut Criterion) {
    let v = data(HIST_N);
    let mut g = c.benchmark_group("histogram_1M");
    g.throughput(Throughput::Bytes((HIST_N * 4) as u64));
    let mut copy = vec![0f32; HIST_N];
    g.bench_function("memcpy_f32", |b| {
        b.iter(|| copy.copy_from_slice(black_box(&v)))
    });
    g.bench_function("histogram_100_bins", |b| {
        b.iter(|| Histogram::new(black_box(&v).iter().map(|&x| x as f64), 100, -5.0, 5.0))
    });
    g.finish();
}

criterion_group!(benches, quantization, histogram);
criterion_main!(benches);
