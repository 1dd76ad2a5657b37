//! The app's state as data: what is saved on exit and restored on the next start, exported as
//! JSON (Ctrl+S) and loaded back, and reset to defaults. Reading is lenient: a field that is
//! missing, of the wrong type or out of range keeps its default, so a hand-edited or hostile
//! file never stops the app.

use crate::app::platform::export::ExportSettings;
use crate::app::views::ViewStates;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Version written into exported state files.
pub const STATE_VERSION: u32 = 1;

/// Everything worth restoring. Each view's settings sit under its key (`bits`, `downcast`,
/// `model`, …), flattened into the file from [`ViewStates`], which the list of views makes;
/// `AppState` derefs to them, so `state.bits` reads the Bits panel's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    /// File format version.
    pub version: u32,
    /// The key of the view on screen (`bits`, `downcast`, `model`, …).
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
    /// Every view's settings, by key.
    #[serde(flatten)]
    pub views: ViewStates,
    /// Where exports go.
    pub export: ExportSettings,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            version: STATE_VERSION,
            tab: crate::app::views::Tab::ALL[0].key().into(),
            presentation: false,
            theme: "system".into(),
            zoom: 1.0,
            lesson_open: false,
            lesson_step: 0,
            views: ViewStates::default(),
            export: ExportSettings::default(),
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = ViewStates;
    fn deref(&self) -> &ViewStates {
        &self.views
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut ViewStates {
        &mut self.views
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
    use crate::app::views::bits::BitsState;
    use crate::app::views::downcast::DowncastState;
    use crate::tensor::random::Distribution;

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
