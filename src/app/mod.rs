//! The eframe app: a top bar switching panels, over GUI-free cores.

mod bit_row;
pub mod bits_panel;
mod block_view;
mod canvas;
mod compare_table;
pub mod dialogs;
pub mod downcast_panel;
mod downcast_views;
pub mod export;
mod file_chooser;
pub mod file_picker;
pub mod focus;
mod fonts;
pub mod infer_view;
mod job;
pub mod lesson_panel;
mod limits_table;
mod links;
pub mod model_panel;
mod model_tree;
mod model_views;
mod palette;
mod plots;
mod rounding_picker;
pub mod state;
mod sweep_plot;
mod table_view;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod worker;

pub use bits_panel::BitsPanel;
pub use downcast_panel::DowncastPanel;
pub use model_panel::ModelPanel;

/// Window title.
pub const TITLE: &str = "quantscope — number formats & quantization";

/// The panels of the top bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Bit-layout visualizer.
    Bits,
    /// Downcasting lab.
    Downcast,
    /// Model panel.
    Model,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Bits, Tab::Downcast, Tab::Model];

    /// The tab called `name` in lessons, links and state files (`bits`, `downcast`, `model`).
    pub fn named(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.key() == name)
    }

    /// The tab's name in lessons, links and state files.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Bits => "bits",
            Tab::Downcast => "downcast",
            Tab::Model => "model",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Bits => "Bits",
            Tab::Downcast => "Downcast",
            Tab::Model => "Model",
        }
    }
}

/// The whole application state.
pub struct QuantscopeApp {
    /// The panel on screen.
    pub tab: Tab,
    /// The Bits panel.
    pub bits: BitsPanel,
    /// The Downcast lab.
    pub downcast: DowncastPanel,
    /// The Model panel.
    pub model: ModelPanel,
    /// The guided lesson.
    pub lesson: lesson_panel::LessonPanel,
    /// Larger text and cells for a projector.
    pub presentation: bool,
    /// Saves tables, plots and the state.
    pub exporter: export::Exporter,
    /// The "Load state…" dialog.
    state_chooser: file_chooser::FileChooser,
    /// Reading a chosen state file, off the UI thread.
    loading: job::Job<Result<state::AppState, String>>,
    /// The context of the last frame, for `save` (which eframe calls without one).
    last_ctx: Option<egui::Context>,
    /// A deep link to apply on the first frame (from the command line or the page's URL).
    pub pending_link: Option<String>,
}

impl Default for QuantscopeApp {
    fn default() -> Self {
        QuantscopeApp {
            tab: Tab::Bits,
            bits: BitsPanel::default(),
            downcast: DowncastPanel::default(),
            model: ModelPanel::default(),
            lesson: lesson_panel::LessonPanel::default(),
            presentation: false,
            exporter: export::Exporter::default(),
            state_chooser: file_chooser::FileChooser::default(),
            loading: job::Job::default(),
            last_ctx: None,
            pending_link: None,
        }
    }
}

