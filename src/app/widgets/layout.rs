//! Layout helpers the views share: the scrolled central area, the side panel that hides to a
//! strip (F8), two parts side by side or stacked, and how often a busy view repaints.

/// A central panel whose content scrolls both ways (wide tables stay reachable when the
/// lesson panel or a projector's zoom narrows the window).
pub fn scrolled_central(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui)) {
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
pub fn side_panel(ui: &mut egui::Ui, id: &str, width: f32, add: impl FnOnce(&mut egui::Ui)) {
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
pub const BUSY_REPAINT_MODEL: std::time::Duration = std::time::Duration::from_millis(250);

/// The same for the Downcast lab, whose runs are short and whose progress is worth seeing.
pub const BUSY_REPAINT_LAB: std::time::Duration = std::time::Duration::from_millis(100);

/// Two parts side by side when the area is at least `min_width` wide, else one under the
/// other (so neither overlaps the other nor is cut on a projector's narrow area).
pub fn pair(
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
pub fn format_index(formats: &[crate::formats::Format], name: &str) -> usize {
    formats.iter().position(|f| f.name() == name).unwrap_or(0)
}
