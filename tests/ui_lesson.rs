//! Classroom mode through the real UI: every lesson step's "Show me" reaches its state,
//! Page Down steps, the presentation toggle, arrow keys in the Bits panel.

mod common;

use common::settle_frames;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::views::model::View;
use quantscope::app::{QuantscopeApp, Tab};

fn harness() -> Harness<'static, QuantscopeApp> {
    common::app_harness(1400.0, 1000.0)
}

/// Run frames until the panel on screen is done.
fn settle(h: &mut Harness<'_, QuantscopeApp>) {
    settle_frames(h, 2);
}

#[test]
fn every_show_me_reaches_its_state() {
    let mut h = harness();
    h.get_by_label("Lesson").click();
    h.run_steps(2);
    let titles: Vec<String> = h
        .state()
        .lesson
        .lesson
        .steps
        .iter()
        .map(|s| s.title.clone())
        .collect();
    assert_eq!(titles.len(), 9);
    for (i, title) in titles.iter().enumerate() {
        h.get_by_role_and_label(Role::Button, title).click();
        h.run_steps(2);
        h.get_by_label("Show me").click();
        settle(&mut h);
        let app = h.state();
        match i {
            0 => {
                assert_eq!(app.tab, Tab::Bits);
                assert_eq!(app.bits.format().name(), "int8");
                assert_eq!(app.bits.analysis().value, 127.0);
            }
            1 => {
                assert_eq!(app.bits.format().name(), "float32");
                assert_eq!(app.bits.analysis().exact(), "0.3333333432674407958984375");
            }
            2 => assert_eq!(app.bits.analysis().exact(), "0.333984375"),
            3 | 4 => {
                assert_eq!(app.tab, Tab::Downcast);
                let r = app.downcast.report().unwrap();
                assert_eq!((r.size, r.target.as_str()), (1000, "bfloat16"));
            }
            5 => assert!(app.downcast.report().unwrap().target.starts_with("int8")),
            6 => {
                let r = app.downcast.report().unwrap();
                assert_eq!((r.size, r.target.as_str()), (4096, "mxfp4"));
                assert!(r.dist.contains("outlier"), "{}", r.dist);
                assert!(r.blocks.is_some());
            }
            7 => {
                let r = app.downcast.report().unwrap();
                assert_eq!((r.size, r.target.as_str()), (4096, "q4_k"));
                assert!(
                    r.memory
                        .iter()
                        .any(|m| m.format == "ggml Q4_K (with scales)")
                );
                // The block view: 16 Q4_K blocks, the first ones there to take apart.
                let g = r.ggml_blocks.as_ref().unwrap();
                assert_eq!((g.total, g.bytes.len()), (16, 16 * 144));
            }
            8 => {
                assert_eq!(app.tab, Tab::Model);
                assert_eq!(app.model.view, View::Run);
                let r = app.model.infer.result().unwrap();
                assert!(r.predictions.iter().all(|p| p.top5[0].label == "7"));
            }
            _ => unreachable!(),
        }
    }
}

#[test]
fn page_down_steps_and_the_lesson_file_is_data() {
    let mut h = harness();
    h.get_by_label("Lesson").click();
    h.run_steps(2);
    h.key_press(egui::Key::PageDown);
    h.run_steps(2);
    assert_eq!(h.state().lesson.step, 1);
    assert_eq!(h.state().bits.format().name(), "float32");
    h.key_press(egui::Key::PageUp);
    h.run_steps(2);
    assert_eq!(h.state().lesson.step, 0);
}

#[test]
fn presentation_mode_zooms_and_arrow_keys_step_the_bits() {
    let mut h = harness();
    h.run_steps(2);
    let cell = h.get_by_label("sign bit 15").rect().width();
    h.get_by_label("Presentation").click();
    h.run_steps(2);
    assert!(h.state().presentation);
    assert_eq!(h.ctx.zoom_factor(), 1.5);
    // Bigger bit cells (zoom × a larger cap) and full-contrast text.
    let big = h.get_by_label("sign bit 15").rect().width();
    assert!(big > cell * 1.4, "{cell} → {big}");
    assert!(h.ctx.global_style().visuals.override_text_color.is_some());
    let before = h.state().bits.analysis().bits;
    h.key_press(egui::Key::ArrowUp);
    h.run_steps(2);
    assert_eq!(h.state().bits.analysis().bits, before + 1);
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    assert_eq!(h.state().bits.analysis().bits, before);
    h.get_by_label("Presentation").click();
    h.run_steps(2);
    assert_eq!(h.ctx.zoom_factor(), 1.0);
    assert!(h.ctx.global_style().visuals.override_text_color.is_none());
}

#[test]
fn hex_digit_keys_flip_bits() {
    let mut h = harness();
    h.run_steps(2);
    let before = h.state().bits.analysis().bits;
    h.key_press(egui::Key::Num0);
    h.run_steps(2);
    assert_eq!(h.state().bits.analysis().bits, before ^ 1);
    h.key_press(egui::Key::F);
    h.run_steps(2);
    assert_eq!(
        h.state().bits.analysis().bits,
        before ^ 1 ^ 0x8000,
        "F flips bit 15, the sign"
    );
    assert!(h.state().bits.analysis().value < 0.0);
}

#[test]
fn an_idle_panel_stops_repainting() {
    // No busy loop: with nothing changing, the harness settles in a few frames.
    let mut h = harness();
    let steps = h.run();
    assert!(steps <= 4, "{steps} frames");
}

#[test]
fn terms_explain_themselves_on_hover() {
    let mut h = harness();
    h.run_steps(2);
    // Tooltips show after egui's hover delay: step about a second of frames.
    h.get_by_label("Class").hover();
    h.run_steps(60);
    assert!(
        h.query_all_by_label_contains("gradual underflow")
            .next()
            .is_some()
    );
    h.get_by_label("Fields").hover();
    h.run_steps(60);
    // With this value's numbers: bfloat16's bias is 127 and 1/3 is stored with exponent 125.
    assert!(
        h.query_all_by_label_contains("bias = 2^(exponent bits − 1) − 1 = 127")
            .next()
            .is_some()
    );
}
