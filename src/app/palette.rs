//! Colours and line widths: Okabe–Ito for the bit fields on a screen, Paul Tol's
//! high-contrast scheme (also colour-blind safe) and thicker lines in presentation mode.

use crate::formats::Field;
use egui::{Color32, Context, Id};

/// How things are drawn this frame: on a screen, or on a projector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Look {
    /// Presentation mode: bigger cells, thicker lines, high-contrast palette.
    pub presentation: bool,
}

impl Look {
    fn id() -> Id {
        Id::unique("quantscope_look")
    }

    /// The look set for `ctx` (the default screen look if none was set).
    pub fn of(ctx: &Context) -> Look {
        ctx.data(|d| d.get_temp(Self::id())).unwrap_or_default()
    }

    /// Use `look` from now on.
    pub fn set(self, ctx: &Context) {
        ctx.data_mut(|d| d.insert_temp(Self::id(), self));
    }

    /// A plot line width: doubled for a projector.
    pub fn line(self, width: f32) -> f32 {
        if self.presentation {
            width * 2.0
        } else {
            width
        }
    }

    /// The field's colour.
    pub fn field_colour(self, field: Field) -> Color32 {
        match (self.presentation, field) {
            // Okabe–Ito: sign vermillion, exponent bluish green, mantissa/value blue.
            (false, Field::Sign) => Color32::from_rgb(0xD5, 0x5E, 0x00),
            (false, Field::Exponent) => Color32::from_rgb(0x00, 0x9E, 0x73),
            (false, Field::Mantissa | Field::Value) => Color32::from_rgb(0x00, 0x72, 0xB2),
            // Paul Tol's high-contrast: red, yellow, dark blue.
            (true, Field::Sign) => Color32::from_rgb(0xBB, 0x55, 0x66),
            (true, Field::Exponent) => Color32::from_rgb(0xDD, 0xAA, 0x33),
            (true, Field::Mantissa | Field::Value) => Color32::from_rgb(0x00, 0x44, 0x88),
        }
    }

    /// Fill for a field's cells: strong when the bit is set, faint when clear.
    pub fn field_fill(self, field: Field, set: bool, dark: bool) -> Color32 {
        let base = self.field_colour(field);
        let faint = match (self.presentation, dark) {
            (true, _) => 0.18,
            (false, true) => 0.28,
            (false, false) => 0.22,
        };
        if set {
            base
        } else {
            base.gamma_multiply(faint)
        }
    }

    /// Text colour on top of [`Look::field_fill`].
    pub fn cell_text(self, field: Field, set: bool, dark: bool) -> Color32 {
        if set && self.presentation && field == Field::Exponent {
            // Black on Tol's yellow reads best.
            Color32::BLACK
        } else if set || dark {
            Color32::WHITE
        } else {
            Color32::from_gray(30)
        }
    }

    /// Largest bit cell width in points (before zoom).
    pub fn max_cell(self) -> f32 {
        if self.presentation { 56.0 } else { 36.0 }
    }
}
