//! The same input stored in every format at once.

use crate::formats::decimal::shortest_repr;
use crate::formats::{Analysis, Format, Kind, Rounder, RoundingMode};
use egui::RichText;

/// Draw one row per format: bits, stored value, absolute and relative error.
pub fn ui(ui: &mut egui::Ui, formats: &[Format], input: f64, mode: RoundingMode, seed: u64) {
    ui.label(
        RichText::new(format!(
            "{} stored in every format ({})",
            shortest_repr(input),
            mode.name()
        ))
        .weak(),
    );
    egui::Grid::new("compare_formats")
        .num_columns(5)
        .striped(true)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for h in ["format", "bits", "stored value", "abs error", "rel error"] {
                ui.strong(h);
            }
            ui.end_row();
            for f in formats {
                let a = Analysis::of_value(*f, input, &mut Rounder::new(mode, seed));
                ui.label(f.name());
                ui.monospace(a.hex());
                let stored = match f.kind {
                    Kind::Int(_) => a.exact(),
                    Kind::Float(_) => shortest_repr(a.value),
                };
                ui.monospace(stored)
                    .on_hover_text(format!("exactly {}", a.exact()));
                ui.monospace(short(a.abs_error()));
                ui.monospace(short(a.rel_error()));
                ui.end_row();
            }
        });
}

/// A compact error: 0, or 3 significant digits in scientific notation.
fn short(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.is_finite() {
        format!("{x:.2e}")
    } else {
        shortest_repr(x)
    }
}
