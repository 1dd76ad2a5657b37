//! The eframe app: a top bar switching panels, over GUI-free cores.

mod bit_row;
pub mod bits_panel;
mod canvas;
mod compare_table;
pub mod downcast_panel;
mod downcast_views;
mod fonts;
pub mod infer_view;
mod job;
pub mod lesson_panel;
mod limits_table;
pub mod model_panel;
mod model_tree;
mod model_views;
mod palette;
mod plots;
mod sweep_plot;

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
        }
    }
}

impl QuantscopeApp {
    /// Build the app for eframe, restoring what was saved (recent files).
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        let mut app = Self::default();
        if let Some(storage) = cc.storage
            && let Some(recent) = eframe::get_value::<Vec<std::path::PathBuf>>(storage, RECENT_KEY)
        {
            app.model.recent = recent;
        }
        app
    }

    /// Draw one frame into `ui` (the whole window).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        fonts::install(ui.ctx());
        egui::Panel::top("top_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("quantscope");
                ui.add_space(16.0);
                for tab in Tab::ALL {
                    ui.selectable_value(&mut self.tab, tab, tab.label());
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    theme_buttons(ui);
                    ui.separator();
                    let f11 = ui.input(|i| i.key_pressed(egui::Key::F11));
                    if ui
                        .selectable_label(self.presentation, "Presentation")
                        .on_hover_text(
                            "Larger everything, full screen (F11); Ctrl +/− zooms anywhere",
                        )
                        .clicked()
                        || f11
                    {
                        self.set_presentation(ui.ctx(), !self.presentation);
                    }
                    ui.toggle_value(&mut self.lesson.open, "Lesson")
                        .on_hover_text("The guided lesson, step by step (Page Up / Page Down)");
                });
            });
        });
        let open = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
        if ui.input_mut(|i| i.consume_shortcut(&open)) {
            self.tab = Tab::Model;
            self.model.open_dialog(ui.ctx());
        }
        if self.lesson.open
            && let Some(show) = self.lesson.ui(ui)
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
    /// Presentation mode on or off: 1.5× zoom and full screen.
    pub fn set_presentation(&mut self, ctx: &egui::Context, on: bool) {
        self.presentation = on;
        ctx.set_zoom_factor(if on { 1.5 } else { 1.0 });
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
    }

    /// Put the panels in a lesson step's state.
    pub fn apply(&mut self, ctx: &egui::Context, show: &crate::lesson::Show) {
        match show.tab.as_deref() {
            Some("bits") => self.tab = Tab::Bits,
            Some("downcast") => self.tab = Tab::Downcast,
            Some("model") => self.tab = Tab::Model,
            _ => {}
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
        egui::ScrollArea::both().auto_shrink(false).show(ui, add);
    });
}

/// Index of catalogue format `name` in `formats` (0 if absent).
pub(crate) fn format_index(formats: &[crate::formats::Format], name: &str) -> usize {
    formats.iter().position(|f| f.name() == name).unwrap_or(0)
}

/// Storage key of the recent files list.
const RECENT_KEY: &str = "recent_files";

impl eframe::App for QuantscopeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, RECENT_KEY, &self.model.recent);
    }
}

/// Open the window and run until it is closed.
pub fn run() -> eframe::Result {
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
        Box::new(|cc| Ok(Box::new(QuantscopeApp::new(cc)))),
    )
}
