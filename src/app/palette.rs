//! Colours of the bit fields (Okabe–Ito, readable for colour-blind viewers).

use crate::formats::Field;
use egui::Color32;

/// Fill for a field's cells: strong when the bit is set, faint when clear.
pub fn field_fill(field: Field, set: bool, dark: bool) -> Color32 {
    let base = field_colour(field);
    if set {
        base
    } else if dark {
        base.gamma_multiply(0.28)
    } else {
        base.gamma_multiply(0.22)
    }
}

/// The field's colour: sign vermillion, exponent bluish green, mantissa/value blue.
pub fn field_colour(field: Field) -> Color32 {
    match field {
        Field::Sign => Color32::from_rgb(0xD5, 0x5E, 0x00),
        Field::Exponent => Color32::from_rgb(0x00, 0x9E, 0x73),
        Field::Mantissa | Field::Value => Color32::from_rgb(0x00, 0x72, 0xB2),
    }
}

/// Text colour on top of [`field_fill`].
pub fn cell_text(set: bool, dark: bool) -> Color32 {
    if set || dark {
        Color32::WHITE
    } else {
        Color32::from_gray(30)
    }
}
