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
}

impl Default for QuantscopeApp {
    fn default() -> Self {
        QuantscopeApp {
            tab: Tab::Bits,
            bits: BitsPanel::default(),
            downcast: DowncastPanel::default(),
            model: ModelPanel::default(),
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
                });
            });
        });
        // These panels lay out their own side panels and scroll areas.
        match self.tab {
            Tab::Downcast => return self.downcast.ui(ui),
            Tab::Model => return self.model.ui(ui),
            Tab::Bits => {}
        }
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .auto_shrink(false)
                .show(ui, |ui| match self.tab {
                    Tab::Bits => self.bits.ui(ui),
                    Tab::Downcast | Tab::Model => {}
                });
        });
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
