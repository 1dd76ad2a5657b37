//! Exports and persistence through the real UI: a table's CSV button, a plot's PNG button
//! (the screenshot is answered by the test, as a renderer would), Ctrl+S state JSON, loading a
//! state (hostile files included), reset to defaults, and the state surviving a restart.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::export::ExportSettings;
use quantscope::app::state::{AppState, from_json};
use quantscope::app::{QuantscopeApp, Tab, read_state};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qs-ui-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The app with exports going straight into `folder` (no dialog).
fn harness(folder: &Path) -> Harness<'static, QuantscopeApp> {
    let mut app = QuantscopeApp::default();
    app.exporter.settings = ExportSettings {
        ask: false,
        folder: folder.to_path_buf(),
        ..ExportSettings::default()
    };
    Harness::builder()
        .with_size([1400.0, 1000.0])
        .build_ui_state(|ui, app: &mut QuantscopeApp| app.show(ui), app)
}

/// Step until the exporter has written its file (it writes on a worker thread).
fn finish_export(h: &mut Harness<'_, QuantscopeApp>) {
    for _ in 0..500 {
        h.step();
        if !h.state().exporter.busy() && h.state().exporter.status.is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("export did not finish");
}

fn saved(h: &Harness<'_, QuantscopeApp>) -> PathBuf {
    match &h.state().exporter.status {
        Some(Ok(s)) => s.path.clone(),
        other => panic!("no file saved: {other:?}"),
    }
}

#[test]
fn a_table_saves_as_csv() {
    let dir = temp_dir("csv");
    let mut h = harness(&dir);
    h.run_steps(2);
    // The first CSV button on the Bits panel is the compare-formats table's.
    h.query_all_by_label("CSV").next().unwrap().click();
    finish_export(&mut h);
    let path = saved(&h);
    assert_eq!(path, dir.join("compare-formats.csv"));
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.starts_with("format,bits,stored value,abs error,rel error\n"));
    // 1/3 in bfloat16 is 0x3eab = 0.333984375 (the lesson's value).
    assert!(csv.contains("\nbfloat16,0x3eab,0.333984375,"), "{csv}");
    // A second save never overwrites the first.
    h.query_all_by_label("CSV").next().unwrap().click();
    h.state_mut().exporter.status = None;
    finish_export(&mut h);
    assert_eq!(saved(&h), dir.join("compare-formats-2.csv"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_plot_saves_as_png_cropped_to_the_plot() {
    let dir = temp_dir("png");
    let mut h = harness(&dir);
    h.run_steps(2);
    h.query_all_by_label("PNG").next().unwrap().click();
    // Answer the screenshot request as a renderer would: a window-sized image.
    let mut answered = false;
    for _ in 0..10 {
        h.step();
        let commands: Vec<egui::ViewportCommand> = h
            .output()
            .viewport_output
            .values()
            .flat_map(|v| v.commands.clone())
            .collect();
        for c in commands {
            if let egui::ViewportCommand::Screenshot(callback) = c {
                let size = h.ctx.content_rect().size() * h.ctx.pixels_per_point();
                let (w, ht) = (size.x as usize, size.y as usize);
                let image = egui::ColorImage::new([w, ht], vec![egui::Color32::LIGHT_BLUE; w * ht]);
                callback.complete(std::sync::Arc::new(image));
                answered = true;
            }
        }
        if answered {
            break;
        }
    }
    assert!(answered, "no screenshot was requested");
    finish_export(&mut h);
    let path = saved(&h);
    assert_eq!(path, dir.join("stored-value-across-the-range.png"));
    let png = image::open(&path).unwrap().to_rgba8();
    // The plot, not the window: as wide as a column, as tall as the plot (300 points, the
    // smallest readable plot height at zoom 1).
    let (w, ht) = png.dimensions();
    assert!(w > 200 && w < 1400, "{w}");
    assert!((280..=330).contains(&ht), "{ht}");
    assert_eq!(png.get_pixel(0, 0).0, egui::Color32::LIGHT_BLUE.to_array());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ctrl_s_saves_the_state_and_loading_it_restores_everything() {
    let dir = temp_dir("state");
    let mut h = harness(&dir);
    h.run_steps(2);
    h.state_mut().bits.set_text("0.1");
    h.state_mut().downcast.set_size(5000);
    h.state_mut().tab = Tab::Downcast;
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    finish_export(&mut h);
    let path = saved(&h);
    assert_eq!(path, dir.join("quantscope-state.json"));
    let s = read_state(&path).unwrap();
    assert_eq!((s.tab.as_str(), s.bits.value.as_str()), ("downcast", "0.1"));
    assert_eq!(s.downcast.size, 5000);

    // A fresh app that loads the file is in the same state.
    let mut h2 = harness(&dir);
    h2.run_steps(1);
    let ctx = h2.ctx.clone();
    h2.state_mut().restore(&ctx, &s);
    h2.run_steps(2);
    assert_eq!(h2.state().state(&ctx), s);
    assert_eq!(h2.state().tab, Tab::Downcast);
    assert_eq!(h2.state().bits.analysis().input, 0.1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hostile_state_files_are_refused_or_tamed() {
    let dir = temp_dir("hostile");
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    for (name, bytes) in [
        ("empty.json", b"".as_slice()),
        ("array.json", b"[1,2,3]"),
        ("binary.json", &[0xff, 0xfe, 0x00, 0x01]),
        ("truncated.json", b"{\"tab\": \"bits\", \"bits\": {"),
    ] {
        let p = write(name, bytes);
        let e = read_state(&p).unwrap_err();
        assert!(e.contains(name), "{e}");
    }
    let big = write("big.json", &vec![b' '; 2 << 20]);
    assert!(read_state(&big).unwrap_err().contains("too large"));
    assert!(read_state(&dir.join("missing.json")).is_err());
    // Lies and out-of-range values: the app takes what fits and stays usable.
    let lying = write(
        "lying.json",
        br#"{"tab": "model\u0000", "zoom": 1e30, "lesson_step": 999999,
            "bits": {"format": "float99", "value": "not a number", "rounding": "sideways",
                     "custom_exp": 4000000000, "sweep": [1e308, -1e308]},
            "downcast": {"size": 18446744073709551615, "bins": 0, "group": 0,
                         "distribution": {"kind": "normal", "mean": 0, "std": -1},
                         "range": [5, -5], "format": "", "qtype": "int3"},
            "model": {"view": "run", "sample": 12345, "open": "/nonexistent/x.safetensors",
                      "recent": ["/nonexistent/a", 7]}}"#,
    );
    let s = read_state(&lying).unwrap();
    let mut h = harness(&dir);
    h.run_steps(1);
    let ctx = h.ctx.clone();
    h.state_mut().restore(&ctx, &s);
    for _ in 0..200 {
        h.step();
        if !h.state().downcast.busy() && !h.state().model.busy() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let app = h.state();
    assert_eq!(app.tab, Tab::Bits, "an unknown tab name keeps the default");
    assert_eq!(app.bits.format().name(), "bfloat16");
    assert!(h.ctx.zoom_factor() <= 4.0);
    assert_eq!(app.lesson.step, app.lesson.lesson.steps.len() - 1);
    let st = app.state(&ctx);
    assert!(st.downcast.size <= 10_000_000 && st.downcast.bins >= 10);
    assert_eq!(
        st.downcast.distribution,
        AppState::default().downcast.distribution
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn reset_to_defaults_from_the_export_menu() {
    let dir = temp_dir("reset");
    let mut h = harness(&dir);
    h.run_steps(2);
    h.state_mut().bits.set_text("-2.5");
    h.state_mut().downcast.set_seed(42);
    h.state_mut().tab = Tab::Downcast;
    h.run_steps(2);
    h.get_by_label("Export").click();
    h.run_steps(2);
    h.get_by_label("Reset to defaults").click();
    h.run_steps(2);
    let ctx = h.ctx.clone();
    let expected = AppState {
        export: h.state().exporter.settings.clone(),
        ..AppState::default()
    };
    assert_eq!(h.state().state(&ctx), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An in-memory eframe storage, standing in for the file eframe writes on exit.
#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn the_whole_state_survives_a_restart() {
    let dir = temp_dir("restart");
    let mut h = harness(&dir);
    h.run_steps(2);
    h.get_by_label("Presentation").click();
    h.state_mut().bits.select_format("float16");
    h.state_mut().bits.set_text("65504");
    h.state_mut().downcast.set_quantize(true);
    h.state_mut().tab = Tab::Downcast;
    h.run_steps(3);
    let ctx = h.ctx.clone();
    let before = h.state().state(&ctx);
    let mut storage = MemoryStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);

    let ctx2 = egui::Context::default();
    let app = QuantscopeApp::from_storage(&ctx2, Some(&storage));
    // The zoom takes effect with the first frame.
    let mut out = ctx2.run_ui(egui::RawInput::default(), |_| {});
    out.textures_delta.clear();
    let after = app.state(&ctx2);
    assert_eq!(after, before);
    assert!(after.presentation && after.zoom == 1.5 && after.tab == "downcast");
    assert_eq!(app.bits.analysis().bits, 0x7bff);
    // Nothing saved: defaults.
    let fresh = QuantscopeApp::from_storage(&ctx2, Some(&MemoryStorage::default()));
    assert_eq!(fresh.state(&ctx2).bits, AppState::default().bits);
    let _ = from_json::<AppState>("{}").unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
