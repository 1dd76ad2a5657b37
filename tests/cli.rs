//! The CLI contract, run as a real process: stdout, stderr and exit codes.

mod common;
use common::quantscope;

fn stdout(args: &[&str]) -> String {
    let out = quantscope(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout(args)).expect("valid JSON")
}

#[test]
fn cast_json_has_the_contract_fields() {
    let v = json(&["cast", "--to", "bfloat16", "--json", "1/3"]);
    let o = &v[0];
    for key in [
        "input",
        "format",
        "bits",
        "sign",
        "exponent",
        "mantissa",
        "class",
        "value",
        "exact",
        "abs_error",
        "rel_error",
    ] {
        assert!(o.get(key).is_some(), "missing {key}");
    }
    // Source: the lesson (torch 2.1.1): 1/3 in bfloat16 is 0.333984375.
    assert_eq!(o["bits"], "0x3eab");
    assert_eq!(o["value"], "0.333984375");
    assert_eq!(o["exponent"], 125);
    assert_eq!(o["mantissa"], 43);
}

#[test]
fn one_third_to_sixty_digits_in_the_lesson_formats() {
    // Source: the lesson, `print(f"{tensor.item():.60f}")` for 1/3 in each dtype.
    for (fmt, exact) in [
        (
            "float64",
            "0.333333333333333314829616256247390992939472198486328125",
        ),
        ("float32", "0.3333333432674407958984375"),
        ("float16", "0.333251953125"),
        ("bfloat16", "0.333984375"),
    ] {
        let v = json(&["cast", "--to", fmt, "--json", "1/3"]);
        assert_eq!(v[0]["exact"], exact, "{fmt}");
    }
}

#[test]
fn specials_and_rounding_modes() {
    let v = json(&[
        "cast",
        "--to",
        "float8_e4m3fn",
        "--json",
        "inf",
        "-inf",
        "nan",
        "465",
        "464",
    ]);
    // Source: ml_dtypes 0.6.0: e4m3fn has no inf; inf and overflow become NaN (0x7f / 0xff).
    assert_eq!(v[0]["bits"], "0x7f");
    assert_eq!(v[1]["bits"], "0xff");
    assert_eq!(v[2]["class"], "nan");
    assert_eq!(v[3]["bits"], "0x7f");
    assert_eq!(v[4]["value"], "448.0");
    let up = json(&["cast", "--to", "bf16", "--rounding", "up", "--json", "1/3"]);
    let down = json(&[
        "cast",
        "--to",
        "bf16",
        "--rounding",
        "down",
        "--json",
        "1/3",
    ]);
    assert_eq!(up[0]["bits"], "0x3eab");
    assert_eq!(down[0]["bits"], "0x3eaa");
    let a = stdout(&[
        "cast",
        "--to",
        "e4m3",
        "--rounding",
        "stochastic",
        "--seed",
        "7",
        "--json",
        "0.3",
        "0.3",
        "0.3",
    ]);
    let b = stdout(&[
        "cast",
        "--to",
        "e4m3",
        "--rounding",
        "stochastic",
        "--seed",
        "7",
        "--json",
        "0.3",
        "0.3",
        "0.3",
    ]);
    assert_eq!(a, b, "same seed, same bits");
}

#[test]
fn from_bits_and_integers() {
    let v = json(&[
        "cast",
        "--to",
        "float16",
        "--from-bits",
        "--json",
        "0x3c00",
        "0x7bff",
        "0x0001",
    ]);
    assert_eq!(v[0]["value"], "1.0");
    assert_eq!(v[1]["value"], "65504.0");
    assert_eq!(v[2]["class"], "subnormal");
    assert_eq!(v[2]["exact"], "0.000000059604644775390625");
    let v = json(&["cast", "--to", "int8", "--json", "2.5", "-300", "127.5"]);
    assert_eq!(v[0]["exact"], "2");
    assert_eq!(v[1]["exact"], "-128");
    assert_eq!(v[2]["exact"], "127");
    assert_eq!(v[1]["bits"], "0x80");
}