impl QuantscopeApp {
    /// Build the app for eframe, restoring what was saved on the last exit.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        Self::from_storage(&cc.egui_ctx, cc.storage)
    }

    /// The app as it was saved in `storage` (defaults where nothing usable was saved).
    pub fn from_storage(ctx: &egui::Context, storage: Option<&dyn eframe::Storage>) -> Self {
        let mut app = Self::default();
        let Some(storage) = storage else {
            return app;
        };
        if let Some(saved) = storage
            .get_string(STATE_KEY)
            .and_then(|t| state::from_json::<state::AppState>(&t).ok())
        {
            app.restore(ctx, &saved);
        } else if let Some(recent) =
            eframe::get_value::<Vec<std::path::PathBuf>>(storage, RECENT_KEY)
        {
            app.model.recent = recent;
        }
        app
    }

    /// The state worth saving: panel, settings, sliders, recent files, theme, zoom.
    pub fn state(&self, ctx: &egui::Context) -> state::AppState {
        state::AppState {
            version: state::STATE_VERSION,
            tab: self.tab.key().into(),
            presentation: self.presentation,
            theme: match ctx.options(|o| o.theme_preference) {
                egui::ThemePreference::Dark => "dark",
                egui::ThemePreference::Light => "light",
                egui::ThemePreference::System => "system",
            }
            .into(),
            zoom: ctx.zoom_factor(),
            lesson_open: self.lesson.open,
            lesson_step: self.lesson.step,
            bits: self.bits.state(),
            downcast: self.downcast.state(),
            model: self.model.state(),
            export: self.exporter.settings.clone(),
        }
    }

    /// Put the app in a saved state (unknown values keep their defaults).
    pub fn restore(&mut self, ctx: &egui::Context, s: &state::AppState) {
        self.tab = Tab::named(&s.tab.to_lowercase()).unwrap_or(Tab::Bits);
        self.bits.restore(&s.bits);
        self.downcast.restore(&s.downcast);
        self.model.restore(&s.model);
        self.lesson.open = s.lesson_open;
        self.lesson.step = s
            .lesson_step
            .min(self.lesson.lesson.steps.len().saturating_sub(1));
        self.exporter.settings = s.export.clone();
        ctx.set_theme(match s.theme.as_str() {
            "dark" => egui::ThemePreference::Dark,
            "light" => egui::ThemePreference::Light,
            _ => egui::ThemePreference::System,
        });
        if s.presentation != self.presentation {
            self.set_presentation(ctx, s.presentation);
        }
        if s.zoom.is_finite() {
            ctx.set_zoom_factor(s.zoom.clamp(0.5, 4.0));
        }
        ctx.request_repaint();
    }

    /// Every panel back to its start state; recent files and the export folder are kept.
    pub fn reset(&mut self, ctx: &egui::Context) {
        let mut fresh = state::AppState::default();
        fresh.model.recent = self.model.recent.clone();
        fresh.export = self.exporter.settings.clone();
        self.restore(ctx, &fresh);
    }

    /// The state as pretty JSON.
    pub fn state_json(&self, ctx: &egui::Context) -> String {
        serde_json::to_string_pretty(&self.state(ctx)).unwrap_or_default()
    }

    /// Draw one frame into `ui` (the whole window).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        fonts::install(ui.ctx());
        if self.last_ctx.is_none() {
            self.last_ctx = Some(ui.ctx().clone());
        }
        if let Some(fragment) = self.pending_link.take() {
            self.open_link(ui.ctx(), &fragment);
        }
        palette::Look {
            presentation: self.presentation,
        }
        .set(ui.ctx());
        egui::Panel::top("top_bar").show(ui, |ui| {
            // Wide: the controls on the right. Narrow (a projector at 1.5× zoom): they wrap
            // onto the next line instead of drawing over the tabs.
            let wide = ui.available_width() > 900.0;
            ui.horizontal_wrapped(|ui| {
                ui.heading("quantscope");
                ui.add_space(16.0);
                for tab in Tab::ALL {
                    ui.selectable_value(&mut self.tab, tab, tab.label());
                }
                if wide {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        self.bar_controls(ui)
                    });
                } else {
                    ui.separator();
                    self.bar_controls(ui);
                }
            });
        });
        self.shortcuts(ui.ctx());
        self.poll_loading(ui.ctx());
        self.exporter.frame(ui.ctx());
        self.exporter.status_ui(ui);
        if self.lesson.open
            && let Some(show) = self.lesson.ui(ui, self.presentation)
        {
            self.apply(ui.ctx(), &show);
        }
        // These panels lay out their own side panels and scroll areas.
        match self.tab {
            Tab::Downcast => return self.downcast.ui(ui),
            Tab::Model => return self.model.ui(ui),
            Tab::Bits => {}
        }
        scrolled_central(ui, |ui| match self.tab {
            Tab::Bits => self.bits.ui(ui),
            Tab::Downcast | Tab::Model => {}
        });
    }
}

impl QuantscopeApp {
    /// The top bar's controls, added right to left on a wide bar: theme, presentation,
    /// lesson, side panel, Export.
    fn bar_controls(&mut self, ui: &mut egui::Ui) {
        theme_buttons(ui);
        ui.separator();
        let f11 = ui.input(|i| i.key_pressed(egui::Key::F11));
        if ui
            .selectable_label(self.presentation, "Presentation")
            .on_hover_text("Larger everything, full screen (F11); Ctrl +/− zooms anywhere")
            .clicked()
            || f11
        {
            self.set_presentation(ui.ctx(), !self.presentation);
        }
        ui.toggle_value(&mut self.lesson.open, "Lesson")
            .on_hover_text(
                "The guided lesson, step by step (Page Up / Page Down); F9 shows or hides it",
            );
        let mut side = side_open(ui.ctx());
        if ui
            .toggle_value(&mut side, "Side panel")
            .on_hover_text("The Downcast lab's controls and the Model panel's tensor list (F8)")
            .changed()
        {
            set_side_open(ui.ctx(), side);
        }
        ui.separator();
        self.export_menu(ui);
        self.state_chooser.status_ui(ui);
    }

