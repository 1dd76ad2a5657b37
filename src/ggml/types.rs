//! The ggml tensor types, as `ggml.h` numbers them and `ggml.c`'s type traits size them: a
//! block of `block_size` values stored in `type_size` bytes. Ids ggml removed (Q4_2, Q4_3, the
//! repacked Q4_0_4_4 … and IQ4_NL_4_4 …) and ids past the last one known here are not types.

/// A ggml tensor type.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[allow(non_camel_case_types, missing_docs)]
pub enum GgmlType {
    F32,
    F16,
    Q4_0,
    Q4_1,
    Q5_0,
    Q5_1,
    Q8_0,
    Q8_1,
    Q2_K,
    Q3_K,
    Q4_K,
    Q5_K,
    Q6_K,
    Q8_K,
    IQ2_XXS,
    IQ2_XS,
    IQ3_XXS,
    IQ1_S,
    IQ4_NL,
    IQ3_S,
    IQ2_S,
    IQ4_XS,
    I8,
    I16,
    I32,
    I64,
    F64,
    IQ1_M,
    BF16,
    TQ1_0,
    TQ2_0,
    MXFP4,
    NVFP4,
    Q1_0,
    Q2_0,
}

/// The super-block size of the K-quants and most IQ types.
pub const QK_K: usize = 256;

/// (type, ggml id, values per block, bytes per block), in id order.
const TABLE: [(GgmlType, u32, usize, usize); 35] = {
    use GgmlType::*;
    [
        (F32, 0, 1, 4),
        (F16, 1, 1, 2),
        (Q4_0, 2, 32, 18),
        (Q4_1, 3, 32, 20),
        (Q5_0, 6, 32, 22),
        (Q5_1, 7, 32, 24),
        (Q8_0, 8, 32, 34),
        (Q8_1, 9, 32, 36),
        (Q2_K, 10, QK_K, 84),
        (Q3_K, 11, QK_K, 110),
        (Q4_K, 12, QK_K, 144),
        (Q5_K, 13, QK_K, 176),
        (Q6_K, 14, QK_K, 210),
        (Q8_K, 15, QK_K, 292),
        (IQ2_XXS, 16, QK_K, 66),
        (IQ2_XS, 17, QK_K, 74),
        (IQ3_XXS, 18, QK_K, 98),
        (IQ1_S, 19, QK_K, 50),
        (IQ4_NL, 20, 32, 18),
        (IQ3_S, 21, QK_K, 110),
        (IQ2_S, 22, QK_K, 82),
        (IQ4_XS, 23, QK_K, 136),
        (I8, 24, 1, 1),
        (I16, 25, 1, 2),
        (I32, 26, 1, 4),
        (I64, 27, 1, 8),
        (F64, 28, 1, 8),
        (IQ1_M, 29, QK_K, 56),
        (BF16, 30, 1, 2),
        (TQ1_0, 34, QK_K, 54),
        (TQ2_0, 35, QK_K, 66),
        (MXFP4, 39, 32, 17),
        (NVFP4, 40, 64, 36),
        (Q1_0, 41, 128, 18),
        (Q2_0, 42, 64, 18),
    ]
};

/// What an id that is not a type is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAType {
    /// ggml had it and removed it (its name).
    Removed(&'static str),
    /// Past every type known here.
    Unknown,
}

impl GgmlType {
    /// Every type, in id order.
    pub fn all() -> impl Iterator<Item = GgmlType> {
        TABLE.iter().map(|e| e.0)
    }

