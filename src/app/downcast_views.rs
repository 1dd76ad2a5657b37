//! What the Downcast lab shows of a finished report: statistics, plots, tables and cards.

use super::plots::{ERROR, ORIGINAL, STORED, SUMMARY_HEADER, histogram_bars, summary_cells};
use crate::formats::decimal::{c_format_g, shortest_repr};
use crate::tensor::lab::LabReport;
use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, HLine, Legend, Line, Plot, PlotPoints, Points};

fn g(x: f64) -> String {
    c_format_g(x, 6)
}

/// Statistics of original and stored values, counts and error statistics.
pub fn summary_ui(ui: &mut egui::Ui, r: &LabReport) {
    ui.label(
        RichText::new(format!(
            "{} values of {}, seed {} → {}{}",
            r.size,
            r.dist,
            r.seed,
            r.target,
            if r.scale.is_none() {
                format!(" ({})", r.rounding)
            } else {
                String::new()
            }
        ))
        .strong(),
    );
    ui.horizontal_top(|ui| {
        egui::Grid::new("downcast_stats")
            .striped(true)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                ui.label("");
                for h in SUMMARY_HEADER {
                    ui.strong(h);
                }
                ui.end_row();
                for (name, s) in [("original", &r.original), ("stored", &r.stored)] {
                    ui.label(name);
                    summary_cells(ui, s);
                    ui.end_row();
                }
            });
        ui.add_space(24.0);
        egui::Grid::new("downcast_errors")
            .striped(true)
            .spacing([16.0, 4.0])
            .show(ui, |ui| {
                let e = &r.error;
                let c = &r.counts;
                for (k, v, tip) in [
                    ("mean |error|", g(e.mean_abs), "average of |stored − original|"),
                    ("max |error|", g(e.max_abs), "largest |stored − original|"),
                    ("RMSE", g(e.rmse), "root mean squared error"),
                    ("max rel. error", g(e.max_rel), "largest |stored − original| / |original|"),
                    ("SQNR", format!("{} dB", g(e.sqnr_db)), "signal-to-quantization-noise ratio: 10·log10(Σx² / Σ(x−x')²); +6 dB per extra bit"),
                    ("exact", c.exact.to_string(), "values stored without any error"),
                    ("underflow → 0", c.underflow.to_string(), "non-zero values that became zero"),
                    ("overflow → inf/NaN", c.overflow.to_string(), "finite values too large for the format"),
                    ("saturated", c.saturated.to_string(), "values beyond the largest finite value, clipped to ±max"),
                ] {
                    ui.label(k).on_hover_text(tip);
                    ui.monospace(v);
                    ui.end_row();
                }
            });
    });
}

