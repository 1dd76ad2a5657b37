//! What the Downcast lab shows of a finished report: statistics, plots, tables and cards.

use crate::app::style::palette::{self, Look};
use crate::app::widgets::plots::{
    ERROR, ORIGINAL, STORED, SUMMARY_HEADER, histogram_bars, summary_row,
};
use crate::app::widgets::table::{csv_button, table_grid, table_title, titled_plot};
use crate::export::Table;
use crate::formats::decimal::{c_format_g, shortest_repr};
use crate::tensor::lab::LabReport;
use egui::RichText;
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
    let (stats, errors) = (stats_table(r), error_table(r));
    let stats_ui = |ui: &mut egui::Ui| {
        table_grid(ui, &stats, |_, _| None);
        csv_button(ui, "the statistics", || stats.clone());
    };
    let errors_ui = |ui: &mut egui::Ui| {
        table_grid(ui, &errors, |_, _| None);
        csv_button(ui, "the error statistics", || errors.clone());
    };
    // Side by side when there is room (about 800 points), else one under the other.
    if ui.available_width() > 800.0 {
        ui.horizontal_top(|ui| {
            ui.vertical(stats_ui);
            ui.add_space(24.0);
            ui.vertical(errors_ui);
        });
    } else {
        stats_ui(ui);
        ui.add_space(6.0);
        errors_ui(ui);
    }
}

/// Statistics of the original and stored values.
pub fn stats_table(r: &LabReport) -> Table {
    let mut header = vec![""];
    header.extend(SUMMARY_HEADER);
    let mut t = Table::new("downcast-statistics", &header);
    for (name, s) in [("original", &r.original), ("stored", &r.stored)] {
        let mut row = vec![name.to_string()];
        row.extend(summary_row(s));
        t.push(row);
    }
    t
}

/// Error statistics and counts of what happened to the values.
pub fn error_table(r: &LabReport) -> Table {
    let e = &r.error;
    let c = &r.counts;
    let mut t = Table::new("downcast-errors", &["measure", "value"]);
    for (k, v) in [
        ("mean |error|", g(e.mean_abs)),
        ("max |error|", g(e.max_abs)),
        ("RMSE", g(e.rmse)),
        ("max rel. error", g(e.max_rel)),
        (
            "SQNR",
            crate::tensor::stats::sqnr_text(e.sqnr_db, |x| format!("{} dB", g(x))),
        ),
        ("exact", c.exact.to_string()),
        ("underflow → 0", c.underflow.to_string()),
        ("overflow → inf/NaN", c.overflow.to_string()),
        ("saturated", c.saturated.to_string()),
    ] {
        t.push(vec![k.to_string(), v]);
    }
    t
}

