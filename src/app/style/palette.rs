//! Colours and line widths, the app's design tokens: Okabe–Ito for the bit fields and series
//! on a screen, Paul Tol's high-contrast scheme (also colour-blind safe) and thicker lines in
//! presentation mode. This is the only file that writes a colour: clippy's
//! `disallowed-methods` (`clippy.toml`) refuses colour constructors anywhere else.
#![allow(clippy::disallowed_methods)]

use crate::formats::Field;
use egui::{Color32, Context, Id};

/// Colour of original values (Okabe–Ito sky blue).
pub const ORIGINAL: Color32 = Color32::from_rgb(0x56, 0xB4, 0xE9);
/// Colour of stored / quantized values (Okabe–Ito orange).
pub const STORED: Color32 = Color32::from_rgb(0xE6, 0x9F, 0x00);
/// Colour of errors (Okabe–Ito reddish purple).
pub const ERROR: Color32 = Color32::from_rgb(0xCC, 0x79, 0xA7);
/// A good outcome, such as "the top class agrees" (Okabe–Ito bluish green).
pub const GOOD: Color32 = Color32::from_rgb(0x00, 0x9E, 0x73);
/// A bad outcome, or a poor SQNR (Okabe–Ito vermillion).
pub const BAD: Color32 = Color32::from_rgb(0xD5, 0x5E, 0x00);
/// A middling outcome, such as a fair SQNR (Okabe–Ito orange).
pub const FAIR: Color32 = Color32::from_rgb(0xE6, 0x9F, 0x00);
/// Points of a mapping plot (Okabe–Ito blue).
pub const POINTS: Color32 = Color32::from_rgb(0x00, 0x72, 0xB2);
/// A value that is not finite in a heat map.
pub const NOT_FINITE: Color32 = Color32::RED;
/// Grid lines of a plot drawn over data (the levels a format can store).
pub const GRID: Color32 = Color32::from_gray(140);
/// Faint annotations, such as a histogram's text (a lighter grey than [`GRID`]).
pub const FAINT: Color32 = Color32::from_gray(150);
/// Reference lines, such as a quantizer's qmin and qmax.
pub const REFERENCE: Color32 = Color32::GRAY;
/// The drawing pad's background and ink (a digit is white on black, as in MNIST).
pub const PAD: Color32 = Color32::BLACK;
/// The drawing pad's ink.
pub const INK: Color32 = Color32::WHITE;

/// Full-contrast text for presentation mode: white on dark, black on light.
pub fn strong_text(dark_mode: bool) -> Color32 {
    if dark_mode {
        Color32::WHITE
    } else {
        Color32::BLACK
    }
}

/// `colour` made lighter for a dark background (text drawn in a field's colour).
pub fn lighter(colour: Color32) -> Color32 {
    colour.lerp_to_gamma(Color32::WHITE, 0.4)
}

/// A colour from dark blue (0) through teal to yellow (1) (viridis' ends), readable on a
/// projector.
pub fn ramp(t: f64) -> Color32 {
    let t = t.clamp(0.0, 1.0) as f32;
    let stops = [(0x30, 0x12, 0x6e), (0x21, 0x91, 0x8c), (0xfd, 0xe7, 0x25)];
    let (a, b, u) = if t < 0.5 {
        (stops[0], stops[1], t * 2.0)
    } else {
        (stops[1], stops[2], t * 2.0 - 1.0)
    };
    let mix = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * u) as u8;
    Color32::from_rgb(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// An image's pixel, as data rather than a design colour (the model's input preview).
pub fn pixel_rgb(r: u8, g: u8, b: u8) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// A grey image pixel.
pub fn pixel_gray(level: u8) -> Color32 {
    Color32::from_gray(level)
}

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

/// The colour of a ggml block field of `kind` in the block view (Okabe–Ito, as the bit
/// fields of the Bits panel).
pub fn ggml_field(kind: crate::ggml::fields::FieldKind) -> Color32 {
    use crate::ggml::fields::FieldKind::*;
    match kind {
        Scale => Color32::from_rgb(0xD5, 0x5E, 0x00),
        Min => Color32::from_rgb(0xCC, 0x79, 0xA7),
        SubScales => Color32::from_rgb(0xE6, 0x9F, 0x00),
        Codes => Color32::from_rgb(0x00, 0x72, 0xB2),
        HighBits => Color32::from_rgb(0x56, 0xB4, 0xE9),
        Grid => Color32::from_rgb(0x00, 0x9E, 0x73),
        Signs => Color32::from_rgb(0xF0, 0xE4, 0x42),
    }
}
