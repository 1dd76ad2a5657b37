//! Where the app meets the platform: system dialogs and their in-app stand-ins, the file
//! picker and chooser, background jobs (threads on the desktop, a worker in the browser),
//! saving exports, and the web page's entry and worker.

pub mod dialogs;
pub mod export;
pub mod file_chooser;
pub mod file_picker;
pub mod job;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod worker;
