//! Reading a GGUF file's header — magic, version, metadata, tensor infos — and checking it as
//! llama.cpp's `gguf_init_from_reader` (ggml's `gguf.cpp`) does, over bytes in memory (a
//! memory map on the desktop). Every problem is one line saying what is wrong; nothing here
//! panics or allocates more than the file could hold.

use super::value::{Value, ValueType};
use crate::ggml::{GgmlType, NotAType};

/// `GGUF_MAX_STRING_LENGTH` and `GGUF_MAX_ARRAY_ELEMENTS`: 1 GiB.
pub const MAX_STRING: u64 = 1 << 30;
/// The most elements an array may have.
pub const MAX_ARRAY: u64 = 1 << 30;
/// `GGML_MAX_NAME`: a tensor name is shorter than this.
pub const MAX_NAME: usize = 64;
/// `GGML_MAX_DIMS`.
pub const MAX_DIMS: u32 = 4;
/// `GGUF_DEFAULT_ALIGNMENT`.
pub const DEFAULT_ALIGNMENT: u64 = 32;
/// The metadata key that sets the alignment.
pub const ALIGNMENT_KEY: &str = "general.alignment";

/// One tensor's entry in the header.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorInfo {
    /// Its name.
    pub name: String,
    /// ggml's `ne`: `ne[0]` is the length of a row (the fastest-moving index).
    pub ne: Vec<u64>,
    /// How its values are stored.
    pub ggml_type: GgmlType,
    /// Where its data starts, from the start of the data section.
    pub offset: u64,
}

impl TensorInfo {
    /// The shape as NumPy and transformers write it (row-major: `ne` reversed).
    pub fn shape(&self) -> Vec<usize> {
        self.ne.iter().rev().map(|&n| n as usize).collect()
    }

    /// Number of values.
    pub fn n_values(&self) -> u64 {
        self.ne.iter().product()
    }

    /// Bytes of its data (`ggml_nbytes` for a contiguous tensor).
    pub fn bytes(&self) -> u64 {
        self.ggml_type
            .bytes_for(self.n_values())
            .unwrap_or(u64::MAX)
    }
}

/// A GGUF file's header, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// 2 or 3.
    pub version: u32,
    /// The metadata, in file order.
    pub metadata: Vec<(String, Value)>,
    /// The tensors, in file order.
    pub tensors: Vec<TensorInfo>,
    /// The data alignment (`general.alignment`, else 32).
    pub alignment: u64,
    /// Where the data section starts in the file.
    pub data_offset: u64,
    /// The data section's size (every tensor padded to the alignment).
    pub data_size: u64,
}

impl Header {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Where tensor `t`'s bytes are in the file.
    pub fn range(&self, t: &TensorInfo) -> std::ops::Range<usize> {
        let start = (self.data_offset + t.offset) as usize;
        start..start + t.bytes() as usize
    }
}

