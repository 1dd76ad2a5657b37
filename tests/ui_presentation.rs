//! Presentation mode on real projector sizes (1024×768, 1280×720, 1280×800, 1920×1080), with
//! and without the lesson open, in both themes: for every lesson step, after "Show me", the plot or table
//! the step is about lies whole inside the visible area (not under the lesson strip, not cut
//! at an edge), and hiding the side panel (F8) or the lesson (F9) gives the space back.

mod common;

use common::settle_frames;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::QuantscopeApp;

/// What the class must see at each step: a label inside the step's plot or table.
const TARGETS: [&str; 9] = [
    "Limits (finfo / iinfo)",
    "Compare formats",
    "sign bit 15",
    "Histogram: original vs stored",
    "Dot product x · x",
    "Histogram: original vs stored",
    "Blocks",
    "Blocks · ggml Q4_K",
    "Relative error against FP32, layer by layer",
];

/// The targets that are plots (the plot, not only its title, must be inside).
const PLOTS: [&str; 2] = [
    "Histogram: original vs stored",
    "Relative error against FP32, layer by layer",
];

/// Sizes in physical pixels (the harness runs at 1 pixel per point before the zoom).
const SIZES: [(f32, f32); 4] = [
    (1024.0, 768.0),
    (1280.0, 720.0),
    (1280.0, 800.0),
    (1920.0, 1080.0),
];

fn harness(w: f32, h: f32, dark: bool) -> Harness<'static, QuantscopeApp> {
    let mut harness = Harness::builder().with_size([w, h]).build_ui_state(
        |ui, app: &mut QuantscopeApp| app.show(ui),
        QuantscopeApp::default(),
    );
    harness.ctx.set_theme(if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
    harness.key_press(egui::Key::F11);
    harness.key_press(egui::Key::F9);
    harness.run_steps(3);
    harness
}

/// Run frames until the panel on screen is done.
fn settle(h: &mut Harness<'_, QuantscopeApp>) {
    settle_frames(h, 40);
}

/// The visible area for the panels: below the top bar, above the lesson strip, inside the
/// window (all in the units of the AccessKit rects).
fn visible(h: &Harness<'_, QuantscopeApp>, w: f32, hgt: f32) -> egui::Rect {
    let top = h.get_by_role_and_label(Role::Button, "Bits").rect().max.y;
    // The lesson strip's top, or the window's bottom without the lesson.
    let strip = h
        .query_by_role_and_label(Role::Button, "Show me")
        .map_or(hgt / h.ctx.pixels_per_point(), |n| n.rect().min.y);
    // The rects are in points; the window is `w` pixels at the presentation zoom.
    let right = w / h.ctx.pixels_per_point();
    egui::Rect::from_min_max(egui::pos2(0.0, top), egui::pos2(right, strip))
}

fn check_every_step(w: f32, hgt: f32, dark: bool) {
    for lesson in [true, false] {
        check_steps(w, hgt, dark, lesson);
    }
}

fn check_steps(w: f32, hgt: f32, dark: bool, lesson: bool) {
    let mut h = harness(w, hgt, dark);
    assert!(h.state().presentation, "F11 turns presentation on");
    assert!(h.state().lesson.open, "F9 opens the lesson");
    if !lesson {
        h.key_press(egui::Key::F9);
        h.run_steps(2);
    }
    for (step, target) in TARGETS.iter().enumerate() {
        let show = h.state_mut().lesson.go(step);
        let ctx = h.ctx.clone();
        h.state_mut().apply(&ctx, &show);
        settle(&mut h);
        let area = visible(&h, w, hgt);
        // The title and, for a plot, the plot itself (labelled by its title).
        let found: Vec<egui::Rect> = h
            .query_all_by_label_contains(target)
            .map(|n| n.rect())
            .collect();
        assert!(
            !found.is_empty(),
            "{w}×{hgt} step {}: {target:?} is not drawn",
            step + 1
        );
        if PLOTS.contains(target) {
            assert!(
                found.iter().any(|r| r.height() > 100.0),
                "{target:?}: the plot itself is found by its title: {found:?}"
            );
        }
        for rect in found {
            assert!(
                area.contains_rect(rect),
                "{w}×{hgt} {}{} step {}: {target:?} at {rect:?} is not inside the visible area {area:?}",
                if dark { "dark" } else { "light" },
                if lesson { "" } else { " without the lesson" },
                step + 1
            );
        }
    }
}

#[test]
fn every_step_shows_its_plot_or_table_at_1024x768() {
    check_every_step(SIZES[0].0, SIZES[0].1, true);
}

#[test]
fn every_step_shows_its_plot_or_table_at_1280x720() {
    check_every_step(SIZES[1].0, SIZES[1].1, false);
}

#[test]
fn every_step_shows_its_plot_or_table_at_1280x800() {
    check_every_step(SIZES[2].0, SIZES[2].1, true);
}

#[test]
fn every_step_shows_its_plot_or_table_at_1920x1080() {
    check_every_step(SIZES[3].0, SIZES[3].1, false);
}

#[test]
fn f8_hides_the_side_panel_and_f9_the_lesson_and_they_come_back() {
    let mut h = harness(1024.0, 768.0, true);
    let show = h.state_mut().lesson.go(3);
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, &show);
    settle(&mut h);
    let plot_width = |h: &Harness<'_, QuantscopeApp>| {
        h.get_by_label_contains("Histogram: original vs stored")
            .rect()
            .min
            .x
    };
    let with_controls = plot_width(&h);
    assert!(h.query_by_label("◀ Hide").is_some());
    h.key_press(egui::Key::F8);
    h.run_steps(3);
    assert!(
        h.query_by_label("◀ Hide").is_none(),
        "the controls are hidden"
    );
    assert!(plot_width(&h) < with_controls, "the plots take the width");
    // The strip's button brings them back.
    h.get_by_label("▶").click();
    h.run_steps(3);
    assert!(h.query_by_label("◀ Hide").is_some());
    h.key_press(egui::Key::F9);
    h.run_steps(2);
    assert!(!h.state().lesson.open);
    assert!(h.query_by_label("Show me").is_none());
    h.key_press(egui::Key::F9);
    h.run_steps(2);
    assert!(h.query_by_label("Show me").is_some());
}

#[test]
fn the_model_panels_tables_fit_the_width_at_1024x768() {
    let mut h = harness(1024.0, 768.0, false);
    h.get_by_role_and_label(Role::Button, "Model").click();
    settle(&mut h);
    let area = visible(&h, 1024.0, 768.0);
    // The memory table's rows and the checkpoint's summary are whole, not cut at the edge.
    for label in [
        "Memory per precision",
        "FP8 e4m3 (per-tensor scale)",
        "INT4 per group of 32",
        "__metadata__ (3 entries)",
    ] {
        let rect = h.get_by_label_contains(label).rect();
        assert!(
            rect.min.x >= area.min.x && rect.max.x <= area.max.x,
            "{label:?} at {rect:?} is cut at the sides of {area:?}"
        );
    }
}
