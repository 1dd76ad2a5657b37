//! The app itself: the window's frame with the top bar over the view on screen, the lesson
//! beside it, and the commands views send. The top bar, links, the lesson and the state walk
//! the list of views ([`crate::app::views`]); nothing here names a view.

pub mod lesson_panel;
mod links;
mod saved;
pub mod state;
mod top_bar;

pub use saved::{read_state, read_state_bytes};

use crate::app::platform::{export, file_chooser, job};
use crate::app::style::{fonts, palette};
use crate::app::view::{Command, Commands, View};
use crate::app::views::{Tab, Views};

/// Window title.
pub const TITLE: &str = "quantscope — number formats & quantization";

/// The whole application state.
pub struct QuantscopeApp {
    /// The view on screen.
    pub tab: Tab,
    /// Every view (the app derefs to them: `app.bits`, `app.downcast`, `app.model`).
    pub views: Views,
    /// The guided lesson.
    pub lesson: lesson_panel::LessonPanel,
    /// Larger text and cells for a projector.
    pub presentation: bool,
    /// Saves tables, plots and the state.
    pub exporter: export::Exporter,
    /// The "Load state…" dialog.
    state_chooser: file_chooser::FileChooser,
    /// Reading a chosen state file, off the UI thread.
    loading: job::Job<Result<state::AppState, String>>,
    /// The context of the last frame, for `save` (which eframe calls without one).
    last_ctx: Option<egui::Context>,
    /// A deep link to apply on the first frame (from the command line or the page's URL).
    pub pending_link: Option<String>,
}

impl Default for QuantscopeApp {
    fn default() -> Self {
        QuantscopeApp {
            tab: Tab::ALL[0],
            views: Views::default(),
            lesson: lesson_panel::LessonPanel::default(),
            presentation: false,
            exporter: export::Exporter::default(),
            state_chooser: file_chooser::FileChooser::default(),
            loading: job::Job::default(),
            last_ctx: None,
            pending_link: None,
        }
    }
}

impl std::ops::Deref for QuantscopeApp {
    type Target = Views;
    fn deref(&self) -> &Views {
        &self.views
    }
}

impl std::ops::DerefMut for QuantscopeApp {
    fn deref_mut(&mut self) -> &mut Views {
        &mut self.views
    }
}

impl QuantscopeApp {
    /// Build the app for eframe, restoring what was saved on the last exit.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        Self::from_storage(&cc.egui_ctx, cc.storage)
    }

    /// The view on screen.
    pub fn view(&self) -> &dyn View {
        self.views.get(self.tab)
    }

    /// Whether the view on screen still computes (hidden views start their work only when
    /// shown).
    pub fn busy(&self) -> bool {
        self.view().busy()
    }

    /// Draw one frame into `ui` (the whole window).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        fonts::install(ui.ctx());
        if self.last_ctx.is_none() {
            self.last_ctx = Some(ui.ctx().clone());
        }
        if let Some(fragment) = self.pending_link.take() {
            self.open_link(ui.ctx(), &fragment);
        }
        palette::Look {
            presentation: self.presentation,
        }
        .set(ui.ctx());
        let mut commands = Vec::new();
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar(ui));
        self.shortcuts(ui.ctx());
        self.poll_loading(ui.ctx());
        for (tab, view) in self.views.iter_mut() {
            let mut sent = Commands::new();
            view.poll(ui.ctx(), &mut sent);
            commands.extend(sent.into_iter().map(|c| (tab, c)));
        }
        self.exporter.frame(ui.ctx());
        self.exporter.status_ui(ui);
        if self.lesson.open
            && let Some(show) = self.lesson.ui(ui, self.presentation)
        {
            self.apply(ui.ctx(), &show);
        }
        let mut sent = Commands::new();
        self.views.get_mut(self.tab).ui(ui, &mut sent);
        commands.extend(sent.into_iter().map(|c| (self.tab, c)));
        self.run_commands(ui.ctx(), commands);
    }

    /// Carry out what the views asked for this frame, each command with the view that sent it.
    pub fn run_commands(&mut self, ctx: &egui::Context, commands: Vec<(Tab, Command)>) {
        for (from, command) in commands {
            match command {
                Command::ShowMe => self.tab = from,
                Command::OpenLink(link) => self.apply_link(ctx, &link),
                Command::Problem(message) => self.exporter.status = Some(Err(message)),
            }
            ctx.request_repaint();
        }
    }

    /// Open on what the command line named: the view that takes it (the Model panel for a
    /// checkpoint or an image) on screen, with its problems shown there.
    pub fn launch(&mut self, launch: &crate::launch::Launch) {
        for (tab, view) in self.views.iter_mut() {
            if view.launch(launch) {
                self.tab = tab;
            }
        }
        self.pending_link = launch.link.clone();
    }
}

impl eframe::App for QuantscopeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
        #[cfg(target_arch = "wasm32")]
        crate::app::platform::web::sync(self, ui.ctx(), _frame.info().cpu_usage);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // eframe calls this without a context; the zoom and theme come from the last frame.
        if let Some(ctx) = &self.last_ctx {
            storage.set_string(saved::STATE_KEY, self.state_json(ctx));
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl crate::app::platform::web::Page for QuantscopeApp {
    fn open_link(&mut self, ctx: &egui::Context, fragment: &str) {
        QuantscopeApp::open_link(self, ctx, fragment);
    }

    fn fragment(&self) -> String {
        crate::deeplink::write(&self.link())
    }

    fn title(&self) -> String {
        QuantscopeApp::title(self)
    }
}

/// Start the app on the web page's canvas, on the link in the page's address.
#[cfg(target_arch = "wasm32")]
pub fn start_web() {
    crate::app::platform::web::start(|cc, hash| {
        let mut app = QuantscopeApp::new(cc);
        app.pending_link = hash;
        Box::new(app)
    });
}

/// Open the window on `launch` (nothing: as it was left) and run until it is closed.
#[cfg(not(target_arch = "wasm32"))]
pub fn run(launch: crate::launch::Launch) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(TITLE)
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([720.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native(
        TITLE,
        options,
        Box::new(move |cc| {
            let mut app = QuantscopeApp::new(cc);
            app.launch(&launch);
            Ok(Box::new(app))
        }),
    )
}
