//! Tables and plots that can be exported: a [`Table`] drawn as a striped grid with glossary
//! tips on its header and "Copy / Save as CSV" on right-click, a CSV button, and plots with a
//! title row holding a PNG button.

use crate::app::platform::export;
use crate::export::{Table, file_stem};
use egui::RichText;

/// Draw `table` as a striped grid: header in bold (hover: the glossary's definition; right-click:
/// export), first column as a label, the others monospace. `hover(row, column)` may add a tip
/// to a cell (computed only while hovered).
pub fn table_grid(
    ui: &mut egui::Ui,
    table: &Table,
    hover: impl Fn(usize, usize) -> Option<String>,
) {
    scroll_wide(ui, ("table_scroll", table.name.as_str()), |ui| {
        egui::Grid::new(("table", table.name.as_str()))
            .striped(true)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for h in &table.header {
                    header_cell(ui, h).context_menu(|ui| csv_menu(ui, table));
                }
                ui.end_row();
                for (i, row) in table.rows.iter().enumerate() {
                    for (j, cell) in row.iter().enumerate() {
                        // Names in the first column read as text; numbers everywhere line up.
                        let r = if j == 0 && cell.parse::<f64>().is_err() {
                            ui.label(cell)
                        } else {
                            ui.monospace(cell)
                        };
                        if r.hovered() {
                            // The caller's tip, else the glossary's for a row name.
                            let glossary = || {
                                (j == 0)
                                    .then(|| crate::glossary::definition(cell))
                                    .flatten()
                                    .map(String::from)
                            };
                            if let Some(tip) = hover(i, j).or_else(glossary) {
                                r.on_hover_text(tip);
                            }
                        }
                    }
                    ui.end_row();
                }
            });
    });
}

/// Content too wide for the area scrolls sideways as a whole instead of widening the
/// panel; text in it never wraps, so a number is never split across lines.
pub fn scroll_wide<R>(
    ui: &mut egui::Ui,
    id: impl egui::AsIdSalt,
    add: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    ui.scope(|ui| {
        // A solid bar below the table: a floating one would lie over its last row and take
        // the clicks meant for it.
        ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
        egui::ScrollArea::horizontal()
            .id_salt(id)
            .auto_shrink([true, true])
            .show(ui, |ui| {
                ui.spacing_mut().scroll = egui::style::ScrollStyle::default();
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                add(ui)
            })
            .inner
    })
    .inner
}

/// A column header in bold; hovering shows the glossary's definition of it, if any.
pub fn header_cell(ui: &mut egui::Ui, text: &str) -> egui::Response {
    let r = ui.strong(text);
    match crate::glossary::definition(text) {
        Some(d) => r.on_hover_text(d),
        None => r,
    }
}

/// Right-click menu of a table: copy or save it as CSV.
fn csv_menu(ui: &mut egui::Ui, table: &Table) {
    if ui.button("Copy as CSV").clicked() {
        ui.ctx().copy_text(table.to_csv());
    }
    if ui.button("Save as CSV…").clicked() {
        save_table(ui.ctx(), table);
    }
}

/// Post `table` for saving as `<name>.csv`.
pub fn save_table(ctx: &egui::Context, table: &Table) {
    export::save_bytes(
        ctx,
        &format!("{}.csv", table.name),
        table.to_csv().into_bytes(),
    );
}

/// A small "CSV" button; `make` builds the table only when clicked.
pub fn csv_button(ui: &mut egui::Ui, what: &str, make: impl FnOnce() -> Table) {
    if ui
        .small_button("CSV")
        .on_hover_text(format!(
            "Save {what} as CSV (right-click a header to copy it)"
        ))
        .clicked()
    {
        save_table(ui.ctx(), &make());
    }
}

/// A bold title with a CSV button beside it; `make` builds the table only when clicked.
pub fn table_title(
    ui: &mut egui::Ui,
    title: &str,
    tip: Option<&str>,
    make: impl FnOnce() -> Table,
) {
    ui.horizontal(|ui| {
        let r = ui.strong(title);
        if let Some(tip) = tip {
            r.on_hover_text(tip);
        }
        csv_button(ui, title, make);
    });
}

/// A plot under a bold title with a PNG button; `show` draws the plot and returns its
/// response. Right-clicking the plot offers the same export.
pub fn titled_plot(
    ui: &mut egui::Ui,
    title: impl Into<String>,
    tip: Option<&str>,
    show: impl FnOnce(&mut egui::Ui) -> egui::Response,
) {
    let title = title.into();
    let mut save = false;
    let label = ui.horizontal(|ui| {
        let r = ui.label(RichText::new(&title).strong());
        let id = r.id;
        if let Some(tip) = tip {
            r.on_hover_text(tip);
        }
        save = ui
            .small_button("PNG")
            .on_hover_text(format!("Save this plot as a PNG image: {title}"))
            .clicked();
        id
    });
    // The scope's rect holds the axes and their labels too, not only the plot's frame.
    let drawn = ui.scope(show);
    // Screen readers (and the UI tests) find the plot by its title.
    let plot = drawn.inner.labelled_by(label.inner);
    plot.context_menu(|ui| {
        if ui.button("Save plot as PNG…").clicked() {
            save = true;
        }
    });
    if save {
        export::save_region(
            ui.ctx(),
            &format!("{}.png", file_stem(&title)),
            drawn.response.rect,
        );
    }
}
