//! What the Model panel shows of an open checkpoint: summary and memory, one tensor's
//! statistics and histogram, and the sortable sensitivity table.

use super::tree::human_count;
use crate::app::style::palette;
use crate::app::widgets::plots::{ORIGINAL, STORED, SUMMARY_HEADER, histogram_bars, summary_row};
use crate::app::widgets::table::{table_grid, table_title, titled_plot};
use crate::deeplink::Link;
use crate::export::Table;
use crate::formats::decimal::c_format_g;
use crate::model::ModelFiles;
use crate::model::analysis::{SensitivityRow, TensorReport, TensorScheme};
use crate::model::footprint::footprint;
use egui::RichText;
use egui_plot::{BarChart, Legend, Plot};
use std::time::Duration;

fn g(x: f64) -> String {
    c_format_g(x, 6)
}

/// A GGUF file's model in a few lines, and its metadata as a tree by key prefix (arrays by
/// their length and first entries).
fn gguf_ui(ui: &mut egui::Ui, h: &crate::gguf::Header) {
    egui::Grid::new("gguf_summary").striped(true).show(ui, |ui| {
        for (label, value) in crate::gguf::summary::summary(h) {
            ui.label(label);
            ui.monospace(crate::formats::spec::printable(&value));
            ui.end_row();
        }
    });
    egui::CollapsingHeader::new(format!("GGUF metadata ({} keys)", h.metadata.len())).show(
        ui,
        |ui| {
            for (group, items) in crate::gguf::summary::groups(h) {
                egui::CollapsingHeader::new(format!("{group} · {}", items.len()))
                    .id_salt(("gguf_group", &group))
                    .default_open(group != "tokenizer")
                    .show(ui, |ui| {
                        crate::app::widgets::table::scroll_wide(ui, ("gguf_kv", &group), |ui| {
                            egui::Grid::new(("gguf_kv_grid", &group)).striped(true).show(ui, |ui| {
                                for (k, v) in items {
                                    ui.monospace(crate::formats::spec::printable(k));
                                    ui.monospace(crate::formats::spec::printable(&v.summary(120)))
                                        .on_hover_text(v.value_type().name());
                                    ui.end_row();
                                }
                            });
                        });
                    });
            }
        },
    );
}

/// Totals, metadata and the memory footprint table.
pub fn summary_ui(ui: &mut egui::Ui, files: &ModelFiles) {
    ui.heading("Checkpoint");
    let model_type = files
        .config
        .as_ref()
        .and_then(|c| c.get("model_type").or_else(|| c.get("architectures")))
        .map(|v| v.to_string().trim_matches('"').to_string());
    ui.label(format!(
        "{} tensors · {} parameters · {} bytes on disk in {} file(s){}",
        files.tensors.len(),
        human_count(files.total_params()),
        files.file_bytes(),
        files.shards.len(),
        model_type.map_or(String::new(), |m| format!(" · config: {m}"))
    ));
    if !files.metadata.is_empty() {
        egui::CollapsingHeader::new(format!("__metadata__ ({} entries)", files.metadata.len()))
            .show(ui, |ui| {
                crate::app::widgets::table::scroll_wide(ui, "model_metadata_scroll", |ui| {
                    egui::Grid::new("model_metadata")
                        .striped(true)
                        .show(ui, |ui| {
                            for (k, v) in &files.metadata {
                                ui.monospace(crate::formats::spec::printable(k));
                                ui.monospace(crate::formats::spec::printable(v));
                                ui.end_row();
                            }
                        });
                });
            });
    }
    if let Some(h) = files.gguf() {
        gguf_ui(ui, h);
    }
    let rows = footprint(&files.tensors);
    table_title(
        ui,
        "Memory per precision",
        Some(
            "Non-float tensors stay as they are. The quantized rows quantize weights (≥ 2-D float tensors), keep 1-D tensors (biases, norms) in BF16, and count one f32 per scale (the block formats: their own 8-bit scales, NF4 an f32 per 64). Bits per value: all bytes × 8 / all values, scales included.",
        ),
        || footprint_table(files),
    );
    let fp32 = rows.first().map_or(1, |r| r.bytes.max(1));
    crate::app::widgets::table::scroll_wide(ui, "model_footprint_scroll", |ui| {
        egui::Grid::new("model_footprint")
            .striped(true)
            .spacing([18.0, 3.0])
            .show(ui, |ui| {
                for h in ["precision", "MB", "bits per value", "vs FP32"] {
                    crate::app::widgets::table::header_cell(ui, h);
                }
                ui.end_row();
                let values = files.total_params().max(1) as f64;
                for r in &rows {
                    ui.label(r.label);
                    ui.monospace(format!("{:.3}", r.bytes as f64 / 1e6));
                    ui.monospace(format!("{:.3}", r.bytes as f64 * 8.0 / values));
                    let ratio = r.bytes as f64 / fp32 as f64;
                    ui.add(
                        egui::ProgressBar::new(ratio as f32)
                            .desired_width(160.0)
                            .text(format!("{ratio:.3}×")),
                    );
                    ui.end_row();
                }
            });
    });
}

