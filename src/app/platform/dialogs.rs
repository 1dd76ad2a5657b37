//! The system's file dialogs behind one seam: a request says what is wanted, the answer
//! tells a chosen path, a cancel and an unavailable dialog apart (rfd only logs its
//! failures and returns "nothing chosen"). Tests install a dialog that fails; the app falls
//! back to its own picker ([`super::file_picker`]) or to the export folder.

use crate::browse::Wanted;
#[cfg(not(target_arch = "wasm32"))]
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What a dialog asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum Ask {
    /// Choose an existing file or folder of this kind, starting in a folder.
    Open {
        /// The kind of file.
        wanted: Wanted,
        /// The folder the dialog starts in.
        start: Option<PathBuf>,
    },
    /// Choose where to save `file_name`, starting in `folder`.
    Save {
        /// The suggested name.
        file_name: String,
        /// The folder the dialog starts in.
        folder: PathBuf,
    },
}

/// How a dialog ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The user chose this path.
    Chosen(PathBuf),
    /// The user closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown; the reason, for the user.
    Unavailable(String),
}

/// A provider of native file dialogs. Runs on a worker thread (a dialog blocks until closed).
pub trait NativeDialogs: Send + Sync {
    /// Show the dialog for `ask` and wait for its answer.
    fn ask(&self, ask: &Ask) -> Answer;
}

/// A dialog provider that is never available (tests, and machines known to have none).
pub struct NoDialogs(pub String);

impl NativeDialogs for NoDialogs {
    fn ask(&self, _: &Ask) -> Answer {
        Answer::Unavailable(self.0.clone())
    }
}

/// What to do when no dialog can be shown, appended to every reason.
pub const WHAT_TO_DO: &str = "Install xdg-desktop-portal (with a backend such as xdg-desktop-portal-gtk) or zenity, \
drop the file on the window, or type its path in quantscope's own file picker.";

/// The app's dialogs: the provider, and whether it already failed (then the app's own
/// picker is used straight away instead of trying again).
#[derive(Clone)]
pub struct Dialogs {
    native: Arc<dyn NativeDialogs>,
    failed: Arc<Mutex<Option<String>>>,
}

impl Default for Dialogs {
    fn default() -> Self {
        Dialogs::with(default_native())
    }
}

impl Dialogs {
    /// Dialogs from `native`.
    pub fn with(native: Arc<dyn NativeDialogs>) -> Self {
        Dialogs {
            native,
            failed: Arc::default(),
        }
    }

    /// Why the native dialog is known not to work, if it failed before.
    pub fn known_failure(&self) -> Option<String> {
        self.failed.lock().ok().and_then(|f| f.clone())
    }

    /// Ask the native dialog (blocking: call from a worker thread). A failure is
    /// remembered, so later requests skip straight to the fallback.
    pub fn ask(&self, ask: &Ask) -> Answer {
        if let Some(why) = self.known_failure() {
            return Answer::Unavailable(why);
        }
        let answer = self.native.ask(ask);
        if let Answer::Unavailable(why) = &answer
            && let Ok(mut f) = self.failed.lock()
        {
            *f = Some(why.clone());
        }
        answer
    }
}

/// The app's dialogs, kept in `ctx`'s memory (rfd unless a test installed another).
pub fn get(ctx: &egui::Context) -> Dialogs {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_insert_with(egui::Id::unique("quantscope_dialogs"), Dialogs::default)
            .clone()
    })
}

