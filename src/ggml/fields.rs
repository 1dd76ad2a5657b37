//! One ggml block taken apart for the eye: its bytes split into the fields `ggml-common.h`
//! declares (scales, mins, packed sub-block scales, codes, high bits, grid indices, signs),
//! each field's value in words, the sub-block scales unpacked, and the grid of values each
//! sub-block can hold — what the block view draws.

use super::dequant::{KVALUES_IQ4NL, KVALUES_MXFP4, e8m0_half, half_at, q3_k_scales, scale_min_k4};
use super::types::GgmlType;

/// What a field holds (the view colours fields by kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A block or super-block scale (fp16, f32, E8M0, E4M3).
    Scale,
    /// A min (Q4_1, Q5_1, the K-quants' dmin).
    Min,
    /// Sub-block scales (and mins), packed.
    SubScales,
    /// The low bits of each value's code.
    Codes,
    /// Extra high bits of the codes (Q5's fifth bit, Q3_K's, Q6_K's upper two).
    HighBits,
    /// Grid indices of the IQ types.
    Grid,
    /// Sign bits of the IQ types.
    Signs,
}

/// One field of a block.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its name in `ggml-common.h` (`d`, `dmin`, `scales`, `qs`, `qh` …).
    pub name: &'static str,
    /// First byte in the block.
    pub start: usize,
    /// Length in bytes.
    pub len: usize,
    /// What it holds.
    pub kind: FieldKind,
    /// What it says, in words (`d = 0.0012 (fp16 0x1a2b)`).
    pub text: String,
}

/// A sub-block's share of the block: which values, its scale and min as stored and as
/// numbers, and the values its codes can take.
#[derive(Clone, Debug, PartialEq)]
pub struct SubBlock {
    /// Its values' indices in the block.
    pub values: std::ops::Range<usize>,
    /// The stored scale (and min) in words (`sc 41, m 7`).
    pub stored: String,
    /// The levels a code decodes to here, ascending.
    pub grid: Vec<f32>,
}

/// A block taken apart.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockParts {
    /// The fields, in byte order.
    pub fields: Vec<Field>,
    /// The sub-blocks (one, for types without them).
    pub subs: Vec<SubBlock>,
}

fn half_text(name: &str, b: &[u8], at: usize) -> String {
    let bits = u16::from_le_bytes([b[at], b[at + 1]]);
    format!("{name} = {} (fp16 {bits:#06x})", half_at(b, at))
}

fn f(name: &'static str, start: usize, len: usize, kind: FieldKind, text: String) -> Field {
    Field {
        name,
        start,
        len,
        kind,
        text,
    }
}

fn levels(n: usize, value: impl Fn(usize) -> f32) -> Vec<f32> {
    let mut g: Vec<f32> = (0..n).map(value).collect();
    g.sort_by(f32::total_cmp);
    g.dedup();
    g
}

