//! What the window opens on: paths given on the command line (`quantscope PATH…`,
//! `quantscope open PATH [IMAGE]`) sorted into one checkpoint and one image, with a message
//! for each path that cannot be used. GUI-free; the app shows the messages.

use std::path::{Path, PathBuf};

/// The checkpoint and image to open, and what was wrong with the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Launch {
    /// A `.safetensors` file, a model folder or a sharded index to open in the Model panel.
    pub checkpoint: Option<PathBuf>,
    /// An image to classify in the Run view.
    pub image: Option<PathBuf>,
    /// One line per path that was not used (missing, unreadable, a second checkpoint …).
    pub problems: Vec<String>,
    /// A deep link's fragment (`#tab=bits&value=0.1`) given with `--open`.
    pub link: Option<String>,
}

/// What one path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// A checkpoint file, index or folder.
    Checkpoint,
    /// An image file.
    Image,
}

/// Whether a path names an image by its extension (PNG, JPEG, WebP).
pub fn is_image_name(path: &Path) -> bool {
    crate::browse::Wanted::Image.accepts_file(&path.to_string_lossy())
}

/// Sniff the first bytes of a file: PNG, JPEG and WebP signatures.
fn looks_like_image(head: &[u8]) -> bool {
    head.starts_with(b"\x89PNG\r\n\x1a\n")
        || head.starts_with(&[0xff, 0xd8, 0xff])
        || (head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP")
}

/// Sort one existing path into a checkpoint or an image; the error says why neither.
pub fn classify_path(path: &Path) -> Result<PathKind, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    if meta.is_dir() {
        return Ok(PathKind::Checkpoint);
    }
    if is_image_name(path) {
        return Ok(PathKind::Image);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(ext.as_deref(), Some("safetensors" | "json" | "gguf")) {
        return Ok(PathKind::Checkpoint);
    }
    // No telling extension: read the first bytes.
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if looks_like_image(&head[..n]) {
        return Ok(PathKind::Image);
    }
    // A safetensors file starts with an 8-byte header length and then `{`.
    if n >= 9 && head[8] == b'{' {
        return Ok(PathKind::Checkpoint);
    }
    Err(format!(
        "{} is neither a checkpoint (.safetensors, index .json, model folder) nor an image (PNG, JPEG, WebP)",
        path.display()
    ))
}

/// Sort the paths given on the command line, in any order.
pub fn from_paths(paths: &[PathBuf]) -> Launch {
    let mut launch = Launch::default();
    for path in paths {
        match classify_path(path) {
            Ok(PathKind::Checkpoint) => match &launch.checkpoint {
                None => launch.checkpoint = Some(path.clone()),
                Some(first) => launch.problems.push(format!(
                    "one checkpoint at a time: opened {}, not {}",
                    first.display(),
                    path.display()
                )),
            },
            Ok(PathKind::Image) => match &launch.image {
                None => launch.image = Some(path.clone()),
                Some(first) => launch.problems.push(format!(
                    "one image at a time: opened {}, not {}",
                    first.display(),
                    path.display()
                )),
            },
            Err(e) => launch.problems.push(e),
        }
    }
    launch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("quantscope-launch-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn sorts_checkpoints_and_images_in_any_order() {
        let d = dir("sort");
        let ckpt = d.join("model.safetensors");
        let img = d.join("cat.png");
        std::fs::write(&ckpt, b"x").unwrap();
        std::fs::write(&img, b"x").unwrap();
        let l = from_paths(&[img.clone(), ckpt.clone()]);
        assert_eq!(l.checkpoint.as_ref(), Some(&ckpt));
        assert_eq!(l.image.as_ref(), Some(&img));
        assert!(l.problems.is_empty());
        // A folder is a checkpoint.
        assert_eq!(
            from_paths(std::slice::from_ref(&d)).checkpoint,
            Some(d.clone())
        );
    }

    #[test]
    fn an_image_without_a_checkpoint_is_fine() {
        let d = dir("image-only");
        let img = d.join("digit.webp");
        std::fs::write(&img, b"x").unwrap();
        let l = from_paths(std::slice::from_ref(&img));
        assert_eq!((l.checkpoint, l.image), (None, Some(img)));
        assert!(l.problems.is_empty());
    }

    #[test]
    fn a_second_checkpoint_or_image_is_named_and_not_used() {
        let d = dir("two");
        let a = d.join("a.safetensors");
        let b = d.join("b.safetensors");
        std::fs::write(&a, b"x").unwrap();
        std::fs::write(&b, b"x").unwrap();
        let l = from_paths(&[a.clone(), b.clone()]);
        assert_eq!(l.checkpoint, Some(a));
        assert_eq!(l.problems.len(), 1);
        assert!(
            l.problems[0].starts_with("one checkpoint at a time"),
            "{:?}",
            l.problems
        );
        assert!(l.problems[0].contains("b.safetensors"));
    }

    #[test]
    fn missing_and_unknown_paths_are_problems() {
        let d = dir("bad");
        let missing = d.join("missing.safetensors");
        let txt = d.join("notes.txt");
        std::fs::write(&txt, b"hello, this is text").unwrap();
        let l = from_paths(&[missing, txt]);
        assert_eq!((l.checkpoint, l.image), (None, None));
        assert!(
            l.problems[0].starts_with("cannot open"),
            "{}",
            l.problems[0]
        );
        assert!(l.problems[0].contains("missing.safetensors"));
        assert!(
            l.problems[1].contains("is neither a checkpoint"),
            "{}",
            l.problems[1]
        );
    }

    #[test]
    fn files_without_extension_are_sniffed() {
        let d = dir("sniff");
        let png = d.join("picture");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n....").unwrap();
        let st = d.join("weights");
        let mut bytes = 2u64.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{}");
        std::fs::write(&st, bytes).unwrap();
        assert_eq!(classify_path(&png), Ok(PathKind::Image));
        assert_eq!(classify_path(&st), Ok(PathKind::Checkpoint));
    }
}