/// Use `native` for every dialog from now on.
pub fn install(ctx: &egui::Context, native: Arc<dyn NativeDialogs>) {
    ctx.data_mut(|d| {
        d.insert_temp(
            egui::Id::unique("quantscope_dialogs"),
            Dialogs::with(native),
        )
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn default_native() -> Arc<dyn NativeDialogs> {
    Arc::new(Rfd)
}

#[cfg(target_arch = "wasm32")]
fn default_native() -> Arc<dyn NativeDialogs> {
    Arc::new(NoDialogs(
        "the browser has no path-based file dialog".into(),
    ))
}

/// rfd's dialogs (xdg-desktop-portal, then zenity), with their logged failures caught.
#[cfg(not(target_arch = "wasm32"))]
pub struct Rfd;

#[cfg(not(target_arch = "wasm32"))]
impl NativeDialogs for Rfd {
    fn ask(&self, ask: &Ask) -> Answer {
        if let Some(why) = no_dialog_possible() {
            return Answer::Unavailable(format!(
                "No system file dialog can be shown: {why}. {WHAT_TO_DO}"
            ));
        }
        let (chosen, errors) = capture_errors(|| match ask {
            Ask::Open { wanted, start } => {
                let mut d = rfd::FileDialog::new();
                if let Some(s) = start {
                    d = d.set_directory(s);
                }
                if *wanted == Wanted::Folder {
                    return d.pick_folder();
                }
                d.add_filter(wanted.describe(), wanted.extensions())
                    .pick_file()
            }
            Ask::Save { file_name, folder } => rfd::FileDialog::new()
                .set_directory(folder)
                .set_file_name(file_name)
                .save_file(),
        });
        match chosen {
            Some(p) => Answer::Chosen(p),
            None if errors.is_empty() => Answer::Cancelled,
            None => Answer::Unavailable(format!(
                "The system file dialog failed ({}). {WHAT_TO_DO}",
                errors.join("; ")
            )),
        }
    }
}

/// Why no rfd dialog can appear at all (no session bus for the portal and no zenity).
#[cfg(not(target_arch = "wasm32"))]
fn no_dialog_possible() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|d| std::path::Path::new(&d).join("bus").exists());
    let zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join("zenity").is_file()));
    (!bus && !zenity).then(|| {
        "there is no D-Bus session for xdg-desktop-portal and zenity is not installed".to_string()
    })
}

#[cfg(not(target_arch = "wasm32"))]
thread_local! {
    /// rfd's warnings and errors on this thread while [`capture_errors`] runs.
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Collects rfd's log errors on the thread that asked (rfd logs and returns `None`).
#[cfg(not(target_arch = "wasm32"))]
struct CaptureLogger;

#[cfg(not(target_arch = "wasm32"))]
impl log::Log for CaptureLogger {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Error && m.target().starts_with("rfd")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = record.args().to_string();
            CAPTURED.with(|c| {
                if let Some(v) = c.borrow_mut().as_mut() {
                    v.push(line);
                }
            });
        }
    }

    fn flush(&self) {}
}

/// Run `f` and return what it returned with rfd's errors logged meanwhile on this thread.
#[cfg(not(target_arch = "wasm32"))]
fn capture_errors<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    static LOGGER: CaptureLogger = CaptureLogger;
    // Another logger may own the log facade already; then nothing is caught and a failure
    // reads as a cancel, as before.
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Error);
    }
    CAPTURED.with(|c| *c.borrow_mut() = Some(Vec::new()));
    let out = f();
    let errors = CAPTURED.with(|c| c.borrow_mut().take()).unwrap_or_default();
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_remembered() {
        let d = Dialogs::with(Arc::new(NoDialogs("no portal".into())));
        assert_eq!(d.known_failure(), None);
        let ask = Ask::Open {
            wanted: Wanted::Image,
            start: None,
        };
        assert_eq!(d.ask(&ask), Answer::Unavailable("no portal".into()));
        assert_eq!(d.known_failure().as_deref(), Some("no portal"));
    }

    #[test]
    fn rfd_errors_on_this_thread_are_caught() {
        let ((), errors) = capture_errors(|| {
            log::error!(target: "rfd::backend", "Failed to pick file with zenity: not found");
            log::error!(target: "other", "not ours");
        });
        assert_eq!(errors, ["Failed to pick file with zenity: not found"]);
        // Another thread's errors are not mixed in.
        let ((), none) = capture_errors(|| {
            std::thread::spawn(|| log::error!(target: "rfd", "elsewhere"))
                .join()
                .unwrap();
        });
        assert!(none.is_empty());
    }
}
