//! The Model panel's saved settings (the state file's `model`).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The Model panel's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelState {
    /// `inspect` or `run`.
    pub view: String,
    /// Recently opened checkpoints, newest first.
    pub recent: Vec<PathBuf>,
    /// The checkpoint that was open (reopened on start if it still exists).
    pub open: Option<PathBuf>,
    /// The bundled sample digit used as input.
    pub sample: usize,
}
