//! Pieces shared by the panels' plots and tables: histogram bars, series colours, the
//! statistics row.

use crate::formats::decimal::c_format_g;
use crate::tensor::stats::{Histogram, Summary};
use egui_plot::Bar;

pub use crate::app::style::palette::{ERROR, ORIGINAL, STORED};

/// One bar per bin, as wide as the bin.
pub fn histogram_bars(h: &Histogram) -> Vec<Bar> {
    h.counts
        .iter()
        .enumerate()
        .map(|(i, &c)| Bar::new(h.centre(i), c as f64).width(h.bin_width()))
        .collect()
}

/// Header cells of [`summary_row`].
pub const SUMMARY_HEADER: [&str; 7] = ["min", "max", "mean", "std", "zeros", "NaN", "inf"];

/// min, max, mean, std (as torch prints them), zeros, NaN and inf counts.
pub fn summary_row(s: &Summary) -> Vec<String> {
    let mut row: Vec<String> = [s.min, s.max, s.mean, s.std]
        .iter()
        .map(|&x| c_format_g(x, 6))
        .collect();
    row.extend([s.zeros, s.nan, s.inf].map(|n| n.to_string()));
    row
}

/// A plot's height in points: `base`, and never under 300 pixels (so the back row of a
/// classroom can read it, whatever the zoom).
pub fn plot_height(ctx: &egui::Context, base: f32) -> f32 {
    (300.0 / ctx.pixels_per_point()).max(base)
}
