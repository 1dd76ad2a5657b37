//! The Downcast lab as a view of the app: its tab, title, link keys (`dist`, `size`, `seed`,
//! `to`, `scheme`, and `rounding` when aimed at it) and lesson fields.

use super::{DowncastPanel, DowncastState};
use crate::app::view::{Commands, Persist, View};
use crate::deeplink::Link;
use crate::lesson::Show;
use crate::tensor::random::Distribution;

impl View for DowncastPanel {
    fn label(&self) -> &'static str {
        "Downcast"
    }

    /// The lab's cast: how many values of which distribution, to what.
    fn title(&self) -> String {
        let s = self.state();
        let to = if s.quantize { s.qtype } else { s.format };
        format!(
            "quantscope — {} {} values → {to}",
            s.size,
            s.distribution.kind()
        )
    }

    fn ui(&mut self, ui: &mut egui::Ui, _commands: &mut Commands) {
        self.panel_ui(ui);
    }

    fn poll(&mut self, _ctx: &egui::Context, _commands: &mut Commands) {
        self.poll_job();
    }

    fn busy(&self) -> bool {
        DowncastPanel::busy(self)
    }

    fn link(&self, link: &mut Link) {
        let s = self.state();
        link.dist = Some(s.distribution.kind().to_string());
        link.size = Some(s.size);
        link.seed = Some(s.seed);
        if s.quantize {
            link.scheme = Some(s.qtype);
        } else {
            link.to = Some(s.format);
            link.rounding = Some(s.rounding);
        }
    }

    fn takes_link(&self, link: &Link) -> bool {
        link.dist.is_some()
            || link.size.is_some()
            || link.seed.is_some()
            || link.to.is_some()
            || link.scheme.is_some()
    }

    fn apply_link(&mut self, link: &Link, aimed: bool) {
        let mut d = self.state();
        if let Some(k) = &link.dist
            && d.distribution.kind() != k
            && let Some(dist) = Distribution::named(k)
        {
            d.distribution = dist;
        }
        if let Some(n) = link.size {
            d.size = n;
        }
        if let Some(s) = link.seed {
            d.seed = s;
        }
        if let Some(t) = &link.to {
            d.format = t.clone();
            d.quantize = false;
        }
        if let Some(q) = &link.scheme {
            d.qtype = q.clone();
            d.quantize = true;
        }
        if let (Some(r), true) = (&link.rounding, aimed) {
            d.rounding = r.clone();
        }
        if d != self.state() {
            self.restore(&d);
        }
    }

    fn apply_show(&mut self, _ctx: &egui::Context, show: &Show) {
        let canonical = |name: &str| crate::formats::Format::parse(name).map(|f| f.name()).ok();
        if let Some(f) = show.downcast_format.as_deref().and_then(canonical) {
            self.set_format(&f);
        }
        if let Some(q) = show.quantize {
            self.set_quantize(q);
        }
        if let Some(scheme) = &show.scheme {
            self.set_scheme(scheme);
        }
        if let Some(d) = show.distribution.as_deref().and_then(Distribution::named) {
            self.set_distribution(d);
        }
        if let Some(n) = show.size {
            self.set_size(n);
        }
        if let Some(s) = show.seed {
            self.set_seed(s);
        }
    }
}

impl Persist for DowncastPanel {
    type State = DowncastState;

    fn state(&self) -> DowncastState {
        DowncastPanel::state(self)
    }

    fn restore(&mut self, state: &DowncastState) {
        DowncastPanel::restore(self, state);
    }
}
