//! `finfo` / `iinfo` of every format, with numbers printed as PyTorch prints them.

use crate::app::widgets::table::{csv_button, table_grid};
use crate::export::Table;
use crate::formats::decimal::c_format_g;
use crate::formats::info::{FloatInfo, IntInfo};
use crate::formats::{Format, Info};

/// `torch.finfo` of every float format.
pub fn finfo_table(formats: &[Format]) -> Table {
    let g = |x: f64| c_format_g(x, 6);
    let mut t = Table::new(
        "finfo",
        &[
            "finfo",
            "bits",
            "eps",
            "max",
            "smallest normal",
            "smallest subnormal",
            "resolution",
        ],
    );
    for info in formats.iter().map(Info::of) {
        if let Info::Float(FloatInfo {
            dtype,
            bits,
            eps,
            max,
            smallest_normal,
            smallest_subnormal,
            resolution,
            ..
        }) = info
        {
            let mut row = vec![dtype.to_string(), bits.to_string()];
            row.extend([eps, max, smallest_normal, smallest_subnormal, resolution].map(g));
            t.push(row);
        }
    }
    t
}

/// `torch.iinfo` of every integer format.
pub fn iinfo_table(formats: &[Format]) -> Table {
    let mut t = Table::new("iinfo", &["iinfo", "bits", "min", "max"]);
    for info in formats.iter().map(Info::of) {
        if let Info::Int(IntInfo {
            dtype,
            bits,
            min,
            max,
        }) = info
        {
            t.push(vec![
                dtype.to_string(),
                bits.to_string(),
                min.to_string(),
                max.to_string(),
            ]);
        }
    }
    t
}

/// Draw the float table and, beside it, the integer table.
pub fn ui(ui: &mut egui::Ui, finfo: &Table, iinfo: &Table) {
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            table_grid(ui, finfo, |_, _| None);
            csv_button(ui, "the finfo table", || finfo.clone());
        });
        ui.add_space(32.0);
        ui.vertical(|ui| {
            table_grid(ui, iinfo, |_, _| None);
            csv_button(ui, "the iinfo table", || iinfo.clone());
        });
    });
}
