//! Speed of the hot loops, each beside a baseline measured in the same run:
//! a `memcpy` of the same input bytes. `scripts/bench-report.sh` turns the criterion
//! estimates into the ratios the README reports.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use half::{bf16, f16};
use quantscope::formats::{Format, RoundingMode};
use quantscope::quant::{Granularity, Mode, QType, Scheme, quantize};
use quantscope::tensor::Progress;
use quantscope::tensor::cast::{cast_values, f32_to_bf16, f32_to_f16};
use quantscope::tensor::random::{Distribution, generate};
use quantscope::tensor::stats::Histogram;
use std::hint::black_box;

const CAST_N: usize = 16 * 1024 * 1024;
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

fn casts(c: &mut Criterion) {
    let src = data(CAST_N);
    let mut g = c.benchmark_group("cast_16M");
    g.sample_size(10);
    g.throughput(Throughput::Bytes((CAST_N * 4) as u64));
    let mut copy = vec![0f32; CAST_N];
    g.bench_function("memcpy_f32", |b| {
        b.iter(|| copy.copy_from_slice(black_box(&src)))
    });
    let mut out_bf16 = vec![bf16::ZERO; CAST_N];
    g.bench_function("f32_to_bf16", |b| {
        b.iter(|| f32_to_bf16(black_box(&src), &mut out_bf16))
    });
    let mut out_f16 = vec![f16::ZERO; CAST_N];
    g.bench_function("f32_to_f16", |b| {
        b.iter(|| f32_to_f16(black_box(&src), &mut out_f16))
    });
    let e4m3 = Format::named("float8_e4m3fn");
    g.bench_function("f32_to_fp8_e4m3_values", |b| {
        b.iter(|| {
            cast_values(
                black_box(&src),
                &e4m3,
                RoundingMode::NearestEven,
                0,
                &Progress::new(),
            )
        })
    });
    g.finish();
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

criterion_group!(benches, casts, quantization, histogram);
criterion_main!(benches);
