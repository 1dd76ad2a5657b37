//! A checkpoint as the user points at it: one `.safetensors` file, a folder holding one
//! (with `config.json`), a sharded checkpoint (`model.safetensors.index.json` + shards), or a
//! GGUF file (split ones, `…-00001-of-00003.gguf`, as one model). Every file is opened
//! read-only and memory-mapped; nothing is read until asked for.

use super::checkpoint::Checkpoint;
use super::gguf_file::{GgufFile, split_files};
use super::shard::Shard;
use crate::formats::spec::printable;
use crate::ggml::GgmlType;
use safetensors::tensor::Dtype;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Name of a sharded checkpoint's index.
pub const INDEX: &str = "model.safetensors.index.json";

/// One tensor of the checkpoint.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TensorEntry {
    /// Full name, e.g. `encoder.layer.0.attention.query.weight`.
    pub name: String,
    /// Element type.
    pub dtype: Dtype,
    /// Shape.
    pub shape: Vec<usize>,
    /// Which shard holds it (index into the shard list).
    pub shard: usize,
    /// Set when the tensor is stored as the parts of a block format (gpt-oss MXFP4).
    #[serde(default)]
    pub packed: Option<Packed>,
    /// Set for a GGUF tensor: its ggml type (then `dtype` is a placeholder).
    #[serde(default)]
    pub ggml: Option<GgmlType>,
}

/// A logical MXFP4 tensor stored in the gpt-oss layout: a U8 tensor `NAME_blocks`
/// [..., nblocks, 16] (two FP4 E2M1 codes a byte, low nibble first) beside a U8
/// `NAME_scales` [..., nblocks] (E8M0 biased exponents), one scale per 32 values.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Packed {
    /// The blocks tensor's name (in the entry's shard).
    pub blocks: String,
    /// The scales tensor's name.
    pub scales: String,
    /// The shard holding the scales.
    pub scales_shard: usize,
}

/// Values per MXFP4 block.
const MX_BLOCK: usize = 32;

impl TensorEntry {
    /// Number of elements.
    pub fn params(&self) -> u64 {
        self.shape.iter().map(|&d| d as u64).product()
    }

    /// Bytes on disk (a packed tensor: its blocks and scales).
    pub fn bytes(&self) -> u64 {
        if let Some(t) = self.ggml {
            return t.bytes_for(self.params()).unwrap_or(u64::MAX);
        }
        if self.packed.is_some() {
            return self.params() / 2 + self.params() / MX_BLOCK as u64;
        }
        (self.params() * dtype_bits(self.dtype)).div_ceil(8)
    }

    /// Storage bits per value, scales included (MXFP4: 4.25).
    pub fn bits_per_value(&self) -> f64 {
        match self.params() {
            0 if self.ggml.is_some() => self.ggml.map_or(0.0, GgmlType::bits_per_value),
            0 => dtype_bits(self.dtype) as f64,
            n => self.bytes() as f64 * 8.0 / n as f64,
        }
    }

    /// The dtype as shown: `MXFP4` for a packed tensor, else safetensors' spelling.
    pub fn dtype_label(&self) -> String {
        if let Some(t) = self.ggml {
            t.name().into()
        } else if self.packed.is_some() {
            "MXFP4".into()
        } else {
            dtype_name(self.dtype)
        }
    }

    /// Whether it holds floating-point values.
    pub fn is_float(&self) -> bool {
        if let Some(t) = self.ggml {
            return t.is_float() && crate::ggml::dequant::decodes(t);
        }
        self.packed.is_some()
            || matches!(
                self.dtype,
                Dtype::F64
                    | Dtype::F32
                    | Dtype::F16
                    | Dtype::BF16
                    | Dtype::F8_E4M3
                    | Dtype::F8_E5M2
            )
    }
}

/// Bits per element of a dtype.
pub fn dtype_bits(dtype: Dtype) -> u64 {
    dtype.bitsize() as u64
}

/// The safetensors spelling of a dtype (`F32`, `BF16`, `F8_E4M3` …).
pub fn dtype_name(dtype: Dtype) -> String {
    format!("{dtype:?}")
}

