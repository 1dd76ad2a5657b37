//! "Show me" scrolls the part of a panel a lesson step is about into view: the app asks for
//! a named section ([`request`]); the panel that draws that section scrolls it to the top of
//! its area ([`here`]) once.

use egui::{Context, Id, Rect};

fn key() -> Id {
    Id::unique("quantscope_focus")
}

/// Ask for the section `name` to be scrolled into view when it is next drawn.
pub fn request(ctx: &Context, name: &str) {
    ctx.data_mut(|d| d.insert_temp(key(), name.to_string()));
    ctx.request_repaint();
}

/// The section waiting to be scrolled to, if any.
pub fn pending(ctx: &Context) -> Option<String> {
    ctx.data(|d| d.get_temp::<String>(key()))
}

/// Section `name` was drawn at `rect`: scroll it into view if it was asked for.
pub fn here(ui: &egui::Ui, name: &str, rect: Rect) {
    if pending(ui.ctx()).as_deref() == Some(name) {
        ui.scroll_to_rect(rect, Some(egui::Align::TOP));
        ui.ctx().data_mut(|d| d.remove::<String>(key()));
    }
}

/// Draw `add` as section `name` (scrolled into view when asked for).
pub fn section<R>(ui: &mut egui::Ui, name: &str, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    let out = ui.scope(add);
    here(ui, name, out.response.rect);
    out.inner
}
