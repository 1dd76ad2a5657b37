//! Opening files from anywhere, driven through the real UI (egui_kittest): a system file
//! dialog that cannot be shown (as without xdg-desktop-portal and zenity) falls back to
//! quantscope's own picker, which opens a checkpoint and an image; cancelling is not
//! choosing; a dialog that never answers offers the picker; exports still land in the
//! export folder; paths from the command line open the window on them, or say what is wrong.

mod common;

use common::*;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::QuantscopeApp;
use quantscope::app::dialogs::{self, Answer, Ask, NativeDialogs, NoDialogs};
use quantscope::launch;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const NO_PORTAL: &str = "No system file dialog can be shown: no portal in this test";

fn harness_with(
    app: QuantscopeApp,
    native: Arc<dyn NativeDialogs>,
) -> Harness<'static, QuantscopeApp> {
    let mut h = Harness::builder()
        .with_size([1280.0, 1000.0])
        .build_ui_state(|ui, app: &mut QuantscopeApp| app.show(ui), app);
    dialogs::install(&h.ctx, native);
    h.step();
    h
}

fn on_model_tab(native: Arc<dyn NativeDialogs>) -> Harness<'static, QuantscopeApp> {
    let mut h = harness_with(QuantscopeApp::default(), native);
    h.get_by_role_and_label(Role::Button, "Model").click();
    settle(&mut h);
    h
}

/// Run frames until the panel on screen is done.
fn settle(h: &mut Harness<'_, QuantscopeApp>) {
    settle_frames(h, 2);
}

/// Run frames until `label` shows (a dialog answers on a worker thread).
fn wait_for(h: &mut Harness<'_, QuantscopeApp>, label: &str) {
    for _ in 0..1000 {
        h.step();
        if h.query_by_label_contains(label).is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    panic!("{label:?} never showed");
}

/// Replace the picker's path with `text`.
fn type_path(h: &mut Harness<'_, QuantscopeApp>, text: &str) {
    h.get_by_role_and_label(Role::TextInput, "Path").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_role_and_label(Role::TextInput, "Path")
        .type_text(text);
    // The list follows the path; the modal re-centres on its new height.
    h.run_steps(4);
}

fn fixtures(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = temp_dir(name);
    let ckpt = write(&dir, "every_dtype.safetensors", &every_dtype_checkpoint());
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/samples/digit_3.png");
    let image = dir.join("three.png");
    std::fs::copy(sample, &image).expect("copy the sample digit");
    (dir, ckpt, image)
}

#[test]
fn without_a_system_dialog_the_picker_opens_a_checkpoint_with_tab_completion() {
    let (dir, ckpt, _) = fixtures("fallback-open");
    let mut h = on_model_tab(Arc::new(NoDialogs(NO_PORTAL.into())));
    h.get_by_label("Open file…").click();
    wait_for(&mut h, "no portal in this test");
    // The reason and what to do are on screen, above the path field.
    assert!(
        h.query_by_label_contains("Choose a .safetensors file")
            .is_some()
    );
    // Type the start of the name; Tab completes it (the only file that fits).
    type_path(&mut h, &format!("{}/every", dir.display()));
    h.key_press(egui::Key::Tab);
    h.run_steps(3);
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, "Path")
            .value()
            .as_deref(),
        Some(ckpt.display().to_string().as_str())
    );
    h.get_by_role_and_label(Role::Button, "Open").click();
    h.step();
    settle(&mut h);
    let files = h.state().model.files().expect("opened");
    assert_eq!(files.path, ckpt);
    assert!(h.query_by_label("Path").is_none(), "the picker closed");
    // The next request goes straight to the picker (no second wait for a dead dialog).
    h.get_by_label("Open file…").click();
    h.step();
    h.step();
    assert!(h.query_by_label("Path").is_some());
    assert!(
        h.query_by_label_contains("no portal in this test")
            .is_some()
    );
}

