//! Browsing the file system without the system's file dialog: what a folder holds, which of
//! its entries a kind of file dialog may choose, and shell-like completion of a typed path.
//!
//! GUI-free: the in-app file picker ([`crate::app`]) draws what this module lists.

use std::path::{Path, PathBuf};

/// What the user is choosing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// A `.safetensors` file, a sharded index (`.json`) or a model folder.
    Checkpoint,
    /// A model folder (or a folder holding a sharded checkpoint).
    Folder,
    /// An image (PNG, JPEG, WebP).
    Image,
    /// A saved state (`.json`).
    State,
}

impl Wanted {
    /// The file extensions that fit (lower case; none for a folder).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Wanted::Checkpoint => &["safetensors", "json", "gguf"],
            Wanted::Folder => &[],
            Wanted::Image => &["png", "jpg", "jpeg", "webp"],
            Wanted::State => &["json"],
        }
    }

    /// Whether a file named `name` can be chosen (folders are handled apart).
    pub fn accepts_file(self, name: &str) -> bool {
        Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| self.extensions().contains(&e.to_ascii_lowercase().as_str()))
    }

    /// Whether a folder itself can be chosen (as well as entered).
    pub fn accepts_folder(self) -> bool {
        matches!(self, Wanted::Checkpoint | Wanted::Folder)
    }

    /// The kind of file in words, for titles and messages.
    pub fn describe(self) -> &'static str {
        match self {
            Wanted::Checkpoint => "a .safetensors file, an index .json or a model folder",
            Wanted::Folder => "a model folder",
            Wanted::Image => "an image (PNG, JPEG, WebP)",
            Wanted::State => "a quantscope state file (.json)",
        }
    }
}

/// One entry of a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The file or folder name.
    pub name: String,
    /// The full path.
    pub path: PathBuf,
    /// Whether it is a folder (symbolic links are followed).
    pub is_dir: bool,
    /// Size in bytes (files only).
    pub size: u64,
}

/// Most entries listed from one folder (a huge folder must not stall a frame).
pub const MAX_ENTRIES: usize = 2000;

/// The entries of `dir` that matter for `wanted`: every folder, and the files it accepts
/// (all files when `all_files`), folders first, then by name (case-insensitive). Hidden
/// entries (a leading `.`) only when `hidden`. At most [`MAX_ENTRIES`]; the flag says
/// whether the list was cut.
pub fn list(
    dir: &Path,
    wanted: Wanted,
    all_files: bool,
    hidden: bool,
) -> Result<(Vec<Entry>, bool), String> {
    let read = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    let mut cut = false;
    for item in read.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        if !hidden && name.starts_with('.') {
            continue;
        }
        let path = item.path();
        // `metadata` follows links, so a link to a folder is a folder.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let is_dir = meta.is_dir();
        if !is_dir && !all_files && !wanted.accepts_file(&name) {
            continue;
        }
        if out.len() == MAX_ENTRIES {
            cut = true;
            break;
        }
        out.push(Entry {
            name,
            path,
            is_dir,
            size: if is_dir { 0 } else { meta.len() },
        });
    }
    out.sort_by(|a, b| {
        b.is_dir
            .cmp(&a.is_dir)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok((out, cut))
}

/// `~` and `~/…` as the home folder; everything else as typed.
pub fn expand_home(typed: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    if typed == "~" {
        return home().unwrap_or_else(|| PathBuf::from(typed));
    }
    if let Some(rest) = typed.strip_prefix("~/")
        && let Some(h) = home()
    {
        return h.join(rest);
    }
    PathBuf::from(typed)
}

/// The folder a typed path lists and the part of a name typed so far: `/a/b/mo` → (`/a/b`,
/// `mo`); `/a/b/` → (`/a/b`, ``). A relative path is taken from `base`.
pub fn split_typed(typed: &str, base: &Path) -> (PathBuf, String) {
    let path = expand_home(typed);
    let path = if path.is_absolute() {
        path
    } else {
        base.join(path)
    };
    if typed.is_empty() || typed.ends_with('/') || typed.ends_with(std::path::MAIN_SEPARATOR) {
        return (path, String::new());
    }
    if typed == "~" {
        return (path, String::new());
    }
    // `..` and `.` at the end name a folder, not a partial name.
    let Some(partial) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return (path, String::new());
    };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or(path);
    (dir, partial)
}

/// The entries of a typed path's folder whose names start with what was typed of the last
/// name (case-sensitive first; case-insensitive when nothing matches exactly).
pub fn candidates(typed: &str, base: &Path, wanted: Wanted) -> Vec<Entry> {
    let (dir, partial) = split_typed(typed, base);
    let Ok((entries, _)) = list(&dir, wanted, false, partial.starts_with('.')) else {
        return Vec::new();
    };
    let exact: Vec<Entry> = entries
        .iter()
        .filter(|e| e.name.starts_with(&partial))
        .cloned()
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    let lower = partial.to_lowercase();
    entries
        .into_iter()
        .filter(|e| e.name.to_lowercase().starts_with(&lower))
        .collect()
}

