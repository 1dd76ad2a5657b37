//! What every Hugging Face model file shares: reading `config.json` with transformers'
//! defaults, checking a checkpoint's tensors against the names and shapes its config
//! implies (from the header alone), and loading them prepared for a precision.

use super::layers::Weights;
use super::precision::Precision;
use super::weights::{prepare_as, role_by_name};
use crate::model::ModelFiles;
use std::collections::HashMap;

/// A parsed `config.json`, read key by key with a default for absent keys and an error that
/// names the key for a value of the wrong kind.
#[derive(Clone, Copy)]
pub struct ConfigJson<'a>(pub &'a serde_json::Value);

type Res<T> = Result<T, String>;

impl ConfigJson<'_> {
    /// A non-negative integer.
    pub fn int(&self, k: &str, d: usize) -> Res<usize> {
        match self.0.get(k) {
            None | Some(serde_json::Value::Null) => Ok(d),
            Some(v) => v
                .as_u64()
                .map(|x| x as usize)
                .ok_or_else(|| format!("config.json: '{k}' must be a positive integer")),
        }
    }

    /// A number.
    pub fn float(&self, k: &str, d: f64) -> Res<f64> {
        match self.0.get(k) {
            None | Some(serde_json::Value::Null) => Ok(d),
            Some(v) => v
                .as_f64()
                .ok_or_else(|| format!("config.json: '{k}' must be a number")),
        }
    }

    /// A list of non-negative integers.
    pub fn list(&self, k: &str, d: &[usize]) -> Res<Vec<usize>> {
        match self.0.get(k) {
            None | Some(serde_json::Value::Null) => Ok(d.to_vec()),
            Some(v) => v
                .as_array()
                .and_then(|a| {
                    a.iter()
                        .map(|x| x.as_u64().map(|x| x as usize))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| format!("config.json: '{k}' must be a list of integers")),
        }
    }

    /// A string.
    pub fn string(&self, k: &str, d: &str) -> Res<String> {
        match self.0.get(k) {
            None | Some(serde_json::Value::Null) => Ok(d.to_string()),
            Some(v) => v
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("config.json: '{k}' must be a string")),
        }
    }

    /// A boolean.
    pub fn boolean(&self, k: &str, d: bool) -> Res<bool> {
        match self.0.get(k) {
            None | Some(serde_json::Value::Null) => Ok(d),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| format!("config.json: '{k}' must be true or false")),
        }
    }

    /// A side length given as one integer or as [height, width] with both equal (the only
    /// form these models run).
    pub fn side(&self, k: &str, d: usize) -> Res<usize> {
        match self.0.get(k) {
            Some(serde_json::Value::Array(_)) => match self.list(k, &[])?.as_slice() {
                [h, w] if h == w => Ok(*h),
                _ => Err(format!(
                    "config.json: '{k}' must be one integer or [n, n] (non-square is not supported)"
                )),
            },
            _ => self.int(k, d),
        }
    }
}

/// The classes of a checkpoint: the first dimension of its classifier's weight `name`.
pub fn num_labels(files: &ModelFiles, name: &str) -> Res<usize> {
    files
        .tensor(name)
        .map(|t| t.shape.first().copied().unwrap_or(0))
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            format!("the checkpoint has no tensor '{name}' (an image classifier's head needs it)")
        })
}

/// Check that `files` holds every tensor of `expected` (name, shape), each of the right
/// shape, without reading any values; the shapes, in order. The first problem is the error,
/// naming the tensor and the shape the config needs.
pub fn check_tensors(
    files: &ModelFiles,
    expected: &[(String, Vec<usize>)],
) -> Res<Vec<Vec<usize>>> {
    let mut shapes = Vec::with_capacity(expected.len());
    for (name, shape) in expected {
        let entry = files.tensor(name).ok_or_else(|| {
            format!("the checkpoint has no tensor '{name}' (the config needs it, shape {shape:?})")
        })?;
        if &entry.shape != shape {
            return Err(format!(
                "tensor '{name}' has shape {:?}, the config needs {shape:?}",
                entry.shape
            ));
        }
        shapes.push(shape.clone());
    }
    Ok(shapes)
}

/// Read every tensor of `expected` from `files`, prepared for `precision` as
/// [`role_by_name`] says, and build the model's [`Weights`] (batch norms of epsilon
/// `bn_eps`).
pub fn load_weights(
    files: &ModelFiles,
    expected: &[(String, Vec<usize>)],
    precision: Precision,
    bn_eps: f64,
) -> Res<Weights> {
    check_tensors(files, expected)?;
    let mut w = HashMap::with_capacity(expected.len());
    for (name, shape) in expected {
        let (v, s) = files.values_f32(name)?;
        let role = role_by_name(name, shape);
        w.insert(name.clone(), prepare_as(&v, &s, precision, role)?);
    }
    Weights::new(w, precision, bn_eps)
}

/// Names and shapes of every tensor a checkpoint holds, the classes given.
pub type TensorNames = Vec<(String, Vec<usize>)>;

/// A classifier's [`Weights`] from `files`: its classes counted from the head `classifier`
/// (weight name without `.weight`), every tensor `tensors(cfg, classes)` names checked and
/// read, prepared for `precision` (batch norms of epsilon `bn_eps`).
pub fn load_classifier<C>(
    files: &ModelFiles,
    cfg: &C,
    tensors: fn(&C, usize) -> TensorNames,
    classifier: &str,
    (precision, bn_eps): (Precision, f64),
) -> Res<Weights> {
    let labels = num_labels(files, &format!("{classifier}.weight"))?;
    load_weights(files, &tensors(cfg, labels), precision, bn_eps)
}

/// transformers' `make_divisible(value, divisor, min_value)` (the same function in the
/// MobileNetV2 and MobileViT model files): `value` to a multiple of `divisor`, at least
/// `min_value`, never more than 10 % below it.
pub fn make_divisible(value: usize, divisor: usize, min_value: usize) -> usize {
    let mut new = min_value.max((value + divisor / 2) / divisor * divisor);
    if (new as f64) < 0.9 * value as f64 {
        new += divisor;
    }
    new
}

/// `int(round(channels * ratio))` as transformers writes it: Python's round, ties to even.
pub fn scale_channels(channels: usize, ratio: f64) -> usize {
    (channels as f64 * ratio).round_ties_even() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_rounding_is_transformers() {
        // Python: int(round(5 * 2.5)) == 12 (ties to even), make_divisible(12, 8) == 16
        // (8 would be more than 10 % below 12), make_divisible(11, 8, 8) == 16,
        // make_divisible(22, 8) == 24, make_divisible(5, 8, 8) == 8.
        assert_eq!(scale_channels(5, 2.5), 12);
        assert_eq!(scale_channels(7, 2.5), 18);
        assert_eq!(make_divisible(12, 8, 8), 16);
        assert_eq!(make_divisible(11, 8, 8), 16);
        assert_eq!(make_divisible(22, 8, 8), 24);
        assert_eq!(make_divisible(5, 8, 8), 8);
    }
}
