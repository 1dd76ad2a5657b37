//! The Model panel as a view of the app: its tab, title, Ctrl+O, what the command line opens,
//! and its lesson fields (`model_view`, `sample`).

use super::{ModelPanel, ModelState};
use crate::app::view::{Command, Commands, Persist, View};
use crate::lesson::Show;

impl View for ModelPanel {
    fn label(&self) -> &'static str {
        "Model"
    }

    /// The open checkpoint.
    fn title(&self) -> String {
        match self.files() {
            Some(f) => format!("quantscope — {}", f.path.display()),
            None => "quantscope — Model".into(),
        }
    }

    /// The panel; "Try in the lab" becomes a command to open the lab's link.
    fn ui(&mut self, ui: &mut egui::Ui, commands: &mut Commands) {
        self.panel_ui(ui);
        if let Some(link) = self.lab_link.take() {
            commands.push(Command::OpenLink(link));
        }
    }

    /// Background results and the file choosers; Ctrl+O opens a checkpoint from any view.
    fn poll(&mut self, ctx: &egui::Context, commands: &mut Commands) {
        let open = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O);
        if ctx.input_mut(|i| i.consume_shortcut(&open)) {
            commands.push(Command::ShowMe);
            self.open_dialog(ctx);
        }
        ModelPanel::poll(self, ctx);
    }

    fn busy(&self) -> bool {
        ModelPanel::busy(self)
    }

    fn apply_show(&mut self, _ctx: &egui::Context, show: &Show) {
        match show.model_view.as_deref() {
            Some("run") => self.view = super::View::Run,
            Some("inspect") => self.view = super::View::Inspect,
            _ => {}
        }
        if let Some(n) = show.sample {
            self.infer.set_sample(n);
        }
    }

    fn launch(&mut self, launch: &crate::launch::Launch) -> bool {
        ModelPanel::launch(self, launch);
        launch.checkpoint.is_some() || launch.image.is_some() || !launch.problems.is_empty()
    }
}

impl Persist for ModelPanel {
    type State = ModelState;

    fn state(&self) -> ModelState {
        ModelPanel::state(self)
    }

    fn restore(&mut self, state: &ModelState) {
        ModelPanel::restore(self, state);
    }

    /// Recent files survive a reset.
    fn fresh(current: &ModelState) -> ModelState {
        ModelState {
            recent: current.recent.clone(),
            ..ModelState::default()
        }
    }
}
