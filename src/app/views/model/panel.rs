//! The Model panel: open a checkpoint (dialog, drag-and-drop, recent files, bundled default),
//! browse its tensors, see memory per precision, one tensor's statistics and histogram under a
//! scheme, and the sensitivity table — all heavy work in the background.

use super::run::InferView;
use super::settings::ModelState;
use super::{inspect as model_views, tree as model_tree};
use crate::app::platform::file_chooser::{Chosen, FileChooser};
use crate::app::platform::job::Job;
use crate::app::widgets::layout::{BUSY_REPAINT_MODEL, scrolled_central, side_panel};
use crate::browse::Wanted;
use crate::infer::run::{Classifier, bundled_checkpoint};
use crate::launch::is_image_name;
use crate::model::ModelFiles;
use crate::model::analysis::{APP_SCHEMES, SensitivityRow, TensorReport, TensorScheme};
use crate::tasks::{ModelRef, Task};
use crate::tensor::Cancelled;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Most recent files remembered.
const RECENT: usize = 8;

/// Histogram bins of the tensor view.
const BINS: usize = 80;

/// The two views of the panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Tensors, memory, sensitivity.
    Inspect,
    /// Run the model on an image in every precision.
    Run,
}

/// State of the Model panel.
pub struct ModelPanel {
    /// The bundled checkpoint, looked up once (not on every frame).
    bundled: Option<PathBuf>,
    /// A checkpoint to open first instead of the bundled one (restored state).
    reopen: Option<PathBuf>,
    /// Which view is shown.
    pub view: View,
    /// The Run view.
    pub infer: InferView,
    classifier: Option<Result<Arc<Classifier>, String>>,
    files: Option<Arc<ModelFiles>>,
    opening: Job<(PathBuf, Result<ModelFiles, String>)>,
    chooser: FileChooser,
    message: Option<String>,
    /// What was wrong with the paths on the command line, until dismissed.
    launch_problems: Vec<String>,
    /// Recently opened paths, newest first (persisted by the app).
    pub recent: Vec<PathBuf>,
    filter: String,
    selected: Option<String>,
    /// The block and sub-block shown in a GGUF tensor's block view.
    gguf_block: usize,
    gguf_sub: usize,
    scheme: usize,
    /// The lab link "Try in the lab" asked for this frame (the view sends it to the app).
    pub(super) lab_link: Option<crate::deeplink::Link>,
    schemes: Vec<TensorScheme>,
    report_job: Job<Result<TensorReport, String>>,
    report: Option<TensorReport>,
    sens_job: Job<Result<Vec<SensitivityRow>, Cancelled>>,
    sens: Option<Vec<SensitivityRow>>,
    sort: model_views::Sort,
    started: bool,
}

impl Default for ModelPanel {
    fn default() -> Self {
        ModelPanel {
            bundled: bundled_checkpoint(),
            reopen: None,
            view: View::Inspect,
            infer: InferView::default(),
            classifier: None,
            files: None,
            opening: Job::default(),
            chooser: FileChooser::default(),
            message: None,
            launch_problems: Vec::new(),
            recent: Vec::new(),
            filter: String::new(),
            selected: None,
            gguf_block: 0,
            gguf_sub: 0,
            scheme: 4,
            lab_link: None,
            schemes: TensorScheme::parse_list(APP_SCHEMES).unwrap_or_default(),
            report_job: Job::default(),
            report: None,
            sens_job: Job::default(),
            sens: None,
            sort: model_views::Sort::default(),
            started: false,
        }
    }
}

impl Default for ModelState {
    /// The Model panel's start state.
    fn default() -> Self {
        ModelPanel::default().state()
    }
}

impl ModelPanel {
    /// The open checkpoint.
    pub fn files(&self) -> Option<&ModelFiles> {
        self.files.as_deref()
    }

    /// The error shown, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// What was wrong with the paths given on the command line (shown until dismissed).
    pub fn launch_problems(&self) -> &[String] {
        &self.launch_problems
    }

    /// The selected tensor's report, when computed.
    pub fn report(&self) -> Option<&TensorReport> {
        self.report.as_ref()
    }

    /// The sensitivity table, when computed.
    pub fn sensitivity(&self) -> Option<&[SensitivityRow]> {
        self.sens.as_deref()
    }

    /// Whether anything runs in the background.
    pub fn busy(&self) -> bool {
        (self.view == View::Run && self.infer.busy())
            || self.opening.status().is_some()
            || self.report_job.status().is_some()
            || self.sens_job.status().is_some()
    }

