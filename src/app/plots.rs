//! Pieces shared by the panels' plots and tables: histogram bars, series colours, the
//! statistics row.

use crate::formats::decimal::c_format_g;
use crate::tensor::stats::{Histogram, Summary};
use egui::Color32;
use egui_plot::Bar;

/// Colour of original values (Okabe–Ito sky blue).
pub const ORIGINAL: Color32 = Color32::from_rgb(0x56, 0xB4, 0xE9);
/// Colour of stored / quantized values (Okabe–Ito orange).
pub const STORED: Color32 = Color32::from_rgb(0xE6, 0x9F, 0x00);
/// Colour of errors (Okabe–Ito reddish purple).
pub const ERROR: Color32 = Color32::from_rgb(0xCC, 0x79, 0xA7);

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
