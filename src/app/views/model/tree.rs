//! The checkpoint's tensors, grouped by module (name prefix) and filterable.

use crate::model::ModelFiles;
use crate::model::files::TensorEntry;
use egui::RichText;

/// Draw the tensor list; returns the name of a tensor the user clicked.
pub fn ui(
    ui: &mut egui::Ui,
    files: &ModelFiles,
    filter: &str,
    selected: Option<&str>,
) -> Option<String> {
    let needle = filter.trim().to_lowercase();
    let matching: Vec<&TensorEntry> = files
        .tensors
        .iter()
        .filter(|t| needle.is_empty() || t.name.to_lowercase().contains(&needle))
        .collect();
    ui.label(
        RichText::new(format!(
            "{} of {} tensors",
            matching.len(),
            files.tensors.len()
        ))
        .weak(),
    );
    // Group by module: everything before the last dot (a GGUF's `blk.N.`: its block).
    let mut groups: Vec<(&str, Vec<&TensorEntry>)> = Vec::new();
    for t in matching {
        let module = module_of(&t.name);
        match groups.last_mut() {
            Some((m, v)) if *m == module => v.push(t),
            _ => groups.push((module, vec![t])),
        }
    }
    let open_all = groups.len() <= 12 || !needle.is_empty();
    let mut clicked = None;
    egui::ScrollArea::vertical()
        .auto_shrink(false)
        .show(ui, |ui| {
            for (module, tensors) in &groups {
                let params: u64 = tensors.iter().map(|t| t.params()).sum();
                let title = if module.is_empty() {
                    "(top level)"
                } else {
                    module
                };
                egui::CollapsingHeader::new(format!("{title}  ·  {}", human_count(params)))
                    .id_salt(("module", *module))
                    .default_open(open_all)
                    .open(if needle.is_empty() { None } else { Some(true) })
                    .show(ui, |ui| {
                        egui::Grid::new(("tensors", *module))
                            .num_columns(5)
                            .striped(true)
                            .spacing([10.0, 2.0])
                            .show(ui, |ui| {
                                for t in tensors {
                                    let leaf = leaf_of(&t.name);
                                    let is_sel = selected == Some(t.name.as_str());
                                    if ui
                                        .selectable_label(is_sel, leaf)
                                        .on_hover_text(format!("{}\n{} bytes", t.name, t.bytes()))
                                        .clicked()
                                    {
                                        clicked = Some(t.name.clone());
                                    }
                                    ui.monospace(t.dtype_label());
                                    ui.monospace(format!("{:?}", t.shape));
                                    ui.monospace(human_count(t.params()));
                                    ui.monospace(human_bytes(t.bytes()));
                                    ui.end_row();
                                }
                            });
                    });
            }
        });
    clicked
}

/// 1234 → `1.23 k`, 22_360_000 → `22.4 M`.
pub fn human_count(n: u64) -> String {
    let x = n as f64;
    if n < 1000 {
        n.to_string()
    } else if x < 1e6 {
        format!("{:.3} k", x / 1e3)
    } else if x < 1e9 {
        format!("{:.3} M", x / 1e6)
    } else {
        format!("{:.3} G", x / 1e9)
    }
}

/// 1536 → `1.5 KB`, 22_360_000 → `22.36 MB` (decimal units, like the lesson's MB).
pub fn human_bytes(n: u64) -> String {
    let x = n as f64;
    if n < 1000 {
        format!("{n} B")
    } else if x < 1e6 {
        format!("{:.1} KB", x / 1e3)
    } else if x < 1e9 {
        format!("{:.2} MB", x / 1e6)
    } else {
        format!("{:.2} GB", x / 1e9)
    }
}

/// The group a tensor is listed under: its name up to the last dot, or for llama.cpp's names
/// (`blk.12.attn_q.weight`) its block (`blk.12`).
fn module_of(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix("blk.")
        && let Some((n, _)) = rest.split_once('.')
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        return &name[..4 + n.len()];
    }
    name.rsplit_once('.').map_or("", |(m, _)| m)
}

/// The tensor's name within its group.
fn leaf_of(name: &str) -> &str {
    let module = module_of(name);
    if module.is_empty() {
        return name;
    }
    name[module.len()..].trim_start_matches('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gguf_names_group_by_block() {
        assert_eq!(module_of("blk.12.attn_q.weight"), "blk.12");
        assert_eq!(leaf_of("blk.12.attn_q.weight"), "attn_q.weight");
        assert_eq!(module_of("conv1.weight"), "conv1");
        assert_eq!(leaf_of("conv1.weight"), "weight");
        assert_eq!(module_of("blk.x.weight"), "blk.x");
        assert_eq!(leaf_of("bias"), "bias");
    }
}
