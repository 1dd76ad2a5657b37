//! Deep links: the part of the state a teacher shares, as a URL fragment
//! (`#tab=bits&value=0.1&format=float16`). GUI-free: parsing is lenient — unknown keys are
//! ignored, bad values are dropped with a note for the user — and writing is canonical, so
//! the web page can keep its address bar in step with the state.

/// What a link sets; `None` leaves that setting as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    /// The view's key: `bits`, `downcast`, `model`, … (the app's list of views).
    pub tab: Option<String>,
    /// Bits panel: the value box (any text the box takes: `0.1`, `1/3`, `0x3eab`).
    pub value: Option<String>,
    /// Bits panel: the format (canonical name).
    pub format: Option<String>,
    /// Bits panel (and the lab's casts): the rounding mode (`nearest-even` …).
    pub rounding: Option<String>,
    /// Lab: the distribution (`uniform`, `normal`, `laplace`, `student-t`, `outliers`).
    pub dist: Option<String>,
    /// Lab: the number of values.
    pub size: Option<usize>,
    /// Lab: the seed.
    pub seed: Option<u64>,
    /// Lab: the target format of a cast (canonical name).
    pub to: Option<String>,
    /// Lab: a quantization scheme instead of a cast (`int8`, `uint8`, `int4`, `uint4`,
    /// `fp8_e4m3fn`, `fp8_e5m2`).
    pub scheme: Option<String>,
}

/// The distributions a link may name.
pub const DISTS: [&str; 5] = ["uniform", "normal", "laplace", "student-t", "outliers"];

/// The quantization schemes a link may name.
pub const SCHEMES: [&str; 28] = [
    "int8",
    "uint8",
    "int4",
    "uint4",
    "fp8_e4m3fn",
    "fp8_e5m2",
    "mxfp8_e4m3",
    "mxfp8_e5m2",
    "mxfp6_e3m2",
    "mxfp6_e2m3",
    "mxfp4",
    "nvfp4",
    "nf4",
    "q4_0",
    "q4_1",
    "q5_0",
    "q5_1",
    "q8_0",
    "q2_k",
    "q3_k",
    "q4_k",
    "q5_k",
    "q6_k",
    "iq4_nl",
    "iq4_xs",
    "tq1_0",
    "tq2_0",
    "ggml_mxfp4",
];

/// Smallest lab size a link may ask for (the lab's own limit).
pub const MIN_SIZE: usize = 10;

/// Largest lab size a link may ask for (the lab's own limit).
pub const MAX_SIZE: usize = 10_000_000;

/// Longest value text taken from a link.
const MAX_VALUE_CHARS: usize = 200;

/// Read a fragment (with or without the leading `#`); `tabs` are the views a link may name
/// (the app's list of views). Returns the link and one note per key whose value was not used
/// (unknown keys are ignored silently, as the web does).
pub fn parse(fragment: &str, tabs: &[&str]) -> (Link, Vec<String>) {
    let mut link = Link::default();
    let mut notes = Vec::new();
    let text = fragment.trim().trim_start_matches('#');
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(raw);
        let mut bad = |why: &str| {
            notes.push(format!(
                "link: {key}={} {why}; kept the default",
                crate::formats::spec::printable(&value)
            ))
        };
        match key {
            "tab" => match tabs.iter().find(|t| t.eq_ignore_ascii_case(&value)) {
                Some(t) => link.tab = Some(t.to_string()),
                None => bad(&format!("is not {}", one_of(tabs))),
            },
            "value" => {
                if value.is_empty() || value.chars().count() > MAX_VALUE_CHARS {
                    bad("is empty or too long");
                } else {
                    link.value = Some(value);
                }
            }
            "format" | "to" => match crate::formats::Format::parse(&value) {
                Ok(f) if key == "format" => link.format = Some(f.name()),
                Ok(f) => link.to = Some(f.name()),
                Err(_) => bad("is not a format"),
            },
            "rounding" => match crate::formats::RoundingMode::parse(&value) {
                Some(m) => link.rounding = Some(m.name().to_string()),
                None => bad("is not a rounding mode"),
            },
            "dist" => match DISTS.iter().find(|d| d.eq_ignore_ascii_case(&value)) {
                Some(d) => link.dist = Some(d.to_string()),
                None => bad("is not a distribution"),
            },
            "scheme" => match SCHEMES.iter().find(|s| s.eq_ignore_ascii_case(&value)) {
                Some(s) => link.scheme = Some(s.to_string()),
                None => bad("is not a quantization scheme"),
            },
            "size" => match value.parse::<usize>() {
                Ok(n) if (MIN_SIZE..=MAX_SIZE).contains(&n) => link.size = Some(n),
                _ => bad("is not a size from 10 to 10000000"),
            },
            "seed" => match value.parse::<u64>() {
                Ok(s) => link.seed = Some(s),
                Err(_) => bad("is not a seed (a whole number)"),
            },
            _ => {}
        }
    }
    (link, notes)
}

