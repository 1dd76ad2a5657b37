//! A row of clickable bit cells coloured by field (like float.exposed / float-toy).

use crate::app::style::palette::Look;
use crate::formats::Format;
use crate::formats::analysis::field_of_bit;
use egui::{Align2, FontId, Rect, Role, Sense, WidgetInfo, vec2};

/// Draw `bits` of `format` as cells, most significant bit first. Returns the index of the
/// bit the user clicked (0 = least significant), if any.
///
/// Every cell is a button for AccessKit, labelled like `sign bit 15` or `mantissa bit 0`.
pub fn bit_row(ui: &mut egui::Ui, format: &Format, bits: u64) -> Option<u32> {
    let n = format.bits();
    let gaps = field_breaks(format, n);
    let gap = 6.0;
    // Inside a horizontal scroll area the available width is unbounded: fit the visible part.
    let visible = (ui.clip_rect().right() - ui.cursor().left() - 16.0).max(0.0);
    let avail = ui.available_width().min(visible) - gap * gaps.len() as f32;
    let look = Look::of(ui.ctx());
    let cell = (avail / n as f32).clamp(10.0, look.max_cell());
    let height = (cell * 1.35).max(24.0);
    let width = cell * n as f32 + gap * gaps.len() as f32;
    let header = if look.presentation { 20.0 } else { 16.0 };
    let footer = 14.0;
    let (outer, _) = ui.allocate_exact_size(vec2(width, header + height + footer), Sense::hover());
    let dark = ui.visuals().dark_mode;
    let painter = ui.painter_at(outer.expand(2.0));
    let mut clicked = None;
    let mut x = outer.left();
    let mut group_start = x;
    for pos in 0..n {
        let index = n - 1 - pos;
        if pos > 0 && gaps.contains(&pos) {
            field_header(ui, &painter, format, index + 1, group_start, x, outer.top());
            x += gap;
            group_start = x;
        }
        let rect = Rect::from_min_size(egui::pos2(x, outer.top() + header), vec2(cell, height));
        let set = bits >> index & 1 == 1;
        let field = field_of_bit(format, index);
        let id = ui.scope_id().with(("bit", index));
        let label = format!("{} bit {index}", field.name());
        let response = ui
            .interact(rect, id, Sense::click())
            .on_hover_text(format!("{label} = {}; click to flip", u8::from(set)));
        response.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
        let mut fill = look.field_fill(field, set, dark);
        if response.hovered() {
            fill = fill.gamma_multiply(1.25);
        }
        painter.rect_filled(rect.shrink(1.0), 3.0, fill);
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            if set { "1" } else { "0" },
            FontId::monospace((cell * 0.62).clamp(10.0, look.max_cell() * 0.55)),
            look.cell_text(field, set, dark),
        );
        if cell >= 16.0 || index.is_multiple_of(4) {
            painter.text(
                egui::pos2(rect.center().x, rect.bottom() + 1.0),
                Align2::CENTER_TOP,
                index.to_string(),
                FontId::proportional(9.0),
                ui.visuals().weak_text_color(),
            );
        }
        if response.clicked() {
            clicked = Some(index);
        }
        x += cell;
    }
    field_header(ui, &painter, format, 0, group_start, x, outer.top());
    clicked
}

/// Positions (counted from the most significant bit) where a new field starts.
fn field_breaks(format: &Format, n: u32) -> Vec<u32> {
    (1..n)
        .filter(|&pos| field_of_bit(format, n - pos) != field_of_bit(format, n - 1 - pos))
        .collect()
}

fn field_header(
    ui: &egui::Ui,
    painter: &egui::Painter,
    format: &Format,
    lowest_index: u32,
    left: f32,
    right: f32,
    top: f32,
) {
    let field = field_of_bit(format, lowest_index);
    let look = Look::of(ui.ctx());
    let width = right - left;
    let name = field.name();
    let text = if width > 70.0 {
        name.to_string()
    } else {
        name.chars().next().map(String::from).unwrap_or_default()
    };
    painter.text(
        egui::pos2(left + width / 2.0, top),
        Align2::CENTER_TOP,
        text,
        FontId::proportional(if look.presentation { 16.0 } else { 12.0 }),
        if ui.visuals().dark_mode {
            crate::app::style::palette::lighter(look.field_colour(field))
        } else {
            look.field_colour(field)
        },
    );
}