    /// Presentation mode on or off: 1.5× zoom, full screen, full-contrast text; bigger bit
    /// cells, thicker plot lines and the high-contrast palette follow from [`palette::Look`].
    pub fn set_presentation(&mut self, ctx: &egui::Context, on: bool) {
        self.presentation = on;
        ctx.set_zoom_factor(if on { 1.5 } else { 1.0 });
        crate::platform::set_fullscreen(ctx, on);
        ctx.all_styles_mut(|style| {
            let strong = if style.visuals.dark_mode {
                egui::Color32::WHITE
            } else {
                egui::Color32::BLACK
            };
            style.visuals.override_text_color = on.then_some(strong);
        });
    }

    /// Ctrl+O opens a checkpoint, Ctrl+S saves the state as JSON, F8 hides or shows the
    /// side panels, F9 the lesson.
    fn shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F8)) {
            set_side_open(ctx, !side_open(ctx));
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F9)) {
            self.lesson.open = !self.lesson.open;
        }
        let open = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
        let save = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
        if ctx.input_mut(|i| i.consume_shortcut(&open)) {
            self.tab = Tab::Model;
            self.model.open_dialog(ctx);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&save)) {
            self.save_state(ctx);
        }
    }

    /// Post the state as `quantscope-state.json` for saving.
    pub fn save_state(&mut self, ctx: &egui::Context) {
        export::save_bytes(
            ctx,
            "quantscope-state.json",
            self.state_json(ctx).into_bytes(),
        );
    }

    /// The Export menu of the top bar.
    fn export_menu(&mut self, ui: &mut egui::Ui) {
        ui.menu_button("Export", |ui| {
            let ctx = ui.ctx().clone();
            if ui
                .button("Save state as JSON…  (Ctrl+S)")
                .on_hover_text("Every panel's settings, to load again later or on another machine")
                .clicked()
            {
                self.save_state(&ctx);
                ui.close();
            }
            if ui.button("Load state…").clicked() {
                let folder = Some(self.exporter.settings.folder.clone());
                self.state_chooser
                    .open(&ctx, crate::browse::Wanted::State, folder, &[]);
                ui.close();
            }
            if ui
                .button("Copy link")
                .on_hover_text("A link that opens this panel with these settings (web page or `quantscope --open '#…'`)")
                .clicked()
            {
                ctx.copy_text(self.link_url());
                ui.close();
            }
            ui.horizontal(|ui| {
                let label = ui.label("Link base");
                ui.add(
                    egui::TextEdit::singleline(&mut self.exporter.settings.link_base)
                        .desired_width(220.0),
                )
                .labelled_by(label.id)
                .on_hover_text("Where the web page is published, e.g. https://you.github.io/quantscope/");
            });
            if ui
                .button("Window as PNG…")
                .on_hover_text("A screenshot of the whole window. Plots have their own PNG button; tables a CSV button")
                .clicked()
            {
                export::save_window(&ctx, "quantscope.png");
                ui.close();
            }
            ui.separator();
            ui.checkbox(&mut self.exporter.settings.ask, "Ask where to save")
                .on_hover_text("Off: save straight into the folder below, never overwriting a file");
            ui.label(
                egui::RichText::new(format!("Folder: {}", self.exporter.settings.folder.display()))
                    .weak(),
            );
            ui.separator();
            if ui
                .button("Reset to defaults")
                .on_hover_text("Every panel back to its start state (recent files are kept)")
                .clicked()
            {
                self.reset(&ctx);
                ui.close();
            }
        });
    }

    fn poll_loading(&mut self, ctx: &egui::Context) {
        match self.state_chooser.ui(ctx) {
            Some(file_chooser::Chosen::Path(path)) => {
                self.loading.start(ctx, move |_| read_state(&path))
            }
            Some(file_chooser::Chosen::Files(files)) => {
                if let Some((name, bytes)) = files.into_iter().next() {
                    self.loading
                        .start(ctx, move |_| read_state_bytes(&name, &bytes));
                }
            }
            None => {}
        }
        match self.loading.poll() {
            Some(Ok(s)) => self.restore(ctx, &s),
            Some(Err(e)) => self.exporter.status = Some(Err(e)),
            None => {}
        }
        if self.loading.status().is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Put the panels in a lesson step's state.
    pub fn apply(&mut self, ctx: &egui::Context, show: &crate::lesson::Show) {
        if let Some(tab) = show.tab.as_deref().and_then(Tab::named) {
            self.tab = tab;
        }
        let canonical = |name: &str| crate::formats::Format::parse(name).map(|f| f.name()).ok();
        if let Some(f) = show.format.as_deref().and_then(canonical) {
            self.bits.select_format(&f);
        }
        if let Some(v) = &show.value {
            self.bits.set_text(v);
        }
        if let Some(f) = show.downcast_format.as_deref().and_then(canonical) {
            self.downcast.set_format(&f);
        }
        if let Some(q) = show.quantize {
            self.downcast.set_quantize(q);
        }
        if let Some(scheme) = &show.scheme {
            self.downcast.set_scheme(scheme);
        }
        if let Some(d) = show
            .distribution
            .as_deref()
            .and_then(crate::tensor::random::Distribution::named)
        {
            self.downcast.set_distribution(d);
        }
        if let Some(n) = show.size {
            self.downcast.set_size(n);
        }
        if let Some(s) = show.seed {
            self.downcast.set_seed(s);
        }
        match show.model_view.as_deref() {
            Some("run") => self.model.view = model_panel::View::Run,
            Some("inspect") => self.model.view = model_panel::View::Inspect,
            _ => {}
        }
        if let Some(n) = show.sample {
            self.model.infer.set_sample(n);
        }
        if let Some(name) = &show.focus {
            focus::request(ctx, name);
        }
        ctx.request_repaint();
    }
}