/// The bytes of a file, read front to back with every length checked against what is left.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn left(&self) -> u64 {
        (self.bytes.len() - self.pos) as u64
    }

    fn take(&mut self, n: u64, what: &dyn Fn() -> String) -> Result<&'a [u8], String> {
        if n > self.left() {
            return Err(format!(
                "truncated: {} needs {n} bytes at offset {}, the file has {} left",
                what(),
                self.pos,
                self.left()
            ));
        }
        let n = n as usize;
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &dyn Fn() -> String) -> Result<[u8; N], String> {
        let s = self.take(N as u64, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u32(&mut self, what: &dyn Fn() -> String) -> Result<u32, String> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &dyn Fn() -> String) -> Result<u64, String> {
        self.array(what).map(u64::from_le_bytes)
    }

    fn i64(&mut self, what: &dyn Fn() -> String) -> Result<i64, String> {
        self.array(what).map(i64::from_le_bytes)
    }

    /// A length-prefixed string (at most 1 GiB, within the file).
    fn string(&mut self, what: &dyn Fn() -> String) -> Result<String, String> {
        let len = self.u64(&|| format!("the length of {}", what()))?;
        if len > MAX_STRING {
            return Err(format!(
                "{} is {len} bytes long, over the 1 GiB GGUF allows",
                what()
            ));
        }
        if len > self.left() {
            return Err(format!(
                "{} is {len} bytes long, past the end of the file ({} bytes left)",
                what(),
                self.left()
            ));
        }
        let s = self.take(len, what)?;
        Ok(String::from_utf8_lossy(s).into_owned())
    }

    fn value(&mut self, t: ValueType, what: &dyn Fn() -> String) -> Result<Value, String> {
        Ok(match t {
            ValueType::U8 => Value::U8(self.array::<1>(what)?[0]),
            ValueType::I8 => Value::I8(i8::from_le_bytes(self.array(what)?)),
            ValueType::U16 => Value::U16(u16::from_le_bytes(self.array(what)?)),
            ValueType::I16 => Value::I16(i16::from_le_bytes(self.array(what)?)),
            ValueType::U32 => Value::U32(self.u32(what)?),
            ValueType::I32 => Value::I32(i32::from_le_bytes(self.array(what)?)),
            ValueType::F32 => Value::F32(f32::from_le_bytes(self.array(what)?)),
            ValueType::Bool => Value::Bool(self.array::<1>(what)?[0] != 0),
            ValueType::String => Value::String(self.string(what)?),
            ValueType::U64 => Value::U64(self.u64(what)?),
            ValueType::I64 => Value::I64(self.i64(what)?),
            ValueType::F64 => Value::F64(f64::from_le_bytes(self.array(what)?)),
            ValueType::Array => {
                let et = self.u32(&|| format!("the element type of {}", what()))?;
                let et = match ValueType::from_id(et) {
                    Some(ValueType::Array) => {
                        return Err(format!(
                            "{} is an array of arrays, which GGUF does not allow",
                            what()
                        ));
                    }
                    Some(t) => t,
                    None => return Err(format!("{} is an array of invalid type {et}", what())),
                };
                let n = self.u64(&|| format!("the length of {}", what()))?;
                if n > MAX_ARRAY {
                    return Err(format!(
                        "{} has {n} elements, over the 2^30 GGUF allows",
                        what()
                    ));
                }
                if n.saturating_mul(et.size() as u64) > self.left() {
                    return Err(format!(
                        "{} has {n} elements of type {}, past the end of the file ({} bytes left)",
                        what(),
                        et.name(),
                        self.left()
                    ));
                }
                let mut items = Vec::with_capacity(n as usize);
                for i in 0..n {
                    items.push(self.value(et, &|| format!("element {i} of {}", what()))?);
                }
                Value::Array(et, items)
            }
        })
    }
}

