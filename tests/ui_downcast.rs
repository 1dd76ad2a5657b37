//! The Downcast lab driven through the real UI (egui_kittest), waiting for its background runs.

mod common;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::{QuantscopeApp, Tab};

fn harness() -> Harness<'static, QuantscopeApp> {
    let mut h = common::app_harness(1280.0, 900.0);
    h.get_by_label("Downcast").click();
    settle(&mut h);
    h
}

/// Step frames until the lab's background job is done.
fn settle(h: &mut Harness<'_, QuantscopeApp>) {
    for _ in 0..2000 {
        h.step();
        if !h.state().downcast.busy() {
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("the lab did not finish");
}

#[test]
fn opens_on_the_lesson_rand_1000_to_bf16() {
    let h = harness();
    assert_eq!(h.state().tab, Tab::Downcast);
    let r = h.state().downcast.report().expect("a report");
    assert_eq!(r.size, 1000);
    assert_eq!(r.target, "bfloat16");
    assert!(
        h.query_all_by_label_contains("1000 values of uniform")
            .next()
            .is_some()
    );
    assert!(h.query_by_label("Dot product x · x").is_some());
}

#[test]
fn changing_the_target_format_updates_the_stats() {
    let mut h = harness();
    let bf16_error = h.state().downcast.report().unwrap().error.max_abs;
    h.get_by_label("Target format").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "float8_e4m3fn")
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::Button, "float8_e4m3fn")
        .click();
    settle(&mut h);
    let r = h.state().downcast.report().unwrap();
    assert_eq!(r.target, "float8_e4m3fn");
    assert!(
        r.error.max_abs > 10.0 * bf16_error,
        "fp8 loses far more than bf16"
    );
    assert!(
        h.query_all_by_label_contains("→ float8_e4m3fn")
            .next()
            .is_some()
    );
}

#[test]
fn a_seed_reproduces_identical_numbers() {
    let mut h = harness();
    let first = h.state().downcast.report().unwrap().first.clone();
    h.get_by_label("New seed").click();
    settle(&mut h);
    let other = h.state().downcast.report().unwrap().first.clone();
    assert_ne!(first, other);
    h.state_mut().downcast.set_seed(0);
    settle(&mut h);
    assert_eq!(h.state().downcast.report().unwrap().first, first);
}

#[test]
fn quantize_mode_shows_scale_and_levels() {
    let mut h = harness();
    h.get_by_label("Quantize").click();
    settle(&mut h);
    let r = h.state().downcast.report().unwrap();
    assert!(r.levels.is_some());
    assert!(r.target.starts_with("int8 symmetric"));
    assert!(
        h.query_all_by_label_contains("Integer levels: scale")
            .next()
            .is_some()
    );
}

#[test]
fn a_large_tensor_runs_in_the_background() {
    let mut h = harness();
    h.state_mut().downcast.set_size(2_000_000);
    h.step();
    // The frame returned while the job runs; the old report stays on screen meanwhile.
    assert!(h.state().downcast.busy());
    assert_eq!(h.state().downcast.report().unwrap().size, 1000);
    settle(&mut h);
    assert_eq!(h.state().downcast.report().unwrap().size, 2_000_000);
}

#[test]
fn block_schemes_show_the_block_view() {
    let mut h = harness();
    h.get_by_label("Quantize").click();
    settle(&mut h);
    h.get_by_label("Type").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "mxfp4")
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::Button, "mxfp4").click();
    settle(&mut h);
    let r = h.state().downcast.report().unwrap();
    assert_eq!(r.target, "mxfp4");
    let b = r.blocks.as_ref().expect("a block view");
    assert_eq!(b.block_size, 32);
    assert!(h.query_by_label("Blocks").is_some());
    assert!(
        h.query_by_label("Four bits, four ways (this tensor)")
            .is_some()
    );
    assert!(
        h.query_all_by_label_contains("Block 0: scale")
            .next()
            .is_some()
    );
    // NVFP4's per-tensor scale is a checkbox.
    h.get_by_label("Type").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "nvfp4")
        .scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::Button, "nvfp4").click();
    settle(&mut h);
    h.get_by_label("per-tensor scale too").click();
    settle(&mut h);
    assert_eq!(
        h.state().downcast.report().unwrap().target,
        "nvfp4 + tensor scale"
    );
}
