//! The lab's work at PyTorch's scale, each group with the work `scripts/bench_lab.py` times
//! in PyTorch (same sizes, same threads): casts of 16 M f32 values into preallocated
//! outputs of each format's own width, beside a memcpy on the same threads; the Downcast
//! lab's whole recompute at 10⁷ values; int8 / int4 quantization of a 4096 × 4096 matrix;
//! the sensitivity table of eight 1024 × 1024 tensors.
//!
//!     cargo bench --bench lab            # then: python3 scripts/bench_lab.py

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use half::{bf16, f16};
use quantscope::formats::{Format, RoundingMode};
use quantscope::model::ModelFiles;
use quantscope::model::analysis::{TensorScheme, sensitivity};
use quantscope::quant::{Granularity, Mode, QType, Scheme, quantize};
use quantscope::tensor::Progress;
use quantscope::tensor::cast::{f32_to_bf16, f32_to_codes, f32_to_f16};
use quantscope::tensor::lab::{LabRequest, Target, run};
use quantscope::tensor::random::{Distribution, generate};
use std::hint::black_box;

const CAST_N: usize = 16 * 1024 * 1024;
const LAB_N: usize = 10_000_000;
const MATRIX: usize = 4096;

/// The schemes of the sensitivity comparison (the ones PyTorch computes without torchao).
pub const SENSITIVITY_SCHEMES: &str = "bfloat16,float16,fp8_e4m3fn,int8,int8:channel,int4:group:32";

/// `n` normal values (the generator stops at 10⁷, so longer tensors repeat it).
fn data(n: usize) -> Vec<f32> {
    let normal = Distribution::Normal {
        mean: 0.0,
        std: 1.0,
    };
    let base = generate(&normal, n.min(LAB_N), 1).expect("valid distribution");
    base.iter().copied().cycle().take(n).collect()
}

/// A memcpy on all cores, as the casts run (the baseline the casts are measured against).
fn copy_threaded(src: &[f32], dst: &mut [f32]) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = src.len().div_ceil(threads);
    std::thread::scope(|s| {
        for (a, b) in src.chunks(per).zip(dst.chunks_mut(per)) {
            s.spawn(move || b.copy_from_slice(a));
        }
    });
}

fn casts(c: &mut Criterion) {
    let src = data(CAST_N);
    let mut g = c.benchmark_group("cast_16M");
    g.sample_size(20);
    g.throughput(Throughput::Elements(CAST_N as u64));
    let mut copy = vec![0f32; CAST_N];
    g.bench_function("memcpy_f32", |b| {
        b.iter(|| copy_threaded(black_box(&src), &mut copy))
    });
    let mut out_bf16 = vec![bf16::ZERO; CAST_N];
    g.bench_function("bfloat16", |b| {
        b.iter(|| f32_to_bf16(black_box(&src), &mut out_bf16))
    });
    let mut out_f16 = vec![f16::ZERO; CAST_N];
    g.bench_function("float16", |b| {
        b.iter(|| f32_to_f16(black_box(&src), &mut out_f16))
    });
    let mut bytes = vec![0u8; CAST_N];
    for name in [
        "float8_e4m3fn",
        "float8_e5m2",
        "float6_e3m2fn",
        "float4_e2m1fn",
        "int8",
    ] {
        let f = Format::named(name);
        g.bench_function(name, |b| {
            b.iter(|| f32_to_codes(black_box(&src), &f, &mut bytes))
        });
    }
    g.finish();
}

fn lab(c: &mut Criterion) {
    // As the app does at start-up: freed buffers are reused by the next run rather than
    // mapped afresh (and page-faulted in) every time.
    quantscope::platform::keep_freed_memory();
    let mut g = c.benchmark_group("lab_10M");
    g.sample_size(10);
    for name in ["bfloat16", "float8_e4m3fn"] {
        let req = LabRequest {
            dist: Distribution::named("normal").expect("a kind"),
            size: LAB_N,
            seed: 0,
            target: Target::Cast(Format::named(name)),
            rounding: RoundingMode::NearestEven,
            bins: 60,
            range: None,
        };
        g.bench_function(name, |b| b.iter(|| run(black_box(&req), &Progress::new())));
    }
    g.finish();
}

fn quantization(c: &mut Criterion) {
    let w = data(MATRIX * MATRIX);
    let mut g = c.benchmark_group("quantize_4096x4096");
    g.sample_size(10);
    for (name, qtype, granularity) in [
        ("int8_per_channel", QType::Int8, Granularity::Channel(0)),
        ("int4_per_group_32", QType::Int4, Granularity::Group(32)),
    ] {
        let scheme = Scheme {
            qtype,
            mode: Mode::Symmetric,
            granularity,
        };
        g.bench_function(name, |b| {
            b.iter(|| quantize(black_box(&w), &[MATRIX, MATRIX], &scheme))
        });
    }
    g.finish();
}

fn sensitivity_table(c: &mut Criterion) {
    // Eight 1024 × 1024 f32 tensors in one checkpoint, in memory.
    let values = data(8 << 20);
    let bytes: Vec<Vec<u8>> = values
        .chunks(1 << 20)
        .map(|t| t.iter().flat_map(|x| x.to_le_bytes()).collect())
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let view =
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![1024, 1024], b)
                    .expect("a view");
            (format!("layer.{i}.weight"), view)
        })
        .collect();
    let file = safetensors::tensor::serialize(views, None).expect("serialized");
    let files = ModelFiles::from_memory("bench", vec![("model.safetensors".into(), file)])
        .expect("a checkpoint");
    let schemes = TensorScheme::parse_list(SENSITIVITY_SCHEMES).expect("schemes");
    let mut g = c.benchmark_group("sensitivity_8x1024x1024");
    g.sample_size(10);
    g.bench_function("six_schemes", |b| {
        b.iter(|| sensitivity(black_box(&files), &schemes, &Progress::new()))
    });
    g.finish();
}

criterion_group!(benches, casts, lab, quantization, sensitivity_table);
criterion_main!(benches);
