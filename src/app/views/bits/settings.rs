//! The Bits panel's saved settings (the state file's `bits`).

use serde::{Deserialize, Serialize};

/// The Bits panel's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BitsState {
    /// Catalogue name, or `custom` for the eXmY sliders.
    pub format: String,
    /// Custom layout: exponent bits.
    pub custom_exp: u32,
    /// Custom layout: mantissa bits.
    pub custom_man: u32,
    /// Custom layout: IEEE inf/NaN.
    pub custom_ieee: bool,
    /// Rounding mode name.
    pub rounding: String,
    /// Stochastic rounding seed.
    pub seed: u64,
    /// The value box.
    pub value: String,
    /// Sweep range.
    pub sweep: (f64, f64),
}
