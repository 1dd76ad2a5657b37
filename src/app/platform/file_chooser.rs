//! Choosing a file to open, always with an answer: the system dialog on a worker thread,
//! and quantscope's own picker when that dialog cannot be shown (with the reason), takes
//! too long to appear, or the user prefers to type a path.

use super::dialogs::{self, Answer, Ask};
use super::file_picker::{FilePicker, Picked};
use super::job::Job;
use crate::browse::Wanted;
use crate::platform::{Duration, Instant};
use std::path::PathBuf;

/// How long "Nothing chosen." stays after a cancel.
const NOTE_FOR: Duration = Duration::from_secs(4);

/// After this long without an answer, offer quantscope's own picker beside the spinner.
const OFFER_PICKER_AFTER: Duration = Duration::from_secs(2);

/// What was chosen: a path (desktop) or the files' names and bytes (the browser, which
/// hands out contents, not paths).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chosen {
    /// A file or folder on disk.
    Path(PathBuf),
    /// Files read in the browser: (name, bytes).
    Files(Vec<(String, Vec<u8>)>),
}

/// Files the browser's dialog read: `None` until it answers, then `Some(None)` on cancel.
type WebSlot = std::sync::Arc<std::sync::Mutex<Option<Option<Vec<(String, Vec<u8>)>>>>>;

/// Hand files read in the browser to the chooser (none: cancelled) and wake the UI.
#[cfg(target_arch = "wasm32")]
fn deliver(slot: &WebSlot, files: Vec<(String, Vec<u8>)>, ctx: &egui::Context) {
    if let Ok(mut s) = slot.lock() {
        *s = Some((!files.is_empty()).then_some(files));
    }
    ctx.request_repaint();
}

/// One place that asks for files of one purpose (checkpoints, images, state files).
pub struct FileChooser {
    /// The browser's dialog, while it is open.
    web: Option<WebSlot>,
    native: Job<Answer>,
    picker: Option<FilePicker>,
    /// What the current request wants, where it starts, and the recent paths it offers.
    wanted: Wanted,
    start: PathBuf,
    recent: Vec<PathBuf>,
    /// How the last request ended when nothing was chosen, and when (shown for a while).
    note: Option<(String, Instant)>,
}

impl Default for FileChooser {
    fn default() -> Self {
        FileChooser {
            web: None,
            native: Job::default(),
            picker: None,
            wanted: Wanted::Checkpoint,
            start: default_start(),
            recent: Vec::new(),
            note: None,
        }
    }
}

/// The folder a picker starts in when nothing better is known: the working folder.
fn default_start() -> PathBuf {
    std::env::current_dir()
        .ok()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/"))
}

impl FileChooser {
    /// Ask for a file of kind `wanted` with the system dialog (quantscope's picker if the
    /// system dialog already failed this session). `start` is a file or folder to start at.
    pub fn open(
        &mut self,
        ctx: &egui::Context,
        wanted: Wanted,
        start: Option<PathBuf>,
        recent: &[PathBuf],
    ) {
        self.remember(wanted, start, recent);
        if cfg!(target_arch = "wasm32") {
            self.open_in_browser(ctx, wanted);
            return;
        }
        let dialogs = dialogs::get(ctx);
        if let Some(why) = dialogs.known_failure() {
            self.picker = Some(FilePicker::new(
                wanted,
                &self.start,
                &self.recent,
                Some(why),
            ));
            return;
        }
        let ask = Ask::Open {
            wanted,
            start: Some(self.start.clone()),
        };
        self.native.start(ctx, move |_| dialogs.ask(&ask));
    }