    /// The settings worth saving.
    pub fn state(&self) -> ModelState {
        ModelState {
            view: match self.view {
                View::Inspect => "inspect",
                View::Run => "run",
            }
            .into(),
            recent: self.recent.clone(),
            open: self.files.as_ref().map(|f| f.path.clone()),
            sample: self.infer.sample().unwrap_or(7),
        }
    }

    /// Restore saved settings. The checkpoint that was open is reopened when the panel is
    /// first shown (if it still exists; else the bundled one).
    pub fn restore(&mut self, s: &ModelState) {
        *self = ModelPanel::default();
        self.view = if s.view == "run" {
            View::Run
        } else {
            View::Inspect
        };
        self.recent = s.recent.iter().take(RECENT).cloned().collect();
        self.reopen = s.open.clone().filter(|p| p.exists());
        if s.sample < 10 {
            self.infer.set_sample(s.sample);
        }
    }

    /// Open a file or folder in the background; the current checkpoint stays until it succeeds.
    pub fn open(&mut self, ctx: &egui::Context, path: PathBuf) {
        self.started = true;
        self.opening.start(ctx, move |_| {
            let r = ModelFiles::open(&path);
            (path, r)
        });
    }

    /// Files dropped on the window: a checkpoint and/or an image, in any order (on the web
    /// their bytes are read first, and arrive through the chooser).
    fn dropped(
        &mut self,
        ctx: &egui::Context,
        dropped: Vec<Arc<dyn egui::DroppedFile + Send + Sync>>,
    ) {
        if cfg!(target_arch = "wasm32") {
            self.chooser.read_dropped(ctx, dropped);
            return;
        }
        let paths: Vec<PathBuf> = dropped.iter().map(|f| f.path().to_path_buf()).collect();
        let found = crate::launch::from_paths(&paths);
        if let Some(image) = found.image {
            self.view = View::Run;
            self.infer.set_image(image);
        }
        if let Some(checkpoint) = found.checkpoint {
            self.open(ctx, checkpoint);
        }
        if let Some(problem) = found.problems.into_iter().next() {
            self.message = Some(problem);
        }
    }

    /// Open the bundled SimpleCNN: from assets/ on disk where found (so its path shows), else
    /// the copy built into the binary (always, in the browser).
    pub fn open_bundled(&mut self, ctx: &egui::Context) {
        match self.bundled.clone() {
            Some(p) => self.open(ctx, p),
            None => self.open_memory(ctx, crate::infer::run::bundled_files()),
        }
    }

    /// Open files held in memory (picked or dropped in the browser): `.safetensors` shards
    /// with their config.json / preprocessor_config.json, or `.gguf` files.
    pub fn open_memory(&mut self, ctx: &egui::Context, files: Vec<(String, Vec<u8>)>) {
        self.started = true;
        let label = files
            .iter()
            .find(|(n, _)| n.ends_with(".safetensors") || n.ends_with(".gguf"))
            .or(files.first())
            .map_or("dropped files".to_string(), |(n, _)| n.clone());
        self.opening.start(ctx, move |_| {
            let r = ModelFiles::from_memory(&label, files);
            (PathBuf::from(label), r)
        });
    }

    /// Ask for a checkpoint file with the system dialog (on a worker thread), or with
    /// quantscope's own picker when the system has none.
    pub fn open_dialog(&mut self, ctx: &egui::Context) {
        self.ask(ctx, Wanted::Checkpoint);
    }

    fn ask(&mut self, ctx: &egui::Context, wanted: Wanted) {
        let start = self.start_folder();
        self.chooser.open(ctx, wanted, start, &self.recent);
    }

    /// Open quantscope's own file picker (no system dialog).
    pub fn browse(&mut self) {
        let start = self.start_folder();
        self.chooser.browse(Wanted::Checkpoint, start, &self.recent);
    }

    /// Where a dialog starts: beside the open checkpoint (its folder's parent for a model
    /// folder, where the other models usually are).
    fn start_folder(&self) -> Option<PathBuf> {
        let path = &self.files.as_ref()?.path;
        path.parent().map(Path::to_path_buf)
    }

    /// The file choosers (checkpoint, and the Run view's image), for tests and the app.
    pub fn choosing(&self) -> bool {
        self.chooser.busy() || self.infer.choosing()
    }

    /// Open the window on what the command line named: a checkpoint (instead of the
    /// bundled or last one) and an image (then the Run view shows); the problems are shown.
    pub fn launch(&mut self, launch: &crate::launch::Launch) {
        if let Some(c) = &launch.checkpoint {
            self.reopen = Some(c.clone());
            self.started = false;
        }
        if let Some(i) = &launch.image {
            self.view = View::Run;
            self.infer.set_image(i.clone());
        }
        self.launch_problems = launch.problems.clone();
    }