/// Read and check the header of the GGUF file `bytes` (the whole file). The message of an
/// error says what is wrong, without the file's name (the caller adds it).
pub fn parse(bytes: &[u8]) -> Result<Header, String> {
    let mut c = Cursor { bytes, pos: 0 };
    let magic = c.take(4, &|| "the magic".into()).map_err(|_| {
        format!(
            "not a GGUF file: {} bytes, too short for the magic",
            bytes.len()
        )
    })?;
    if magic != b"GGUF" {
        let shown: String = magic
            .iter()
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
            .collect();
        return Err(format!(
            "not a GGUF file: the magic is '{shown}', expected 'GGUF'"
        ));
    }
    let version = c.u32(&|| "the version".into())?;
    if version == 0 {
        return Err("bad GGUF version 0".into());
    }
    if version & 0xFFFF == 0 {
        return Err(format!(
            "the version field reads {version:#x}: a big-endian GGUF file, which is not supported (only little-endian)"
        ));
    }
    if version == 1 {
        return Err("GGUF version 1 is not supported (only versions 2 and 3)".into());
    }
    if version > 3 {
        return Err(format!(
            "GGUF version {version} is not supported (only versions 2 and 3)"
        ));
    }
    let n_tensors = c.i64(&|| "the number of tensors".into())?;
    let n_kv = c.i64(&|| "the number of metadata entries".into())?;
    // Each entry takes at least this many bytes, so a count the file cannot hold is caught
    // before anything is allocated for it.
    const MIN_KV: u64 = 8 + 4 + 1;
    const MIN_TENSOR: u64 = 8 + 4 + 4 + 8;
    if n_tensors < 0 || (n_tensors as u64).saturating_mul(MIN_TENSOR) > c.left() {
        return Err(format!(
            "the header says {n_tensors} tensors, which the file's {} bytes cannot hold",
            bytes.len()
        ));
    }
    if n_kv < 0 || (n_kv as u64).saturating_mul(MIN_KV) > c.left() {
        return Err(format!(
            "the header says {n_kv} metadata entries, which the file's {} bytes cannot hold",
            bytes.len()
        ));
    }
    let mut metadata: Vec<(String, Value)> = Vec::with_capacity(n_kv as usize);
    let mut keys = std::collections::HashSet::new();
    for i in 0..n_kv {
        let key = c.string(&|| format!("metadata key {i}"))?;
        if key.is_empty() {
            return Err(format!("metadata key {i} is empty"));
        }
        if !keys.insert(key.clone()) {
            return Err(format!("duplicate metadata key '{key}'"));
        }
        let t = c.u32(&|| format!("the type of '{key}'"))?;
        let t = ValueType::from_id(t)
            .ok_or_else(|| format!("metadata key '{key}' has invalid GGUF type {t}"))?;
        let v = c.value(t, &|| format!("the value of '{key}'"))?;
        metadata.push((key, v));
    }
    let alignment = match metadata.iter().find(|(k, _)| k == ALIGNMENT_KEY) {
        None => DEFAULT_ALIGNMENT,
        Some((_, Value::U32(a))) => u64::from(*a),
        Some((_, v)) => {
            return Err(format!(
                "'{ALIGNMENT_KEY}' must be of type u32 but is {}",
                v.value_type().name()
            ));
        }
    };
    if !alignment.is_power_of_two() {
        return Err(format!("alignment {alignment} is not a power of 2"));
    }
    let mut tensors: Vec<TensorInfo> = Vec::with_capacity(n_tensors as usize);
    let mut names = std::collections::HashSet::new();
    for i in 0..n_tensors {
        let name = c.string(&|| format!("the name of tensor {i}"))?;
        if name.len() >= MAX_NAME {
            return Err(format!(
                "tensor {i}'s name is {} bytes long: ggml allows at most {}",
                name.len(),
                MAX_NAME - 1
            ));
        }
        if !names.insert(name.clone()) {
            return Err(format!("duplicate tensor name '{name}'"));
        }
        let n_dims = c.u32(&|| format!("the dimensions of '{name}'"))?;
        if n_dims > MAX_DIMS {
            return Err(format!(
                "tensor '{name}' has {n_dims} dimensions: ggml allows at most {MAX_DIMS}"
            ));
        }
        let mut ne = Vec::with_capacity(n_dims as usize);
        for d in 0..n_dims {
            let n = c.i64(&|| format!("dimension {d} of '{name}'"))?;
            if n < 0 {
                return Err(format!("tensor '{name}' has {n} elements in dimension {d}"));
            }
            ne.push(n as u64);
        }
        let total = ne.iter().try_fold(1u64, |acc, &n| acc.checked_mul(n));
        if total.is_none_or(|t| t > i64::MAX as u64) {
            return Err(format!(
                "tensor '{name}' with ne {ne:?} has more elements than ggml can count"
            ));
        }
        let id = c.u32(&|| format!("the type of '{name}'"))?;
        let ggml_type = GgmlType::from_id(id).map_err(|e| match e {
            NotAType::Removed(old) => {
                format!("tensor '{name}' has ggml type {id} ({old}), which ggml removed")
            }
            NotAType::Unknown => format!("tensor '{name}' has unknown ggml type {id}"),
        })?;
        let row = ne.first().copied().unwrap_or(1);
        if !row.is_multiple_of(ggml_type.block_size() as u64) {
            return Err(format!(
                "tensor '{name}' of type {ggml_type} has {row} elements per row, not a multiple of its block size ({})",
                ggml_type.block_size()
            ));
        }
        let info = TensorInfo {
            offset: c.u64(&|| format!("the offset of '{name}'"))?,
            name,
            ne,
            ggml_type,
        };
        if info.ggml_type.bytes_for(info.n_values()).is_none() {
            return Err(format!("tensor '{}' is too large to address", info.name));
        }
        tensors.push(info);
    }
    let mut data_offset = c.pos as u64;
    if !tensors.is_empty() {
        data_offset = data_offset.div_ceil(alignment) * alignment;
        if data_offset > bytes.len() as u64 {
            return Err(format!(
                "the data section would start at {data_offset}, past the end of the file ({} bytes)",
                bytes.len()
            ));
        }
    }
    let mut data_size = 0u64;
    for t in &tensors {
        if t.offset != data_size {
            return Err(format!(
                "tensor '{}' has offset {}, expected {data_size} (tensors must follow each other, each padded to {alignment} bytes)",
                t.name, t.offset
            ));
        }
        let padded = t.bytes().div_ceil(alignment).saturating_mul(alignment);
        data_size = data_size
            .checked_add(padded)
            .ok_or_else(|| format!("tensor '{}' is too large to address", t.name))?;
    }
    let end = tensors
        .last()
        .map_or(data_offset, |t| data_offset + t.offset + t.bytes());
    if end > bytes.len() as u64 {
        let t = tensors.last().map_or("", |t| t.name.as_str());
        return Err(format!(
            "truncated: tensor data ends at byte {end} (tensor '{t}'), the file has {} bytes",
            bytes.len()
        ));
    }
    Ok(Header {
        version,
        metadata,
        tensors,
        alignment,
        data_offset,
        data_size,
    })
}