/// Light / Dark / System, in words (the default fonts have no emoji for the icons).
fn theme_buttons(ui: &mut egui::Ui) {
    let mut pref = ui.ctx().options(|o| o.theme_preference);
    let before = pref;
    // Right-to-left layout: add in reverse reading order.
    for (p, name) in [
        (egui::ThemePreference::System, "System"),
        (egui::ThemePreference::Dark, "Dark"),
        (egui::ThemePreference::Light, "Light"),
    ] {
        ui.selectable_value(&mut pref, p, name);
    }
    if pref != before {
        ui.ctx().set_theme(pref);
    }
}

/// A central panel whose content scrolls both ways (wide tables stay reachable when the
/// lesson panel or a projector's zoom narrows the window).
pub(crate) fn scrolled_central(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui)) {
    egui::CentralPanel::default().show(ui, |ui| {
        // Lay out for the visible width (columns, plots, bit cells fit it); only what cannot
        // shrink further makes the area scroll sideways.
        let width = ui.available_width();
        egui::ScrollArea::both().auto_shrink(false).show(ui, |ui| {
            ui.set_max_width(width - ui.spacing().scroll.bar_width - 4.0);
            add(ui);
        });
    });
}

fn side_key() -> egui::Id {
    egui::Id::unique("quantscope_side_open")
}

/// Whether the side panels (the lab's controls, the Model panel's tensor list) are shown.
pub fn side_open(ctx: &egui::Context) -> bool {
    ctx.data(|d| d.get_temp::<bool>(side_key())).unwrap_or(true)
}

/// Show or hide the side panels (F8, the top bar's Side panel button, or a panel's strip).
pub fn set_side_open(ctx: &egui::Context, on: bool) {
    ctx.data_mut(|d| d.insert_temp(side_key(), on));
}