    /// Select a tensor and compute its report.
    pub fn select(&mut self, ctx: &egui::Context, name: &str) {
        self.selected = Some(name.to_string());
        self.gguf_block = 0;
        self.gguf_sub = 0;
        self.start_report(ctx);
    }

    fn start_report(&mut self, ctx: &egui::Context) {
        let (Some(files), Some(name)) = (&self.files, self.selected.clone()) else {
            return;
        };
        let task = Task::Report {
            model: ModelRef::files(files),
            name,
            bins: BINS,
            scheme: self.schemes.get(self.scheme).copied(),
        };
        self.report_job.start_task(ctx, task);
    }

    fn start_sensitivity(&mut self, ctx: &egui::Context) {
        let Some(files) = &self.files else {
            return;
        };
        let task = Task::Sensitivity {
            model: ModelRef::files(files),
            schemes: self.schemes.clone(),
        };
        self.sens = None;
        self.sens_job.start_task(ctx, task);
    }

    fn remember(&mut self, path: &Path) {
        // Files read in the browser have no path to open again.
        if !path.exists() {
            return;
        }
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(RECENT);
    }

    /// Take finished background work (opening, the tensor's report, the sensitivity table)
    /// and answer the file choosers.
    pub fn poll(&mut self, ctx: &egui::Context) {
        if let Some((path, result)) = self.opening.poll() {
            match result {
                Ok(files) => {
                    self.remember(&path);
                    let files = Arc::new(files);
                    self.classifier =
                        Some(Classifier::from_shared(Arc::clone(&files)).map(Arc::new));
                    self.infer.invalidate();
                    self.files = Some(files);
                    self.message = None;
                    self.report = None;
                    self.report_job.cancel();
                    // Select the largest float tensor: the one worth looking at first.
                    self.selected = self.files.as_ref().and_then(|f| {
                        f.tensors
                            .iter()
                            .filter(|t| t.is_float())
                            .max_by_key(|t| t.params())
                            .map(|t| t.name.clone())
                    });
                    self.start_report(ctx);
                    self.start_sensitivity(ctx);
                }
                Err(e) => self.message = Some(e),
            }
        }
        match self.chooser.ui(ctx) {
            Some(Chosen::Path(path)) => self.open(ctx, path),
            Some(Chosen::Files(files)) => {
                // Images go to the Run view; the rest is a checkpoint (weights + configs).
                let (images, rest): (Vec<_>, Vec<_>) = files
                    .into_iter()
                    .partition(|(name, _)| is_image_name(Path::new(name)));
                if let Some((name, bytes)) = images.into_iter().next() {
                    self.view = View::Run;
                    self.infer.set_image_bytes(name, bytes);
                }
                if !rest.is_empty() {
                    self.open_memory(ctx, rest);
                }
            }
            None => {}
        }
        self.infer.dialogs(ctx);
        if let Some(result) = self.report_job.poll() {
            match result {
                Ok(r) => self.report = Some(r),
                Err(e) => self.message = Some(e),
            }
        }
        if let Some(Ok(rows)) = self.sens_job.poll() {
            self.sens = Some(rows);
        }
        // Work that failed (a bug) is said here, in the panel that asked for it.
        let failed = [
            self.opening.take_failure(),
            self.report_job.take_failure(),
            self.sens_job.take_failure(),
        ];
        if let Some(why) = failed.into_iter().flatten().next() {
            self.message = Some(why);
        }
    }

