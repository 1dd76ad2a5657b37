//! Saving what is on screen: tables as CSV, plots and the window as PNG, the state as JSON.
//!
//! Panels only post requests ([`save_bytes`], [`save_region`]) into a queue kept in egui's
//! memory; the app's [`Exporter`] takes them every frame, asks where to save (the system dialog,
//! on a worker thread) or picks a fresh name in the export folder, and reports the outcome.

use crate::export::{Rgba, png_region, unused_path};
use egui::{ColorImage, Context, Id, Rect};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

/// Where exports go (persisted).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportSettings {
    /// Ask with the system dialog each time (else save straight into `folder`).
    pub ask: bool,
    /// The folder to save into (and where the dialog starts).
    pub folder: PathBuf,
    /// Where "Copy link" points: the published web page (its address without `#`).
    pub link_base: String,
}

/// The default base of copied links: the page `scripts/web.sh --serve` serves.
pub const DEFAULT_LINK_BASE: &str = "http://127.0.0.1:8080/";

impl Default for ExportSettings {
    fn default() -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        ExportSettings {
            ask: true,
            folder: home
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_default(),
            link_base: DEFAULT_LINK_BASE.into(),
        }
    }
}

/// What a request saves.
#[derive(Clone)]
enum Content {
    /// Ready bytes (CSV, JSON).
    Bytes(Arc<Vec<u8>>),
    /// A region of the window (points) as PNG, after `wait` more frames (so a menu that was
    /// just clicked has closed).
    Region { rect: Option<Rect>, wait: u8 },
}

#[derive(Clone)]
struct Request {
    file_name: String,
    content: Content,
}

/// The queue panels post into.
#[derive(Clone, Default)]
struct Outbox(Arc<Mutex<Vec<Request>>>);

/// The outbox kept in `ctx`'s memory (made on first use).
fn outbox(ctx: &Context) -> Outbox {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Outbox>(Id::unique("quantscope_outbox"))
            .clone()
    })
}

fn post(ctx: &Context, request: Request) {
    if let Ok(mut queue) = outbox(ctx).0.lock() {
        queue.push(request);
    }
    ctx.request_repaint();
}

fn take(ctx: &Context) -> Vec<Request> {
    outbox(ctx)
        .0
        .lock()
        .map(|mut q| std::mem::take(&mut *q))
        .unwrap_or_default()
}

/// Save `bytes` as `file_name` (suggested name; the user may change it).
pub fn save_bytes(ctx: &Context, file_name: &str, bytes: Vec<u8>) {
    post(
        ctx,
        Request {
            file_name: file_name.to_string(),
            content: Content::Bytes(Arc::new(bytes)),
        },
    );
}

/// Save the part of the window inside `rect` (points) as a PNG, a couple of frames from now.
pub fn save_region(ctx: &Context, file_name: &str, rect: Rect) {
    post(
        ctx,
        Request {
            file_name: file_name.to_string(),
            content: Content::Region {
                rect: Some(rect),
                wait: 2,
            },
        },
    );
}

/// Save the whole window as a PNG.
pub fn save_window(ctx: &Context, file_name: &str) {
    post(
        ctx,
        Request {
            file_name: file_name.to_string(),
            content: Content::Region {
                rect: None,
                wait: 2,
            },
        },
    );
}

/// A written file (with a note when it went to the export folder because no save dialog
/// could be shown), an error, or `Ok(None)` when the user cancelled the dialog.
type Outcome = Result<Option<Saved>, String>;

/// Where a file was saved.
#[derive(Clone, Debug, PartialEq)]
pub struct Saved {
    /// The file written.
    pub path: PathBuf,
    /// Why it went to the export folder instead of where the user would have chosen.
    pub fallback: Option<String>,
}

/// A screenshot that arrived for a waiting region.
struct Shot {
    file_name: String,
    rect: Option<Rect>,
    pixels_per_point: f32,
    image: Arc<ColorImage>,
}

/// Takes the panels' requests and writes the files, off the UI thread.
pub struct Exporter {
    /// Where files go.
    pub settings: ExportSettings,
    waiting: Vec<Request>,
    shots: Arc<Mutex<Vec<Shot>>>,
    done_tx: Sender<Outcome>,
    done_rx: Receiver<Outcome>,
    in_flight: usize,
    /// The outcome of the last export, shown in the status bar until dismissed.
    pub status: Option<Result<Saved, String>>,
}

impl Default for Exporter {
    fn default() -> Self {
        let (done_tx, done_rx) = channel();
        Exporter {
            settings: ExportSettings::default(),
            waiting: Vec::new(),
            shots: Arc::default(),
            done_tx,
            done_rx,
            in_flight: 0,
            status: None,
        }
    }
}

impl Exporter {
    /// Whether an export is waiting for a screenshot, a dialog or the disk.
    pub fn busy(&self) -> bool {
        self.in_flight > 0 || !self.waiting.is_empty()
    }

