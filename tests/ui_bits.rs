//! The Bits panel driven through its real UI (egui_kittest, found by label via AccessKit).

mod common;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::QuantscopeApp;

fn harness() -> Harness<'static, QuantscopeApp> {
    common::app_harness(1280.0, 800.0)
}

/// Replace the text of the value box, as a user would: select all, type.
fn type_value(h: &mut Harness<'_, QuantscopeApp>, text: &str) {
    h.get_by_role_and_label(Role::TextInput, "Value").focus();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_role_and_label(Role::TextInput, "Value")
        .type_text(text);
    h.run();
}

fn choose_format(h: &mut Harness<'_, QuantscopeApp>, name: &str) {
    h.get_by_label("Format").click();
    h.run();
    // The list scrolls; bring the entry into view first, as a user would.
    h.get_by_role_and_label(Role::Button, name).scroll_to_me();
    h.run();
    h.get_by_role_and_label(Role::Button, name).click();
    h.run();
}

fn shows(h: &Harness<'_, QuantscopeApp>, text: &str) -> bool {
    h.query_all_by_label(text).next().is_some()
}

#[test]
fn one_third_in_bfloat16_is_0_333984375() {
    let mut h = harness();
    choose_format(&mut h, "float16");
    type_value(&mut h, "1/3");
    // Source: the lesson, torch 2.1.1: 1/3 in float16 prints 0.333251953125.
    assert!(shows(&h, "0.333251953125"));
    choose_format(&mut h, "bfloat16");
    // Source: the lesson: 1/3 in bfloat16 prints 0.333984375.
    assert!(shows(&h, "0.333984375"));
    assert_eq!(h.state().bits.analysis().hex(), "0x3eab");
}

#[test]
fn clicking_the_sign_bit_negates_the_value() {
    let mut h = harness();
    type_value(&mut h, "1/3");
    let before = h.state().bits.analysis();
    h.get_by_label("sign bit 15").click();
    h.run();
    let after = h.state().bits.analysis();
    assert_eq!(after.value, -before.value);
    assert_eq!(after.bits, before.bits ^ 0x8000);
    assert!(shows(&h, "-0.333984375"));
}

#[test]
fn next_up_changes_the_bits_by_one() {
    let mut h = harness();
    let before = h.state().bits.analysis().bits;
    h.get_by_label("Next up ▶").click();
    h.run();
    assert_eq!(h.state().bits.analysis().bits, before + 1);
    h.get_by_label("◀ Next down").click();
    h.run();
    h.get_by_label("◀ Next down").click();
    h.run();
    assert_eq!(h.state().bits.analysis().bits, before - 1);
}

#[test]
fn junk_in_the_value_box_gives_a_message_and_keeps_the_last_value() {
    let mut h = harness();
    let before = h.state().bits.analysis().bits;
    type_value(&mut h, "1/0x");
    assert_eq!(h.state().bits.analysis().bits, before);
    assert!(h.query_all_by_label_contains("'1/0x'").next().is_some());
    type_value(&mut h, "0x12345");
    assert!(
        h.query_all_by_label_contains("wider than bfloat16")
            .next()
            .is_some()
    );
    type_value(&mut h, "0x3f80");
    assert_eq!(h.state().bits.analysis().value, 1.0);
}

#[test]
fn every_format_and_tab_draws_without_panicking() {
    let mut h = harness();
    for f in quantscope::formats::Format::all() {
        h.state_mut().bits.select_format(&f.name());
        h.run();
        h.get_by_label("Next up ▶");
    }
    for tab in ["Downcast", "Model", "Bits"] {
        h.get_by_role_and_label(Role::Button, tab).click();
        // The Downcast lab keeps repainting while its background run goes on.
        h.run_steps(3);
    }
    assert!(shows(&h, "Next up ▶"));
}

#[test]
fn drawing_frames_never_changes_the_typed_value() {
    // Regression: a slider that rounds its value on every frame must not rewrite the input.
    let mut h = harness();
    h.run_steps(5);
    assert_eq!(h.state().bits.analysis().input, 1.0 / 3.0);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "Value")
            .is_some()
    );
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, "Value")
            .value()
            .as_deref(),
        Some("1/3")
    );
}

#[test]
fn a_custom_format_comes_from_the_sliders() {
    let mut h = harness();
    choose_format(&mut h, "custom eXmY");
    // Default custom layout e4m3 (IEEE): 1/3 → 0.34375 like float8_e4m3fn.
    assert_eq!(h.state().bits.format().name(), "e4m3");
    assert!(shows(&h, "0.34375"));
    h.get_by_label("sign bit 7").click();
    h.run();
    assert_eq!(h.state().bits.analysis().value, -0.34375);
}

#[test]
fn double_rounding_is_said_next_to_the_stored_value() {
    // 1 + 2^-8 + 2^-30 in bfloat16: PyTorch / ml_dtypes round through float32 to 0x3f80 (1);
    // rounding once gives 0x3f81 (1.0078125). Source: ml_dtypes 0.6.0 (codec tests).
    let mut h = harness();
    choose_format(&mut h, "bfloat16");
    type_value(&mut h, "1.003906250931322574615478515625");
    assert_eq!(h.state().bits.analysis().hex(), "0x3f80");
    assert!(shows(&h, "Double rounding"));
    assert!(
        h.query_all_by_label_contains("correctly rounded: 0x3f81")
            .next()
            .is_some()
    );
    // 1/3 rounds the same either way: no note.
    type_value(&mut h, "1/3");
    assert!(!shows(&h, "Double rounding"));
    // The scale format of MX, like every other format.
    choose_format(&mut h, "float8_e8m0fnu");
    type_value(&mut h, "0.3");
    assert_eq!(h.state().bits.analysis().hex(), "0x7d");
    assert!(shows(&h, "0.25"));
}