/// An opened checkpoint: its shards, tensors, `__metadata__` and `config.json`.
#[derive(Debug)]
pub struct ModelFiles {
    /// Unique among the checkpoints opened by this process (names it to a web worker).
    pub id: u64,
    /// What the user opened.
    pub path: PathBuf,
    /// The files, in index order (safetensors shards, or the parts of a GGUF).
    pub shards: Vec<Shard>,
    /// Every tensor, sorted by name.
    pub tensors: Vec<TensorEntry>,
    /// `__metadata__` of the shards, merged.
    pub metadata: BTreeMap<String, String>,
    /// `config.json` beside the weights, if present and valid JSON.
    pub config: Option<serde_json::Value>,
    /// The small JSON files beside the weights ([`SIDE_FILES`]) as text, read when opened.
    pub side: BTreeMap<String, String>,
}

/// The JSON files read beside the weights.
pub const SIDE_FILES: [&str; 2] = ["config.json", "preprocessor_config.json"];

/// Largest side file read (a real config is a few KB; the id2label of 1000 classes ~40 KB).
const MAX_SIDE_BYTES: u64 = 4 << 20;

/// Largest checkpoint held in memory (the browser has no memory map): 1.5 GB.
pub const MAX_IN_MEMORY: u64 = 1536 << 20;

