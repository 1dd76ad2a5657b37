//! The block view of a GGUF tensor: pick one of its blocks (drawn apart by
//! [`crate::app::widgets::ggml_block`]).

use crate::model::ModelFiles;
use crate::model::files::TensorEntry;

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
        let label = ui.label("block");
        ui.add(egui::DragValue::new(block).range(0..=blocks - 1))
            .labelled_by(label.id);
        ui.label(format!(
            "of {blocks} · row {}, values {}…{} · {} values in {ts} bytes ({} bits per value)",
            *block / per_row.max(1),
            (*block % per_row.max(1)) * ty.block_size(),
            (*block % per_row.max(1) + 1) * ty.block_size() - 1,
            ty.block_size(),
            ty.bits_per_value()
        ));
    });
    crate::app::widgets::ggml_block::parts_ui(ui, ty, &bytes[*block * ts..(*block + 1) * ts], sub);
}

