//! Deep links in the desktop app: `--open '#…'` lands in its state, the link of what is on
//! screen reads back to the same state, and bad values leave a visible note, never a panic.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::{QuantscopeApp, Tab};

fn harness(fragment: &str) -> Harness<'static, QuantscopeApp> {
    let mut app = QuantscopeApp::default();
    app.pending_link = Some(fragment.to_string());
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(|ui, app: &mut QuantscopeApp| app.show(ui), app);
    h.run_steps(2);
    h
}

#[test]
fn a_link_opens_0_1_in_float16() {
    let h = harness("#tab=bits&value=0.1&format=float16");
    let app = h.state();
    assert_eq!(app.tab, Tab::Bits);
    assert_eq!(app.bits.format().name(), "float16");
    // 0.1 stored in float16 is 0x2e66 = 0.0999755859375 (IEEE 754 binary16).
    let a = app.bits.analysis();
    assert_eq!((a.bits, a.value), (0x2e66, 0.0999755859375));
    assert!(h.query_all_by_label_contains("0.0999755859375").count() > 0);
    // The sweep is centred on it: ±8 ulp of 2^-14 around 0.0999755859375.
    let (lo, hi) = app.bits.state().sweep;
    assert_eq!(
        (lo, hi),
        (
            0.0999755859375 - 8.0 / 16384.0,
            0.0999755859375 + 8.0 / 16384.0
        )
    );
}

#[test]
fn a_lab_link_sets_the_lab_and_reads_back() {
    let mut h = harness("tab=downcast&dist=normal&size=5000&seed=3&to=e4m3&rounding=toward-zero");
    let app = h.state();
    assert_eq!(app.tab, Tab::Downcast);
    let s = app.downcast.state();
    assert_eq!(
        (
            s.distribution.kind(),
            s.size,
            s.seed,
            s.format.as_str(),
            s.rounding.as_str()
        ),
        ("normal", 5000, 3, "float8_e4m3fn", "toward-zero")
    );
    let fragment = quantscope::deeplink::write(&app.link());
    assert_eq!(
        fragment,
        "tab=downcast&rounding=toward-zero&dist=normal&size=5000&seed=3&to=float8_e4m3fn"
    );
    // A scheme link switches the lab to quantization.
    let ctx = h.ctx.clone();
    h.state_mut().open_link(&ctx, "#scheme=uint4");
    assert!(h.state().downcast.state().quantize);
    assert_eq!(h.state().downcast.state().qtype, "uint4");
    assert_eq!(
        h.state().link_url(),
        "http://127.0.0.1:8080/#tab=downcast&dist=normal&size=5000&seed=3&scheme=uint4"
    );
}

#[test]
fn bad_values_keep_defaults_with_a_visible_note() {
    let mut h = harness("#tab=bits&format=float7&value=0.5&size=-3&unknown=1");
    h.run_steps(2);
    let app = h.state();
    assert_eq!(
        app.bits.format().name(),
        "bfloat16",
        "the default format stays"
    );
    assert_eq!(app.bits.analysis().value, 0.5);
    let note = h
        .query_by_label_contains("format=float7 is not a format")
        .expect("the note is on screen");
    assert!(format!("{note:?}").contains("size=-3"));
}

#[test]
fn a_link_to_a_ggml_type_quantizes_the_lab_as_llama_quantize() {
    let mut h = harness("tab=downcast&dist=normal&size=1000&seed=0&scheme=q4_k");
    common_settle(&mut h);
    let app = h.state();
    assert_eq!(app.downcast.state().qtype, "q4_k");
    let report = app.downcast.report().expect("a report");
    assert_eq!(report.target, "q4_k");
    // 1000 values: four Q4_K blocks of 256 (the last padded), 144 bytes each.
    assert!(
        report
            .memory
            .iter()
            .any(|m| m.format == "ggml Q4_K (with scales)" && m.bytes == 4 * 144),
        "{:?}",
        report.memory
    );
    assert!(
        report.error.sqnr_db > 20.0 && report.error.sqnr_db < 30.0,
        "{}",
        report.error.sqnr_db
    );
    assert_eq!(
        quantscope::deeplink::write(&app.link()),
        "tab=downcast&dist=normal&size=1000&seed=0&scheme=q4_k"
    );
}

fn common_settle(h: &mut egui_kittest::Harness<'_, quantscope::app::QuantscopeApp>) {
    for _ in 0..3000 {
        h.step();
        if !h.state().busy() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(2);
}