/// Histograms, the error histogram, the staircase, and the levels.
pub fn plots_ui(ui: &mut egui::Ui, r: &LabReport, grid: &[f64]) {
    let height = crate::app::widgets::plots::plot_height(ui.ctx(), 210.0);
    let look = Look::of(ui.ctx());
    let hist = |ui: &mut egui::Ui| {
        titled_plot(ui, "Histogram: original vs stored", None, |ui| {
            Plot::new("downcast_hist")
                .height(height)
                .legend(Legend::default())
                .show(ui, |p| {
                    // A block scheme: the selected block's grid (element values × its scale).
                    for &g in grid {
                        p.vline(
                            egui_plot::VLine::new("selected block's grid", g)
                                .color(palette::FAINT)
                                .width(0.5),
                        );
                    }
                    p.bar_chart(
                        BarChart::new("original", histogram_bars(&r.hist_original)).color(ORIGINAL),
                    );
                    p.bar_chart(
                        BarChart::new("stored", histogram_bars(&r.hist_stored)).color(STORED),
                    );
                })
                .response
        });
    };
    let error_hist = |ui: &mut egui::Ui| {
        titled_plot(
            ui,
            "Histogram of the error (stored − original)",
            None,
            |ui| {
                Plot::new("downcast_error_hist")
                    .height(height)
                    .show(ui, |p| {
                        p.bar_chart(
                            BarChart::new("error", histogram_bars(&r.hist_error)).color(ERROR),
                        );
                    })
                    .response
            },
        );
    };
    crate::app::widgets::layout::pair(ui, PLOTS_SIDE_BY_SIDE, hist, error_hist);
    let stairs_plot = |ui: &mut egui::Ui| {
        let stairs: PlotPoints = r.sample.iter().map(|&(x, y)| [x as f64, y]).collect();
        let (lo, hi) = (r.original.min, r.original.max);
        titled_plot(ui, "Stored vs original (the staircase)", None, |ui| {
            Plot::new("downcast_stairs")
                .height(height)
                .x_axis_label("original")
                .y_axis_label("stored")
                .show(ui, |p| {
                    if lo.is_finite() && hi.is_finite() {
                        p.line(
                            Line::new("exact", vec![[lo, lo], [hi, hi]])
                                .color(ORIGINAL)
                                .width(look.line(1.0)),
                        );
                    }
                    p.line(
                        Line::new("stored", stairs)
                            .color(STORED)
                            .width(look.line(2.0)),
                    );
                })
                .response
        });
    };
    let levels_plot = |ui: &mut egui::Ui| match &r.levels {
        Some(levels) => {
            let title = format!(
                "Integer levels: scale {}, zero point {}",
                g(levels.scale as f64),
                levels.zero_point
            );
            let tip = format!(
                "scale: the step between levels; zero point: the integer that stands for 0.0. Stored value = scale × (q − zero point) = {} × (q − {})",
                g(levels.scale as f64),
                levels.zero_point
            );
            let pts: PlotPoints = r
                .q_sample
                .iter()
                .map(|&(x, q)| [x as f64, q as f64])
                .collect();
            titled_plot(ui, title, Some(&tip), |ui| {
                Plot::new("downcast_levels")
                    .height(height)
                    .x_axis_label("original")
                    .y_axis_label("q")
                    .show(ui, |p| {
                        p.points(Points::new("q", pts).color(STORED).radius(look.line(1.5)));
                        p.hline(
                            HLine::new("zero point", levels.zero_point as f64)
                                .color(ERROR)
                                .width(look.line(1.0)),
                        );
                        p.hline(HLine::new("qmin", levels.qmin).color(palette::REFERENCE));
                        p.hline(HLine::new("qmax", levels.qmax).color(palette::REFERENCE));
                    })
                    .response
            });
        }
        None => {
            let Some(distinct) = r.distinct.as_deref() else {
                // Nothing to plot: say why instead of drawing empty axes.
                ui.label(RichText::new("More than 4096 distinct stored values").strong());
                ui.label(
                    "Too many levels to draw one by one: this format is fine-grained over \
                     this tensor's range. Narrow formats (fp8, fp6, fp4, int8) show each \
                     level here with how often it is used.",
                );
                return;
            };
            let title = format!(
                "The format's levels: {} distinct stored values",
                distinct.len()
            );
            let span = match (distinct.first(), distinct.last()) {
                (Some(a), Some(b)) if b.0 > a.0 => b.0 - a.0,
                _ => 1.0,
            };
            // Thin stems, so neighbouring levels stay apart even when dense.
            let levels: Vec<Bar> = distinct
                .iter()
                .map(|&(v, c)| Bar::new(v, c as f64).width(span / 700.0))
                .collect();
            titled_plot(ui, title, None, |ui| {
                Plot::new("downcast_distinct")
                    .height(height)
                    .x_axis_label("stored value")
                    .y_axis_label("count")
                    .show(ui, |p| {
                        p.bar_chart(BarChart::new("levels", levels).color(STORED));
                    })
                    .response
            });
        }
    };
    crate::app::widgets::layout::pair(ui, PLOTS_SIDE_BY_SIDE, stairs_plot, levels_plot);
}

/// Two plots side by side from this width (points) on; narrower, one under the other.
const PLOTS_SIDE_BY_SIDE: f32 = 760.0;

/// The first values side by side, like the notebook's `tensor[:5]` prints.
pub fn first_values_table(r: &LabReport) -> Table {
    let mut t = Table::new(
        "first-values",
        &["original (f32)", "stored", "error", "bits"],
    );
    for row in &r.first {
        t.push(vec![
            shortest_repr(row.original as f64),
            shortest_repr(row.stored),
            g(row.error),
            row.bits.clone(),
        ]);
    }
    t
}

/// Draw [`first_values_table`].
pub fn first_values_ui(ui: &mut egui::Ui, r: &LabReport) {
    let t = first_values_table(r);
    table_title(ui, "First values", None, || t.clone());
    table_grid(ui, &t, |_, _| None);
}

/// Dot product of the tensor with itself, several ways.
pub fn dot_table(r: &LabReport) -> Table {
    let mut t = Table::new("dot-products", &["how", "result", "error"]);
    for d in &r.dot {
        t.push(vec![d.label.clone(), shortest_repr(d.value), g(d.error)]);
    }
    t
}

/// Draw [`dot_table`].
pub fn dot_card_ui(ui: &mut egui::Ui, r: &LabReport) {
    let t = dot_table(r);
    table_title(
        ui,
        "Dot product x · x",
        Some(
            "Each product and partial sum is rounded to the accumulation format; the result to the input format (torch.dot returns its input dtype). PyTorch on CPU accumulates bf16/fp16 dots in fp32.",
        ),
        || t.clone(),
    );
    table_grid(ui, &t, |_, _| None);
}

/// Bytes of the tensor in each format.
pub fn memory_table(r: &LabReport) -> Table {
    let fp32 = r.memory.first().map_or(1, |m| m.bytes.max(1));
    let mut t = Table::new("memory", &["format", "bytes", "vs FP32"]);
    for m in &r.memory {
        t.push(vec![
            m.format.clone(),
            m.bytes.to_string(),
            format!("{:.3}×", m.bytes as f64 / fp32 as f64),
        ]);
    }
    t
}

/// Draw [`memory_table`].
pub fn memory_card_ui(ui: &mut egui::Ui, r: &LabReport) {
    let t = memory_table(r);
    table_title(ui, "Memory", None, || t.clone());
    table_grid(ui, &t, |_, _| None);
}
