//! quantscope's own file picker, for when the system dialog cannot be shown: a path field
//! with Tab completion, the folder's entries (folders first, only the files that fit), the
//! recent files, Open and Cancel. Needs nothing from the system but the file system.

use crate::browse::{self, Entry, Wanted};
use egui::{Key, RichText};
use std::path::{Path, PathBuf};

/// How the picker closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    /// The user chose this path.
    Chosen(PathBuf),
    /// The user cancelled (button or Escape).
    Cancelled,
}

/// A folder's listing, kept until the folder or the filters change.
struct Listing {
    dir: PathBuf,
    all_files: bool,
    hidden: bool,
    entries: Result<(Vec<Entry>, bool), String>,
}

/// The picker's state while it is open.
pub struct FilePicker {
    wanted: Wanted,
    /// Why the system dialog is not used, shown at the top.
    reason: Option<String>,
    typed: String,
    base: PathBuf,
    all_files: bool,
    hidden: bool,
    recent: Vec<PathBuf>,
    listing: Option<Listing>,
    error: Option<String>,
    /// Move the cursor to the end of the path field on the next frame (after completion).
    cursor_to_end: bool,
}

const PATH_ID: &str = "file_picker_path";

impl FilePicker {
    /// A picker for `wanted`, starting in `start` (a folder), offering `recent` paths.
    pub fn new(wanted: Wanted, start: &Path, recent: &[PathBuf], reason: Option<String>) -> Self {
        let mut typed = start.display().to_string();
        if !typed.ends_with('/') {
            typed.push('/');
        }
        FilePicker {
            wanted,
            reason,
            typed,
            base: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            all_files: false,
            hidden: false,
            recent: recent
                .iter()
                .filter(|p| {
                    if p.is_dir() {
                        wanted.accepts_folder()
                    } else {
                        wanted.accepts_file(&p.to_string_lossy())
                    }
                })
                .cloned()
                .collect(),
            listing: None,
            error: None,
            cursor_to_end: true,
        }
    }

    /// The text in the path field.
    pub fn typed(&self) -> &str {
        &self.typed
    }

    /// The folder shown and the part of a name typed in it.
    fn folder(&self) -> (PathBuf, String) {
        browse::split_typed(&self.typed, &self.base)
    }

    fn entries(&mut self) -> (&Result<(Vec<Entry>, bool), String>, String) {
        let (dir, partial) = self.folder();
        let hidden = self.hidden || partial.starts_with('.');
        let stale = self
            .listing
            .as_ref()
            .is_none_or(|l| l.dir != dir || l.all_files != self.all_files || l.hidden != hidden);
        let (wanted, all_files) = (self.wanted, self.all_files);
        let fresh = || Listing {
            entries: browse::list(&dir, wanted, all_files, hidden),
            dir: dir.clone(),
            all_files,
            hidden,
        };
        if stale {
            self.listing = None;
        }
        (&self.listing.get_or_insert_with(fresh).entries, partial)
    }

    /// The typed path as the file system sees it.
    fn typed_path(&self) -> PathBuf {
        let p = browse::expand_home(self.typed.trim_end_matches('/'));
        let p = if p.as_os_str().is_empty() {
            PathBuf::from("/")
        } else {
            p
        };
        if p.is_absolute() {
            p
        } else {
            self.base.join(p)
        }
    }

    /// Choose the typed path: a file that fits, or a folder where folders are chosen
    /// (another folder is entered). Sets the error and returns `None` otherwise.
    fn try_choose(&mut self) -> Option<PathBuf> {
        let path = self.typed_path();
        match std::fs::metadata(&path) {
            Err(e) => {
                self.error = Some(format!("{}: {e}", path.display()));
                None
            }
            Ok(m) if m.is_dir() && !self.wanted.accepts_folder() => {
                self.enter(&path);
                None
            }
            Ok(_) => Some(path),
        }
    }

    fn enter(&mut self, dir: &Path) {
        self.typed = format!("{}/", dir.display().to_string().trim_end_matches('/'));
        self.error = None;
        self.cursor_to_end = true;
    }

