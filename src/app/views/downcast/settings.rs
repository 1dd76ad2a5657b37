//! The Downcast lab's saved settings (the state file's `downcast`).

use crate::tensor::random::Distribution;
use serde::{Deserialize, Serialize};

/// The Downcast lab's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DowncastState {
    /// The distribution and its parameters.
    pub distribution: Distribution,
    /// Number of values.
    pub size: usize,
    /// Generator seed.
    pub seed: u64,
    /// Quantize instead of casting.
    pub quantize: bool,
    /// Cast target (catalogue name).
    pub format: String,
    /// Quantization type name (`int8`, …).
    pub qtype: String,
    /// Asymmetric (with a zero point) instead of symmetric.
    pub asymmetric: bool,
    /// One scale per group instead of per tensor.
    pub per_group: bool,
    /// Group size.
    pub group: usize,
    /// Rounding mode name.
    pub rounding: String,
    /// Histogram bins.
    pub bins: usize,
    /// A fixed histogram range instead of the values' range.
    pub range: Option<(f64, f64)>,
}