impl ModelFiles {
    /// Open a file, a folder or an index. Errors name the file and what is wrong with it.
    pub fn open(path: &Path) -> Result<ModelFiles, String> {
        let shown = path.display();
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
        if !meta.is_dir() && is_gguf_name(path) {
            let parts = split_files(path).unwrap_or_else(|| Ok(vec![path.to_path_buf()]))?;
            let shards = parts
                .iter()
                .map(|p| GgufFile::open(p).map(Shard::Gguf))
                .collect::<Result<Vec<_>, _>>()?;
            return Self::assemble(path, shards, BTreeMap::new());
        }
        let (dir, shard_paths) = if meta.is_dir() {
            (path.to_path_buf(), shards_in_folder(path)?)
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".index.json"))
        {
            let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
            let shards = shards_from_index(path, &dir)?;
            (dir, shards)
        } else {
            let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
            (dir, vec![path.to_path_buf()])
        };
        let shards = shard_paths
            .iter()
            .map(|p| Checkpoint::open(p).map(Shard::Safetensors))
            .collect::<Result<Vec<_>, _>>()?;
        let side = SIDE_FILES
            .iter()
            .filter_map(|name| {
                let p = dir.join(name);
                let small = std::fs::metadata(&p).is_ok_and(|m| m.len() <= MAX_SIDE_BYTES);
                let text = std::fs::read_to_string(&p).ok().filter(|_| small)?;
                Some((name.to_string(), text))
            })
            .collect();
        Self::assemble(path, shards, side)
    }

    /// A checkpoint from files held in memory (picked or dropped on the web page): every
    /// `.safetensors` file is a shard (in name order), and `config.json` /
    /// `preprocessor_config.json` are read beside them. `label` names it.
    pub fn from_memory(label: &str, files: Vec<(String, Vec<u8>)>) -> Result<ModelFiles, String> {
        let total: u64 = files.iter().map(|(_, b)| b.len() as u64).sum();
        if total > MAX_IN_MEMORY {
            return Err(format!(
                "{label}: {total} bytes do not fit in the page's memory (at most {MAX_IN_MEMORY}); \
                 use the desktop app for checkpoints this large"
            ));
        }
        let mut side = BTreeMap::new();
        let mut weights = Vec::new();
        for (name, bytes) in files {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string();
            if SIDE_FILES.contains(&base.as_str()) {
                let text =
                    String::from_utf8(bytes).map_err(|_| format!("{base} is not UTF-8 text"))?;
                side.insert(base, text);
            } else if base.ends_with(".safetensors") || base.ends_with(".gguf") {
                weights.push((base, bytes));
            } else {
                return Err(format!(
                    "{}: not a .safetensors or .gguf file, config.json or preprocessor_config.json",
                    printable(&base)
                ));
            }
        }
        if weights.is_empty() {
            return Err(format!(
                "{label}: no .safetensors file (nor .gguf) among the files"
            ));
        }
        weights.sort_by(|a, b| a.0.cmp(&b.0));
        let ggufs = weights.iter().filter(|(n, _)| n.ends_with(".gguf")).count();
        if ggufs > 0 && ggufs < weights.len() {
            return Err(format!(
                "{label}: .gguf and .safetensors files together; open one checkpoint at a time"
            ));
        }
        let shards = weights
            .into_iter()
            .map(|(name, bytes)| {
                if name.ends_with(".gguf") {
                    GgufFile::from_bytes(Path::new(&name), bytes).map(Shard::Gguf)
                } else {
                    Checkpoint::from_bytes(Path::new(&name), bytes).map(Shard::Safetensors)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::assemble(Path::new(label), shards, side)
    }

    /// The files as [`ModelFiles::from_memory`] takes them (shards by file name, then the
    /// side files), to open the same checkpoint elsewhere (a web worker).
    pub fn memory_files(&self) -> Vec<(String, &[u8])> {
        let shards = self.shards.iter().map(|c| {
            let name = c.path().file_name().map_or_else(
                || "model.safetensors".to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            (name, c.file_bytes())
        });
        let side = self.side.iter().map(|(n, t)| (n.clone(), t.as_bytes()));
        shards.chain(side).collect()
    }

    /// Index the shards' tensors and metadata; `config.json` from the side files.
    fn assemble(
        path: &Path,
        shards: Vec<Shard>,
        side: BTreeMap<String, String>,
    ) -> Result<ModelFiles, String> {
        let mut tensors = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut metadata = BTreeMap::new();
        for (i, shard) in shards.iter().enumerate() {
            // The file's tensors, whichever format it is; then one check for names twice.
            let entries: Vec<TensorEntry> = match shard {
                Shard::Gguf(g) => g
                    .header()
                    .tensors
                    .iter()
                    .map(|t| TensorEntry {
                        name: t.name.clone(),
                        dtype: Dtype::U8,
                        shape: t.shape(),
                        shard: i,
                        packed: None,
                        ggml: Some(t.ggml_type),
                    })
                    .collect(),
                Shard::Safetensors(c) => {
                    if let Some(m) = c.user_metadata() {
                        metadata.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                    c.names()
                        .into_iter()
                        .filter_map(|name| {
                            let info = c.info(&name)?;
                            Some(TensorEntry {
                                dtype: info.dtype,
                                shape: info.shape.clone(),
                                name,
                                shard: i,
                                packed: None,
                                ggml: None,
                            })
                        })
                        .collect()
                }
            };
            for e in entries {
                if let Some(&other) = seen.get(&e.name) {
                    return Err(format!(
                        "tensor '{}' is in both {} and {}",
                        printable(&e.name),
                        shards[other].path().display(),
                        shard.path().display()
                    ));
                }
                seen.insert(e.name.clone(), i);
                tensors.push(e);
            }
        }
        let mut tensors = pair_mxfp4(tensors)?;
        tensors.sort_by(|a, b| natural_cmp(&a.name, &b.name));
        let config = side
            .get("config.json")
            .and_then(|t| serde_json::from_str(t).ok());
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Ok(ModelFiles {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            path: path.to_path_buf(),
            shards,
            tensors,
            metadata,
            config,
            side,
        })
    }

    /// A side file's JSON (`preprocessor_config.json` …), if present and valid.
    pub fn side_json(&self, name: &str) -> Option<serde_json::Value> {
        self.side
            .get(name)
            .and_then(|t| serde_json::from_str(t).ok())
    }

    /// Look a tensor up by name.
    pub fn tensor(&self, name: &str) -> Option<&TensorEntry> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// A tensor's values as f64 with its shape (a packed tensor: dequantized).
    pub fn values_f64(&self, name: &str) -> Result<(Vec<f64>, Vec<usize>), String> {
        let t = self.tensor(name).ok_or_else(|| no_tensor(name))?;
        if let Some(p) = &t.packed {
            let (v, shape) = self.dequantize_mxfp4(t, p)?;
            return Ok((v.into_iter().map(f64::from).collect(), shape));
        }
        self.shards[t.shard].values_f64(name)
    }

    /// A float tensor's values as f32 with its shape (a packed tensor: dequantized).
    pub fn values_f32(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>), String> {
        let t = self.tensor(name).ok_or_else(|| no_tensor(name))?;
        if let Some(p) = &t.packed {
            return self.dequantize_mxfp4(t, p);
        }
        self.shards[t.shard].values_f32(name)
    }

    /// The values of a gpt-oss MXFP4 tensor: FP4 code × 2^(scale − 127) (scale 255: NaN).
    fn dequantize_mxfp4(
        &self,
        t: &TensorEntry,
        p: &Packed,
    ) -> Result<(Vec<f32>, Vec<usize>), String> {
        let blocks = self.shards[t.shard].bytes(&p.blocks)?;
        let scales = self.shards[p.scales_shard].bytes(&p.scales)?;
        if blocks.len() != scales.len() * 16 {
            return Err(format!(
                "{}: {} bytes of blocks for {} scales (16 a scale)",
                printable(&t.name),
                blocks.len(),
                scales.len()
            ));
        }
        let fp4 = crate::formats::Format::named("float4_e2m1fn");
        let e8m0 = crate::formats::Format::named("float8_e8m0fnu");
        let levels: Vec<f32> = (0..16)
            .map(|c| crate::formats::decode(&fp4, c) as f32)
            .collect();
        let mut out = Vec::with_capacity(blocks.len() * 2);
        for (block, &s) in blocks.chunks_exact(16).zip(scales) {
            // 2^(s − 127), exact in f32; 255 is NaN.
            let scale = crate::formats::decode(&e8m0, u64::from(s)) as f32;
            for &b in block {
                out.push(levels[usize::from(b & 0xf)] * scale);
                out.push(levels[usize::from(b >> 4)] * scale);
            }
        }
        Ok((out, t.shape.clone()))
    }

    /// The GGUF header of the first file, if the checkpoint is a GGUF.
    pub fn gguf(&self) -> Option<&crate::gguf::Header> {
        self.shards.first()?.gguf().map(GgufFile::header)
    }

    /// Total number of parameters.
    pub fn total_params(&self) -> u64 {
        self.tensors.iter().map(TensorEntry::params).sum()
    }

    /// Total bytes of tensor data.
    pub fn total_bytes(&self) -> u64 {
        self.tensors.iter().map(TensorEntry::bytes).sum()
    }

    /// Bytes of the files on disk (headers included).
    pub fn file_bytes(&self) -> u64 {
        self.shards.iter().map(|s| s.file_len() as u64).sum()
    }
}

fn no_tensor(name: &str) -> String {
    format!("no tensor named '{}'", printable(name))
}

/// The weights in a folder: the index's shards if there is an index, else the one
/// `.safetensors` file (preferring `model.safetensors`).
fn shards_in_folder(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let index = dir.join(INDEX);
    if index.exists() {
        return shards_from_index(&index, dir);
    }
    let preferred = dir.join("model.safetensors");
    if preferred.exists() {
        return Ok(vec![preferred]);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
        .collect();
    found.sort();
    match found.len() {
        0 => Err(format!("no .safetensors file in {}", dir.display())),
        1 => Ok(found),
        n => Err(format!(
            "{} holds {n} .safetensors files and no {INDEX}: open one of them",
            dir.display()
        )),
    }
}

/// Shard files named by an index's `weight_map`, in first-mention order; all must exist.
fn shards_from_index(index: &Path, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let shown = index.display();
    let text = std::fs::read_to_string(index).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{shown} is not valid JSON: {e}"))?;
    let map = json
        .get("weight_map")
        .and_then(|m| m.as_object())
        .ok_or_else(|| format!("{shown} has no \"weight_map\" object"))?;
    let mut files: Vec<String> = Vec::new();
    for (tensor, file) in map {
        let file = file.as_str().ok_or_else(|| {
            format!(
                "{shown}: weight_map entry '{}' is not a file name",
                printable(tensor)
            )
        })?;
        if !files.iter().any(|f| f == file) {
            files.push(file.to_string());
        }
    }
    if files.is_empty() {
        return Err(format!("{shown} lists no shards"));
    }
    let mut paths = Vec::new();
    for f in files {
        let rel = Path::new(&f);
        // Shards live beside the index: no absolute paths, no climbing out.
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(format!(
                "{shown} names a shard outside its folder: '{}'",
                printable(&f)
            ));
        }
        let p = dir.join(rel);
        if !p.exists() {
            return Err(format!(
                "{shown} names a missing shard: '{}'",
                printable(&f)
            ));
        }
        paths.push(p);
    }
    Ok(paths)
}

/// Join gpt-oss MXFP4 pairs (`NAME_blocks` U8 [..., n, 16] + `NAME_scales` U8 [..., n])
/// into one logical tensor `NAME` [..., n·32]. A U8 `_blocks` whose last axis is 16 without
/// its `_scales`, or with scales of another shape or dtype, is an error naming both.
fn pair_mxfp4(tensors: Vec<TensorEntry>) -> Result<Vec<TensorEntry>, String> {
    let index: HashMap<String, usize> = tensors
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let mut joined = Vec::new();
    let mut used = vec![false; tensors.len()];
    for (i, t) in tensors.iter().enumerate() {
        let Some(base) = t.name.strip_suffix("_blocks") else {
            continue;
        };
        if t.dtype != Dtype::U8 || t.shape.len() < 2 || t.shape.last() != Some(&16) {
            continue;
        }
        let scales_name = format!("{base}_scales");
        let Some(&j) = index.get(&scales_name) else {
            return Err(format!(
                "'{}' is MXFP4 blocks (U8, last axis 16) but '{}' is missing",
                printable(&t.name),
                printable(&scales_name)
            ));
        };
        let s = &tensors[j];
        let lead = &t.shape[..t.shape.len() - 1];
        if s.dtype != Dtype::U8 || s.shape != lead {
            return Err(format!(
                "'{}' {:?} needs '{}' as U8 {lead:?}, found {} {:?}",
                printable(&t.name),
                t.shape,
                printable(&scales_name),
                dtype_name(s.dtype),
                s.shape
            ));
        }
        let mut shape = lead.to_vec();
        if let Some(last) = shape.last_mut() {
            *last *= MX_BLOCK;
        }
        used[i] = true;
        used[j] = true;
        joined.push(TensorEntry {
            name: base.to_string(),
            dtype: Dtype::F4,
            shape,
            shard: t.shard,
            packed: Some(Packed {
                blocks: t.name.clone(),
                scales: scales_name,
                scales_shard: s.shard,
            }),
            ggml: None,
        });
    }
    for (t, used) in tensors.into_iter().zip(used) {
        if !used {
            joined.push(t);
        }
    }
    Ok(joined)
}

/// Order names so `layer.2` comes before `layer.10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| -> Vec<(u8, u64, String)> {
        s.split('.')
            .map(|part| match part.parse::<u64>() {
                Ok(n) => (0, n, String::new()),
                Err(_) => (1, 0, part.to_string()),
            })
            .collect()
    };
    key(a).cmp(&key(b))
}

/// Whether a file name says GGUF.
pub fn is_gguf_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("gguf"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Vec<(String, Vec<u8>)> {
        crate::infer::run::bundled_files()
    }

    #[test]
    fn files_in_memory_open_like_a_folder() {
        let m = ModelFiles::from_memory("simple_cnn", bundled()).unwrap();
        assert_eq!(m.tensors.len(), 8);
        assert!(m.config.is_some(), "config.json is read beside the weights");
        assert!(m.side.contains_key("config.json"));
        // Names with folders (as a browser may give them) are taken by their last part.
        let mut files = bundled();
        files[1].0 = "simple_cnn/config.json".into();
        assert!(
            ModelFiles::from_memory("x", files)
                .unwrap()
                .config
                .is_some()
        );
    }

    #[test]
    fn bad_files_in_memory_are_named_errors() {
        let err =
            |files: Vec<(String, Vec<u8>)>| ModelFiles::from_memory("dropped", files).unwrap_err();
        let e = err(vec![("notes.txt".into(), b"hello".to_vec())]);
        assert!(
            e.contains("notes.txt") && e.contains("not a .safetensors"),
            "{e}"
        );
        let e = err(vec![("config.json".into(), b"{}".to_vec())]);
        assert!(e.contains("no .safetensors file"), "{e}");
        let e = err(vec![("model.safetensors".into(), vec![1, 2, 3])]);
        assert!(
            e.contains("model.safetensors") && e.contains("too short"),
            "{e}"
        );
        let mut lying = 1_000_000u64.to_le_bytes().to_vec();
        lying.extend_from_slice(b"{}");
        let e = err(vec![("model.safetensors".into(), lying)]);
        assert!(e.starts_with("model.safetensors:"), "{e}");
        let e = err(vec![
            ("model.safetensors".into(), bundled().remove(0).1),
            ("config.json".into(), vec![0xff, 0xfe]),
        ]);
        assert!(e.contains("config.json is not UTF-8"), "{e}");
    }
}
