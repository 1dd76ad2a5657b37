//! The block view of a GGUF tensor: pick a block, see its bytes split into the fields ggml
//! stores (scales, mins, packed sub-block scales, codes, high bits, grid indices, signs), the
//! sub-block scales unpacked, and the decoded values on the grid each sub-block can hold.

use crate::app::style::palette;
use crate::app::widgets::table::titled_plot;
use crate::ggml::fields::{BlockParts, block_parts};
use crate::model::ModelFiles;
use crate::model::files::TensorEntry;
use egui::RichText;
use egui_plot::{HLine, Legend, Plot, Points};

/// Fields up to this many bytes are drawn bit by bit; longer ones as hex (bits on hover).
const BITS_UP_TO: usize = 16;

/// Draw the block view of `t` (a GGUF tensor in a quantized ggml type) with block `block`
/// and sub-block `sub` selected; nothing for other tensors.
pub fn block_ui(
    ui: &mut egui::Ui,
    files: &ModelFiles,
    t: &TensorEntry,
    block: &mut usize,
    sub: &mut usize,
) {
    let Some(ty) = t.ggml else { return };
    if ty.block_size() == 1 {
        return;
    }
    let Some(g) = files.shards.get(t.shard).and_then(|s| s.gguf()) else {
        return;
    };
    let Ok(bytes) = g.bytes(&t.name) else { return };
    let ts = ty.type_size();
    let blocks = bytes.len() / ts;
    if blocks == 0 {
        return;
    }
    *block = (*block).min(blocks - 1);
    ui.add_space(8.0);
    ui.heading(format!("Block view · {ty}"));
    let per_row = t.shape.last().copied().unwrap_or(1).max(1) / ty.block_size();
    ui.horizontal_wrapped(|ui| {
        ui.label("block");
        ui.add(egui::DragValue::new(block).range(0..=blocks - 1));
        ui.label(format!(
            "of {blocks} · row {}, values {}…{} · {} values in {ts} bytes ({} bits per value)",
            *block / per_row.max(1),
            (*block % per_row.max(1)) * ty.block_size(),
            (*block % per_row.max(1) + 1) * ty.block_size() - 1,
            ty.block_size(),
            ty.bits_per_value()
        ));
    });
    let b = &bytes[*block * ts..(*block + 1) * ts];
    let Some(parts) = block_parts(ty, b) else {
        ui.label(RichText::new(format!("{ty}: its fields are not drawn yet")).weak());
        return;
    };
    fields_ui(ui, b, &parts);
    let mut values = vec![0f32; ty.block_size()];
    if crate::ggml::dequantize(ty, b, &mut values).is_err() {
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
            ui.label(
                RichText::new(format!("bytes {}…{}", fl.start, fl.start + fl.len - 1)).weak(),
            );
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
    ui.label(RichText::new("Sub-blocks: the packed scales unpacked (click one to see its grid)").strong());
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
                        (Some(lo), Some(hi)) => format!("{} levels, {lo:.4} … {hi:.4}", s.grid.len()),
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
    titled_plot(ui, "The block's decoded values, and the grid of the chosen sub-block", None, |ui| {
        Plot::new("gguf_block_values")
            .height(260.0)
            .legend(Legend::default())
            .x_axis_label("value in the block")
            .show(ui, |plot| {
                // Too many levels (Q6_K's 64, Q8_0's 256) would make a band, not lines.
                for &g in s.grid.iter().take(if s.grid.len() > 40 { 0 } else { 40 }) {
                    plot.hline(HLine::new("grid", f64::from(g)).color(palette::GRID).width(0.5));
                }
                plot.points(Points::new("values", pts).radius(2.0).color(palette::POINTS));
                plot.points(
                    Points::new(format!("sub-block {sub}"), chosen)
                        .radius(3.5)
                        .color(palette::STORED),
                );
            })
            .response
    });
}
