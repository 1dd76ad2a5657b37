//! The top bar: the app's name, a tab per view (from the list of views), and the controls on
//! the right — theme, presentation mode, lesson, side panel, Export — with the app-wide
//! shortcuts.

use super::QuantscopeApp;
use crate::app::style::palette;
use crate::app::views::Tab;
use crate::app::widgets::layout::{set_side_open, side_open};

impl QuantscopeApp {
    /// The bar: a tab per view, then the controls (on the right when wide; wrapped onto the
    /// next line when narrow, as on a projector at 1.5× zoom, instead of over the tabs).
    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
        let wide = ui.available_width() > 900.0;
        ui.horizontal_wrapped(|ui| {
            ui.heading("quantscope");
            ui.add_space(16.0);
            for &tab in Tab::ALL {
                let view = self.views.get(tab);
                let (label, hover) = (view.label(), view.hover());
                let r = ui.selectable_value(&mut self.tab, tab, label);
                if !hover.is_empty() {
                    r.on_hover_text(hover);
                }
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
    }

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
            let strong = palette::strong_text(style.visuals.dark_mode);
            style.visuals.override_text_color = on.then_some(strong);
        });
    }

    /// Ctrl+S saves the state as JSON, F8 hides or shows the side panels, F9 the lesson (a
    /// view's own shortcuts, such as the Model panel's Ctrl+O, are the view's).
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F8)) {
            set_side_open(ctx, !side_open(ctx));
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::F9)) {
            self.lesson.open = !self.lesson.open;
        }
        let save = egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S);
        if ctx.input_mut(|i| i.consume_shortcut(&save)) {
            self.save_state(ctx);
        }
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
                crate::app::platform::export::save_window(&ctx, "quantscope.png");
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
