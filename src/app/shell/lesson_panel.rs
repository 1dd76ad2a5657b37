//! The guided lesson beside the panels: steps from `assets/lesson.toml`, each with a
//! "Show me" button that puts the panels in the step's state; Page Up / Page Down step.

use crate::lesson::{Lesson, Show};
use egui::RichText;
use std::path::Path;

/// State of the lesson side panel.
pub struct LessonPanel {
    /// The steps.
    pub lesson: Lesson,
    /// The current step.
    pub step: usize,
    /// Whether the side panel is shown.
    pub open: bool,
    message: Option<String>,
}

impl Default for LessonPanel {
    fn default() -> Self {
        // The file beside the sources wins, so a teacher's edits show without recompiling.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/lesson.toml");
        let alt = Path::new("assets/lesson.toml");
        let text = std::fs::read_to_string(alt).or_else(|_| std::fs::read_to_string(&path));
        let tabs = crate::app::views::Tab::keys();
        let (lesson, message) = match text.map(|t| Lesson::parse(&t, &tabs)) {
            Ok(Ok(l)) => (l, None),
            Ok(Err(e)) => (
                Lesson::bundled(&tabs),
                Some(format!("{e}; showing the built-in lesson")),
            ),
            Err(_) => (Lesson::bundled(&tabs), None),
        };
        LessonPanel {
            lesson,
            step: 0,
            open: false,
            message,
        }
    }
}

impl LessonPanel {
    /// Go to step `i` (clamped); returns its state to show.
    pub fn go(&mut self, i: usize) -> Show {
        self.step = i.min(self.lesson.steps.len().saturating_sub(1));
        self.lesson.steps[self.step].show.clone()
    }

    /// Draw the lesson — a side panel, or in presentation (`compact`) a strip along the
    /// bottom that leaves the width to what the step is about; returns a state to show when
    /// the user asks for it.
    pub fn ui(&mut self, ui: &mut egui::Ui, compact: bool) -> Option<Show> {
        let mut show = None;
        let n = self.lesson.steps.len();
        if ui.input(|i| i.key_pressed(egui::Key::PageDown)) && self.step + 1 < n {
            show = Some(self.go(self.step + 1));
        }
        if ui.input(|i| i.key_pressed(egui::Key::PageUp)) && self.step > 0 {
            show = Some(self.go(self.step - 1));
        }
        if compact {
            egui::Panel::bottom("lesson_strip").show(ui, |ui| {
                if let Some(m) = &self.message {
                    ui.colored_label(ui.visuals().error_fg_color, m);
                }
                ui.horizontal_wrapped(|ui| {
                    show = self.buttons_ui(ui).or(show.take());
                    let step = &self.lesson.steps[self.step];
                    ui.label(RichText::new(&step.title).strong());
                    ui.label(RichText::new(format!("({} of {n})", self.step + 1)).weak());
                });
                ui.label(self.lesson.steps[self.step].text.trim());
            });
            return show;
        }
        egui::Panel::right("lesson")
            .resizable(true)
            .default_size(330.0)
            .show(ui, |ui| {
                ui.heading(&self.lesson.title);
                if let Some(m) = &self.message {
                    ui.colored_label(ui.visuals().error_fg_color, m);
                }
                ui.separator();
                for (i, s) in self.lesson.steps.iter().enumerate() {
                    if ui.selectable_label(i == self.step, &s.title).clicked() {
                        self.step = i;
                    }
                }
                ui.separator();
                let step = &self.lesson.steps[self.step];
                ui.label(RichText::new(&step.title).strong().size(18.0));
                ui.label(step.text.trim());
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    show = self.buttons_ui(ui).or(show.take());
                });
                ui.label(RichText::new(format!("step {} of {n}", self.step + 1)).weak());
            });
        show
    }

    /// Previous, Show me, Next; the state to show when one is clicked.
    fn buttons_ui(&mut self, ui: &mut egui::Ui) -> Option<Show> {
        let n = self.lesson.steps.len();
        let mut show = None;
        if ui
            .add_enabled(self.step > 0, egui::Button::new("◀ Previous"))
            .on_hover_text("Page Up")
            .clicked()
        {
            show = Some(self.go(self.step - 1));
        }
        if ui.button("Show me").clicked() {
            show = Some(self.go(self.step));
        }
        if ui
            .add_enabled(self.step + 1 < n, egui::Button::new("Next ▶"))
            .on_hover_text("Page Down")
            .clicked()
        {
            show = Some(self.go(self.step + 1));
        }
        show
    }
}
