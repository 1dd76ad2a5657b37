//! The Model panel driven through the real UI (egui_kittest): the bundled checkpoint, a
//! dropped fixture with every dtype, a broken file, the filter and the sensitivity table.

mod common;

use common::*;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use quantscope::app::QuantscopeApp;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn harness() -> Harness<'static, QuantscopeApp> {
    let mut h = common::app_harness(1280.0, 1400.0);
    h.get_by_role_and_label(Role::Button, "Model").click();
    settle(&mut h);
    h
}

/// Run frames until the panel on screen is done.
fn settle(h: &mut Harness<'_, QuantscopeApp>) {
    settle_frames(h, 2);
}

/// Click a widget as a user would: scroll it into view first.
fn click(h: &mut Harness<'_, QuantscopeApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    // Scrolling animates over a few frames.
    h.run_steps(30);
    h.get_by_label(label).click();
    h.step();
}

fn drop_file(h: &mut Harness<'_, QuantscopeApp>, path: &Path) {
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(path.to_path_buf())));
    h.step();
    settle(h);
}

#[test]
fn opens_the_bundled_checkpoint_and_its_sensitivity() {
    let h = harness();
    let files = h.state().model.files().expect("bundled checkpoint");
    assert_eq!(files.tensors.len(), 8);
    // The largest float tensor is selected first.
    assert_eq!(h.state().model.report().unwrap().entry.name, "fc1.weight");
    assert_eq!(h.state().model.sensitivity().unwrap().len(), 8);
    assert!(h.query_by_label("Memory per precision").is_some());
}

