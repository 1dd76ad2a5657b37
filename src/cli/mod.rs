//! The command-line interface: a thin layer over [`crate::formats`].
//!
//! Its subcommands, flags and JSON fields are a contract (they are how the numbers are
//! checked against PyTorch and ml_dtypes): extend, never rename.

use crate::formats::decimal::shortest_repr;
use crate::formats::parse::{parse_bits, parse_number};
use crate::formats::{Analysis, Format, Info, Kind, Rounder, RoundingMode};
use clap::{Parser, Subcommand};

mod checkpoint;
mod infer;
mod lab;
use serde_json::{Value, json};

/// How the window is opened, shown under `quantscope --help`.
const GUI_HELP: &str = "\
With no subcommand, quantscope opens its window.
  quantscope                     the window, as it was left
  quantscope PATH [PATH]         the window on a checkpoint (.safetensors file, model folder,
                                 model.safetensors.index.json, .gguf file) and/or an image (PNG,
                                 JPEG, WebP), in any order
  quantscope open PATH [IMAGE]   the same, spelled out
  quantscope --open '#tab=bits&value=0.1&format=float16'
                                 the window in a deep link's state (the web page's URL
                                 fragment: tab, value, format, rounding, dist, size, seed,
                                 to, scheme)";

/// Exit code for bad input (unknown format, unparsable value, bad flags).
pub const EXIT_BAD_INPUT: i32 = 2;

