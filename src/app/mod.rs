//! The eframe app: views in a top bar over GUI-free cores. The map of this folder is in
//! `ARCHITECTURE.md`; in short:
//!
//! - [`shell`]: the app itself — the window's frame, the top bar, state files, deep links, the
//!   lesson beside the views;
//! - [`view`]: what a view is (the [`view::View`] trait) and the commands views send the app;
//! - [`views`]: one folder per view and the one list of them;
//! - [`widgets`]: what two or more views draw (tables, plots, pickers, layout helpers);
//! - [`style`]: colours and fonts, the only place a colour is written;
//! - [`platform`]: system dialogs, the file picker and chooser, background jobs, exports, the
//!   web page and its worker.

pub mod platform;
pub mod shell;
pub mod style;
pub mod view;
pub mod views;
pub mod widgets;

pub use platform::{dialogs, export};
pub use shell::state;
pub use shell::{QuantscopeApp, TITLE, read_state, read_state_bytes};
pub use views::Tab;

#[cfg(not(target_arch = "wasm32"))]
pub use shell::run;
#[cfg(target_arch = "wasm32")]
pub use shell::start_web;
