//! The state as files: what is saved on exit and restored on the next start (eframe's
//! storage), saved as JSON (Ctrl+S) and loaded back (hostile files give a message), and reset
//! to defaults.

use super::QuantscopeApp;
use super::state;
use crate::app::platform::{export, file_chooser};
use crate::app::views::Tab;

impl QuantscopeApp {
    /// The app as it was saved in `storage` (defaults where nothing usable was saved).
    pub fn from_storage(ctx: &egui::Context, storage: Option<&dyn eframe::Storage>) -> Self {
        let mut app = Self::default();
        let Some(storage) = storage else {
            return app;
        };
        if let Some(saved) = storage
            .get_string(STATE_KEY)
            .and_then(|t| state::from_json::<state::AppState>(&t).ok())
        {
            app.restore(ctx, &saved);
        } else if let Some(recent) =
            eframe::get_value::<Vec<std::path::PathBuf>>(storage, RECENT_KEY)
        {
            app.model.recent = recent;
        }
        app
    }

    /// The state worth saving: the view on screen, every view's settings, theme, zoom.
    pub fn state(&self, ctx: &egui::Context) -> state::AppState {
        state::AppState {
            version: state::STATE_VERSION,
            tab: self.tab.key().into(),
            presentation: self.presentation,
            theme: match ctx.options(|o| o.theme_preference) {
                egui::ThemePreference::Dark => "dark",
                egui::ThemePreference::Light => "light",
                egui::ThemePreference::System => "system",
            }
            .into(),
            zoom: ctx.zoom_factor(),
            lesson_open: self.lesson.open,
            lesson_step: self.lesson.step,
            views: self.views.state(),
            export: self.exporter.settings.clone(),
        }
    }

    /// Put the app in a saved state (unknown values keep their defaults).
    pub fn restore(&mut self, ctx: &egui::Context, s: &state::AppState) {
        self.tab = Tab::named(&s.tab.to_lowercase()).unwrap_or(Tab::ALL[0]);
        self.views.restore(&s.views);
        self.lesson.open = s.lesson_open;
        self.lesson.step = s
            .lesson_step
            .min(self.lesson.lesson.steps.len().saturating_sub(1));
        self.exporter.settings = s.export.clone();
        ctx.set_theme(match s.theme.as_str() {
            "dark" => egui::ThemePreference::Dark,
            "light" => egui::ThemePreference::Light,
            _ => egui::ThemePreference::System,
        });
        if s.presentation != self.presentation {
            self.set_presentation(ctx, s.presentation);
        }
        if s.zoom.is_finite() {
            ctx.set_zoom_factor(s.zoom.clamp(0.5, 4.0));
        }
        ctx.request_repaint();
    }

    /// Every panel back to its start state; recent files and the export folder are kept.
    pub fn reset(&mut self, ctx: &egui::Context) {
        let mut fresh = state::AppState {
            views: self.views.state().fresh(),
            ..state::AppState::default()
        };
        fresh.export = self.exporter.settings.clone();
        self.restore(ctx, &fresh);
    }

    /// The state as pretty JSON.
    pub fn state_json(&self, ctx: &egui::Context) -> String {
        serde_json::to_string_pretty(&self.state(ctx)).unwrap_or_default()
    }

    /// Post the state as `quantscope-state.json` for saving.
    pub fn save_state(&mut self, ctx: &egui::Context) {
        export::save_bytes(
            ctx,
            "quantscope-state.json",
            self.state_json(ctx).into_bytes(),
        );
    }

    /// Read a state file the user chose, off the UI thread, and restore it when read.
    pub(super) fn poll_loading(&mut self, ctx: &egui::Context) {
        match self.state_chooser.ui(ctx) {
            Some(file_chooser::Chosen::Path(path)) => {
                self.loading.start(ctx, move |_| read_state(&path))
            }
            Some(file_chooser::Chosen::Files(files)) => {
                if let Some((name, bytes)) = files.into_iter().next() {
                    self.loading
                        .start(ctx, move |_| read_state_bytes(&name, &bytes));
                }
            }
            None => {}
        }
        match self.loading.poll() {
            Some(Ok(s)) => self.restore(ctx, &s),
            Some(Err(e)) => self.exporter.status = Some(Err(e)),
            None => {}
        }
        if let Some(why) = self.loading.take_failure() {
            self.exporter.status = Some(Err(why));
        }
        if self.loading.status().is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}

/// Storage key of the recent files list (older versions saved only that).
const RECENT_KEY: &str = "recent_files";

/// Storage key of the whole state (JSON of [`state::AppState`]).
pub(super) const STATE_KEY: &str = "quantscope_state";

/// Largest state file read (a real one is about 2 KB).
const MAX_STATE_BYTES: u64 = 1 << 20;

/// Read a state file's bytes (picked in the browser); the message names the file.
pub fn read_state_bytes(name: &str, bytes: &[u8]) -> Result<state::AppState, String> {
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(format!(
            "{name} is {} bytes: too large for a state file",
            bytes.len()
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| format!("{name} is not UTF-8 text"))?;
    state::from_json(text).map_err(|e| format!("{name}: {e}"))
}

/// Read a state file; the message names the file.
pub fn read_state(path: &std::path::Path) -> Result<state::AppState, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    if size > MAX_STATE_BYTES {
        return Err(format!(
            "{} is {size} bytes: too large for a state file",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    state::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}