#[test]
fn cancelling_is_not_choosing_and_nothing_stays_busy() {
    let (dir, _, _) = fixtures("fallback-cancel");
    let mut h = on_model_tab(Arc::new(NoDialogs(NO_PORTAL.into())));
    let before = h.state().model.files().map(|f| f.path.clone());
    h.get_by_label("Type a path…").click();
    h.run_steps(3);
    type_path(&mut h, &dir.display().to_string());
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    h.run_steps(2);
    assert!(h.query_by_label("Path").is_none());
    assert!(h.query_by_label("Nothing chosen.").is_some());
    assert!(!h.state().model.choosing());
    assert_eq!(h.state().model.files().map(|f| f.path.clone()), before);
    // Escape cancels too.
    h.get_by_label("Open file…").click();
    wait_for(&mut h, "no portal in this test");
    h.key_press(egui::Key::Escape);
    h.step();
    assert!(h.query_by_label("Path").is_none());
    assert!(!h.state().model.choosing());
}

#[test]
fn the_picker_lists_folders_and_opens_a_model_folder_and_an_image() {
    let (dir, ckpt, image) = fixtures("fallback-folder");
    let model_dir = dir.join("my-model");
    std::fs::create_dir_all(&model_dir).unwrap();
    std::fs::copy(&ckpt, model_dir.join("model.safetensors")).unwrap();
    let mut h = on_model_tab(Arc::new(NoDialogs(NO_PORTAL.into())));
    // Open folder…: enter the folder by its entry, then choose it.
    h.get_by_label("Open folder…").click();
    wait_for(&mut h, "no portal in this test");
    type_path(&mut h, &format!("{}/", dir.display()));
    h.get_by_label("my-model/").click();
    h.run_steps(3);
    assert_eq!(
        h.get_by_role_and_label(Role::TextInput, "Path")
            .value()
            .as_deref(),
        Some(format!("{}/", model_dir.display()).as_str())
    );
    h.get_by_role_and_label(Role::Button, "Open this folder")
        .click();
    h.step();
    settle(&mut h);
    assert_eq!(h.state().model.files().unwrap().path, model_dir);
    // The Run view's Open image… falls back the same way; click the file, then Open.
    h.get_by_role_and_label(Role::Button, "Bundled SimpleCNN")
        .click();
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "Run").click();
    settle(&mut h);
    h.get_by_label("Open image…").click();
    wait_for(&mut h, "Open an image");
    type_path(&mut h, &format!("{}/", dir.display()));
    h.get_by_label("three.png").click();
    h.run_steps(3);
    h.get_by_role_and_label(Role::Button, "Open").click();
    h.run_steps(3);
    h.step();
    settle(&mut h);
    assert_eq!(h.state().model.infer.image(), Some(image.as_path()));
    let result = h.state().model.infer.result().expect("classified");
    assert_eq!(
        result.predictions[0].top5[0].label, "3",
        "the held-out 3 is a 3"
    );
}

/// A dialog that never answers (a portal that accepted the call but shows nothing).
struct Silent;

impl NativeDialogs for Silent {
    fn ask(&self, _: &Ask) -> Answer {
        std::thread::sleep(std::time::Duration::from_secs(600));
        Answer::Cancelled
    }
}

#[test]
fn a_dialog_that_never_appears_offers_the_picker() {
    let (_, ckpt, _) = fixtures("silent");
    let mut h = on_model_tab(Arc::new(Silent));
    h.get_by_label("Open file…").click();
    h.step();
    assert!(
        h.query_by_label("waiting for the system file dialog…")
            .is_some()
    );
    wait_for(&mut h, "Use quantscope's picker");
    h.get_by_label("Use quantscope's picker").click();
    h.run_steps(3);
    assert!(
        h.query_by_label("waiting for the system file dialog…")
            .is_none()
    );
    type_path(&mut h, &ckpt.display().to_string());
    h.key_press(egui::Key::Enter);
    h.step();
    settle(&mut h);
    assert_eq!(h.state().model.files().unwrap().path, ckpt);
}