/// Complete a typed path as a shell does on Tab: the one matching entry (a folder gets a
/// trailing `/`), or the longest prefix all matches share. `None` when nothing matches or
/// nothing would be added.
pub fn complete(typed: &str, base: &Path, wanted: Wanted) -> Option<String> {
    let matches = candidates(typed, base, wanted);
    let (_, partial) = split_typed(typed, base);
    let stem = if partial.is_empty() {
        let sep = if typed.is_empty() || typed.ends_with('/') {
            ""
        } else {
            "/"
        };
        format!("{typed}{sep}")
    } else {
        // The partial name as typed is the text after the last separator.
        let tail = typed.rsplit('/').next().map_or(0, str::len);
        typed[..typed.len() - tail].to_string()
    };
    let completed = match matches.as_slice() {
        [] => return None,
        [one] => {
            let sep = if one.is_dir { "/" } else { "" };
            format!("{stem}{}{sep}", one.name)
        }
        many => {
            let prefix = common_prefix(many.iter().map(|e| e.name.as_str()));
            if prefix.chars().count() <= partial.chars().count() {
                return None;
            }
            format!("{stem}{prefix}")
        }
    };
    (completed != typed).then_some(completed)
}

/// The longest prefix (in whole characters) shared by all `names`.
fn common_prefix<'a>(mut names: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut len = first.len();
    for n in names {
        len = first
            .char_indices()
            .zip(n.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    first[..len].to_string()
}

/// A byte count for people: `812 B`, `4.2 KB`, `22.4 MB`, `3.1 GB` (powers of 1000).
pub fn human_size(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} KB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.1} GB", b / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("quantscope-browse-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("models/mobilevit-small")).unwrap();
        std::fs::create_dir_all(dir.join("models/mobilenet")).unwrap();
        std::fs::create_dir_all(dir.join(".cache")).unwrap();
        for f in [
            "model.safetensors",
            "model-00001-of-00002.safetensors",
            "config.json",
            "cat.JPG",
            "notes.txt",
            ".hidden.safetensors",
        ] {
            std::fs::write(dir.join(f), b"x").unwrap();
        }
        dir
    }

    #[test]
    fn lists_folders_first_and_only_what_the_dialog_accepts() {
        let dir = tree("list");
        let (entries, cut) = list(&dir, Wanted::Checkpoint, false, false).unwrap();
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "models",
                "config.json",
                "model-00001-of-00002.safetensors",
                "model.safetensors"
            ]
        );
        assert!(!cut);
        let (images, _) = list(&dir, Wanted::Image, false, false).unwrap();
        assert_eq!(images.last().unwrap().name, "cat.JPG");
        let (all, _) = list(&dir, Wanted::Image, true, true).unwrap();
        assert_eq!(all.len(), 8);
        assert!(
            list(&dir.join("nope"), Wanted::Image, false, false)
                .unwrap_err()
                .starts_with("cannot list")
        );
    }

    #[test]
    fn completes_like_a_shell() {
        let dir = tree("complete");
        let base = Path::new("/");
        let d = dir.display().to_string();
        // One match: the whole name, a folder gets a slash.
        assert_eq!(
            complete(&format!("{d}/models"), base, Wanted::Checkpoint),
            Some(format!("{d}/models/"))
        );
        assert_eq!(
            complete(&format!("{d}/mo"), base, Wanted::Checkpoint),
            Some(format!("{d}/model"))
        );
        // Several: the shared prefix.
        assert_eq!(
            complete(&format!("{d}/models/mob"), base, Wanted::Checkpoint),
            Some(format!("{d}/models/mobile"))
        );
        // Nothing more to add, or nothing matches.
        assert_eq!(
            complete(&format!("{d}/models/mobile"), base, Wanted::Checkpoint),
            None
        );
        assert_eq!(
            complete(&format!("{d}/zzz"), base, Wanted::Checkpoint),
            None
        );
        // Files the dialog does not take are not offered; hidden ones only when typed.
        assert_eq!(complete(&format!("{d}/no"), base, Wanted::Checkpoint), None);
        assert_eq!(
            complete(&format!("{d}/.h"), base, Wanted::Checkpoint),
            Some(format!("{d}/.hidden.safetensors"))
        );
        // Relative to the base folder, and case-insensitive when nothing matches exactly.
        assert_eq!(
            complete("models", &dir, Wanted::Checkpoint),
            Some("models/".into())
        );
        assert_eq!(complete("CA", &dir, Wanted::Image), Some("cat.JPG".into()));
        assert_eq!(
            complete(&format!("{d}/models/mobilenet/.."), base, Wanted::Image),
            Some(format!("{d}/models/mobilenet/../mobile"))
        );
        let all = candidates(&format!("{d}/"), base, Wanted::Checkpoint);
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn splits_a_typed_path() {
        let base = Path::new("/base");
        assert_eq!(
            split_typed("/a/b/mo", base),
            (PathBuf::from("/a/b"), "mo".into())
        );
        assert_eq!(
            split_typed("/a/b/", base),
            (PathBuf::from("/a/b/"), "".into())
        );
        assert_eq!(split_typed("x", base), (PathBuf::from("/base"), "x".into()));
        assert_eq!(split_typed("", base), (PathBuf::from("/base"), "".into()));
        assert_eq!(
            split_typed("/a/..", base),
            (PathBuf::from("/a/.."), "".into())
        );
    }

    #[test]
    fn common_prefix_keeps_whole_characters() {
        assert_eq!(common_prefix(["größe", "grün"].into_iter()), "gr");
        assert_eq!(common_prefix(["äb", "äc"].into_iter()), "ä");
        assert_eq!(common_prefix(["abc"].into_iter()), "abc");
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_size(812), "812 B");
        assert_eq!(human_size(22_360_000), "22.4 MB");
        assert_eq!(human_size(3_100_000_000), "3.1 GB");
    }
}
