//! The Downcast lab's block view: one cell per block coloured by its shared scale, the
//! selected block's values before and after with their element codes and the scale's bits,
//! the element grid stretched by that scale, and the same tensor in four 4-bit schemes.

use crate::app::style::palette;
use crate::app::widgets::table::{table_grid, table_title, titled_plot};
use crate::export::Table;
use crate::formats::decimal::shortest_repr;
use crate::formats::{Analysis, Format, decode};
use crate::quant::block::NF4_LEVELS;
use crate::tensor::lab::BlockView;
use egui::{RichText, Sense, Stroke, vec2};
use egui_plot::{HLine, Legend, Plot, PlotPoints, Points};

/// Cells per row of the heat map.
const COLUMNS: usize = 64;

/// The view; `selected` is the block shown in detail.
pub fn block_view_ui(ui: &mut egui::Ui, v: &BlockView, selected: &mut usize) {
    ui.heading("Blocks").on_hover_text(
        "Every block of values shares one scale: a small block follows the local size of the values, so an outlier only coarsens its own block.",
    );
    let mut line = format!(
        "{} blocks of {} · scales in {} · {} bits per value",
        v.blocks, v.block_size, v.scale_format, v.bits_per_value
    );
    if let Some(t) = v.tensor_scale {
        line += &format!(" · tensor scale / offset {}", shortest_repr(f64::from(t)));
    }
    ui.label(line);
    if v.scales.is_empty() {
        return;
    }
    *selected = (*selected).min(v.scales.len() - 1);
    heat_map(ui, v, selected);
    ui.horizontal(|ui| {
        let label = ui.label("Block");
        ui.add(egui::DragValue::new(selected).range(0..=v.scales.len() - 1))
            .labelled_by(label.id);
        ui.label(format!("of the first {}", v.scales.len()));
    });
    crate::app::widgets::layout::pair(
        ui,
        1000.0,
        |ui| selected_block_ui(ui, v, *selected),
        |ui| {
            grid_plot(ui, v, *selected);
            ui.add_space(8.0);
            comparison_ui(ui, v);
        },
    );
}

/// log2 of a scale (NF4's absmax and NVFP4's E4M3 scales are not powers of two).
fn exponent(scale: f64) -> f64 {
    if scale > 0.0 { scale.log2() } else { f64::NAN }
}

fn heat_map(ui: &mut egui::Ui, v: &BlockView, selected: &mut usize) {
    let logs: Vec<f64> = v.scales.iter().map(|&s| exponent(s)).collect();
    let finite = logs.iter().copied().filter(|x| x.is_finite());
    let lo = finite.clone().fold(f64::INFINITY, f64::min);
    let hi = finite.fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let cols = COLUMNS.min(v.scales.len());
    let rows = v.scales.len().div_ceil(cols);
    let cell = ((ui.available_width() / cols as f32).floor()).clamp(4.0, 12.0);
    ui.label(
        RichText::new(format!(
            "scale of each block, as log₂: {} (dark) … {} (yellow); click a block",
            shortest_repr(lo),
            shortest_repr(hi)
        ))
        .small(),
    );
    let (rect, response) =
        ui.allocate_exact_size(vec2(cell * cols as f32, cell * rows as f32), Sense::click());
    let painter = ui.painter_at(rect);
    for (i, l) in logs.iter().enumerate() {
        let (r, c) = (i / cols, i % cols);
        let min = rect.min + vec2(c as f32 * cell, r as f32 * cell);
        let cell_rect = egui::Rect::from_min_size(min, vec2(cell - 1.0, cell - 1.0));
        let colour = if l.is_finite() {
            palette::ramp((l - lo) / span)
        } else {
            palette::NOT_FINITE
        };
        painter.rect_filled(cell_rect, 0.0, colour);
        if i == *selected {
            painter.rect_stroke(
                cell_rect.expand(1.0),
                0.0,
                Stroke::new(2.0, ui.visuals().strong_text_color()),
                egui::StrokeKind::Outside,
            );
        }
    }
    let at = |pos: egui::Pos2| {
        let c = ((pos.x - rect.min.x) / cell) as usize;
        let r = ((pos.y - rect.min.y) / cell) as usize;
        (c < cols)
            .then_some(r * cols + c)
            .filter(|&i| i < v.scales.len())
    };
    if let Some(i) = response.hover_pos().and_then(at) {
        response.clone().on_hover_text(format!(
            "block {i}: scale {} (log₂ {})",
            shortest_repr(v.scales[i]),
            shortest_repr(exponent(v.scales[i]))
        ));
    }
    if response.clicked()
        && let Some(i) = response.interact_pointer_pos().and_then(at)
    {
        *selected = i;
    }
}

/// The element value of a code: its format's value, or NF4's level.
fn element_value(v: &BlockView, code: u8) -> f64 {
    match &v.element_format {
        Some(f) => decode(f, u64::from(code)),
        None => f64::from(NF4_LEVELS[usize::from(code & 15)]),
    }
}

/// Bits of one element code (NF4: 4).
fn element_bits(v: &BlockView) -> u32 {
    v.element_format.map_or(4, |f| f.bits())
}