/// A side panel on the left that can be hidden to a narrow strip with a button to bring it
/// back (F8 does both).
pub(crate) fn side_panel(ui: &mut egui::Ui, id: &str, width: f32, add: impl FnOnce(&mut egui::Ui)) {
    if !side_open(ui.ctx()) {
        egui::Panel::left(format!("{id}_strip"))
            .resizable(false)
            .exact_size(28.0)
            .show(ui, |ui| {
                if ui
                    .button("▶")
                    .on_hover_text("Show the side panel (F8)")
                    .clicked()
                {
                    set_side_open(ui.ctx(), true);
                }
            });
        return;
    }
    egui::Panel::left(id.to_string())
        .resizable(true)
        .default_size(width)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui
                    .small_button("◀ Hide")
                    .on_hover_text("Hide this panel to give the plots the width (F8)")
                    .clicked()
                {
                    set_side_open(ui.ctx(), false);
                }
            });
            add(ui);
        });
}

/// How often a panel repaints while its model job runs, for the progress bar only (a
/// finished job repaints at once). Each frame costs CPU the job could use: under a software
/// renderer (Xvfb's llvmpipe, VMs without a GPU) repainting every 50 ms doubled the Run
/// view's forward times on 2 cores.
pub(crate) const BUSY_REPAINT_MODEL: std::time::Duration = std::time::Duration::from_millis(250);

/// The same for the Downcast lab, whose runs are short and whose progress is worth seeing.
pub(crate) const BUSY_REPAINT_LAB: std::time::Duration = std::time::Duration::from_millis(100);

/// Two parts side by side when the area is at least `min_width` wide, else one under the
/// other (so neither overlaps the other nor is cut on a projector's narrow area).
pub(crate) fn pair(
    ui: &mut egui::Ui,
    min_width: f32,
    left: impl FnOnce(&mut egui::Ui),
    right: impl FnOnce(&mut egui::Ui),
) {
    if ui.available_width() >= min_width {
        ui.columns(2, |cols| {
            left(&mut cols[0]);
            right(&mut cols[1]);
        });
    } else {
        left(ui);
        ui.add_space(8.0);
        right(ui);
    }
}

/// Index of catalogue format `name` in `formats` (0 if absent).
pub(crate) fn format_index(formats: &[crate::formats::Format], name: &str) -> usize {
    formats.iter().position(|f| f.name() == name).unwrap_or(0)
}

/// Storage key of the recent files list (older versions saved only that).
const RECENT_KEY: &str = "recent_files";

/// Storage key of the whole state (JSON of [`state::AppState`]).
const STATE_KEY: &str = "quantscope_state";

/// Largest state file read (a real one is about 2 KB).
const MAX_STATE_BYTES: u64 = 1 << 20;

/// Read a state file's bytes (picked in the browser); the message names the file.
pub fn read_state_bytes(name: &str, bytes: &[u8]) -> Result<state::AppState, String> {
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(format!(
            "{name} is {} bytes: too large for a state file",
            bytes.len()
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| format!("{name} is not UTF-8 text"))?;
    state::from_json(text).map_err(|e| format!("{name}: {e}"))
}

/// Read a state file; the message names the file.
pub fn read_state(path: &std::path::Path) -> Result<state::AppState, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_STATE_BYTES {
        return Err(format!(
            "{} is {size} bytes: too large for a state file",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    state::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

impl eframe::App for QuantscopeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
        #[cfg(target_arch = "wasm32")]
        web::sync(self, ui.ctx(), _frame.info().cpu_usage);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // eframe calls this without a context; the zoom and theme come from the last frame.
        if let Some(ctx) = &self.last_ctx {
            storage.set_string(STATE_KEY, self.state_json(ctx));
        }
    }
}

impl QuantscopeApp {
    /// Open on what the command line named: the Model panel with that checkpoint and/or
    /// image, and its problems shown there.
    pub fn launch(&mut self, launch: &crate::launch::Launch) {
        if launch.checkpoint.is_some() || launch.image.is_some() || !launch.problems.is_empty() {
            self.tab = Tab::Model;
        }
        self.model.launch(launch);
        self.pending_link = launch.link.clone();
    }
}

/// Open the window on `launch` (nothing: as it was left) and run until it is closed.
#[cfg(not(target_arch = "wasm32"))]
pub fn run(launch: crate::launch::Launch) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(TITLE)
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native(
        TITLE,
        options,
        Box::new(move |cc| {
            let mut app = QuantscopeApp::new(cc);
            app.launch(&launch);
            Ok(Box::new(app))
        }),
    )
}
