//! GGUF metadata values: the twelve scalar types, strings and arrays of any of them, as
//! `gguf.h` defines them, and their JSON form (`quantscope inspect --json`).

use serde_json::{Value as Json, json};

/// One metadata value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `GGUF_TYPE_UINT8`.
    U8(u8),
    /// `GGUF_TYPE_INT8`.
    I8(i8),
    /// `GGUF_TYPE_UINT16`.
    U16(u16),
    /// `GGUF_TYPE_INT16`.
    I16(i16),
    /// `GGUF_TYPE_UINT32`.
    U32(u32),
    /// `GGUF_TYPE_INT32`.
    I32(i32),
    /// `GGUF_TYPE_FLOAT32`.
    F32(f32),
    /// `GGUF_TYPE_BOOL`.
    Bool(bool),
    /// `GGUF_TYPE_STRING` (bytes that are not UTF-8 are replaced, for display).
    String(String),
    /// `GGUF_TYPE_UINT64`.
    U64(u64),
    /// `GGUF_TYPE_INT64`.
    I64(i64),
    /// `GGUF_TYPE_FLOAT64`.
    F64(f64),
    /// `GGUF_TYPE_ARRAY` of one element type (never of arrays).
    Array(ValueType, Vec<Value>),
}

/// A metadata value's type id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// 0
    U8,
    /// 1
    I8,
    /// 2
    U16,
    /// 3
    I16,
    /// 4
    U32,
    /// 5
    I32,
    /// 6
    F32,
    /// 7
    Bool,
    /// 8
    String,
    /// 9
    Array,
    /// 10
    U64,
    /// 11
    I64,
    /// 12
    F64,
}

impl ValueType {
    /// The type of `GGUF_TYPE_*` id `id`.
    pub fn from_id(id: u32) -> Option<ValueType> {
        use ValueType::*;
        Some(match id {
            0 => U8,
            1 => I8,
            2 => U16,
            3 => I16,
            4 => U32,
            5 => I32,
            6 => F32,
            7 => Bool,
            8 => String,
            9 => Array,
            10 => U64,
            11 => I64,
            12 => F64,
            _ => return None,
        })
    }

    /// The name `gguf_type_name` gives it (`u32`, `str`, `arr` …).
    pub fn name(self) -> &'static str {
        use ValueType::*;
        match self {
            U8 => "u8",
            I8 => "i8",
            U16 => "u16",
            I16 => "i16",
            U32 => "u32",
            I32 => "i32",
            F32 => "f32",
            Bool => "bool",
            String => "str",
            Array => "arr",
            U64 => "u64",
            I64 => "i64",
            F64 => "f64",
        }
    }

    /// Bytes of one value in the file (strings: the length prefix only).
    pub fn size(self) -> usize {
        use ValueType::*;
        match self {
            U8 | I8 | Bool => 1,
            U16 | I16 => 2,
            U32 | I32 | F32 => 4,
            U64 | I64 | F64 | String | Array => 8,
        }
    }
}

/// Arrays longer than this are summarised in JSON (`{"type", "len", "head"}`).
pub const JSON_ARRAY_HEAD: usize = 16;

impl Value {
    /// The value's type.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::U8(_) => ValueType::U8,
            Value::I8(_) => ValueType::I8,
            Value::U16(_) => ValueType::U16,
            Value::I16(_) => ValueType::I16,
            Value::U32(_) => ValueType::U32,
            Value::I32(_) => ValueType::I32,
            Value::F32(_) => ValueType::F32,
            Value::Bool(_) => ValueType::Bool,
            Value::String(_) => ValueType::String,
            Value::U64(_) => ValueType::U64,
            Value::I64(_) => ValueType::I64,
            Value::F64(_) => ValueType::F64,
            Value::Array(..) => ValueType::Array,
        }
    }

    /// An unsigned or non-negative integer value, whatever its width.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v.into()),
            Value::U16(v) => Some(v.into()),
            Value::U32(v) => Some(v.into()),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// A float value (f32 or f64).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F32(v) => Some(v.into()),
            Value::F64(v) => Some(v),
            _ => self.as_u64().map(|v| v as f64),
        }
    }

    /// A string value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The JSON form: scalars as numbers, booleans and strings (non-finite floats as the
    /// strings "inf", "-inf", "nan"); arrays up to 16 long as arrays, longer ones as
    /// `{"type", "len", "head"}` with the first 16.
    pub fn to_json(&self) -> Json {
        match self {
            Value::U8(v) => json!(v),
            Value::I8(v) => json!(v),
            Value::U16(v) => json!(v),
            Value::I16(v) => json!(v),
            Value::U32(v) => json!(v),
            Value::I32(v) => json!(v),
            Value::U64(v) => json!(v),
            Value::I64(v) => json!(v),
            Value::F32(v) => float_json(f64::from(*v)),
            Value::F64(v) => float_json(*v),
            Value::Bool(v) => json!(v),
            Value::String(s) => json!(s),
            Value::Array(t, items) if items.len() > JSON_ARRAY_HEAD => json!({
                "type": t.name(),
                "len": items.len(),
                "head": items[..JSON_ARRAY_HEAD].iter().map(Value::to_json).collect::<Vec<_>>(),
            }),
            Value::Array(_, items) => Json::Array(items.iter().map(Value::to_json).collect()),
        }
    }

    /// Short text for a tree row: scalars as written, arrays as `[N × type] first, …`.
    pub fn summary(&self, max_chars: usize) -> String {
        let text = match self {
            Value::String(s) => format!("{s:?}"),
            Value::Array(t, items) => {
                let head: Vec<String> = items.iter().take(8).map(|v| v.summary(40)).collect();
                let more = if items.len() > head.len() {
                    ", …"
                } else {
                    ""
                };
                format!("[{} × {}] {}{more}", items.len(), t.name(), head.join(", "))
            }
            other => other.to_json().to_string(),
        };
        clip(&text, max_chars)
    }
}

fn float_json(v: f64) -> Json {
    if v.is_finite() {
        json!(v)
    } else if v.is_nan() {
        json!("nan")
    } else if v > 0.0 {
        json!("inf")
    } else {
        json!("-inf")
    }
}

/// `text` cut to `max` characters with an ellipsis.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_arrays_are_summarised_in_json() {
        let short = Value::Array(ValueType::I32, (0..3).map(Value::I32).collect());
        assert_eq!(short.to_json(), json!([0, 1, 2]));
        let long = Value::Array(
            ValueType::String,
            (0..20).map(|i| Value::String(format!("t{i}"))).collect(),
        );
        let j = long.to_json();
        assert_eq!(j["type"], "str");
        assert_eq!(j["len"], 20);
        assert_eq!(j["head"].as_array().map(Vec::len), Some(16));
        assert_eq!(j["head"][15], "t15");
        assert_eq!(Value::F32(f32::NAN).to_json(), json!("nan"));
        assert_eq!(Value::F64(0.5).to_json(), json!(0.5));
        assert!(long.summary(30).ends_with('…'));
        assert_eq!(long.summary(30).chars().count(), 30);
    }
}
