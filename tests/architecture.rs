//! The house rules of `src/app` that ARCHITECTURE.md states, checked on the source: `mod.rs`
//! is only the module tree (at most 150 lines), no file is over 600 lines, colours are
//! written only in the style module, and no two files import each other round a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn app_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable folder") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The module path of a file under `src/app` (`views/bits/panel.rs` → `views::bits::panel`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(app_dir()).expect("under src/app");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The code of a file without its comments and its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn mod_rs_is_the_module_tree_and_files_stay_small() {
    let top = std::fs::read_to_string(app_dir().join("mod.rs")).expect("src/app/mod.rs");
    assert!(
        top.lines().count() <= 150,
        "src/app/mod.rs is over 150 lines"
    );
    for line in code(&top).lines().filter(|l| !l.trim().is_empty()) {
        let l = line.trim();
        assert!(
            l.starts_with("pub mod ")
                || l.starts_with("mod ")
                || l.starts_with("pub use ")
                || l.starts_with("#[cfg("),
            "src/app/mod.rs holds more than the module tree: {l}"
        );
    }
    for f in rust_files(&app_dir()) {
        let n = std::fs::read_to_string(&f).expect("source").lines().count();
        assert!(n <= 600, "{} has {n} lines (at most 600)", f.display());
    }
}

#[test]
fn colours_are_written_only_in_the_style_module() {
    let style = app_dir().join("style");
    for f in rust_files(&app_dir())
        .iter()
        .filter(|f| !f.starts_with(&style))
    {
        let text = code(&std::fs::read_to_string(f).expect("source"));
        for needle in ["Color32::", "Rgba::", "Color32 {", "Color32(", "Rgba("] {
            assert!(
                !text.contains(needle),
                "{} writes a colour ({needle}); use app::style::palette",
                f.display()
            );
        }
    }
}

/// `a::b::c` references in `text` to modules of `src/app`, resolved against `module`.
fn references(module: &str, text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parent: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let is_mod_rs = |m: &str| modules.iter().any(|o| o.starts_with(&format!("{m}::")));
    for (start, _) in text
        .match_indices("crate::app::")
        .chain(text.match_indices("super::"))
    {
        let rest = &text[start..];
        let (base, tail): (Vec<&str>, &str) = if let Some(t) = rest.strip_prefix("crate::app::") {
            (Vec::new(), t)
        } else {
            // `super` of a folder's mod.rs is the folder's parent; of a file, its folder.
            let mut b = parent.clone();
            if is_mod_rs(module) {
                b.pop();
            }
            b.pop();
            (b, &rest["super::".len()..])
        };
        let path: Vec<&str> = tail
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .next()
            .unwrap_or("")
            .split("::")
            .filter(|s| !s.is_empty())
            .collect();
        // The longest prefix that is a module of src/app.
        let mut best = None;
        for n in 1..=path.len() {
            let mut m = base.clone();
            m.extend(&path[..n]);
            let m = m.join("::");
            if modules.contains(&m) {
                best = Some(m);
            }
        }
        if let Some(m) = best
            && m != module
        {
            out.insert(m);
        }
    }
    out
}

#[test]
fn no_import_circles() {
    let files = rust_files(&app_dir());
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let m = module_of(f);
        let text = code(&std::fs::read_to_string(f).expect("source"));
        edges.insert(m.clone(), references(&m, &text, &modules));
    }
    // A mod.rs that is only the module tree (its `mod` lines and re-exports) holds no code
    // that imports its children: drop those edges. A mod.rs with code of its own (the list
    // of views) keeps them, so a child importing from it is a circle.
    for f in &files {
        let m = module_of(f);
        let text = code(&std::fs::read_to_string(f).expect("source"));
        let tree_only = f.ends_with("mod.rs")
            && text.lines().map(str::trim).all(|l| {
                l.is_empty()
                    || l.starts_with("pub mod ")
                    || l.starts_with("mod ")
                    || l.starts_with("pub use ")
                    || l.starts_with("#[cfg(")
            });
        if tree_only && let Some(to) = edges.get_mut(&m) {
            to.retain(|t| !t.starts_with(&format!("{m}::")) && !m.is_empty());
        }
    }
    // Depth-first search for a cycle.
    fn visit<'a>(
        m: &'a str,
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(2) => return None,
            Some(1) => {
                let i = stack.iter().position(|s| *s == m).unwrap_or(0);
                let mut c: Vec<String> = stack[i..].iter().map(|s| s.to_string()).collect();
                c.push(m.to_string());
                return Some(c);
            }
            _ => {}
        }
        state.insert(m, 1);
        stack.push(m);
        for t in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(t, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(m, 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in edges.keys() {
        if let Some(cycle) = visit(m, &edges, &mut state, &mut Vec::new()) {
            panic!("import circle in src/app: {}", cycle.join(" → "));
        }
    }
    // The checker sees the imports it should: the shell uses the list of views.
    assert!(edges["shell"].contains("views"));
}