/// `a, b or c`.
pub fn one_of(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// The fragment for `link` (without `#`), keys in a fixed order, values percent-encoded.
pub fn write(link: &Link) -> String {
    let size = link.size.map(|n| n.to_string());
    let seed = link.seed.map(|n| n.to_string());
    let pairs: [(&str, Option<&str>); 9] = [
        ("tab", link.tab.as_deref()),
        ("value", link.value.as_deref()),
        ("format", link.format.as_deref()),
        ("rounding", link.rounding.as_deref()),
        ("dist", link.dist.as_deref()),
        ("size", size.as_deref()),
        ("seed", seed.as_deref()),
        ("to", link.to.as_deref()),
        ("scheme", link.scheme.as_deref()),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", percent_encode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// A whole link: `base` (e.g. `https://example.org/quantscope/`) with the fragment.
pub fn url(base: &str, link: &Link) -> String {
    let base = base.split('#').next().unwrap_or(base);
    format!("{base}#{}", write(link))
}

/// Percent-encode everything but unreserved characters (RFC 3986).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes (and `+` as a space); invalid escapes and bytes stay as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app's views when these tests were written.
    const TABS: [&str; 3] = ["bits", "downcast", "model"];

    fn parse(fragment: &str) -> (Link, Vec<String>) {
        super::parse(fragment, &TABS)
    }

    #[test]
    fn the_issue_example_opens_0_1_in_float16() {
        let (link, notes) = parse("#tab=bits&value=0.1&format=float16");
        assert!(notes.is_empty());
        assert_eq!(link.tab.as_deref(), Some("bits"));
        assert_eq!(link.value.as_deref(), Some("0.1"));
        assert_eq!(link.format.as_deref(), Some("float16"));
    }

    #[test]
    fn aliases_become_canonical_and_writing_reads_back() {
        let (link, notes) =
            parse("tab=downcast&dist=normal&size=100000&seed=7&to=bf16&rounding=stochastic&junk=1");
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(link.to.as_deref(), Some("bfloat16"));
        let text = write(&link);
        assert_eq!(
            text,
            "tab=downcast&rounding=stochastic&dist=normal&size=100000&seed=7&to=bfloat16"
        );
        assert_eq!(parse(&text).0, link);
    }

    #[test]
    fn values_with_any_text_survive_the_round_trip() {
        let link = Link {
            value: Some("1/3 & -2.5e-3 #=?ü".into()),
            ..Link::default()
        };
        let text = write(&link);
        assert!(!text.contains(' ') && !text.contains('#'), "{text}");
        assert_eq!(parse(&text).0, link);
    }

    #[test]
    fn bad_values_are_dropped_with_a_note_and_never_panic() {
        let (link, notes) = parse(
            "tab=graphs&format=float7&size=0&size=99999999999&seed=-1&dist=cauchy&scheme=int3&rounding=up-ish&value=",
        );
        assert_eq!(link, Link::default());
        assert_eq!(notes.len(), 9, "{notes:?}");
        assert!(notes[0].contains("tab=graphs"), "{}", notes[0]);
        // Odd bytes, broken escapes, no `=`: nothing panics.
        for s in [
            "%",
            "%zz",
            "value=%E2%82",
            "&&&",
            "=",
            "tab",
            "value=%00",
            "a=b=c",
        ] {
            let _ = parse(s);
        }
        assert_eq!(percent_decode("%41%zz%"), "A%zz%");
    }

    #[test]
    fn urls_keep_their_base() {
        let link = Link {
            tab: Some("bits".into()),
            ..Link::default()
        };
        assert_eq!(
            url("https://example.org/q/index.html#old", &link),
            "https://example.org/q/index.html#tab=bits"
        );
    }
}