    /// Draw the picker as a modal window; `Some` once it is closed.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Picked> {
        let mut outcome = None;
        // Escape closes the picker even while the path field has focus (which would take it).
        if ctx.input(|i| i.key_pressed(Key::Escape)) {
            return Some(Picked::Cancelled);
        }
        let title = match self.wanted {
            Wanted::Checkpoint => "Open a checkpoint",
            Wanted::Folder => "Open a model folder",
            Wanted::Image => "Open an image",
            Wanted::State => "Load a state file",
        };
        let screen = ctx.content_rect();
        let width = (screen.width() - 48.0).clamp(280.0, 760.0);
        let list_height = (screen.height() * 0.4).clamp(120.0, 360.0);
        let modal = egui::Modal::new(egui::Id::unique("file_picker")).show(ctx, |ui| {
            ui.set_width(width);
            ui.heading(title);
            if let Some(reason) = &self.reason {
                ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {reason}"));
            }
            ui.label(RichText::new(format!("Choose {}.", self.wanted.describe())).weak());
            ui.add_space(4.0);
            if let Some(p) = self.path_row(ui) {
                outcome = Some(Picked::Chosen(p));
            }
            if let Some(e) = &self.error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            self.options_row(ui);
            if let Some(p) = self.entries_ui(ui, list_height) {
                outcome = Some(Picked::Chosen(p));
            }
            if let Some(p) = self.recent_ui(ui) {
                outcome = Some(Picked::Chosen(p));
            }
            ui.separator();
            ui.horizontal(|ui| {
                let open = if self.wanted.accepts_folder() && self.typed_path().is_dir() {
                    "Open this folder"
                } else {
                    "Open"
                };
                if ui.button(open).clicked()
                    && let Some(p) = self.try_choose()
                {
                    outcome = Some(Picked::Chosen(p));
                }
                if ui.button("Cancel").clicked() {
                    outcome = Some(Picked::Cancelled);
                }
            });
        });
        if modal.should_close() && outcome.is_none() {
            outcome = Some(Picked::Cancelled);
        }
        outcome
    }

    /// The path field: Tab completes, Enter opens.
    fn path_row(&mut self, ui: &mut egui::Ui) -> Option<PathBuf> {
        let id = egui::Id::unique(PATH_ID);
        let mut chosen = None;
        if ui.memory(|m| m.has_focus(id))
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Tab))
        {
            if let Some(done) = browse::complete(&self.typed, &self.base, self.wanted) {
                self.typed = done;
                self.error = None;
            }
            self.cursor_to_end = true;
        }
        ui.horizontal(|ui| {
            let label = ui.label("Path");
            let edit = egui::TextEdit::singleline(&mut self.typed)
                .id(id)
                // Tab completes here instead of moving the focus.
                .lock_focus(true)
                .hint_text("type a path; Tab completes, Enter opens")
                .desired_width(ui.available_width());
            let mut out = edit.show(ui);
            let response = out.response.response.clone().labelled_by(label.id);
            if self.cursor_to_end {
                self.cursor_to_end = false;
                let end = egui::text::CCursor::new(self.typed.chars().count());
                out.state
                    .cursor
                    .set_char_range(Some(egui::text::CCursorRange::one(end)));
                out.state.store(ui.ctx(), id);
                response.request_focus();
            }
            if response.changed() {
                self.error = None;
            }
            if response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                chosen = self.try_choose();
            }
        });
        chosen
    }

    fn options_row(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            let (dir, _) = self.folder();
            if ui.button("Up").on_hover_text("The folder above").clicked()
                && let Some(parent) = dir.parent()
            {
                self.enter(parent);
            }
            if let Some(home) = std::env::var_os("HOME")
                && ui.button("Home").clicked()
            {
                self.enter(Path::new(&home));
            }
            ui.checkbox(&mut self.all_files, "All files")
                .on_hover_text("Also list files of other kinds");
            ui.checkbox(&mut self.hidden, "Hidden")
                .on_hover_text("Also list names starting with a dot");
        });
    }

    /// The folder's entries matching what is typed; a folder click enters it, a file click
    /// puts it in the field, a double click (or a click on a folder that is chosen) chooses.
    fn entries_ui(&mut self, ui: &mut egui::Ui, height: f32) -> Option<PathBuf> {
        let wanted = self.wanted;
        let (listing, partial) = self.entries();
        let (entries, cut) = match listing {
            Ok((e, cut)) => (e.clone(), *cut),
            Err(e) => {
                let e = e.clone();
                ui.colored_label(ui.visuals().error_fg_color, e);
                return None;
            }
        };
        let lower = partial.to_lowercase();
        let shown: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.name.to_lowercase().starts_with(&lower))
            .collect();
        let mut clicked: Option<(Entry, bool)> = None;
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::vertical()
            .id_salt("file_picker_entries")
            .max_height(height)
            .auto_shrink([false, true])
            .show_rows(ui, row_height, shown.len(), |ui, range| {
                for e in &shown[range] {
                    ui.horizontal(|ui| {
                        let name = if e.is_dir {
                            format!("{}/", e.name)
                        } else {
                            e.name.clone()
                        };
                        let text = if e.is_dir {
                            RichText::new(name).strong()
                        } else {
                            RichText::new(name)
                        };
                        let r = ui.selectable_label(false, text);
                        if r.double_clicked() {
                            clicked = Some(((*e).clone(), true));
                        } else if r.clicked() {
                            clicked = Some(((*e).clone(), false));
                        }
                        if !e.is_dir {
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    ui.label(
                                        RichText::new(browse::human_size(e.size))
                                            .weak()
                                            .monospace(),
                                    );
                                },
                            );
                        }
                    });
                }
            });
        if shown.is_empty() {
            ui.label(RichText::new("Nothing here matches.").weak());
        }
        if cut {
            ui.label(
                RichText::new(format!(
                    "Only the first {} entries are listed; type more of the name.",
                    browse::MAX_ENTRIES
                ))
                .weak(),
            );
        }
        let (entry, double) = clicked?;
        if entry.is_dir {
            if double && wanted.accepts_folder() {
                return Some(entry.path);
            }
            self.enter(&entry.path);
            return None;
        }
        self.typed = entry.path.display().to_string();
        self.error = None;
        self.cursor_to_end = true;
        double.then_some(entry.path)
    }

    fn recent_ui(&mut self, ui: &mut egui::Ui) -> Option<PathBuf> {
        if self.recent.is_empty() {
            return None;
        }
        let mut chosen = None;
        ui.add_space(4.0);
        ui.label(RichText::new("Recent").strong());
        for p in &self.recent {
            if ui
                .selectable_label(false, p.display().to_string())
                .on_hover_text("Open this one")
                .clicked()
            {
                chosen = Some(p.clone());
            }
        }
        chosen
    }
}