    /// Handle this frame's requests, screenshots and finished writes.
    pub fn frame(&mut self, ctx: &Context) {
        for r in take(ctx) {
            match r.content {
                Content::Bytes(bytes) => {
                    self.write(ctx, r.file_name, move || Ok(bytes.as_ref().clone()))
                }
                Content::Region { .. } => self.waiting.push(r),
            }
        }
        let mut still = Vec::new();
        for mut r in std::mem::take(&mut self.waiting) {
            let Content::Region { rect, wait } = &mut r.content else {
                continue;
            };
            if *wait > 0 {
                *wait -= 1;
                still.push(r);
                ctx.request_repaint();
                continue;
            }
            let (rect, file_name) = (*rect, r.file_name.clone());
            let shots = Arc::clone(&self.shots);
            let pixels_per_point = ctx.pixels_per_point();
            let repaint = ctx.clone();
            self.in_flight += 1;
            ctx.request_screenshot(move |image| {
                if let Ok(mut s) = shots.lock() {
                    s.push(Shot {
                        file_name,
                        rect,
                        pixels_per_point,
                        image,
                    });
                }
                repaint.request_repaint();
            });
        }
        self.waiting = still;
        let shots = self
            .shots
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        for shot in shots {
            self.in_flight -= 1;
            self.write(ctx, shot.file_name.clone(), move || encode(&shot));
        }
        while let Ok(result) = self.done_rx.try_recv() {
            self.in_flight = self.in_flight.saturating_sub(1);
            match result {
                Ok(None) => {}
                Ok(Some(saved)) => {
                    if let Some(parent) = saved.path.parent() {
                        self.settings.folder = parent.to_path_buf();
                    }
                    self.status = Some(Ok(saved));
                }
                Err(e) => self.status = Some(Err(e)),
            }
        }
    }

    /// Ask for a path (or make one) and write what `make` returns, on a worker thread.
    fn write(
        &mut self,
        ctx: &Context,
        file_name: String,
        make: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
    ) {
        #[cfg(target_arch = "wasm32")]
        {
            // The browser saves by downloading; no folder, no dialog.
            let result = make().and_then(|bytes| {
                crate::platform::download(&file_name, &bytes)?;
                Ok(Some(Saved {
                    path: PathBuf::from(&file_name),
                    fallback: None,
                }))
            });
            self.in_flight += 1;
            let _ = self.done_tx.send(result);
            ctx.request_repaint();
            return;
        }
        #[allow(unreachable_code)]
        let settings = self.settings.clone();
        let tx = self.done_tx.clone();
        let dialogs = super::dialogs::get(ctx);
        let ctx = ctx.clone();
        self.in_flight += 1;
        crate::platform::spawn(move || {
            let result = target(&dialogs, &settings, &file_name).and_then(|saved| {
                let Some(saved) = saved else {
                    return Ok(None);
                };
                let bytes = make()?;
                std::fs::write(&saved.path, bytes)
                    .map_err(|e| format!("cannot write {}: {e}", saved.path.display()))?;
                Ok(Some(saved))
            });
            let _ = tx.send(result);
            ctx.request_repaint();
        });
    }

    /// The status bar: the last export's outcome, with a button to dismiss it.
    pub fn status_ui(&mut self, ui: &mut egui::Ui) {
        let Some(status) = &self.status else {
            return;
        };
        let text = match status {
            Ok(Saved {
                path,
                fallback: Some(why),
            }) => egui::RichText::new(format!(
                "⚠ Saved {} into the export folder: {why}",
                path.display()
            ))
            .color(ui.visuals().warn_fg_color),
            Ok(Saved { path, .. }) => egui::RichText::new(format!("Saved {}", path.display())),
            Err(e) => egui::RichText::new(format!("⚠ {e}")).color(ui.visuals().error_fg_color),
        };
        let mut dismiss = false;
        egui::Panel::bottom("export_status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(text);
                dismiss = ui.small_button("Dismiss").clicked();
            });
        });
        if dismiss {
            self.status = None;
        }
    }
}

/// The path to write: from the dialog (None = cancelled) or a fresh name in the folder —
/// also when the dialog cannot be shown, with the reason.
fn target(
    dialogs: &super::dialogs::Dialogs,
    settings: &ExportSettings,
    file_name: &str,
) -> Result<Option<Saved>, String> {
    use super::dialogs::{Answer, Ask};
    let mut fallback = None;
    if settings.ask {
        let ask = Ask::Save {
            file_name: file_name.to_string(),
            folder: settings.folder.clone(),
        };
        match dialogs.ask(&ask) {
            Answer::Chosen(path) => return Ok(Some(Saved { path, fallback })),
            Answer::Cancelled => return Ok(None),
            Answer::Unavailable(why) => fallback = Some(why),
        }
    }
    std::fs::create_dir_all(&settings.folder)
        .map_err(|e| format!("cannot create {}: {e}", settings.folder.display()))?;
    let path = unused_path(&settings.folder, file_name);
    Ok(Some(Saved { path, fallback }))
}

fn encode(shot: &Shot) -> Result<Vec<u8>, String> {
    let [w, h] = shot.image.size;
    let pixels: Vec<u8> = shot
        .image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let image = Rgba {
        width: w,
        height: h,
        pixels: &pixels,
    };
    let (x0, y0, x1, y1) = match shot.rect {
        Some(r) => {
            let s = shot.pixels_per_point;
            (r.min.x * s, r.min.y * s, r.max.x * s, r.max.y * s)
        }
        None => (0.0, 0.0, w as f32, h as f32),
    };
    png_region(&image, x0, y0, x1, y1)
}