#[test]
fn finfo_text_is_what_torch_prints() {
    // Source: the lesson's torch.finfo / torch.iinfo output (torch 2.1.1).
    assert_eq!(
        stdout(&["finfo", "float16"]).trim_end(),
        "finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)"
    );
    assert_eq!(
        stdout(&["finfo", "bfloat16"]).trim_end(),
        "finfo(resolution=0.01, min=-3.38953e+38, max=3.38953e+38, eps=0.0078125, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=bfloat16)"
    );
    assert_eq!(
        stdout(&["finfo", "int8"]).trim_end(),
        "iinfo(min=-128, max=127, dtype=int8)"
    );
    assert_eq!(
        stdout(&["finfo", "int64"]).trim_end(),
        "iinfo(min=-9.22337e+18, max=9.22337e+18, dtype=int64)"
    );
    let v = json(&["finfo", "int64", "--json"]);
    assert_eq!(v["min"].as_i64(), Some(i64::MIN));
    assert_eq!(v["max"].as_i64(), Some(i64::MAX));
    let v = json(&["finfo", "fp16", "--json"]);
    assert_eq!(v["eps"], 0.0009765625);
    assert_eq!(v["max"], 65504.0);
    assert_eq!(v["smallest_subnormal"], 5.960464477539063e-8);
}