/// The selected block, value by value.
fn selected_block_table(v: &BlockView, i: usize) -> Table {
    let mut t = Table::new(
        "block",
        &[
            "#",
            "original",
            "element code",
            "element",
            "stored",
            "error",
        ],
    );
    let element_bits = element_bits(v) as usize;
    let start = i * v.block_size;
    let end = (start + v.block_size).min(v.values.len());
    for j in start..end {
        let code = v.codes[j];
        // f32 values in their shortest f32 spelling.
        t.push(vec![
            j.to_string(),
            format!("{}", v.values[j]),
            format!("{code:0element_bits$b}"),
            shortest_repr(element_value(v, code)),
            format!("{}", v.dequantized[j]),
            format!("{}", v.dequantized[j] - v.values[j]),
        ]);
    }
    t
}

fn selected_block_ui(ui: &mut egui::Ui, v: &BlockView, i: usize) {
    let scale = v.scales[i];
    let bits = Analysis::of_bits(v.scale_format, v.scale_bits[i], scale).binary();
    let t = selected_block_table(v, i);
    table_title(
        ui,
        &format!(
            "Block {i}: scale {} = {bits} ({})",
            shortest_repr(scale),
            v.scale_format
        ),
        Some(
            "stored = element × scale. The element code is the element format's bit pattern (NF4: the index of its level).",
        ),
        || t.clone(),
    );
    table_grid(ui, &t, |_, _| None);
}

/// The values block `i` can store near its own values: every element value times the
/// block's scale (two-level NVFP4: times the tensor scale too), within 1.6 × its largest |v|.
pub fn block_grid(v: &BlockView, i: usize) -> Vec<f64> {
    let Some(&scale) = v.scales.get(i) else {
        return Vec::new();
    };
    let start = i * v.block_size;
    let end = (start + v.block_size).min(v.values.len());
    let amax = v.values[start..end]
        .iter()
        .fold(0f64, |m, &x| m.max(f64::from(x).abs()));
    let codes: Vec<u8> = (0..(1u16 << element_bits(v)).min(256))
        .map(|c| c as u8)
        .collect();
    let dequant_scale = match v.tensor_scale {
        Some(t) if v.scale_format == Format::named("float8_e4m3fn") => scale * f64::from(t),
        _ => scale,
    };
    codes
        .iter()
        .map(|&c| element_value(v, c) * dequant_scale)
        .filter(|g| g.is_finite() && g.abs() <= amax * 1.6 + f64::MIN_POSITIVE)
        .collect()
}

/// The selected block's values against what they became, over its grid of element values
/// times the block's scale.
fn grid_plot(ui: &mut egui::Ui, v: &BlockView, i: usize) {
    let start = i * v.block_size;
    let end = (start + v.block_size).min(v.values.len());
    let points: Vec<[f64; 2]> = (start..end)
        .map(|j| [f64::from(v.values[j]), f64::from(v.dequantized[j])])
        .collect();
    let grid = block_grid(v, i);
    titled_plot(
        ui,
        format!("Block {i}: its grid (element values × scale)"),
        Some(
            "Each horizontal line is a value the block can store; every original value moves to the nearest one.",
        ),
        |ui| {
            Plot::new(("block_grid", i))
                .height(200.0)
                .legend(Legend::default())
                .allow_scroll(false)
                .show(ui, |p| {
                    for g in &grid {
                        p.hline(HLine::new("grid", *g).color(palette::GRID).width(0.5));
                    }
                    p.points(
                        Points::new("original → stored", PlotPoints::from(points.clone()))
                            .radius(3.0)
                            .color(palette::POINTS),
                    );
                })
                .response
        },
    );
}

/// The same tensor in four 4-bit schemes.
fn comparison_table(v: &BlockView) -> Table {
    let mut t = Table::new("four_bit", &["scheme", "bits per value", "SQNR (dB)"]);
    for (name, bits, sqnr) in &v.comparison {
        t.push(vec![
            name.clone(),
            format!("{bits:.3}"),
            crate::tensor::stats::sqnr_text(*sqnr, |x| format!("{x:.1}")),
        ]);
    }
    t
}

fn comparison_ui(ui: &mut egui::Ui, v: &BlockView) {
    let t = comparison_table(v);
    table_title(
        ui,
        "Four bits, four ways (this tensor)",
        Some(
            "Higher SQNR is better. One scale for the whole tensor wastes FP4's few levels on the largest value; scales per small block follow the values, for a fraction of a bit each.",
        ),
        || t.clone(),
    );
    table_grid(ui, &t, |_, _| None);
}

/// The block view of a ggml type: one of the lab tensor's first blocks taken apart
/// ([`crate::app::widgets::ggml_block`]).
pub fn ggml_blocks_ui(
    ui: &mut egui::Ui,
    g: &crate::tensor::lab::GgmlBlocks,
    block: &mut usize,
    sub: &mut usize,
) {
    let t = g.ggml_type;
    let ts = t.type_size();
    let shown = g.bytes.len() / ts;
    if shown == 0 {
        return;
    }
    ui.heading(format!("Blocks · ggml {t}"));
    *block = (*block).min(shown - 1);
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("block");
        ui.add(egui::DragValue::new(block).range(0..=shown - 1))
            .labelled_by(label.id);
        ui.label(format!(
            "of {} (the first {shown} can be shown) · values {}…{} · {ts} bytes, {} bits per value",
            g.total,
            *block * t.block_size(),
            (*block + 1) * t.block_size() - 1,
            t.bits_per_value()
        ));
    });
    let b = &g.bytes[*block * ts..(*block + 1) * ts];
    crate::app::widgets::ggml_block::parts_ui(ui, t, b, sub);
}