/// The memory footprint per precision, as a table.
pub fn footprint_table(files: &ModelFiles) -> Table {
    let rows = footprint(&files.tensors);
    let fp32 = rows.first().map_or(1, |r| r.bytes.max(1));
    let values = files.total_params().max(1) as f64;
    let mut t = Table::new(
        "memory-per-precision",
        &["precision", "bytes", "bits per value", "vs FP32"],
    );
    for r in &rows {
        t.push(vec![
            r.label.to_string(),
            r.bytes.to_string(),
            format!("{:.3}", r.bytes as f64 * 8.0 / values),
            format!("{:.3}", r.bytes as f64 / fp32 as f64),
        ]);
    }
    t
}

/// Every tensor of the checkpoint: name, dtype, shape, parameters, bytes.
pub fn tensors_table(files: &ModelFiles) -> Table {
    let mut t = Table::new("tensors", &["tensor", "dtype", "shape", "params", "bytes"]);
    for e in &files.tensors {
        t.push(vec![
            e.name.clone(),
            e.dtype_label(),
            e.shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("x"),
            e.params().to_string(),
            e.bytes().to_string(),
        ]);
    }
    t
}

/// The selected tensor: statistics, histogram with the scheme's overlay, error statistics.
/// Returns a link to the lab when "Try in the lab" was clicked.
pub fn tensor_ui(
    ui: &mut egui::Ui,
    report: Option<&TensorReport>,
    running: bool,
    schemes: &[TensorScheme],
    scheme: &mut usize,
) -> Option<Link> {
    let Some(r) = report else {
        if running {
            ui.spinner();
        } else {
            ui.label("Select a tensor on the left.");
        }
        return None;
    };
    let mut lab = None;
    ui.horizontal(|ui| {
        ui.heading(&r.entry.name);
        if running {
            ui.spinner();
        }
    });
    match &r.entry.packed {
        Some(p) => ui.label(format!(
            "{} · shape {:?} · {} values · {} bytes ({:.2} bits per value) · stored as {} + {}, \
             statistics of the dequantized values",
            r.entry.dtype_label(),
            r.entry.shape,
            r.entry.params(),
            r.entry.bytes(),
            r.entry.bits_per_value(),
            p.blocks,
            p.scales
        )),
        None => ui.label(format!(
            "{} · shape {:?} · {} values · {} bytes",
            r.entry.dtype_label(),
            r.entry.shape,
            r.entry.params(),
            r.entry.bytes()
        )),
    };
    let mut header = vec!["tensor"];
    header.extend(SUMMARY_HEADER);
    let mut stats = Table::new("tensor-statistics", &header);
    let mut row = vec![r.entry.name.clone()];
    row.extend(summary_row(&r.summary));
    stats.push(row);
    table_grid(ui, &stats, |_, _| None);
    if r.entry.is_float() {
        ui.horizontal_wrapped(|ui| {
            let label = schemes.get(*scheme).map_or("none".into(), |s| s.name());
            egui::ComboBox::from_label("Compare with")
                .selected_text(label)
                .show_ui(ui, |ui| {
                    for (i, s) in schemes.iter().enumerate() {
                        ui.selectable_value(scheme, i, s.name());
                    }
                });
            if let Some((_, _, e)) = &r.scheme {
                ui.label(format!(
                    "SQNR {} · max |error| {} · RMSE {}",
                    crate::tensor::stats::sqnr_text(e.sqnr_db, |x| format!("{} dB", g(x))),
                    g(e.max_abs),
                    g(e.rmse)
                ));
            }
            if let Some(link) = schemes
                .get(*scheme)
                .and_then(|s| lab_link(s, r.entry.params()))
                && ui
                    .button("Try in the lab")
                    .on_hover_text(
                        "The Downcast lab with this scheme, on a random tensor of this one's size \
                         (up to 10^7 values; group sizes are set in the lab)",
                    )
                    .clicked()
            {
                lab = Some(link);
            }
        });
    }
    let height = crate::app::widgets::plots::plot_height(ui.ctx(), 220.0);
    titled_plot(ui, format!("Histogram of {}", r.entry.name), None, |ui| {
        Plot::new(("tensor_hist", r.entry.name.as_str()))
            .height(height)
            .legend(Legend::default())
            .show(ui, |p| {
                p.bar_chart(BarChart::new("values", histogram_bars(&r.histogram)).color(ORIGINAL));
                if let Some((s, h, _)) = &r.scheme {
                    p.bar_chart(BarChart::new(s.name(), histogram_bars(h)).color(STORED));
                }
            })
            .response
    });
    lab
}

