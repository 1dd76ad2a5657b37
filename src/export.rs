//! Exports, GUI-free: tables as CSV, a region of a screenshot as PNG, file names that do not
//! overwrite.

use std::path::{Path, PathBuf};

/// A table of text cells: what a panel shows in a grid, ready for CSV.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// File stem to suggest when saving (`compare-formats`).
    pub name: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells, as shown on screen.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new(name: &str, header: &[&str]) -> Table {
        Table {
            name: name.to_string(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// RFC 4180 CSV with a header line; fields are quoted only when they need it.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let line: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
            out += &line.join(",");
            out.push('\n');
        }
        out
    }
}

/// Quote a CSV field when it needs it (names are user data: commas, quotes, newlines).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// An RGBA image, row-major, 4 bytes per pixel (a screenshot).
pub struct Rgba<'a> {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// `width * height * 4` bytes.
    pub pixels: &'a [u8],
}

/// Crop `[x0, x1) × [y0, y1)` (pixels, clamped to the image) out of `image` and encode it as
/// PNG. An empty or inconsistent region is an error, not a panic.
pub fn png_region(image: &Rgba, x0: f32, y0: f32, x1: f32, y1: f32) -> Result<Vec<u8>, String> {
    if image.pixels.len() != image.width * image.height * 4 {
        return Err("screenshot has the wrong number of pixels".into());
    }
    let clamp = |v: f32, max: usize| (v.max(0.0).round() as usize).min(max);
    let (left, right) = (clamp(x0, image.width), clamp(x1, image.width));
    let (top, bottom) = (clamp(y0, image.height), clamp(y1, image.height));
    if right <= left || bottom <= top {
        return Err("the region to save is empty (is it on screen?)".into());
    }
    let (w, h) = (right - left, bottom - top);
    let mut region = Vec::with_capacity(w * h * 4);
    for y in top..bottom {
        let start = (y * image.width + left) * 4;
        region.extend_from_slice(&image.pixels[start..start + w * 4]);
    }
    let img =
        image::RgbaImage::from_raw(w as u32, h as u32, region).ok_or("cannot build the image")?;
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode PNG: {e}"))?;
    Ok(png)
}

/// `folder/name`, or `folder/stem-2.ext`, `-3`, … when that file exists (never overwrite).
pub fn unused_path(folder: &Path, name: &str) -> PathBuf {
    let first = folder.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|i| folder.join(format!("{stem}-{i}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// A file name made from a title: lower case, words joined by `-`, only `[a-z0-9-]`.
pub fn file_stem(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "export".into()
    } else {
        out.chars().take(60).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_awkward_fields() {
        let mut t = Table::new("t", &["name", "value"]);
        t.push(vec!["a,b".into(), "1".into()]);
        t.push(vec!["say \"hi\"".into(), "line\nbreak".into()]);
        t.push(vec!["plain.weight".into(), "-0.5".into()]);
        assert_eq!(
            t.to_csv(),
            "name,value\n\"a,b\",1\n\"say \"\"hi\"\"\",\"line\nbreak\"\nplain.weight,-0.5\n"
        );
    }

    #[test]
    fn png_region_crops_exactly() {
        // 3×2 image, pixel (x, y) has red = 10x + y.
        let mut px = Vec::new();
        for y in 0..2u8 {
            for x in 0..3u8 {
                px.extend_from_slice(&[10 * x + y, 0, 0, 255]);
            }
        }
        let img = Rgba {
            width: 3,
            height: 2,
            pixels: &px,
        };
        let png = png_region(&img, 1.0, 1.0, 9.0, 9.0).unwrap();
        let back = image::load_from_memory(&png).unwrap().to_rgba8();
        assert_eq!(back.dimensions(), (2, 1));
        assert_eq!(back.get_pixel(0, 0).0, [11, 0, 0, 255]);
        assert_eq!(back.get_pixel(1, 0).0, [21, 0, 0, 255]);
        assert!(png_region(&img, 5.0, 0.0, 9.0, 2.0).is_err());
        let short = Rgba {
            width: 3,
            height: 3,
            pixels: &px,
        };
        assert!(png_region(&short, 0.0, 0.0, 1.0, 1.0).is_err());
    }

    #[test]
    fn unused_path_never_overwrites() {
        let dir = std::env::temp_dir().join(format!("qs-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = unused_path(&dir, "plot.png");
        assert_eq!(p, dir.join("plot.png"));
        std::fs::write(&p, b"x").unwrap();
        assert_eq!(unused_path(&dir, "plot.png"), dir.join("plot-2.png"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn file_stems_are_tame() {
        assert_eq!(
            file_stem("Histogram: original vs stored"),
            "histogram-original-vs-stored"
        );
        assert_eq!(file_stem("  ../../etc/passwd "), "etc-passwd");
        assert_eq!(file_stem("∞"), "export");
    }
}