#[test]
fn a_dropped_checkpoint_opens_and_a_tensor_shows_its_stats() {
    let dir = temp_dir("ui-model-drop");
    let path = write(&dir, "every.safetensors", &every_dtype_checkpoint());
    let mut h = harness();
    drop_file(&mut h, &path);
    assert_eq!(h.state().model.files().unwrap().tensors.len(), 14);
    click(&mut h, "head.weight");
    settle(&mut h);
    let r = h.state().model.report().unwrap();
    assert_eq!(r.entry.name, "head.weight");
    assert_eq!(r.summary.count, 16);
    assert!(
        h.query_by_label("F64 · shape [4, 4] · 16 values · 128 bytes")
            .is_some()
    );
    // Stats of an fp8 tensor: NaN counted, not averaged.
    h.state_mut()
        .model
        .select(&egui::Context::default(), "fp8.e4m3");
    settle(&mut h);
    assert_eq!(h.state().model.report().unwrap().summary.nan, 1);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_broken_file_gives_a_message_and_the_ui_keeps_working() {
    let dir = temp_dir("ui-model-broken");
    let bad = write(&dir, "broken.safetensors", &[0xff; 64]);
    let mut h = harness();
    drop_file(&mut h, &bad);
    let msg = h.state().model.message().expect("a message").to_string();
    assert!(msg.contains("broken.safetensors"), "{msg}");
    assert!(
        h.query_all_by_label_contains("broken.safetensors")
            .next()
            .is_some()
    );
    // The bundled checkpoint is still open and usable.
    assert_eq!(h.state().model.files().unwrap().tensors.len(), 8);
    click(&mut h, "conv2.weight");
    settle(&mut h);
    assert_eq!(h.state().model.report().unwrap().entry.name, "conv2.weight");
    // A good file afterwards clears the message.
    let good = write(&dir, "good.safetensors", &every_dtype_checkpoint());
    drop_file(&mut h, &good);
    assert!(h.state().model.message().is_none());
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn the_filter_narrows_the_list_and_headers_sort_the_table() {
    let mut h = harness();
    h.get_by_role_and_label(Role::TextInput, "Filter").focus();
    h.get_by_role_and_label(Role::TextInput, "Filter")
        .type_text("fc1");
    h.run_steps(3);
    assert!(h.query_by_label("2 of 8 tensors").is_some());
    click(&mut h, "int4:group:32");
    h.run_steps(2);
    assert!(h.query_by_label("int4:group:32 ▲").is_some());
}

fn run_view(h: &mut Harness<'_, QuantscopeApp>) {
    h.get_by_role_and_label(Role::Button, "Run").click();
    settle(h);
}

#[test]
fn a_bundled_sample_runs_in_every_precision() {
    let mut h = harness();
    run_view(&mut h);
    h.get_by_role_and_label(Role::Button, "3").click();
    settle(&mut h);
    let r = h.state().model.infer.result().expect("results");
    assert_eq!(r.predictions.len(), 5);
    for p in &r.predictions {
        assert_eq!(p.top5[0].label, "3", "{}", p.dtype);
    }
    assert!(r.differences.iter().all(|d| d.top1_agrees));
    assert!(h.query_by_label("SimpleCNN in every precision").is_some());
    assert!(h.query_by_label("FP8 e4m3 (weights)").is_some());
}

#[test]
fn a_drawn_digit_is_classified_and_a_broken_image_keeps_the_ui_working() {
    let dir = temp_dir("ui-run");
    let mut h = harness();
    run_view(&mut h);
    // A vertical bar: a "1".
    let stroke: Vec<egui::Pos2> = (0..20)
        .map(|i| egui::pos2(112.0, 40.0 + 7.0 * i as f32))
        .collect();
    h.state_mut().model.infer.draw(&stroke);
    settle(&mut h);
    let r = h.state().model.infer.result().unwrap();
    assert_eq!(r.predictions[0].top5[0].label, "1");
    let bad = write(&dir, "cat.png", b"definitely not a png");
    drop_file(&mut h, &bad);
    let msg = h
        .state()
        .model
        .infer
        .message()
        .expect("a message")
        .to_string();
    assert!(msg.contains("cat.png"), "{msg}");
    // Still working: a sample runs again.
    h.get_by_role_and_label(Role::Button, "8").click();
    settle(&mut h);
    assert_eq!(
        h.state().model.infer.result().unwrap().predictions[0].top5[0].label,
        "8"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_dropped_mobilevit_folder_runs_in_every_precision() {
    let mut h = harness();
    drop_file(&mut h, Path::new("tests/fixtures/mobilevit/tiny"));
    assert!(
        h.state().model.message().is_none(),
        "{:?}",
        h.state().model.message()
    );
    run_view(&mut h);
    drop_file(&mut h, Path::new("tests/fixtures/mobilevit/image.png"));
    let r = h.state().model.infer.result().expect("results");
    assert_eq!(r.predictions.len(), 5);
    assert!(r.predictions.iter().all(|p| p.logits.len() == 5));
    // Layer by layer: stem, five encoder layers, expansion, classifier.
    assert_eq!(r.differences[1].layer_rel_error.len(), 8);
    assert!(h.query_by_label("MobileViT in every precision").is_some());
    assert!(h.query_by_label("What the model sees (64 × 64):").is_some());
}

#[test]
fn an_unknown_model_type_opens_in_inspect_and_run_says_what_it_supports() {
    let dir = temp_dir("ui-model-swin");
    write(&dir, "model.safetensors", &every_dtype_checkpoint());
    write(&dir, "config.json", br#"{"model_type": "swin"}"#);
    let mut h = harness();
    drop_file(&mut h, &dir);
    assert_eq!(h.state().model.files().unwrap().tensors.len(), 14);
    h.get_by_role_and_label(Role::Button, "Run").click();
    settle(&mut h);
    assert!(
        h.query_all_by_label_contains("unsupported architecture 'swin'")
            .next()
            .is_some()
    );
    for family in ["mobilevit", "vit", "resnet", "convnext", "mobilenet_v2"] {
        assert!(
            h.query_all_by_label_contains(&format!("• {family}:"))
                .next()
                .is_some(),
            "{family}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_gguf_file_opens_with_its_model_summary_and_ggml_types() {
    let mut h = harness();
    drop_file(&mut h, Path::new("tests/fixtures/gguf/metadata.gguf"));
    let files = h.state().model.files().expect("the GGUF opened");
    assert!(files.gguf().is_some());
    assert_eq!(files.tensors.len(), 2);
    h.run_steps(3);
    // The model in a few lines: the file type as llama.cpp names it, the vocabulary.
    h.get_by_label("MOSTLY_Q4_K_M (15)");
    h.get_by_label("llama");
    h.get_by_label_contains("GGUF metadata (18 keys)");
    // Tensors grouped by block, with their ggml type.
    h.get_by_label_contains("blk.0  ·");
    h.get_by_label("attn_q.weight");
    h.get_by_label("Q8_0");
    // The sensitivity table has the ggml columns.
    settle(&mut h);
    h.get_by_label("q4_k");
    h.get_by_label("iq4_xs");
    // A quantized tensor's block view: its fields, bit by bit.
    click(&mut h, "attn_q.weight");
    settle(&mut h);
    h.get_by_label("Block view · Q8_0");
    h.get_by_label_contains("d = ");
    h.get_by_label_contains("32 signed 8-bit codes");
}
