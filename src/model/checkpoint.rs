//! One `.safetensors` file, memory-mapped read-only (or, in the browser, held in memory) and
//! validated by the `safetensors` crate. The file is never written; tensors are decoded on
//! demand.

use super::file_bytes::FileBytes as Data;
use crate::formats::{Format, decode};
use safetensors::SafeTensors;
use safetensors::tensor::{Dtype, Metadata, TensorInfo};
use std::path::{Path, PathBuf};

/// An open safetensors file.
pub struct Checkpoint {
    path: PathBuf,
    map: Data,
    header_len: usize,
    metadata: Metadata,
}

impl std::fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpoint")
            .field("path", &self.path)
            .finish()
    }
}

impl Checkpoint {
    /// Open and validate `path` (header, JSON, offsets, sizes). Errors say what is wrong.
    pub fn open(path: &Path) -> Result<Checkpoint, String> {
        let map = Data::map(path)?;
        short_check(path, map.len() as u64)?;
        Self::validate(path, map)
    }

    /// Validate a file's bytes held in memory (a file picked or dropped on the web page);
    /// `path` names it in messages.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Checkpoint, String> {
        short_check(path, bytes.len() as u64)?;
        Self::validate(path, Data::Owned(bytes))
    }

    fn validate(path: &Path, map: Data) -> Result<Checkpoint, String> {
        let (header_len, metadata) = SafeTensors::read_metadata(&map)
            .map_err(|e| format!("{}: {}", path.display(), explain(&e, map.len() as u64)))?;
        Ok(Checkpoint {
            path: path.to_path_buf(),
            map,
            header_len,
            metadata,
        })
    }

    /// Path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole file's bytes.
    pub fn file_bytes(&self) -> &[u8] {
        &self.map
    }

    /// Size of the file in bytes.
    pub fn file_len(&self) -> usize {
        self.map.len()
    }

    /// Tensor names in file order (by data offset).
    pub fn names(&self) -> Vec<String> {
        self.metadata.offset_keys()
    }

    /// Dtype, shape and offsets of a tensor.
    pub fn info(&self, name: &str) -> Option<&TensorInfo> {
        self.metadata.info(name)
    }

    /// The `__metadata__` string map, if any.
    pub fn user_metadata(&self) -> Option<&std::collections::HashMap<String, String>> {
        self.metadata.metadata().as_ref()
    }

    /// The raw little-endian bytes of a tensor.
    pub fn bytes(&self, name: &str) -> Result<&[u8], String> {
        let info = self.info(name).ok_or_else(|| {
            format!(
                "no tensor named '{}' in {}",
                crate::formats::spec::printable(name),
                self.path.display()
            )
        })?;
        let start = 8 + self.header_len;
        let (a, b) = info.data_offsets;
        self.map
            .get(start + a..start + b)
            .ok_or_else(|| format!("tensor '{name}' lies outside the file"))
    }

    /// A tensor's values as f64 (exact for every supported dtype except I64 beyond 2^53),
    /// with its shape.
    pub fn values_f64(&self, name: &str) -> Result<(Vec<f64>, Vec<usize>), String> {
        let info = self.info(name).ok_or_else(|| {
            format!(
                "no tensor named '{}'",
                crate::formats::spec::printable(name)
            )
        })?;
        let values = decode_values(info.dtype, self.bytes(name)?)?;
        Ok((values, info.shape.clone()))
    }

    /// A float tensor (F64, F32, F16, BF16, F8) as f32, with its shape.
    pub fn values_f32(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>), String> {
        let info = self.info(name).ok_or_else(|| {
            format!(
                "no tensor named '{}'",
                crate::formats::spec::printable(name)
            )
        })?;
        let bytes = self.bytes(name)?;
        let values = match info.dtype {
            Dtype::F32 => bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F64 | Dtype::F16 | Dtype::BF16 | Dtype::F8_E4M3 | Dtype::F8_E5M2 => {
                decode_values(info.dtype, bytes)?
                    .into_iter()
                    .map(|x| x as f32)
                    .collect()
            }
            other => {
                return Err(format!(
                    "tensor '{name}' is {other:?}; a float tensor (F32, F16, BF16, F64) is needed"
                ));
            }
        };
        Ok((values, info.shape.clone()))
    }
}

/// The quantscope format of a safetensors float dtype.
pub fn dtype_format(dtype: Dtype) -> Option<Format> {
    Some(Format::named(match dtype {
        Dtype::F64 => "float64",
        Dtype::F32 => "float32",
        Dtype::F16 => "float16",
        Dtype::BF16 => "bfloat16",
        Dtype::F8_E4M3 => "float8_e4m3fn",
        Dtype::F8_E5M2 => "float8_e5m2",
        Dtype::I64 => "int64",
        Dtype::I32 => "int32",
        Dtype::I16 => "int16",
        Dtype::I8 => "int8",
        Dtype::U8 => "uint8",
        _ => return None,
    }))
}

/// Decode little-endian tensor bytes of `dtype` to f64.
pub fn decode_values(dtype: Dtype, bytes: &[u8]) -> Result<Vec<f64>, String> {
    if dtype == Dtype::BOOL {
        return Ok(bytes.iter().map(|&b| f64::from(u8::from(b != 0))).collect());
    }
    let format = dtype_format(dtype).ok_or_else(|| format!("dtype {dtype:?} is not supported"))?;
    let width = (format.bits() / 8) as usize;
    Ok(match dtype {
        Dtype::F64 => bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .collect(),
        Dtype::F32 => bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
            .collect(),
        _ => bytes
            .chunks_exact(width)
            .map(|b| {
                let mut raw = [0u8; 8];
                raw[..width].copy_from_slice(b);
                decode(&format, u64::from_le_bytes(raw))
            })
            .collect(),
    })
}

/// A sentence for each way a safetensors header can be wrong.
/// A file shorter than the 8-byte header length is no safetensors file.
fn short_check(path: &Path, len: u64) -> Result<(), String> {
    if len < 8 {
        return Err(format!(
            "{} is not a safetensors file: {len} bytes, too short for the 8-byte header length",
            path.display()
        ));
    }
    Ok(())
}

fn explain(e: &safetensors::SafeTensorError, file_len: u64) -> String {
    use safetensors::SafeTensorError as E;
    match e {
        E::HeaderTooSmall => "file too short for a safetensors header".into(),
        E::HeaderTooLarge => {
            "header length is larger than allowed (100 MB) — not a safetensors file?".into()
        }
        E::InvalidHeaderLength => format!(
            "header length points past the end of the file ({file_len} bytes): truncated or not a safetensors file"
        ),
        E::InvalidHeader(_) => "header is not valid UTF-8".into(),
        E::InvalidHeaderDeserialization(err) => {
            format!("header is not a valid JSON object of tensors: {err}")
        }
        E::InvalidOffset(name) => format!(
            "tensor '{}' has data offsets that are out of order, overlapping or out of range",
            crate::formats::spec::printable(name)
        ),
        E::TensorInvalidInfo => "a tensor's dtype × shape does not match its data offsets".into(),
        E::MetadataIncompleteBuffer => {
            "the data section does not match the header (file truncated or has trailing bytes)"
                .into()
        }
        E::MisalignedSlice => "a tensor's byte length is not a whole number of elements".into(),
        other => other.to_string(),
    }
}