/// How the sensitivity table is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sort {
    /// 0 = file order, 1 = parameters, 2 + i = SQNR under scheme i.
    pub column: usize,
    /// Descending instead of ascending.
    pub descending: bool,
}

/// What the user asked of the sensitivity table.
#[derive(Clone, Debug, PartialEq)]
pub enum SensAction {
    /// Show this tensor.
    Select(String),
    /// Compute again.
    Recompute,
    /// Stop the running computation.
    Cancel,
    /// Save as CSV.
    Export,
}

fn sqnr_of(r: &SensitivityRow, scheme: &TensorScheme) -> f64 {
    r.errors
        .iter()
        .find(|e| e.scheme == scheme.name())
        .map_or(f64::NAN, |e| e.sqnr_db)
}

/// What a sensitivity column means, and that clicking sorts by it.
fn column_tip(column: &str) -> String {
    let granularity = if column.contains("channel") {
        "per channel"
    } else if column.contains("group") {
        "per group"
    } else {
        "per tensor"
    };
    let meaning = match column {
        "tensor" | "params" => crate::glossary::definition(column)
            .unwrap_or_default()
            .to_string(),
        _ if column.starts_with("int")
            || column.starts_with("uint")
            || column.starts_with("fp8") =>
        {
            format!(
                "SQNR in dB after quantizing with {column}. {}",
                crate::glossary::definition(granularity).unwrap_or_default()
            )
        }
        _ => format!("SQNR in dB after a plain cast to {column} (no scale)"),
    };
    format!("{meaning}\nClick to sort by this column")
}

