//! Panels whose issues have not landed yet.

/// A centred note saying what the panel will do.
pub fn ui(ui: &mut egui::Ui, title: &str, what: &str) {
    ui.vertical_centered(|ui| {
        ui.add_space(80.0);
        ui.heading(title);
        ui.add_space(8.0);
        ui.label(what);
        ui.add_space(8.0);
        ui.label(egui::RichText::new("coming soon").italics().weak());
    });
}
