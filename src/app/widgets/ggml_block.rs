//! One ggml block drawn apart, for every view that shows one (Model → Inspect's block view of
//! a GGUF tensor, the Downcast lab's ggml types): its bytes split into ggml's fields, the
//! sub-block scales unpacked, and the decoded values on the grid of the chosen sub-block.

use crate::app::style::palette;
use crate::app::widgets::table::titled_plot;
use crate::ggml::GgmlType;
use crate::ggml::fields::{BlockParts, block_parts};
use egui::RichText;
use egui_plot::{HLine, Legend, Plot, Points};

/// Fields up to this many bytes are drawn bit by bit; longer ones as hex (bits on hover).
const BITS_UP_TO: usize = 16;

/// Draw block `b` of type `t` taken apart, with sub-block `sub` chosen.
pub fn parts_ui(ui: &mut egui::Ui, t: GgmlType, b: &[u8], sub: &mut usize) {
    let Some(parts) = block_parts(t, b) else {
        ui.label(RichText::new(format!("{t}: its fields are not drawn yet")).weak());
        return;
    };
    fields_ui(ui, b, &parts);
    let mut values = vec![0f32; t.block_size()];
    if crate::ggml::dequantize(t, b, &mut values).is_err() {
        return;
    }
    *sub = (*sub).min(parts.subs.len().saturating_sub(1));
    subs_ui(ui, &parts, sub);
    values_plot(ui, &values, &parts, *sub);
}

fn fields_ui(ui: &mut egui::Ui, b: &[u8], parts: &BlockParts) {
    for fl in &parts.fields {
        let colour = palette::ggml_field(fl.kind);
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 5.0;
            ui.label(RichText::new(fl.name).strong().color(colour));
            ui.label(RichText::new(format!("bytes {}…{}", fl.start, fl.start + fl.len - 1)).weak());
            for (i, byte) in b[fl.start..fl.start + fl.len].iter().enumerate() {
                let text = if fl.len <= BITS_UP_TO {
                    format!("{byte:08b}")
                } else {
                    format!("{byte:02x}")
                };
                ui.label(RichText::new(text).monospace().color(colour))
                    .on_hover_text(format!("byte {}: {byte:#04x} = {byte:08b}", fl.start + i));
            }
        });
        ui.label(RichText::new(&fl.text).weak());
        ui.add_space(3.0);
    }
}

fn subs_ui(ui: &mut egui::Ui, parts: &BlockParts, sub: &mut usize) {
    if parts.subs.len() < 2 {
        return;
    }
    ui.label(
        RichText::new("Sub-blocks: the packed scales unpacked (click one to see its grid)")
            .strong(),
    );
    crate::app::widgets::table::scroll_wide(ui, "gguf_block_subs_scroll", |ui| {
        egui::Grid::new("gguf_block_subs")
            .striped(true)
            .spacing([14.0, 2.0])
            .show(ui, |ui| {
                for h in ["sub-block", "values", "stored", "grid"] {
                    crate::app::widgets::table::header_cell(ui, h);
                }
                ui.end_row();
                for (i, s) in parts.subs.iter().enumerate() {
                    if ui.selectable_label(*sub == i, i.to_string()).clicked() {
                        *sub = i;
                    }
                    ui.monospace(format!("{}…{}", s.values.start, s.values.end - 1));
                    ui.monospace(&s.stored);
                    let (lo, hi) = (s.grid.first().copied(), s.grid.last().copied());
                    ui.monospace(match (lo, hi) {
                        (Some(lo), Some(hi)) => {
                            format!("{} levels, {lo:.4} … {hi:.4}", s.grid.len())
                        }
                        _ => "—".into(),
                    });
                    ui.end_row();
                }
            });
    });
}

fn values_plot(ui: &mut egui::Ui, values: &[f32], parts: &BlockParts, sub: usize) {
    let Some(s) = parts.subs.get(sub) else { return };
    let pts: Vec<[f64; 2]> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| [i as f64, f64::from(v)])
        .collect();
    let chosen: Vec<[f64; 2]> = pts[s.values.clone()].to_vec();
    titled_plot(
        ui,
        "The block's decoded values, and the grid of the chosen sub-block",
        None,
        |ui| {
            Plot::new("gguf_block_values")
                .height(260.0)
                .legend(Legend::default())
                .x_axis_label("value in the block")
                .show(ui, |plot| {
                    // Too many levels (Q6_K's 64, Q8_0's 256) would make a band, not lines.
                    for &g in s.grid.iter().take(if s.grid.len() > 40 { 0 } else { 40 }) {
                        plot.hline(
                            HLine::new("grid", f64::from(g))
                                .color(palette::GRID)
                                .width(0.5),
                        );
                    }
                    plot.points(
                        Points::new("values", pts)
                            .radius(2.0)
                            .color(palette::POINTS),
                    );
                    plot.points(
                        Points::new(format!("sub-block {sub}"), chosen)
                            .radius(3.5)
                            .color(palette::STORED),
                    );
                })
                .response
        },
    );
}