/// Histograms, the error histogram, the staircase, and the levels.
pub fn plots_ui(ui: &mut egui::Ui, r: &LabReport) {
    let height = 210.0;
    ui.columns(2, |cols| {
        cols[0].strong("Histogram: original vs stored");
        Plot::new("downcast_hist")
            .height(height)
            .legend(Legend::default())
            .show(&mut cols[0], |p| {
                p.bar_chart(
                    BarChart::new("original", histogram_bars(&r.hist_original)).color(ORIGINAL),
                );
                p.bar_chart(BarChart::new("stored", histogram_bars(&r.hist_stored)).color(STORED));
            });
        cols[1].strong("Histogram of the error (stored − original)");
        Plot::new("downcast_error_hist")
            .height(height)
            .show(&mut cols[1], |p| {
                p.bar_chart(BarChart::new("error", histogram_bars(&r.hist_error)).color(ERROR));
            });
    });
    ui.columns(2, |cols| {
        cols[0].strong("Stored vs original (the staircase)");
        let stairs: PlotPoints = r.sample.iter().map(|&(x, y)| [x as f64, y]).collect();
        let (lo, hi) = (r.original.min, r.original.max);
        Plot::new("downcast_stairs")
            .height(height)
            .x_axis_label("original")
            .y_axis_label("stored")
            .show(&mut cols[0], |p| {
                if lo.is_finite() && hi.is_finite() {
                    p.line(
                        Line::new("exact", vec![[lo, lo], [hi, hi]])
                            .color(ORIGINAL)
                            .width(1.0),
                    );
                }
                p.line(Line::new("stored", stairs).color(STORED).width(2.0));
            });
        match &r.levels {
            Some(levels) => {
                cols[1]
                    .strong(format!(
                        "Integer levels: scale {}, zero point {}",
                        g(levels.scale as f64),
                        levels.zero_point
                    ))
                    .on_hover_text(format!(
                        "scale: the step between levels; zero point: the integer that stands for 0.0. Stored value = scale × (q − zero point) = {} × (q − {})",
                        g(levels.scale as f64),
                        levels.zero_point
                    ));
                let pts: PlotPoints = r
                    .q_sample
                    .iter()
                    .map(|&(x, q)| [x as f64, q as f64])
                    .collect();
                Plot::new("downcast_levels")
                    .height(height)
                    .x_axis_label("original")
                    .y_axis_label("q")
                    .show(&mut cols[1], |p| {
                        p.points(Points::new("q", pts).color(STORED).radius(1.5));
                        p.hline(HLine::new("zero point", levels.zero_point as f64).color(ERROR));
                        p.hline(HLine::new("qmin", levels.qmin).color(Color32::GRAY));
                        p.hline(HLine::new("qmax", levels.qmax).color(Color32::GRAY));
                    });
            }
            None => {
                let title = match &r.distinct {
                    Some(d) => format!("The format's levels: {} distinct stored values", d.len()),
                    None => "More than 4096 distinct stored values".to_string(),
                };
                cols[1].strong(title);
                let distinct = r.distinct.as_deref().unwrap_or(&[]);
                let span = match (distinct.first(), distinct.last()) {
                    (Some(a), Some(b)) if b.0 > a.0 => b.0 - a.0,
                    _ => 1.0,
                };
                // Thin stems, so neighbouring levels stay apart even when dense.
                let levels: Vec<Bar> = distinct
                    .iter()
                    .map(|&(v, c)| Bar::new(v, c as f64).width(span / 700.0))
                    .collect();
                Plot::new("downcast_distinct")
                    .height(height)
                    .x_axis_label("stored value")
                    .y_axis_label("count")
                    .show(&mut cols[1], |p| {
                        p.bar_chart(BarChart::new("levels", levels).color(STORED));
                    });
            }
        }
    });
}

/// The first values side by side, like the notebook's `tensor[:5]` prints.
pub fn first_values_ui(ui: &mut egui::Ui, r: &LabReport) {
    ui.strong("First values");
    egui::Grid::new("downcast_first")
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for h in ["original (f32)", "stored", "error", "bits"] {
                ui.strong(h);
            }
            ui.end_row();
            for row in &r.first {
                ui.monospace(shortest_repr(row.original as f64));
                ui.monospace(shortest_repr(row.stored));
                ui.monospace(g(row.error));
                ui.monospace(&row.bits);
                ui.end_row();
            }
        });
}

/// Dot product of the tensor with itself, several ways.
pub fn dot_card_ui(ui: &mut egui::Ui, r: &LabReport) {
    ui.strong("Dot product x · x").on_hover_text(
        "Each product and partial sum is rounded to the accumulation format; the result to the input format (torch.dot returns its input dtype). PyTorch on CPU accumulates bf16/fp16 dots in fp32.",
    );
    egui::Grid::new("downcast_dots")
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for h in ["how", "result", "error"] {
                ui.strong(h);
            }
            ui.end_row();
            for d in &r.dot {
                ui.label(&d.label);
                ui.monospace(shortest_repr(d.value));
                ui.monospace(g(d.error));
                ui.end_row();
            }
        });
}

/// Bytes of the tensor in each format.
pub fn memory_card_ui(ui: &mut egui::Ui, r: &LabReport) {
    ui.strong("Memory");
    let fp32 = r.memory.first().map_or(1, |m| m.bytes.max(1));
    egui::Grid::new("downcast_memory")
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for m in &r.memory {
                ui.label(&m.format);
                ui.monospace(format!("{} bytes", m.bytes));
                ui.monospace(format!("{:.3}× fp32", m.bytes as f64 / fp32 as f64));
                ui.end_row();
            }
        });
}
