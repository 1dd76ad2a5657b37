//! The same input stored in every format at once.

use crate::app::widgets::table::{table_grid, table_title};
use crate::export::Table;
use crate::formats::decimal::shortest_repr;
use crate::formats::{Analysis, Format, Kind, Rounder, RoundingMode};

/// One row per format: bits, stored value, absolute and relative error.
pub fn table(formats: &[Format], input: f64, mode: RoundingMode, seed: u64) -> Table {
    let mut t = Table::new(
        "compare-formats",
        &["format", "bits", "stored value", "abs error", "rel error"],
    );
    for f in formats {
        let a = Analysis::of_value(*f, input, &mut Rounder::new(mode, seed));
        let stored = match f.kind {
            Kind::Int(_) => a.exact(),
            Kind::Float(_) => shortest_repr(a.value),
        };
        t.push(vec![
            f.name(),
            a.hex(),
            stored,
            short(a.abs_error()),
            short(a.rel_error()),
        ]);
    }
    t
}

/// Draw `t` (made by [`table`] from the same arguments); hovering a stored value shows it
/// exactly.
pub fn ui(
    ui: &mut egui::Ui,
    t: &Table,
    formats: &[Format],
    input: f64,
    mode: RoundingMode,
    seed: u64,
) {
    table_title(
        ui,
        &format!(
            "{} stored in every format ({})",
            shortest_repr(input),
            mode.name()
        ),
        None,
        || t.clone(),
    );
    table_grid(ui, t, |row, col| {
        (col == 2).then(|| {
            let a = Analysis::of_value(formats[row], input, &mut Rounder::new(mode, seed));
            format!("exactly {}", a.exact())
        })
    });
}

/// A compact error: 0, or 3 significant digits in scientific notation.
fn short(x: f64) -> String {
    crate::formats::decimal::compact(x)
}