/// `quantscope` with no arguments opens the GUI; with a subcommand it runs the CLI.
#[derive(Parser, Debug)]
#[command(
    name = "quantscope",
    version,
    about = "See what number formats and quantization do.",
    after_help = GUI_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Open the window on a checkpoint and/or an image (the same as `quantscope PATH…`).
    Open {
        /// A .safetensors file, a model folder or an index .json, and/or an image.
        paths: Vec<std::path::PathBuf>,
    },
    /// List every format with its bit layout.
    Formats {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Limits of a format, printed exactly as torch.finfo / torch.iinfo print them.
    Finfo {
        /// Format name or alias (float16, bf16, int8, e4m3 …).
        format: String,
        /// Print a JSON object instead.
        #[arg(long)]
        json: bool,
    },
    /// Store values in a format and report bits, fields, exact value and error.
    Cast {
        /// Target format.
        #[arg(long)]
        to: String,
        /// Rounding mode: nearest-even, nearest-away, toward-zero, up, down, stochastic.
        #[arg(long, default_value = "nearest-even")]
        rounding: String,
        /// Seed for stochastic rounding.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Read VALUEs as bit patterns of the target format (0x3eab, 0b…).
        #[arg(long)]
        from_bits: bool,
        /// Print a JSON array, one object per value.
        #[arg(long)]
        json: bool,
        /// Decimals, fractions (1/3), inf, -inf, nan; or bit patterns with --from-bits.
        #[arg(required = true, allow_negative_numbers = true)]
        values: Vec<String>,
    },
    /// Draw a random tensor, cast it, and report statistics, errors and dot products.
    Downcast {
        /// Distribution: uniform (torch.rand's [0, 1)), normal, laplace, student-t, outliers.
        #[arg(long, default_value = "uniform")]
        dist: String,
        /// Number of values (1 to 10^7).
        #[arg(long, default_value_t = 1000)]
        size: usize,
        /// Seed of the generator (and of stochastic rounding).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Target format.
        #[arg(long)]
        to: String,
        /// Rounding mode.
        #[arg(long, default_value = "nearest-even")]
        rounding: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Quantize one tensor of a .safetensors file and report scales and error.
    Quantize {
        /// The .safetensors file (opened read-only); for the ggml schemes also a .gguf file.
        file: std::path::PathBuf,
        /// Name of the tensor.
        #[arg(long)]
        tensor: String,
        /// int8, uint8, int4, uint4, fp8_e4m3fn, fp8_e5m2; or a block scheme: mxfp8_e4m3,
        /// mxfp8_e5m2, mxfp6_e3m2, mxfp6_e2m3, mxfp4, nvfp4, nf4; or a ggml type as
        /// llama-quantize writes it without --imatrix: q4_0, q4_1, q5_0, q5_1, q8_0, q2_k,
        /// q3_k, q4_k, q5_k, q6_k, iq4_nl, iq4_xs, tq1_0, tq2_0, ggml_mxfp4.
        #[arg(long)]
        scheme: String,
        /// symmetric or asymmetric (default: asymmetric for uint8/uint4, else symmetric).
        #[arg(long)]
        mode: Option<String>,
        /// tensor, channel[:AXIS] or group:SIZE [default: tensor].
        #[arg(long)]
        granularity: Option<String>,
        /// nvfp4: a per-tensor f32 scale too (two-level scaling).
        #[arg(long)]
        tensor_scale: bool,
        /// nf4: quantize the absmax scales again (8 bits, blocks of 256).
        #[arg(long)]
        double_quant: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Include the quantized values "q" (flat, row-major) in the JSON: integers, fp8
        /// values, or for block schemes the element codes (bit patterns; NF4 level indices);
        /// for ggml types "bytes_hex", the blocks exactly as a GGUF file stores them.
        #[arg(long)]
        dump_q: bool,
    },
    /// List a checkpoint's tensors, parameters and memory per precision.
    Inspect {
        /// A .safetensors file, a folder holding one, a model.safetensors.index.json, or a
        /// .gguf file (the first part of a split one opens them all).
        path: std::path::PathBuf,
        /// Also compute each tensor's statistics (reads every tensor).
        #[arg(long)]
        stats: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write one tensor of a checkpoint decoded to F32, as a .safetensors file.
    Dequantize {
        /// A checkpoint quantscope opens (.gguf, .safetensors, a folder, an index); read-only.
        checkpoint: std::path::PathBuf,
        /// Name of the tensor.
        #[arg(long)]
        tensor: String,
        /// The .safetensors file to write (the tensor under the same name).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Overwrite `--out` if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Classify an image with a model in one precision.
    Classify {
        #[command(flatten)]
        input: infer::ModelInput,
        /// float32, bfloat16, float16, int8 or fp8_e4m3fn.
        #[arg(long, default_value = "float32")]
        dtype: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Classify an image in every precision, each compared with float32.
    Compare {
        #[command(flatten)]
        input: infer::ModelInput,
        /// Also give the relative error against float32 after every layer.
        #[arg(long)]
        layers: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Quantization error of every float tensor under several schemes.
    Sensitivity {
        /// A .safetensors file, a folder holding one, or a model.safetensors.index.json.
        path: std::path::PathBuf,
        /// Comma-separated schemes: format names (bfloat16) or QTYPE[:channel|:group:N].
        #[arg(long, default_value = crate::model::analysis::DEFAULT_SCHEMES)]
        schemes: String,
        /// Print JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV.
        #[arg(long)]
        csv: bool,
    },
}

/// A one-line reason the command failed.
#[derive(Debug)]
pub struct CliError(pub String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

/// Parse `args` (including the program name) and run; returns the text for stdout.
///
/// `--help`/`--version` come back as `Ok` text; every other problem is a one-line error.
pub fn run<I, T>(args: I) -> Result<String, CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args = protect_negative_words(args.into_iter().map(Into::into).collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => return Ok(e.to_string()),
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("bad arguments");
            return Err(CliError(
                first.trim_start_matches("error: ").trim().to_string(),
            ));
        }
    };
    match cli.command {
        Command::Open { .. } => Err(CliError(
            "`open` opens the window: run it as `quantscope open PATH [IMAGE]`".into(),
        )),
        Command::Formats { json } => Ok(formats(json)),
        Command::Finfo { format, json } => finfo(&format, json),
        Command::Cast {
            to,
            rounding,
            seed,
            from_bits,
            json,
            values,
        } => cast(&to, &rounding, seed, from_bits, json, &values),
        Command::Downcast {
            dist,
            size,
            seed,
            to,
            rounding,
            json,
        } => lab::downcast(&dist, size, seed, &to, &rounding, json),
        Command::Quantize {
            file,
            tensor,
            scheme,
            mode,
            granularity,
            tensor_scale,
            double_quant,
            json,
            dump_q,
        } => lab::quantize(&lab::QuantizeArgs {
            file: &file,
            tensor: &tensor,
            scheme: &scheme,
            mode: mode.as_deref(),
            granularity: granularity.as_deref(),
            tensor_scale,
            double_quant,
            json,
            dump_q,
        }),
        Command::Inspect { path, stats, json } => checkpoint::inspect(&path, stats, json),
        Command::Dequantize {
            checkpoint: path,
            tensor,
            out,
            force,
        } => checkpoint::dequantize(&path, &tensor, &out, force),
        Command::Classify { input, dtype, json } => infer::classify(&input, &dtype, json),
        Command::Sensitivity {
            path,
            schemes,
            json,
            csv,
        } => checkpoint::sensitivity(&path, &schemes, json, csv),
        Command::Compare {
            input,
            layers,
            json,
        } => infer::compare(&input, layers, json),
    }
}

/// What to open the window on when `args` (program name first) ask for the window: no
/// arguments, `open PATH…`, paths in place of a subcommand, and `--open FRAGMENT` (a deep
/// link) anywhere among them. `None`: a CLI command (or `--help`, `--version`, or a word
/// that is neither a subcommand nor a path, which clap then reports).
pub fn gui_args(args: &[std::ffi::OsString]) -> Option<GuiArgs> {
    use clap::CommandFactory as _;
    let mut rest: Vec<std::ffi::OsString> = args.get(1..).unwrap_or_default().to_vec();
    let mut link = None;
    if let Some(i) = rest.iter().position(|w| w == "--open") {
        link = Some(rest.get(i + 1)?.to_string_lossy().into_owned());
        rest.drain(i..i + 2);
    } else if let Some(i) = rest
        .iter()
        .position(|w| w.to_str().is_some_and(|s| s.starts_with("--open=")))
    {
        link = Some(rest[i].to_string_lossy()["--open=".len()..].to_string());
        rest.remove(i);
    }
    let paths = |words: &[std::ffi::OsString]| words.iter().map(std::path::PathBuf::from).collect();
    let is_flag = |w: &std::ffi::OsString| w.to_str().is_some_and(|s| s.starts_with('-'));
    let Some(first) = rest.first() else {
        return Some(GuiArgs {
            paths: Vec::new(),
            link,
        });
    };
    if first == "open" {
        return (!rest[1..].iter().any(is_flag)).then(|| GuiArgs {
            paths: paths(&rest[1..]),
            link,
        });
    }
    if is_flag(first) {
        return None;
    }
    let word = first.to_string_lossy();
    let command = Cli::command();
    let subcommand = word == "help" || command.get_subcommands().any(|c| c.get_name() == word);
    // A word that exists, or is spelled like a path, is a path (a missing file then gets a
    // message in the window); anything else is left to clap ("unrecognized subcommand").
    let path_like = std::path::Path::new(first).exists() || word.contains(['/', '.', '\\']);
    (!subcommand && path_like).then(|| GuiArgs {
        paths: paths(&rest),
        link,
    })
}

/// The window's command line: paths to open and a deep link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuiArgs {
    /// Checkpoints and images, in the order given.
    pub paths: Vec<std::path::PathBuf>,
    /// The `--open` fragment.
    pub link: Option<String>,
}

/// Run from `std::env::args_os()`: print the result, or one line on stderr; exit code.
pub fn main_with_args(args: Vec<std::ffi::OsString>) -> i32 {
    match run(args) {
        Ok(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            0
        }
        Err(CliError(message)) => {
            let line = message.lines().next().unwrap_or("error");
            eprintln!("quantscope: {line}");
            EXIT_BAD_INPUT
        }
    }
}

/// clap reads `-inf`/`-nan`/`-pi` as flags; `-- -inf` always works, but a user types
/// `quantscope cast --to bf16 -inf`. Such words get a leading space (which clap takes as
/// a value and the number parser trims), keeping their order among the other values.
fn protect_negative_words(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    args.into_iter()
        .map(|a| match a.to_str() {
            Some(s)
                if s.starts_with('-')
                    && !s.starts_with("--")
                    && s.len() > 2
                    && parse_number(s).is_ok() =>
            {
                format!(" {s}").into()
            }
            _ => a,
        })
        .collect()
}

fn formats(json: bool) -> String {
    let all = Format::all();
    if json {
        let rows: Vec<Value> = all.iter().map(format_json).collect();
        return pretty(&Value::Array(rows));
    }
    let mut out = format!(
        "{:<15} {:>4} {:>4} {:>4} {:>6} {:>4} {:>4}  {}\n",
        "format", "bits", "exp", "man", "bias", "inf", "nan", "aliases"
    );
    for f in &all {
        let (e, m, bias) = match f.kind {
            Kind::Float(s) => (
                s.exp_bits.to_string(),
                s.man_bits.to_string(),
                s.bias.to_string(),
            ),
            Kind::Int(_) => ("-".into(), "-".into(), "-".into()),
        };
        let yes = |b: bool| if b { "yes" } else { "no" };
        out += &format!(
            "{:<15} {:>4} {:>4} {:>4} {:>6} {:>4} {:>4}  {}\n",
            f.name(),
            f.bits(),
            e,
            m,
            bias,
            yes(f.has_inf()),
            yes(f.has_nan()),
            f.aliases().join(", ")
        );
    }
    out += "custom floats: eXmY (IEEE inf/NaN) or eXmYfn (finite), e.g. e4m3, e3m4fn\n";
    out
}

/// One format as a JSON object (the `formats --json` contract).
pub fn format_json(f: &Format) -> Value {
    let (kind, e, m, bias) = match f.kind {
        Kind::Float(s) => ("float", s.exp_bits, s.man_bits, json!(s.bias)),
        Kind::Int(i) => (
            if i.signed { "int" } else { "uint" },
            0,
            if i.signed { i.bits - 1 } else { i.bits },
            Value::Null,
        ),
    };
    json!({
        "name": f.name(),
        "aliases": f.aliases(),
        "kind": kind,
        "bits": f.bits(),
        "exponent_bits": e,
        "mantissa_bits": m,
        "bias": bias,
        "has_inf": f.has_inf(),
        "has_nan": f.has_nan(),
    })
}

fn finfo(name: &str, json: bool) -> Result<String, CliError> {
    let info = Info::of(&Format::parse(name)?);
    Ok(if json {
        pretty(&info.to_json())
    } else {
        info.torch_text()
    })
}

fn cast(
    to: &str,
    rounding: &str,
    seed: u64,
    from_bits: bool,
    json: bool,
    values: &[String],
) -> Result<String, CliError> {
    let format = Format::parse(to)?;
    let mode = rounding_mode(rounding)?;
    let mut rounder = Rounder::new(mode, seed);
    let mut rows = Vec::with_capacity(values.len());
    for text in values {
        let a = if from_bits {
            let bits = parse_bits(text, &format)?;
            let value = crate::formats::decode(&format, bits);
            Analysis::of_bits(format, bits, value)
        } else {
            Analysis::of_value(format, parse_number(text)?, &mut rounder)
        };
        rows.push((text.trim(), a));
    }
    if json {
        let objs: Vec<Value> = rows.iter().map(|(t, a)| cast_json(t, a)).collect();
        return Ok(pretty(&Value::Array(objs)));
    }
    let mut out = String::new();
    for (text, a) in rows {
        out += &format!(
            "{text} -> {} {}  [{}]  {}  {}\n  exact {}\n  abs error {}  rel error {}\n",
            a.format.name(),
            a.hex(),
            spaced_fields(&a),
            a.class.name(),
            shortest_repr(a.value),
            a.exact(),
            shortest_repr(a.abs_error()),
            shortest_repr(a.rel_error()),
        );
    }
    Ok(out)
}

/// Parse `--rounding`, naming the choices on error.
pub fn rounding_mode(text: &str) -> Result<RoundingMode, CliError> {
    RoundingMode::parse(text).ok_or_else(|| {
        CliError(format!(
            "unknown rounding mode '{}' (one of: {})",
            crate::formats::spec::printable(text),
            RoundingMode::ALL.map(|m| m.name()).join(", ")
        ))
    })
}

/// One cast result as a JSON object (the `cast --json` contract).
pub fn cast_json(input: &str, a: &Analysis) -> Value {
    let num = |x: f64| {
        if x.is_finite() { json!(x) } else { Value::Null }
    };
    json!({
        "input": input,
        "format": a.format.name(),
        "bits": a.hex(),
        "sign": a.sign,
        "exponent": a.exponent,
        "mantissa": a.mantissa,
        "class": a.class.name(),
        "value": shortest_repr(a.value),
        "exact": a.exact(),
        "abs_error": num(a.abs_error()),
        "rel_error": num(a.rel_error()),
    })
}

/// The binary digits grouped by field: `0 01111101 0101011`.
fn spaced_fields(a: &Analysis) -> String {
    let b = a.binary();
    match a.format.kind {
        Kind::Float(f) => {
            let (s, rest) = b.split_at(usize::from(f.signed()));
            let (e, m) = rest.split_at(f.exp_bits as usize);
            if s.is_empty() {
                return [e, m].join(" ").trim().to_string();
            }
            if m.is_empty() {
                format!("{s} {e}")
            } else {
                format!("{s} {e} {m}")
            }
        }
        Kind::Int(_) => b,
    }
}

/// Pretty-printed JSON.
pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(args: &[&str]) -> String {
        let mut v = vec!["quantscope"];
        v.extend_from_slice(args);
        run(v).unwrap_or_else(|e| panic!("{args:?}: {}", e.0))
    }

    fn err(args: &[&str]) -> String {
        let mut v = vec!["quantscope"];
        v.extend_from_slice(args);
        run(v).err().map(|e| e.0).expect("should fail")
    }

    #[test]
    fn cast_one_third_to_bfloat16() {
        // Source: lesson (torch 2.1.1): torch.tensor(1/3, dtype=torch.bfloat16) → 0.333984375.
        let v: Value =
            serde_json::from_str(&ok(&["cast", "--to", "bf16", "--json", "1/3"])).unwrap();
        let o = &v[0];
        assert_eq!(o["input"], "1/3");
        assert_eq!(o["format"], "bfloat16");
        assert_eq!(o["bits"], "0x3eab");
        assert_eq!(o["sign"], 0);
        assert_eq!(o["exponent"], 125);
        assert_eq!(o["mantissa"], 43);
        assert_eq!(o["class"], "normal");
        assert_eq!(o["value"], "0.333984375");
        assert_eq!(o["exact"], "0.333984375");
        assert!((o["abs_error"].as_f64().unwrap() - (0.333984375 - 1.0 / 3.0)).abs() < 1e-18);
    }

    #[test]
    fn negative_words_are_values_not_flags() {
        let v: Value = serde_json::from_str(&ok(&[
            "cast", "--to", "fp16", "-inf", "-1.5", "nan", "--json",
        ]))
        .unwrap();
        assert_eq!(v[0]["value"], "-inf");
        assert_eq!(v[0]["bits"], "0xfc00");
        assert_eq!(v[0]["abs_error"], 0.0);
        assert_eq!(v[1]["value"], "-1.5");
        assert_eq!(v[2]["class"], "nan");
        assert_eq!(v[2]["abs_error"], Value::Null);
    }

    #[test]
    fn from_bits_reads_patterns() {
        let v: Value = serde_json::from_str(&ok(&[
            "cast",
            "--to",
            "float8_e4m3fn",
            "--from-bits",
            "--json",
            "0x7e",
            "0x7f",
        ]))
        .unwrap();
        assert_eq!(v[0]["value"], "448.0");
        assert_eq!(v[1]["class"], "nan");
    }

    #[test]
    fn finfo_prints_like_torch() {
        assert_eq!(
            ok(&["finfo", "float16"]),
            "finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)"
        );
        assert_eq!(
            ok(&["finfo", "int8"]),
            "iinfo(min=-128, max=127, dtype=int8)"
        );
        let v: Value = serde_json::from_str(&ok(&["finfo", "int64", "--json"])).unwrap();
        assert_eq!(v["min"], json!(i64::MIN));
    }

    #[test]
    fn formats_json_lists_every_field() {
        let v: Value = serde_json::from_str(&ok(&["formats", "--json"])).unwrap();
        let bf16 = v
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "bfloat16")
            .unwrap();
        assert_eq!(bf16["bits"], 16);
        assert_eq!(bf16["exponent_bits"], 8);
        assert_eq!(bf16["mantissa_bits"], 7);
        assert_eq!(bf16["bias"], 127);
        assert_eq!(bf16["has_inf"], true);
        assert_eq!(bf16["has_nan"], true);
    }

    #[test]
    fn bad_input_is_one_line() {
        for e in [
            err(&["cast", "--to", "float7", "1"]),
            err(&["cast", "--to", "bf16", "one"]),
            err(&["cast", "--to", "bf16", "--from-bits", "0x12345"]),
            err(&["cast", "--to", "bf16", "--rounding", "sideways", "1"]),
            err(&["finfo", "nope"]),
            err(&["frobnicate"]),
            err(&["cast", "--to", "bf16"]),
        ] {
            assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
        }
    }
}