/// The block `b` of type `t` taken apart (None: a type the view does not take apart).
pub fn block_parts(t: GgmlType, b: &[u8]) -> Option<BlockParts> {
    use FieldKind::*;
    if b.len() != t.type_size() {
        return None;
    }
    let one = |grid: Vec<f32>, stored: String| {
        vec![SubBlock {
            values: 0..t.block_size(),
            stored,
            grid,
        }]
    };
    Some(match t {
        GgmlType::Q4_0 | GgmlType::Q5_0 | GgmlType::Q8_0 | GgmlType::IQ4_NL => {
            let d = half_at(b, 0);
            let mut fields = vec![f("d", 0, 2, Scale, half_text("d", b, 0))];
            let (grid, codes_at, what) = match t {
                GgmlType::Q4_0 => (
                    levels(16, |q| (q as f32 - 8.0) * d),
                    2,
                    "32 codes, 4 bits each: (q − 8) × d",
                ),
                GgmlType::Q5_0 => {
                    fields.push(f(
                        "qh",
                        2,
                        4,
                        HighBits,
                        "the fifth bit of each of the 32 codes".into(),
                    ));
                    (
                        levels(32, |q| (q as f32 - 16.0) * d),
                        6,
                        "the low 4 bits of 32 codes: (q − 16) × d",
                    )
                }
                GgmlType::Q8_0 => (
                    levels(256, |q| f32::from(q as u8 as i8) * d),
                    2,
                    "32 signed 8-bit codes: q × d",
                ),
                _ => (
                    levels(16, |q| d * f32::from(KVALUES_IQ4NL[q])),
                    2,
                    "32 codes, 4 bits each, into IQ4's 16 non-uniform levels × d",
                ),
            };
            fields.push(f(
                "qs",
                codes_at,
                t.type_size() - codes_at,
                Codes,
                what.into(),
            ));
            BlockParts {
                fields,
                subs: one(grid, format!("d = {d}")),
            }
        }
        GgmlType::Q4_1 | GgmlType::Q5_1 => {
            let (d, m) = (half_at(b, 0), half_at(b, 2));
            let mut fields = vec![
                f("d", 0, 2, Scale, half_text("d", b, 0)),
                f("m", 2, 2, Min, half_text("m", b, 2)),
            ];
            let n = if t == GgmlType::Q4_1 { 16 } else { 32 };
            if t == GgmlType::Q5_1 {
                fields.push(f(
                    "qh",
                    4,
                    4,
                    HighBits,
                    "the fifth bit of each of the 32 codes".into(),
                ));
            }
            let at = if t == GgmlType::Q4_1 { 4 } else { 8 };
            fields.push(f(
                "qs",
                at,
                16,
                Codes,
                "32 codes, 4 low bits each: q × d + m".into(),
            ));
            BlockParts {
                fields,
                subs: one(levels(n, |q| q as f32 * d + m), format!("d = {d}, m = {m}")),
            }
        }
        GgmlType::Q4_K | GgmlType::Q5_K => {
            let (d, dmin) = (half_at(b, 0), half_at(b, 2));
            let q5 = t == GgmlType::Q5_K;
            let mut fields = vec![
                f(
                    "d",
                    0,
                    2,
                    Scale,
                    half_text("d", b, 0) + ": scales the sub-block scales",
                ),
                f(
                    "dmin",
                    2,
                    2,
                    Min,
                    half_text("dmin", b, 2) + ": scales the sub-block mins",
                ),
                f(
                    "scales",
                    4,
                    12,
                    SubScales,
                    "eight 6-bit scales and eight 6-bit mins, packed into 12 bytes".into(),
                ),
            ];
            if q5 {
                fields.push(f(
                    "qh",
                    16,
                    32,
                    HighBits,
                    "the fifth bit of each of the 256 codes".into(),
                ));
            }
            fields.push(f(
                "qs",
                if q5 { 48 } else { 16 },
                128,
                Codes,
                "256 codes, 4 (low) bits each: d·sc × q − dmin·m".into(),
            ));
            let n = if q5 { 32 } else { 16 };
            let subs = (0..8)
                .map(|j| {
                    let (sc, m) = scale_min_k4(j, &b[4..16]);
                    let (dl, ml) = (d * f32::from(sc), dmin * f32::from(m));
                    SubBlock {
                        values: 32 * j..32 * j + 32,
                        stored: format!("sc {sc}, m {m}"),
                        grid: levels(n, |q| dl * q as f32 - ml),
                    }
                })
                .collect();
            BlockParts { fields, subs }
        }
        GgmlType::Q2_K => {
            let (d, dmin) = (half_at(b, 80), half_at(b, 82));
            let fields = vec![
                f(
                    "scales",
                    0,
                    16,
                    SubScales,
                    "sixteen 4-bit scales (low) and 4-bit mins (high)".into(),
                ),
                f(
                    "qs",
                    16,
                    64,
                    Codes,
                    "256 codes, 2 bits each: d·sc × q − dmin·m".into(),
                ),
                f("d", 80, 2, Scale, half_text("d", b, 80)),
                f("dmin", 82, 2, Min, half_text("dmin", b, 82)),
            ];
            let subs = (0..16)
                .map(|j| {
                    let (sc, m) = (b[j] & 0xF, b[j] >> 4);
                    let (dl, ml) = (d * f32::from(sc), dmin * f32::from(m));
                    SubBlock {
                        values: 16 * j..16 * j + 16,
                        stored: format!("sc {sc}, m {m}"),
                        grid: levels(4, |q| dl * q as f32 - ml),
                    }
                })
                .collect();
            BlockParts { fields, subs }
        }
        GgmlType::Q3_K => {
            let d = half_at(b, 108);
            let fields = vec![
                f(
                    "hmask",
                    0,
                    32,
                    HighBits,
                    "the third bit of each code (set: no −4)".into(),
                ),
                f(
                    "qs",
                    32,
                    64,
                    Codes,
                    "256 codes, 2 low bits each: d·(sc − 32) × (q − 4)".into(),
                ),
                f(
                    "scales",
                    96,
                    12,
                    SubScales,
                    "sixteen 6-bit scales, packed into 12 bytes".into(),
                ),
                f("d", 108, 2, Scale, half_text("d", b, 108)),
            ];
            let sc = q3_k_scales(&b[96..108]);
            let subs = (0..16)
                .map(|j| {
                    let dl = d * f32::from(i16::from(sc[j]) - 32);
                    SubBlock {
                        values: 16 * j..16 * j + 16,
                        stored: format!("sc {}", i16::from(sc[j]) - 32),
                        grid: levels(8, |q| dl * (q as f32 - 4.0)),
                    }
                })
                .collect();
            BlockParts { fields, subs }
        }
        GgmlType::Q6_K => {
            let d = half_at(b, 208);
            let fields = vec![
                f(
                    "ql",
                    0,
                    128,
                    Codes,
                    "256 codes, 4 low bits each: d·sc × (q − 32)".into(),
                ),
                f(
                    "qh",
                    128,
                    64,
                    HighBits,
                    "the upper 2 bits of each code".into(),
                ),
                f(
                    "scales",
                    192,
                    16,
                    SubScales,
                    "sixteen signed 8-bit scales".into(),
                ),
                f("d", 208, 2, Scale, half_text("d", b, 208)),
            ];
            let subs = (0..16)
                .map(|j| {
                    let sc = b[192 + j] as i8;
                    let dl = d * f32::from(sc);
                    SubBlock {
                        values: 16 * j..16 * j + 16,
                        stored: format!("sc {sc}"),
                        grid: levels(64, |q| dl * (q as f32 - 32.0)),
                    }
                })
                .collect();
            BlockParts { fields, subs }
        }
        GgmlType::IQ4_XS => {
            let d = half_at(b, 0);
            let scales_h = u16::from_le_bytes([b[2], b[3]]);
            let fields = vec![
                f("d", 0, 2, Scale, half_text("d", b, 0)),
                f(
                    "scales_h",
                    2,
                    2,
                    SubScales,
                    "the high 2 bits of eight 6-bit scales".into(),
                ),
                f(
                    "scales_l",
                    4,
                    4,
                    SubScales,
                    "the low 4 bits of eight 6-bit scales".into(),
                ),
                f(
                    "qs",
                    8,
                    128,
                    Codes,
                    "256 codes, 4 bits each, into IQ4's 16 levels × d·(ls − 32)".into(),
                ),
            ];
            let subs = (0..8)
                .map(|ib| {
                    let ls = i32::from((b[4 + ib / 2] >> (4 * (ib % 2))) & 0xF)
                        | (i32::from((scales_h >> (2 * ib)) & 3) << 4);
                    let dl = d * (ls - 32) as f32;
                    SubBlock {
                        values: 32 * ib..32 * ib + 32,
                        stored: format!("ls {ls} (scale {})", ls - 32),
                        grid: levels(16, |q| dl * f32::from(KVALUES_IQ4NL[q])),
                    }
                })
                .collect();
            BlockParts { fields, subs }
        }
        GgmlType::MXFP4 => {
            let e = b[0];
            let d = e8m0_half(e);
            BlockParts {
                fields: vec![
                    f(
                        "e",
                        0,
                        1,
                        Scale,
                        format!("e = {e}: E8M0 2^({e} − 127) (ggml stores E2M1 × 2, so × {d})"),
                    ),
                    f("qs", 1, 16, Codes, "32 E2M1 codes, 4 bits each".into()),
                ],
                subs: one(
                    levels(16, |q| f32::from(KVALUES_MXFP4[q]) * d),
                    format!("e = {e}"),
                ),
            }
        }
        GgmlType::TQ2_0 | GgmlType::TQ1_0 => {
            let at = if t == GgmlType::TQ2_0 { 64 } else { 52 };
            let d = half_at(b, at);
            let mut fields = if t == GgmlType::TQ2_0 {
                vec![f(
                    "qs",
                    0,
                    64,
                    Codes,
                    "256 ternary codes, 2 bits each: (q − 1) × d".into(),
                )]
            } else {
                vec![
                    f(
                        "qs",
                        0,
                        48,
                        Codes,
                        "240 ternary values, five to a byte (base 3)".into(),
                    ),
                    f("qh", 48, 4, Codes, "16 more, four to a byte".into()),
                ]
            };
            fields.push(f("d", at, 2, Scale, half_text("d", b, at)));
            BlockParts {
                fields,
                subs: one(vec![-d, 0.0, d], format!("d = {d}")),
            }
        }
        GgmlType::IQ2_XXS
        | GgmlType::IQ2_XS
        | GgmlType::IQ2_S
        | GgmlType::IQ3_XXS
        | GgmlType::IQ3_S => {
            let mut fields = vec![f("d", 0, 2, Scale, half_text("d", b, 0))];
            let rest = t.type_size() - 2;
            fields.push(match t {
                GgmlType::IQ2_XXS => f("qs", 2, rest, Grid, "per 32 values: four 8-bit grid indices (8 values each from a 256-point E8 lattice grid), then 4 × 7 sign bits and a 4-bit scale".into()),
                GgmlType::IQ2_XS => f("qs", 2, 64, Grid, "32 words: 9-bit grid index + 7 sign bits each".into()),
                GgmlType::IQ2_S => f("qs", 2, 64, Grid, "grid indices (low 8 bits) and sign bytes".into()),
                GgmlType::IQ3_XXS => f("qs", 2, 64, Grid, "64 8-bit indices into a 256-point grid of 4 values each".into()),
                _ => f("qs", 2, 64, Grid, "64 grid indices (low 8 bits) into a 512-point grid of 4 values each".into()),
            });
            match t {
                GgmlType::IQ2_XS => {
                    fields.push(f("scales", 66, 8, SubScales, "sixteen 4-bit scales".into()))
                }
                GgmlType::IQ2_S => {
                    fields.push(f(
                        "qh",
                        66,
                        8,
                        Grid,
                        "the high 2 bits of the grid indices".into(),
                    ));
                    fields.push(f("scales", 74, 8, SubScales, "sixteen 4-bit scales".into()));
                }
                GgmlType::IQ3_XXS => fields.push(f(
                    "scales_and_signs",
                    66,
                    32,
                    Signs,
                    "per 32 values: 4 × 7 sign bits and a 4-bit scale".into(),
                )),
                GgmlType::IQ3_S => {
                    fields.push(f(
                        "qh",
                        66,
                        8,
                        Grid,
                        "the ninth bit of the grid indices".into(),
                    ));
                    fields.push(f("signs", 74, 32, Signs, "one sign bit per value".into()));
                    fields.push(f("scales", 106, 4, SubScales, "eight 4-bit scales".into()));
                }
                _ => {}
            }
            BlockParts {
                fields,
                subs: one(Vec::new(), String::new()),
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_tile_the_block_and_the_grid_holds_the_decoded_values() {
        let x: Vec<f32> = (0..256).map(|i| ((i as f32) * 0.71).sin() * 0.05).collect();
        for t in crate::ggml::quant::QUANTIZABLE {
            let b = crate::ggml::quantize(t, &x[..t.block_size()], t.block_size()).unwrap();
            let p = block_parts(t, &b).unwrap();
            // The fields cover every byte once, in order.
            let mut at = 0;
            for fl in &p.fields {
                assert_eq!(fl.start, at, "{t} {}", fl.name);
                at += fl.len;
            }
            assert_eq!(at, t.type_size(), "{t}");
            // Every decoded value lies on its sub-block's grid.
            let mut y = vec![0f32; t.block_size()];
            crate::ggml::dequantize(t, &b, &mut y).unwrap();
            for s in &p.subs {
                for i in s.values.clone() {
                    assert!(
                        s.grid
                            .iter()
                            .any(|g| g.to_bits() == y[i].to_bits() || (*g == 0.0 && y[i] == 0.0)),
                        "{t} value {i} = {} not on {:?}",
                        y[i],
                        s.grid
                    );
                }
            }
        }
    }
}
