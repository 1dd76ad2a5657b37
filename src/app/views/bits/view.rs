//! The Bits panel as a view of the app: its tab, title, link keys (`value`, `format`,
//! `rounding`) and lesson fields (`format`, `value`).

use super::{BitsPanel, BitsState};
use crate::app::view::{Commands, Persist, View};
use crate::app::widgets::layout::scrolled_central;
use crate::deeplink::Link;
use crate::lesson::Show;

impl View for BitsPanel {
    fn label(&self) -> &'static str {
        "Bits"
    }

    /// The value and its stored decimal.
    fn title(&self) -> String {
        let a = self.analysis();
        format!(
            "quantscope — {} in {} = {}",
            self.state().value,
            a.format.name(),
            crate::formats::decimal::shortest_repr(a.value)
        )
    }

    fn ui(&mut self, ui: &mut egui::Ui, _commands: &mut Commands) {
        scrolled_central(ui, |ui| self.panel_ui(ui));
    }

    fn link(&self, link: &mut Link) {
        let s = self.state();
        link.value = Some(s.value);
        // A custom eXmY layout has no name a link can carry.
        link.format = (s.format != "custom").then_some(s.format);
        link.rounding = Some(s.rounding);
    }

    fn apply_link(&mut self, link: &Link, aimed: bool) {
        let mut bits = self.state();
        if let Some(f) = &link.format {
            bits.format = f.clone();
        }
        if let Some(v) = &link.value {
            bits.value = v.clone();
        }
        if let (Some(r), true) = (&link.rounding, aimed) {
            bits.rounding = r.clone();
        }
        if bits != self.state() {
            self.restore(&bits);
            // The sweep shows the linked value's neighbourhood.
            self.centre_sweep();
        }
    }

    fn apply_show(&mut self, _ctx: &egui::Context, show: &Show) {
        let canonical = |name: &str| crate::formats::Format::parse(name).map(|f| f.name()).ok();
        if let Some(f) = show.format.as_deref().and_then(canonical) {
            self.select_format(&f);
        }
        if let Some(v) = &show.value {
            self.set_text(v);
        }
    }
}

impl Persist for BitsPanel {
    type State = BitsState;

    fn state(&self) -> BitsState {
        BitsPanel::state(self)
    }

    fn restore(&mut self, state: &BitsState) {
        BitsPanel::restore(self, state);
    }
}
