//! Fallback fonts: egui's defaults lack arrows, ×, −, subscripts and ∞, which formulas need.
//! DejaVu Sans / Sans Mono (assets/fonts, Bitstream Vera licence) fill the gaps.

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
use egui::{FontData, FontFamily};

const SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const MONO: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono.ttf");

/// Add the fallback fonts (a no-op once they are installed); call before any text is laid out.
pub fn install(ctx: &egui::Context) {
    for (name, data, family) in [
        ("DejaVuSans", SANS, FontFamily::Proportional),
        ("DejaVuSansMono", MONO, FontFamily::Monospace),
    ] {
        ctx.add_font(FontInsert {
            name: name.into(),
            data: FontData::from_static(data),
            families: vec![InsertFontFamily {
                family,
                priority: FontPriority::Lowest,
            }],
        });
    }
}
