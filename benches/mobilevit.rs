//! MobileViT-small forward pass (random weights, transformers' MobileViTConfig() sizes,
//! 1×3×256×256) in every precision, weights prepared once (as the Run view's cache does).
//! The same work in PyTorch, in the same run: `scripts/bench_mobilevit.py`.

use criterion::{Criterion, criterion_group, criterion_main};
use quantscope::infer::Precision;
use quantscope::infer::run::Classifier;
use quantscope::infer::synthetic::mobilevit_small;
use quantscope::model::ModelFiles;
use std::sync::Arc;

fn bench(c: &mut Criterion) {
    quantscope::platform::keep_freed_memory();
    let files =
        ModelFiles::from_memory("mobilevit-small (random)", mobilevit_small(0).unwrap()).unwrap();
    let model = Classifier::from_shared(Arc::new(files)).unwrap();
    let pixels: Vec<f32> = (0..3 * 256 * 256)
        .map(|i| (i % 255) as f32 / 255.0)
        .collect();
    let mut group = c.benchmark_group("mobilevit_small_forward");
    group.sample_size(10);
    for p in Precision::ALL {
        model.run(&pixels, p).unwrap(); // prepare the weights once
        group.bench_function(p.name(), |b| b.iter(|| model.run(&pixels, p).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
