//! The bytes of a checkpoint file: memory-mapped read-only from disk on the desktop (nothing
//! is read until a tensor is asked for), or owned (a file picked or dropped on the web page).

use std::path::Path;

/// A file's bytes, mapped or owned.
pub enum FileBytes {
    /// Mapped read-only from disk.
    #[cfg(not(target_arch = "wasm32"))]
    Mapped(memmap2::Mmap),
    /// Held in memory.
    Owned(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            #[cfg(not(target_arch = "wasm32"))]
            FileBytes::Mapped(m) => m,
            FileBytes::Owned(v) => v,
        }
    }
}

impl FileBytes {
    /// Map `path` read-only (the file is never written). Errors name the file.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn map(path: &Path) -> Result<FileBytes, String> {
        let shown = path.display();
        let file = std::fs::File::open(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
        if file
            .metadata()
            .map_err(|e| format!("cannot read {shown}: {e}"))?
            .len()
            == 0
        {
            // An empty file cannot be mapped; its bytes are none.
            return Ok(FileBytes::Owned(Vec::new()));
        }
        // SAFETY: the map is read-only; the file is opened read-only and never written by us.
        let map =
            unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("cannot map {shown}: {e}"))?;
        Ok(FileBytes::Mapped(map))
    }

    /// In the browser there is no file system: files come as bytes.
    #[cfg(target_arch = "wasm32")]
    pub fn map(path: &Path) -> Result<FileBytes, String> {
        Err(format!(
            "cannot open {}: the browser reads files only when they are picked or dropped",
            path.display()
        ))
    }
}