    /// The browser's file dialog (rfd's async dialog): several files for a checkpoint (the
    /// weights with config.json), one otherwise; their bytes arrive in a later frame.
    #[cfg(target_arch = "wasm32")]
    fn open_in_browser(&mut self, ctx: &egui::Context, wanted: Wanted) {
        let slot = WebSlot::default();
        self.web = Some(slot.clone());
        // The browser has no folders: a model is picked as its files.
        let kind = if wanted == Wanted::Folder {
            Wanted::Checkpoint
        } else {
            wanted
        };
        let dialog = rfd::AsyncFileDialog::new().add_filter(kind.describe(), kind.extensions());
        let ctx = ctx.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let handles = if matches!(wanted, Wanted::Checkpoint | Wanted::Folder) {
                dialog.pick_files().await
            } else {
                dialog.pick_file().await.map(|f| vec![f])
            };
            let mut files = Vec::new();
            for h in handles.unwrap_or_default() {
                files.push((h.file_name(), h.read().await));
            }
            deliver(&slot, files, &ctx);
        });
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn open_in_browser(&mut self, _: &egui::Context, _: Wanted) {}

    /// Read files dropped on the web page (the browser reads them asynchronously); they
    /// arrive from [`FileChooser::ui`] as [`Chosen::Files`].
    #[cfg(target_arch = "wasm32")]
    pub fn read_dropped(
        &mut self,
        ctx: &egui::Context,
        dropped: Vec<std::sync::Arc<dyn egui::DroppedFile + Send + Sync>>,
    ) {
        let slot = WebSlot::default();
        self.web = Some(slot.clone());
        let ctx = ctx.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let mut files = Vec::new();
            for f in &dropped {
                let name = f.path().display().to_string();
                if let Ok(bytes) = f.bytes_async().await {
                    files.push((name, bytes));
                }
            }
            deliver(&slot, files, &ctx);
        });
    }

    /// On the desktop dropped files are opened by path.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_dropped(
        &mut self,
        _: &egui::Context,
        _: Vec<std::sync::Arc<dyn egui::DroppedFile + Send + Sync>>,
    ) {
    }

    /// Open quantscope's own picker straight away.
    pub fn browse(&mut self, wanted: Wanted, start: Option<PathBuf>, recent: &[PathBuf]) {
        self.remember(wanted, start, recent);
        self.native.cancel();
        self.picker = Some(FilePicker::new(wanted, &self.start, &self.recent, None));
    }

    fn remember(&mut self, wanted: Wanted, start: Option<PathBuf>, recent: &[PathBuf]) {
        self.wanted = wanted;
        self.note = None;
        // Start in the folder of the given path, or the folder itself.
        if let Some(s) = start {
            let dir = if s.is_dir() {
                Some(s)
            } else {
                s.parent().map(PathBuf::from)
            };
            if let Some(d) = dir.filter(|d| d.is_dir()) {
                self.start = d;
            }
        }
        self.recent = recent.to_vec();
    }

    /// Whether a dialog or the picker is open.
    pub fn busy(&self) -> bool {
        self.native.status().is_some() || self.picker.is_some() || self.web.is_some()
    }

    /// Poll the dialog and draw the picker; what was chosen, once.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Chosen> {
        if let Some(slot) = &self.web {
            let answer = slot.lock().ok().and_then(|mut s| s.take());
            match answer {
                Some(Some(files)) => {
                    self.web = None;
                    return Some(Chosen::Files(files));
                }
                Some(None) => {
                    self.web = None;
                    self.cancelled(ctx);
                }
                None => {}
            }
        }
        match self.native.poll() {
            Some(Answer::Chosen(p)) => return Some(Chosen::Path(p)),
            Some(Answer::Cancelled) => self.cancelled(ctx),
            Some(Answer::Unavailable(why)) => {
                self.picker = Some(FilePicker::new(
                    self.wanted,
                    &self.start,
                    &self.recent,
                    Some(why),
                ));
            }
            None => {}
        }
        if let Some(why) = self.native.take_failure() {
            self.picker = Some(FilePicker::new(
                self.wanted,
                &self.start,
                &self.recent,
                Some(why),
            ));
        }
        if self.native.status().is_some() {
            ctx.request_repaint_after(Duration::from_millis(200));
        }
        match self.picker.as_mut()?.ui(ctx)? {
            Picked::Chosen(p) => {
                self.picker = None;
                Some(Chosen::Path(p))
            }
            Picked::Cancelled => {
                self.picker = None;
                self.cancelled(ctx);
                None
            }
        }
    }

    fn cancelled(&mut self, ctx: &egui::Context) {
        self.note = Some(("Nothing chosen.".into(), Instant::now()));
        ctx.request_repaint_after(NOTE_FOR);
    }

    /// A line for a toolbar: waiting for the system dialog (with a way out after a moment),
    /// or how the last request ended.
    pub fn status_ui(&mut self, ui: &mut egui::Ui) {
        if let Some((_, waited)) = self.native.status() {
            ui.spinner();
            ui.label("waiting for the system file dialog…");
            if waited >= OFFER_PICKER_AFTER
                && ui
                    .button("Use quantscope's picker")
                    .on_hover_text("No dialog appeared? Choose the file inside quantscope instead")
                    .clicked()
            {
                let (wanted, recent) = (self.wanted, self.recent.clone());
                self.browse(wanted, None, &recent);
            }
        } else if let Some((note, at)) = &self.note {
            if at.elapsed() < NOTE_FOR {
                ui.label(egui::RichText::new(note).weak());
            } else {
                self.note = None;
            }
        }
    }
}
