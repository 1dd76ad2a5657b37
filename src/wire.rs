//! The binary form in which background work and its results cross to a web worker and back
//! (MessagePack with field names, so NaN and ±∞ survive and optional fields may be absent).
//!
//! Some result fields are left out of the CLI's JSON (plot data, samples) but are needed by
//! the panels: they are marked `#[serde(default, skip_serializing_if = "crate::wire::for_json")]`
//! and are written only while [`encode`] runs.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cell::Cell;

thread_local! {
    /// Set while [`encode`] runs on this thread.
    static WIRE: Cell<bool> = const { Cell::new(false) };
}

/// For `skip_serializing_if`: leave the field out unless [`encode`] is writing it.
pub fn for_json<T>(_: &T) -> bool {
    !WIRE.with(Cell::get)
}

/// For `skip_serializing_if` on optional fields the JSON leaves out when absent: always
/// written by [`encode`] (MessagePack keeps `None` apart from a missing field anyway).
pub fn none_in_json<T>(v: &Option<T>) -> bool {
    v.is_none() && for_json(v)
}

/// Encode `value` with every field, including those left out of JSON.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            WIRE.with(|w| w.set(self.0));
        }
    }
    let _reset = Reset(WIRE.with(|w| w.replace(true)));
    rmp_serde::to_vec_named(value).map_err(|e| format!("cannot encode: {e}"))
}

/// Decode what [`encode`] wrote.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(bytes).map_err(|e| format!("cannot decode: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Report {
        shown: f64,
        #[serde(default, skip_serializing_if = "crate::wire::for_json")]
        plot: Vec<f32>,
        #[serde(default, skip_serializing_if = "crate::wire::none_in_json")]
        scale: Option<f32>,
    }

    #[test]
    fn plot_fields_cross_the_wire_but_stay_out_of_json() {
        let r = Report {
            shown: f64::NAN,
            plot: vec![1.5, f32::INFINITY],
            scale: None,
        };
        let back: Report = decode(&encode(&r).unwrap()).unwrap();
        assert!(back.shown.is_nan());
        assert_eq!(back.plot, r.plot);
        assert_eq!(back.scale, None);
        let json = serde_json::to_string(&Report { shown: 1.0, ..r }).unwrap();
        assert_eq!(json, r#"{"shown":1.0}"#);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode::<Report>(&[0xc1, 0xff, 0x00]).is_err());
        assert!(decode::<Report>(&[]).is_err());
    }
}