    fn entry(self) -> &'static (GgmlType, u32, usize, usize) {
        // The variants are declared in the table's order (a test checks it).
        &TABLE[self as usize]
    }

    /// The type with ggml id `id`.
    pub fn from_id(id: u32) -> Result<GgmlType, NotAType> {
        if let Some(e) = TABLE.iter().find(|e| e.1 == id) {
            return Ok(e.0);
        }
        Err(match id {
            4 => NotAType::Removed("Q4_2"),
            5 => NotAType::Removed("Q4_3"),
            31 => NotAType::Removed("Q4_0_4_4"),
            32 => NotAType::Removed("Q4_0_4_8"),
            33 => NotAType::Removed("Q4_0_8_8"),
            36 => NotAType::Removed("IQ4_NL_4_4"),
            37 => NotAType::Removed("IQ4_NL_4_8"),
            38 => NotAType::Removed("IQ4_NL_8_8"),
            _ => NotAType::Unknown,
        })
    }

    /// The type named `name` as ggml or gguf-py spell it (`Q4_K`, `q4_k`, `iq4_xs`, `bf16`).
    pub fn named(name: &str) -> Option<GgmlType> {
        GgmlType::all().find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// ggml's id.
    pub fn id(self) -> u32 {
        self.entry().1
    }

    /// The name as gguf-py's `GGMLQuantizationType` spells it (`Q4_K`, `IQ4_XS`, `F16`).
    pub fn name(self) -> &'static str {
        use GgmlType::*;
        match self {
            F32 => "F32",
            F16 => "F16",
            Q4_0 => "Q4_0",
            Q4_1 => "Q4_1",
            Q5_0 => "Q5_0",
            Q5_1 => "Q5_1",
            Q8_0 => "Q8_0",
            Q8_1 => "Q8_1",
            Q2_K => "Q2_K",
            Q3_K => "Q3_K",
            Q4_K => "Q4_K",
            Q5_K => "Q5_K",
            Q6_K => "Q6_K",
            Q8_K => "Q8_K",
            IQ2_XXS => "IQ2_XXS",
            IQ2_XS => "IQ2_XS",
            IQ3_XXS => "IQ3_XXS",
            IQ1_S => "IQ1_S",
            IQ4_NL => "IQ4_NL",
            IQ3_S => "IQ3_S",
            IQ2_S => "IQ2_S",
            IQ4_XS => "IQ4_XS",
            I8 => "I8",
            I16 => "I16",
            I32 => "I32",
            I64 => "I64",
            F64 => "F64",
            IQ1_M => "IQ1_M",
            BF16 => "BF16",
            TQ1_0 => "TQ1_0",
            TQ2_0 => "TQ2_0",
            MXFP4 => "MXFP4",
            NVFP4 => "NVFP4",
            Q1_0 => "Q1_0",
            Q2_0 => "Q2_0",
        }
    }

    /// Values per block.
    pub fn block_size(self) -> usize {
        self.entry().2
    }

    /// Bytes per block.
    pub fn type_size(self) -> usize {
        self.entry().3
    }

    /// Bits per value, scales included (Q4_K: 4.5).
    pub fn bits_per_value(self) -> f64 {
        (self.type_size() * 8) as f64 / self.block_size() as f64
    }

    /// Bytes of `n` values (`n` a multiple of the block size), or None past u64.
    pub fn bytes_for(self, n: u64) -> Option<u64> {
        (n / self.block_size() as u64).checked_mul(self.type_size() as u64)
    }

    /// The type a quantization scheme names (`q4_0` … `q6_k`, `iq4_nl`, `iq4_xs`, `tq1_0`,
    /// `tq2_0`, `ggml_mxfp4`; plain `mxfp4` is the OCP / torchao block scheme), if quantscope
    /// quantizes into it.
    pub fn scheme(name: &str) -> Option<GgmlType> {
        let t = match name.to_ascii_lowercase().as_str() {
            "ggml_mxfp4" => GgmlType::MXFP4,
            "mxfp4" => return None,
            other => GgmlType::named(other)?,
        };
        super::quant::QUANTIZABLE.contains(&t).then_some(t)
    }

    /// The scheme name of a type quantscope quantizes into (`q4_k`, `ggml_mxfp4`).
    pub fn scheme_name(self) -> String {
        match self {
            GgmlType::MXFP4 => "ggml_mxfp4".into(),
            t => t.name().to_ascii_lowercase(),
        }
    }

    /// Whether the values are floats or quantized floats (not ggml's plain integer types).
    pub fn is_float(self) -> bool {
        !matches!(
            self,
            GgmlType::I8 | GgmlType::I16 | GgmlType::I32 | GgmlType::I64
        )
    }
}

impl std::fmt::Display for GgmlType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_sizes_are_ggmls() {
        // ggml.h's enum ggml_type and ggml.c's type_traits (block_size, type_size).
        assert_eq!(GgmlType::from_id(12), Ok(GgmlType::Q4_K));
        assert_eq!(GgmlType::Q4_K.block_size(), 256);
        assert_eq!(GgmlType::Q4_K.type_size(), 144);
        assert_eq!(GgmlType::Q4_K.bits_per_value(), 4.5);
        assert_eq!(GgmlType::Q6_K.bits_per_value(), 6.5625);
        assert_eq!(GgmlType::IQ4_XS.bits_per_value(), 4.25);
        assert_eq!(GgmlType::Q8_0.bits_per_value(), 8.5);
        assert_eq!(GgmlType::MXFP4.bits_per_value(), 4.25);
        assert_eq!(GgmlType::from_id(4), Err(NotAType::Removed("Q4_2")));
        assert_eq!(GgmlType::from_id(36), Err(NotAType::Removed("IQ4_NL_4_4")));
        assert_eq!(GgmlType::from_id(43), Err(NotAType::Unknown));
        for (i, t) in GgmlType::all().enumerate() {
            assert_eq!(t as usize, i);
            assert_eq!(TABLE[i].0, t);
            assert_eq!(GgmlType::from_id(t.id()), Ok(t));
            assert_eq!(GgmlType::named(t.name()), Some(t));
            assert_eq!(GgmlType::named(&t.name().to_lowercase()), Some(t));
        }
        assert_eq!(GgmlType::all().count(), 35);
    }
}
