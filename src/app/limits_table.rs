//! `finfo` / `iinfo` of every format, with numbers printed as PyTorch prints them.

use crate::formats::decimal::c_format_g;
use crate::formats::info::{FloatInfo, IntInfo};
use crate::formats::{Format, Info};

/// Draw a float table and, beside it, an integer table.
pub fn ui(ui: &mut egui::Ui, formats: &[Format]) {
    ui.horizontal_top(|ui| tables(ui, formats));
}

fn tables(ui: &mut egui::Ui, formats: &[Format]) {
    let (floats, ints): (Vec<Info>, Vec<Info>) = formats
        .iter()
        .map(Info::of)
        .partition(|i| matches!(i, Info::Float(_)));
    let g = |x: f64| c_format_g(x, 6);
    egui::Grid::new("finfo_table")
        .striped(true)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            header(
                ui,
                &[
                    ("finfo", "Format name as PyTorch / ml_dtypes spell it"),
                    ("bits", "Total width"),
                    (
                        "eps",
                        "Gap between 1 and the next larger value: 2^-mantissa_bits",
                    ),
                    ("max", "Largest finite value (min = -max)"),
                    ("smallest normal", "2^emin, also called tiny"),
                    ("smallest subnormal", "2^(emin - mantissa_bits)"),
                    ("resolution", "10^-(decimal digits the format holds)"),
                ],
            );
            for info in &floats {
                let Info::Float(FloatInfo {
                    dtype,
                    bits,
                    eps,
                    max,
                    smallest_normal,
                    smallest_subnormal,
                    resolution,
                    ..
                }) = info
                else {
                    continue;
                };
                ui.label(dtype);
                ui.label(bits.to_string());
                for x in [eps, max, smallest_normal, smallest_subnormal, resolution] {
                    ui.monospace(g(*x));
                }
                ui.end_row();
            }
        });
    ui.add_space(32.0);
    egui::Grid::new("iinfo_table")
        .striped(true)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            header(
                ui,
                &[
                    ("iinfo", "Integer format"),
                    ("bits", "Total width"),
                    ("min", "Smallest value"),
                    ("max", "Largest value"),
                ],
            );
            for info in &ints {
                let Info::Int(IntInfo {
                    dtype,
                    bits,
                    min,
                    max,
                }) = info
                else {
                    continue;
                };
                ui.label(dtype);
                ui.label(bits.to_string());
                ui.monospace(min.to_string());
                ui.monospace(max.to_string());
                ui.end_row();
            }
        });
}

fn header(ui: &mut egui::Ui, columns: &[(&str, &str)]) {
    for (h, tip) in columns {
        ui.strong(*h).on_hover_text(*tip);
    }
    ui.end_row();
}