    /// Draw the panel.
    pub fn panel_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.started {
            self.started = true;
            match self.reopen.take() {
                Some(p) => self.open(&ctx, p),
                None => self.open_bundled(&ctx),
            }
        }
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if !dropped.is_empty() {
            self.dropped(&ctx, dropped);
        }
        egui::Panel::top("model_toolbar").show(ui, |ui| self.toolbar_ui(ui));
        if self.view == View::Run {
            let model = self
                .classifier
                .clone()
                .unwrap_or_else(|| Err("no checkpoint is open".into()));
            scrolled_central(ui, |ui| self.infer.ui(ui, model));
            return;
        }
        let mut chosen = None;
        side_panel(ui, "model_tensors", 430.0, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Filter");
                ui.add(egui::TextEdit::singleline(&mut self.filter).desired_width(240.0))
                    .labelled_by(label.id);
                if let Some(files) = &self.files {
                    crate::app::widgets::table::csv_button(ui, "the list of tensors", || {
                        model_views::tensors_table(files)
                    });
                }
            });
            if let Some(files) = self.files.clone() {
                chosen = model_tree::ui(ui, &files, &self.filter, self.selected.as_deref());
            }
        });
        if let Some(name) = chosen {
            self.select(&ctx, &name);
        }
        scrolled_central(ui, |ui| self.main_ui(ui, &ctx));
        if self.busy() {
            ctx.request_repaint_after(BUSY_REPAINT_MODEL);
        }
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(&mut self.view, View::Inspect, "Inspect")
                .on_hover_text("Tensors, memory per precision, sensitivity");
            ui.selectable_value(&mut self.view, View::Run, "Run")
                .on_hover_text("Classify an image in FP32, BF16, FP16, INT8 and FP8");
            ui.separator();
            if ui
                .button("Open file…")
                .on_hover_text("A .safetensors file, a model.safetensors.index.json or a .gguf file (Ctrl+O)")
                .clicked()
            {
                self.open_dialog(ui.ctx());
            }
            // The browser has no folders or paths: Open file… picks the files themselves.
            let desktop = !cfg!(target_arch = "wasm32");
            if desktop
                && ui
                    .button("Open folder…")
                .on_hover_text(
                    "A folder with model.safetensors (and config.json), or a sharded checkpoint",
                )
                .clicked()
            {
                self.ask(ui.ctx(), Wanted::Folder);
            }
            if desktop
                && ui
                    .button("Type a path…")
                    .on_hover_text(
                    "quantscope's own file picker: a path with Tab completion, the folder's files, recent files",
                )
                .clicked()
            {
                self.browse();
            }
            let mut chosen = None;
            ui.add_enabled_ui(!self.recent.is_empty(), |ui| {
                ui.menu_button("Recent", |ui| {
                    for p in &self.recent {
                        if ui.button(p.display().to_string()).clicked() {
                            chosen = Some(p.clone());
                            ui.close();
                        }
                    }
                })
                .response
                .on_hover_text("Checkpoints opened before");
            });
            if let Some(p) = chosen {
                self.open(ui.ctx(), p);
            }
            if ui
                .button("Bundled SimpleCNN")
                .on_hover_text("The small checkpoint that ships in assets/")
                .clicked()
            {
                self.open_bundled(ui.ctx());
            }
            self.chooser.status_ui(ui);
            if let Some((_, t)) = self.opening.status()
                && t.as_millis() > 100
            {
                ui.spinner();
                ui.label("opening…");
            }
            if let Some(files) = &self.files {
                ui.label(egui::RichText::new(files.path.display().to_string()).weak());
            } else {
                ui.label(
                    egui::RichText::new("Drop a .safetensors file or a model folder here").weak(),
                );
            }
        });
        if let Some(m) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {m}"));
        }
        if !self.launch_problems.is_empty() {
            let mut dismiss = false;
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!(
                        "⚠ From the command line: {}",
                        self.launch_problems.join("; ")
                    ),
                );
                dismiss = ui.small_button("Dismiss").clicked();
            });
            if dismiss {
                self.launch_problems.clear();
            }
        }
    }

    fn main_ui(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        let Some(files) = self.files.clone() else {
            ui.label("No checkpoint open.");
            return;
        };
        model_views::summary_ui(ui, &files);
        ui.add_space(10.0);
        let before = self.scheme;
        self.lab_link = model_views::tensor_ui(
            ui,
            self.report.as_ref(),
            self.report_job.status().is_some(),
            &self.schemes,
            &mut self.scheme,
        );
        if before != self.scheme {
            self.start_report(ctx);
        }
        if let Some(t) = self.selected.as_deref().and_then(|n| files.tensor(n)) {
            super::gguf_block::block_ui(ui, &files, t, &mut self.gguf_block, &mut self.gguf_sub);
        }
        ui.add_space(10.0);
        let action = model_views::sensitivity_ui(
            ui,
            self.sens.as_deref(),
            self.sens_job.status(),
            &self.schemes,
            &mut self.sort,
        );
        match action {
            Some(model_views::SensAction::Select(name)) => self.select(ctx, &name),
            Some(model_views::SensAction::Recompute) => self.start_sensitivity(ctx),
            Some(model_views::SensAction::Cancel) => self.sens_job.cancel(),
            Some(model_views::SensAction::Export) => {
                if let Some(rows) = &self.sens {
                    let csv = crate::model::analysis::sensitivity_csv(rows, &self.schemes);
                    crate::app::platform::export::save_bytes(
                        ctx,
                        "sensitivity.csv",
                        csv.into_bytes(),
                    );
                }
            }
            None => {}
        }
    }
}
