//! `quantscope`: no arguments opens the GUI; a subcommand runs the CLI and exits.

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.len() > 1 {
        std::process::exit(quantscope::cli::main_with_args(args));
    }
    if let Err(e) = quantscope::app::run() {
        eprintln!("quantscope: could not open the window: {e}");
        std::process::exit(1);
    }
}
