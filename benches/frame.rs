//! Frame budget: CPU time of one UI frame of each panel at its default size, stepped through
//! a headless egui_kittest harness (layout and tessellation inputs, no GPU).

use criterion::{Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use quantscope::app::{QuantscopeApp, Tab};

fn harness(tab: Tab) -> Harness<'static, QuantscopeApp> {
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, app: &mut QuantscopeApp| app.show(ui),
            QuantscopeApp::default(),
        );
    h.state_mut().tab = tab;
    // Let background work (the lab's run, the bundled checkpoint) finish first.
    for _ in 0..2000 {
        h.step();
        if !h.state().busy() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frame");
    for (name, tab) in [
        ("bits", Tab::Bits),
        ("downcast", Tab::Downcast),
        ("model", Tab::Model),
    ] {
        let mut h = harness(tab);
        g.bench_function(name, |b| b.iter(|| h.step()));
    }
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