#[test]
fn without_a_save_dialog_exports_go_to_the_export_folder_and_say_so() {
    let dir = temp_dir("fallback-save");
    let mut app = QuantscopeApp::default();
    app.exporter.settings = quantscope::app::export::ExportSettings {
        ask: true,
        folder: dir.clone(),
        ..Default::default()
    };
    let mut h = harness_with(app, Arc::new(NoDialogs(NO_PORTAL.into())));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    wait_for(&mut h, "into the export folder");
    let saved = match &h.state().exporter.status {
        Some(Ok(s)) => s.clone(),
        other => panic!("not saved: {other:?}"),
    };
    assert_eq!(saved.path, dir.join("quantscope-state.json"));
    assert!(saved.fallback.unwrap().contains("no portal in this test"));
    assert!(
        std::fs::read_to_string(&saved.path)
            .unwrap()
            .contains("\"version\"")
    );
}

#[test]
fn paths_from_the_command_line_open_the_window_on_them() {
    let (_, _, image) = fixtures("launch");
    // The bundled SimpleCNN folder, so the image is classified too.
    let ckpt = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/models/simple_cnn");
    let mut app = QuantscopeApp::default();
    // In any order: the image first.
    app.launch(&launch::from_paths(&[image.clone(), ckpt.clone()]));
    let mut h = harness_with(app, Arc::new(NoDialogs(NO_PORTAL.into())));
    settle(&mut h);
    assert_eq!(h.state().tab, quantscope::app::Tab::Model);
    assert_eq!(h.state().model.files().unwrap().path, ckpt);
    assert_eq!(
        h.state().model.view,
        quantscope::app::views::model::View::Run
    );
    assert_eq!(h.state().model.infer.image(), Some(image.as_path()));
    assert!(h.state().model.launch_problems().is_empty());
    let result = h.state().model.infer.result().expect("classified");
    assert_eq!(result.predictions[0].top5[0].label, "3");
}

#[test]
fn an_image_alone_runs_on_the_bundled_model() {
    let (_, _, image) = fixtures("launch-image");
    let mut app = QuantscopeApp::default();
    app.launch(&launch::from_paths(std::slice::from_ref(&image)));
    let mut h = harness_with(app, Arc::new(NoDialogs(NO_PORTAL.into())));
    settle(&mut h);
    assert!(
        h.state()
            .model
            .files()
            .unwrap()
            .path
            .ends_with("simple_cnn")
    );
    let result = h.state().model.infer.result().expect("classified");
    assert_eq!(result.predictions[0].top5[0].label, "3");
}

#[test]
fn bad_paths_from_the_command_line_are_shown_in_the_window() {
    let (dir, ckpt, _) = fixtures("launch-bad");
    let missing = dir.join("missing.safetensors");
    let second = write(&dir, "second.safetensors", &every_dtype_checkpoint());
    let broken = write(
        &dir,
        "broken.safetensors",
        b"\x05\x00\x00\x00\x00\x00\x00\x00{\"a\":",
    );
    let mut app = QuantscopeApp::default();
    app.launch(&launch::from_paths(&[
        missing.clone(),
        ckpt.clone(),
        second,
    ]));
    let mut h = harness_with(app, Arc::new(NoDialogs(NO_PORTAL.into())));
    settle(&mut h);
    // The good checkpoint is open; the missing file and the second checkpoint are named.
    assert_eq!(h.state().model.files().unwrap().path, ckpt);
    let shown = h
        .query_by_label_contains("From the command line")
        .expect("the problems are on screen");
    let text = format!("{shown:?}");
    assert!(text.contains("missing.safetensors"), "{text}");
    assert!(text.contains("one checkpoint at a time"), "{text}");
    h.get_by_label("Dismiss").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("From the command line").is_none());
    // A file that exists but is broken: the window opens with the checkpoint's message.
    let mut app = QuantscopeApp::default();
    app.launch(&launch::from_paths(std::slice::from_ref(&broken)));
    let mut h = harness_with(app, Arc::new(NoDialogs(NO_PORTAL.into())));
    settle(&mut h);
    let message = h.state().model.message().expect("a message").to_string();
    assert!(message.contains("broken.safetensors"), "{message}");
    assert!(h.query_by_label_contains(&message).is_some());
}
