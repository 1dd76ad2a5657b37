//! What a view of the app is: the [`View`] trait that the top bar, deep links, the lesson's
//! "Show me", the state file and the tests walk (the views themselves are listed once, in
//! [`super::views`]), and the [`Command`]s a view sends the app to act outside itself.

use crate::deeplink::Link;
use crate::lesson::Show;

/// Something a view asks the app to do, carried out after the frame. One view acts in another
/// only this way, never by reaching into it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Put the view that sends it on screen.
    ShowMe,
    /// Apply a deep link, as if opened from the address bar: its `tab` picks the view and its
    /// values go to the views that take them ("this scheme in the lab").
    OpenLink(Link),
    /// A problem to show on the status line (what went wrong outside the view's own area).
    Problem(String),
}

/// Commands collected during one frame.
pub type Commands = Vec<Command>;

/// What the app saves of a view: its settings as data (its part of the state file).
pub trait Persist {
    /// The settings, as written under the view's key in the state file. `Default` is the
    /// view's start state; reading is lenient (see [`crate::app::state::lenient`]).
    type State: Clone
        + std::fmt::Debug
        + PartialEq
        + Default
        + serde::Serialize
        + serde::de::DeserializeOwned;

    /// The settings worth saving.
    fn state(&self) -> Self::State;

    /// Back to saved settings (anything unknown or out of range keeps its default).
    fn restore(&mut self, state: &Self::State);

    /// The settings "Reset to defaults" goes to from `current`: the start state, unless the
    /// view keeps something (the Model panel keeps its recent files).
    fn fresh(_current: &Self::State) -> Self::State {
        Self::State::default()
    }
}

/// One view: a tab of the top bar with its own folder under `src/app/views/`.
///
/// Only [`View::label`], [`View::title`] and [`View::ui`] are required; a view without
/// background work, links or lesson fields leaves the rest as they are.
pub trait View {
    /// The tab's label in the top bar.
    fn label(&self) -> &'static str;

    /// The tab's hover text in the top bar.
    fn hover(&self) -> &'static str {
        ""
    }

    /// The window (and web page) title while the view is on screen.
    fn title(&self) -> String;

    /// Draw the view into the area under the top bar (it lays out its own side panels and
    /// scroll areas). An error of the view's own work is drawn here, in place.
    fn ui(&mut self, ui: &mut egui::Ui, commands: &mut Commands);

    /// Called every frame for every view, on screen or not, before any view is drawn: take
    /// finished background results, answer dialogs, handle the view's own shortcuts.
    fn poll(&mut self, _ctx: &egui::Context, _commands: &mut Commands) {}

    /// Whether the view still computes something in the background.
    fn busy(&self) -> bool {
        false
    }

    /// Its part of the link for what is on screen (called while it is on screen).
    fn link(&self, _link: &mut Link) {}

    /// Whether a link that names no tab is for this view (it carries this view's keys).
    fn takes_link(&self, _link: &Link) -> bool {
        false
    }

    /// Take its values from `link`; `aimed` when the link is for this view (values that more
    /// than one view understands, such as the rounding mode, go to the aimed one).
    fn apply_link(&mut self, _link: &Link, _aimed: bool) {}

    /// Put itself in a lesson step's state (the fields of [`Show`] it owns).
    fn apply_show(&mut self, _ctx: &egui::Context, _show: &Show) {}

    /// Open what the command line named; `true` when the view should then be on screen.
    fn launch(&mut self, _launch: &crate::launch::Launch) -> bool {
        false
    }
}

/// One frame of `view` alone, in the app's fonts: its background polling, then its `ui`. The
/// commands it sends are returned (the app carries them out; a test can read them).
pub fn show_alone(ui: &mut egui::Ui, view: &mut dyn View) -> Commands {
    super::style::fonts::install(ui.ctx());
    let mut commands = Commands::new();
    view.poll(ui.ctx(), &mut commands);
    view.ui(ui, &mut commands);
    commands
}
