//! The app's state as data: what is saved on exit and restored on the next start, exported as
//! JSON (Ctrl+S) and loaded back, and reset to defaults. Reading is lenient: a field that is
//! missing, of the wrong type or out of range keeps its default, so a hand-edited or hostile
//! file never stops the app.

use super::export::ExportSettings;
use crate::tensor::random::Distribution;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;

/// Version written into exported state files.
pub const STATE_VERSION: u32 = 1;

/// Everything worth restoring.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    /// File format version.
    pub version: u32,
    /// `bits`, `downcast` or `model`.
    pub tab: String,
    /// Presentation mode.
    pub presentation: bool,
    /// `system`, `dark` or `light`.
    pub theme: String,
    /// egui zoom factor (Ctrl +/−).
    pub zoom: f32,
    /// Whether the lesson panel is open.
    pub lesson_open: bool,
    /// The lesson step shown.
    pub lesson_step: usize,
    /// The Bits panel.
    pub bits: BitsState,
    /// The Downcast lab.
    pub downcast: DowncastState,
    /// The Model panel.
    pub model: ModelState,
    /// Where exports go.
    pub export: ExportSettings,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            version: STATE_VERSION,
            tab: "bits".into(),
            presentation: false,
            theme: "system".into(),
            zoom: 1.0,
            lesson_open: false,
            lesson_step: 0,
            bits: BitsState::default(),
            downcast: DowncastState::default(),
            model: ModelState::default(),
            export: ExportSettings::default(),
        }
    }
}

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

impl Default for BitsState {
    /// The Bits panel's start state (1/3 in bfloat16, the sweep around it).
    fn default() -> Self {
        super::BitsPanel::default().state()
    }
}

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

impl Default for DowncastState {
    /// The Downcast lab's start state (`torch.rand(1000)` cast to bfloat16).
    fn default() -> Self {
        super::DowncastPanel::default().state()
    }
}

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

impl Default for ModelState {
    /// The Model panel's start state.
    fn default() -> Self {
        super::ModelPanel::default().state()
    }
}

/// Read `T` from JSON text, field by field: whatever does not fit keeps its default.
/// Fails only when the text is not a JSON object at all.
pub fn from_json<T: Serialize + DeserializeOwned + Default>(text: &str) -> Result<T, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not a state file: {e}"))?;
    if !value.is_object() {
        return Err("not a state file: expected a JSON object".into());
    }
    Ok(lenient(&value))
}

/// `value` as `T`, keeping `T::default()`'s field wherever `value`'s does not deserialize
/// (nested settings are merged field by field too).
pub fn lenient<T: Serialize + DeserializeOwned + Default>(value: &Value) -> T {
    if let Ok(t) = serde_json::from_value(value.clone()) {
        return t;
    }
    let Ok(mut merged) = serde_json::to_value(T::default()) else {
        return T::default();
    };
    let fits = |v: &Value| serde_json::from_value::<T>(v.clone()).is_ok();
    merge(&mut merged, &mut Vec::new(), value, &fits);
    serde_json::from_value(merged).unwrap_or_default()
}

/// Copy `given`'s fields into the object at `path` in `root`, one at a time, keeping each only
/// if `root` still `fits`; an object that does not fit whole is merged field by field.
fn merge(root: &mut Value, path: &mut Vec<String>, given: &Value, fits: &dyn Fn(&Value) -> bool) {
    let Some(given) = given.as_object() else {
        return;
    };
    for (key, v) in given {
        let Some(current) = at(root, path).and_then(|o| o.get(key)).cloned() else {
            continue;
        };
        put(root, path, key, v.clone());
        if fits(root) {
            continue;
        }
        put(root, path, key, current.clone());
        if current.is_object() && v.is_object() {
            path.push(key.clone());
            merge(root, path, v, fits);
            path.pop();
        }
    }
}

fn at<'a>(root: &'a mut Value, path: &[String]) -> Option<&'a mut serde_json::Map<String, Value>> {
    let mut node = root;
    for key in path {
        node = node.as_object_mut()?.get_mut(key)?;
    }
    node.as_object_mut()
}

fn put(root: &mut Value, path: &[String], key: &str, v: Value) {
    if let Some(o) = at(root, path) {
        o.insert(key.to_string(), v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let mut s = AppState {
            tab: "downcast".into(),
            ..AppState::default()
        };
        s.bits.value = "0x3eab".into();
        s.downcast.range = Some((-1.0, 2.5));
        s.downcast.distribution = Distribution::Normal {
            mean: 0.5,
            std: 2.0,
        };
        let text = serde_json::to_string_pretty(&s).unwrap();
        assert_eq!(from_json::<AppState>(&text).unwrap(), s);
    }

    #[test]
    fn bad_fields_keep_their_defaults() {
        let text = r#"{"tab": 7, "zoom": "big", "presentation": true,
            "bits": {"value": "0.1", "seed": -3, "sweep": "wide"},
            "downcast": {"size": 5000, "distribution": {"kind": "banana"}},
            "unknown": [1, 2]}"#;
        let s: AppState = from_json(text).unwrap();
        assert_eq!(s.tab, "bits");
        assert_eq!(s.zoom, 1.0);
        assert!(s.presentation);
        assert_eq!(s.bits.value, "0.1");
        assert_eq!(s.bits.seed, 0);
        assert_eq!(s.bits.sweep, BitsState::default().sweep);
        assert_eq!(s.downcast.size, 5000);
        assert_eq!(
            s.downcast.distribution,
            DowncastState::default().distribution
        );
    }

    #[test]
    fn non_objects_are_refused() {
        for text in ["", "[]", "42", "{", "\"state\""] {
            assert!(from_json::<AppState>(text).is_err(), "{text}");
        }
    }
}