#[test]
fn formats_lists_every_format() {
    let v = json(&["formats", "--json"]);
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for n in [
        "float64",
        "float32",
        "tfloat32",
        "float16",
        "bfloat16",
        "float8_e4m3fn",
        "float8_e5m2",
        "float6_e3m2fn",
        "float6_e2m3fn",
        "float4_e2m1fn",
        "uint8",
        "int8",
        "int16",
        "int32",
        "int64",
        "int4",
        "uint4",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    let e4m3 = v
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "float8_e4m3fn")
        .unwrap();
    assert_eq!(e4m3["bias"], 7);
    assert_eq!(e4m3["has_inf"], false);
    assert_eq!(e4m3["has_nan"], true);
    assert!(stdout(&["formats"]).contains("float4_e2m1fn"));
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_2() {
    for args in [
        &["cast", "--to", "float7", "1"][..],
        &["cast", "--to", "bf16", "zero point one"],
        &["cast", "--to", "bf16", "1/0"],
        &["cast", "--to", "bf16", "--from-bits", "0x12345"],
        &["cast", "--to", "bf16", "--from-bits", "0xzz"],
        &["cast", "--to", "bf16", "--rounding", "sideways", "1"],
        &["cast", "--to", "e99m3", "1"],
        &["cast", "--to", "\u{1b}[31mred\u{7}", "1"],
        &["finfo", "nope"],
        &["frobnicate"],
        &["cast", "--to", "bf16"],
        &["cast", "1"],
    ] {
        let out = quantscope(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
        assert!(
            !err.contains('\u{1b}'),
            "control characters are escaped: {err:?}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn help_is_not_an_error() {
    let out = quantscope(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cast"));
}

#[test]
fn help_says_that_no_subcommand_opens_the_window() {
    let help = stdout(&["--help"]);
    assert!(
        help.contains("With no subcommand, quantscope opens its window"),
        "{help}"
    );
    assert!(help.contains("quantscope open PATH [IMAGE]"), "{help}");
    // `open` is listed among the subcommands.
    assert!(
        help.lines().any(|l| l.trim_start().starts_with("open ")),
        "{help}"
    );
    let open_help = stdout(&["open", "--help"]);
    assert!(
        open_help.contains("Open the window on a checkpoint"),
        "{open_help}"
    );
}

#[test]
fn which_arguments_open_the_window() {
    use quantscope::cli::gui_args;
    let gui_paths = |a: &[std::ffi::OsString]| gui_args(a).map(|g| g.paths);
    let args = |words: &[&str]| -> Vec<std::ffi::OsString> {
        std::iter::once("quantscope")
            .chain(words.iter().copied())
            .map(Into::into)
            .collect()
    };
    let paths = |words: &[&str]| Some(words.iter().map(std::path::PathBuf::from).collect());
    // Nothing: the window as it was left.
    assert_eq!(gui_paths(&args(&[])), Some(vec![]));
    // `open` and bare paths, in any order; a missing file still opens the window (which
    // then says what is wrong).
    assert_eq!(
        gui_paths(&args(&["open", "m.safetensors", "cat.png"])),
        paths(&["m.safetensors", "cat.png"])
    );
    assert_eq!(
        gui_paths(&args(&["cat.png", "models/vit"])),
        paths(&["cat.png", "models/vit"])
    );
    assert_eq!(gui_paths(&args(&["open"])), Some(vec![]));
    // Subcommands, flags and unknown words stay with the CLI.
    for words in [
        &["formats"][..],
        &["cast", "--to", "bf16", "1/3"],
        &["--help"],
        &["--version"],
        &["open", "--help"],
        &["help"],
        &["fomats"],
    ] {
        assert_eq!(gui_paths(&args(words)), None, "{words:?}");
    }
    // A deep link, alone or beside paths, in both spellings.
    let g = gui_args(&args(&["--open", "#tab=bits&value=0.1"])).unwrap();
    assert_eq!(
        (g.paths.len(), g.link.as_deref()),
        (0, Some("#tab=bits&value=0.1"))
    );
    let g = gui_args(&args(&["m.safetensors", "--open=#tab=model"])).unwrap();
    assert_eq!(g.paths, [std::path::PathBuf::from("m.safetensors")]);
    assert_eq!(g.link.as_deref(), Some("#tab=model"));
    // `--open` without a fragment is left to clap, which says what is wrong.
    assert_eq!(gui_args(&args(&["--open"])), None);
}

#[test]
fn a_typo_is_a_cli_error_not_a_window() {
    let out = quantscope(&["fomats"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unrecognized subcommand 'fomats'"), "{err}");
}

#[test]
fn compare_gives_every_precision_against_float32() {
    let img = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/samples/digit_3.png");
    let v = json(&["compare", "--image", img, "--json"]);
    let rows = v.as_array().expect("an array, one object per precision");
    let dtypes: Vec<&str> = rows.iter().map(|r| r["dtype"].as_str().unwrap()).collect();
    assert_eq!(
        dtypes,
        ["float32", "bfloat16", "float16", "int8", "fp8_e4m3fn"]
    );
    for r in rows {
        for key in [
            "top5",
            "mean_abs_logit_diff",
            "max_abs_logit_diff",
            "top1_agrees",
            "weight_bytes",
            "ms",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        assert!(r.get("layers").is_none(), "layers only with --layers");
        let top = &r["top5"][0];
        assert_eq!(
            (top["index"].as_u64(), top["label"].as_str()),
            (Some(3), Some("3"))
        );
        assert!(top["prob"].as_f64().unwrap() > 0.9);
        assert_eq!(r["top1_agrees"], true);
    }
    // float32 against itself; the others differ a little; weights shrink.
    assert_eq!(rows[0]["max_abs_logit_diff"], 0.0);
    assert!(rows[1]["mean_abs_logit_diff"].as_f64().unwrap() > 0.0);
    let bytes: Vec<u64> = rows
        .iter()
        .map(|r| r["weight_bytes"].as_u64().unwrap())
        .collect();
    assert_eq!(bytes[1], bytes[0] / 2, "bf16 halves the weights");
    assert!(bytes[3] < bytes[1] && bytes[4] < bytes[1]);
    // --layers: the relative error after each layer, 0 for float32.
    let v = json(&["compare", "--image", img, "--layers", "--json"]);
    let layers = v[0]["layers"].as_array().expect("layers");
    let names: Vec<&str> = layers
        .iter()
        .map(|l| l["layer"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["conv1", "conv2", "fc1", "fc2"]);
    assert!(layers.iter().all(|l| l["rel_error"] == 0.0));
    assert!(v[1]["layers"][0]["rel_error"].as_f64().unwrap() > 0.0);
    // The text form names every precision.
    let text = stdout(&["compare", "--image", img]);
    assert!(text.contains("FP8 e4m3"), "{text}");
}

#[test]
fn compare_errors_are_one_line_and_exit_2() {
    let img = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/samples/digit_3.png");
    for args in [
        &["compare"][..],
        &["compare", "--image", "/nonexistent.png"],
        &["compare", "--model", "/nonexistent", "--image", img],
        &["compare", "--image", img, "--pixel-values", img],
        &[
            "compare",
            "--image",
            concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
        ],
    ] {
        let out = quantscope(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
