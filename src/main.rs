//! `quantscope`: no arguments (or paths) opens the GUI; a subcommand runs the CLI and exits.

#![warn(clippy::unwrap_used, clippy::expect_used)]

#[cfg(target_arch = "wasm32")]
fn main() {
    // The same module runs the page and its web workers (`worker.js`).
    if quantscope::app::platform::worker::in_worker() {
        quantscope::app::platform::worker::worker_init();
    } else {
        quantscope::app::start_web();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    quantscope::platform::keep_freed_memory();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let Some(gui) = quantscope::cli::gui_args(&args) else {
        std::process::exit(quantscope::cli::main_with_args(args));
    };
    let mut launch = quantscope::launch::from_paths(&gui.paths);
    launch.link = gui.link;
    for problem in &launch.problems {
        eprintln!("quantscope: {problem}");
    }
    if let Err(e) = quantscope::app::run(launch) {
        eprintln!("quantscope: could not open the window: {e}");
        std::process::exit(1);
    }
}
