//! A checkpoint as the user points at it: one `.safetensors` file, a folder holding one
//! (with `config.json`), or a sharded checkpoint (`model.safetensors.index.json` + shards).
//! Every file is opened read-only and memory-mapped; nothing is read until asked for.

use super::checkpoint::Checkpoint;
use crate::formats::spec::printable;
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
}

impl TensorEntry {
    /// Number of elements.
    pub fn params(&self) -> u64 {
        self.shape.iter().map(|&d| d as u64).product()
    }

    /// Bytes on disk.
    pub fn bytes(&self) -> u64 {
        (self.params() * dtype_bits(self.dtype)).div_ceil(8)
    }

    /// Whether it holds floating-point values.
    pub fn is_float(&self) -> bool {
        matches!(
            self.dtype,
            Dtype::F64 | Dtype::F32 | Dtype::F16 | Dtype::BF16 | Dtype::F8_E4M3 | Dtype::F8_E5M2
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
    /// The safetensors files, in index order.
    pub shards: Vec<Checkpoint>,
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
            .map(|p| Checkpoint::open(p))
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
            } else if base.ends_with(".safetensors") {
                weights.push((base, bytes));
            } else {
                return Err(format!(
                    "{}: not a .safetensors file, config.json or preprocessor_config.json",
                    printable(&base)
                ));
            }
        }
        if weights.is_empty() {
            return Err(format!("{label}: no .safetensors file among the files"));
        }
        weights.sort_by(|a, b| a.0.cmp(&b.0));
        let shards = weights
            .into_iter()
            .map(|(name, bytes)| Checkpoint::from_bytes(Path::new(&name), bytes))
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
        shards: Vec<Checkpoint>,
        side: BTreeMap<String, String>,
    ) -> Result<ModelFiles, String> {
        let mut tensors = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut metadata = BTreeMap::new();
        for (i, shard) in shards.iter().enumerate() {
            for name in shard.names() {
                if let Some(&other) = seen.get(&name) {
                    return Err(format!(
                        "tensor '{}' is in both {} and {}",
                        printable(&name),
                        shards[other].path().display(),
                        shard.path().display()
                    ));
                }
                let Some(info) = shard.info(&name) else {
                    continue;
                };
                seen.insert(name.clone(), i);
                tensors.push(TensorEntry {
                    name,
                    dtype: info.dtype,
                    shape: info.shape.clone(),
                    shard: i,
                });
            }
            if let Some(m) = shard.user_metadata() {
                metadata.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
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

    /// A tensor's values as f64 with its shape.
    pub fn values_f64(&self, name: &str) -> Result<(Vec<f64>, Vec<usize>), String> {
        let t = self.tensor(name).ok_or_else(|| no_tensor(name))?;
        self.shards[t.shard].values_f64(name)
    }

    /// A float tensor's values as f32 with its shape.
    pub fn values_f32(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>), String> {
        let t = self.tensor(name).ok_or_else(|| no_tensor(name))?;
        self.shards[t.shard].values_f32(name)
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