/// The sensitivity table: SQNR per tensor and scheme, sortable; worst cells in red.
pub fn sensitivity_ui(
    ui: &mut egui::Ui,
    rows: Option<&[SensitivityRow]>,
    status: Option<(f32, Duration)>,
    schemes: &[TensorScheme],
    sort: &mut Sort,
) -> Option<SensAction> {
    let mut action = None;
    ui.horizontal(|ui| {
        ui.heading("Sensitivity").on_hover_text(
            "SQNR = 10·log10(Σw² / Σ(w − w')²) of each float tensor under each scheme: lower is worse. Tensors over 4 M values are measured on their leading rows.",
        );
        if let Some((fraction, _)) = status {
            ui.add(egui::ProgressBar::new(fraction).desired_width(200.0).show_percentage());
            if ui.button("Cancel").clicked() {
                action = Some(SensAction::Cancel);
            }
        } else {
            if ui.button("Recompute").clicked() {
                action = Some(SensAction::Recompute);
            }
            if rows.is_some() && ui.button("Export CSV…").clicked() {
                action = Some(SensAction::Export);
            }
        }
    });
    let Some(rows) = rows else {
        return action;
    };
    let mut order: Vec<&SensitivityRow> = rows.iter().collect();
    match sort.column {
        0 => {}
        1 => order.sort_by_key(|r| r.params),
        c => {
            if let Some(s) = schemes.get(c - 2) {
                order.sort_by(|a, b| sqnr_of(a, s).total_cmp(&sqnr_of(b, s)));
            }
        }
    }
    if sort.descending {
        order.reverse();
    }
    crate::app::widgets::table::scroll_wide(ui, "sensitivity_scroll", |ui| {
        egui::Grid::new("sensitivity_table")
            .striped(true)
            .spacing([14.0, 3.0])
            .show(ui, |ui| {
                let mut header = |ui: &mut egui::Ui, text: String, column: usize| {
                    let arrow = if sort.column == column {
                        if sort.descending { " ▼" } else { " ▲" }
                    } else {
                        ""
                    };
                    if ui
                        .add(
                            egui::Button::new(RichText::new(format!("{text}{arrow}")).strong())
                                .frame(false),
                        )
                        .on_hover_text(column_tip(&text))
                        .clicked()
                    {
                        if sort.column == column {
                            sort.descending = !sort.descending;
                        } else {
                            *sort = Sort {
                                column,
                                descending: false,
                            };
                        }
                    }
                };
                header(ui, "tensor".into(), 0);
                header(ui, "params".into(), 1);
                for (i, s) in schemes.iter().enumerate() {
                    header(ui, s.name(), 2 + i);
                }
                ui.end_row();
                for r in order {
                    let label = if r.sampled.is_some() {
                        format!("{} (sampled)", r.tensor)
                    } else {
                        r.tensor.clone()
                    };
                    if ui.selectable_label(false, label).clicked() {
                        action = Some(SensAction::Select(r.tensor.clone()));
                    }
                    ui.monospace(human_count(r.params));
                    for s in schemes {
                        let e = r.errors.iter().find(|e| e.scheme == s.name());
                        let text = e.map_or("—".into(), |e| {
                            crate::tensor::stats::sqnr_text(e.sqnr_db, |x| format!("{x:.1}"))
                        });
                        let colour = match e.map(|e| e.sqnr_db) {
                            Some(x) if x < 20.0 => palette::BAD,
                            Some(x) if x < 30.0 => palette::FAIR,
                            _ => ui.visuals().text_color(),
                        };
                        ui.label(RichText::new(text).monospace().color(colour))
                            .on_hover_text(e.map_or(String::new(), |e| {
                                format!("max |error| {}, MSE {}", g(e.max_abs_error), g(e.mse))
                            }));
                    }
                    ui.end_row();
                }
            });
    });
    action
}

/// The link that opens the Downcast lab on `scheme` for a tensor of `params` values: casts by
/// their format, quantization types and block schemes by the name the lab's links take.
pub fn lab_link(scheme: &TensorScheme, params: u64) -> Option<Link> {
    let mut link = Link {
        tab: Some("downcast".into()),
        size: Some(
            usize::try_from(params)
                .unwrap_or(usize::MAX)
                .clamp(crate::deeplink::MIN_SIZE, crate::deeplink::MAX_SIZE),
        ),
        ..Link::default()
    };
    let name = match scheme {
        TensorScheme::Cast(f) => {
            link.to = Some(f.name());
            return Some(link);
        }
        TensorScheme::Quant(q, _) => q.name().to_string(),
        TensorScheme::Block(b) => b.name().to_string(),
        TensorScheme::Ggml(g) => g.scheme_name(),
    };
    let known = crate::deeplink::SCHEMES.iter().any(|s| *s == name);
    known.then_some(Link {
        scheme: Some(name),
        ..link
    })
}
