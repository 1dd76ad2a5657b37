//! Deep links in the app: the link for what is on screen, and putting the app in a link's
//! state (with a visible note for values that were not used).

use super::{QuantscopeApp, Tab};
use crate::deeplink::{self, Link};

impl QuantscopeApp {
    /// The link for what is on screen: the tab, and that panel's settings.
    pub fn link(&self) -> Link {
        let mut link = Link {
            tab: Some(self.tab.key().into()),
            ..Link::default()
        };
        match self.tab {
            Tab::Bits => {
                let s = self.bits.state();
                link.value = Some(s.value);
                // A custom eXmY layout has no name a link can carry.
                link.format = (s.format != "custom").then_some(s.format);
                link.rounding = Some(s.rounding);
            }
            Tab::Downcast => {
                let s = self.downcast.state();
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
            Tab::Model => {}
        }
        link
    }

    /// Put the app in `link`'s state (settings the link leaves out stay as they are).
    pub fn apply_link(&mut self, ctx: &egui::Context, link: &Link) {
        if let Some(tab) = link.tab.as_deref().and_then(Tab::named) {
            self.tab = tab;
        }
        let lab = link.dist.is_some()
            || link.size.is_some()
            || link.seed.is_some()
            || link.to.is_some()
            || link.scheme.is_some();
        let on_lab = self.tab == Tab::Downcast || (link.tab.is_none() && lab);
        let mut bits = self.bits.state();
        if let Some(f) = &link.format {
            bits.format = f.clone();
        }
        if let Some(v) = &link.value {
            bits.value = v.clone();
        }
        if let (Some(r), false) = (&link.rounding, on_lab) {
            bits.rounding = r.clone();
        }
        if bits != self.bits.state() {
            self.bits.restore(&bits);
            // The sweep shows the linked value's neighbourhood.
            self.bits.centre_sweep();
        }
        let mut d = self.downcast.state();
        if let Some(k) = &link.dist
            && d.distribution.kind() != k
            && let Some(dist) = crate::tensor::random::Distribution::named(k)
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
        if let (Some(r), true) = (&link.rounding, on_lab) {
            d.rounding = r.clone();
        }
        if d != self.downcast.state() {
            self.downcast.restore(&d);
        }
        ctx.request_repaint();
    }

    /// Read a fragment and apply it; notes for values not used go to the status bar.
    pub fn open_link(&mut self, ctx: &egui::Context, fragment: &str) {
        let (link, notes) = deeplink::parse(fragment);
        self.apply_link(ctx, &link);
        if !notes.is_empty() {
            self.exporter.status = Some(Err(notes.join("; ")));
        }
    }

    /// The shareable URL of what is on screen, under the configured base.
    pub fn link_url(&self) -> String {
        deeplink::url(&self.exporter.settings.link_base, &self.link())
    }
}

impl QuantscopeApp {
    /// A title saying what is on screen (the web page's tab shows it): the value and its
    /// stored decimal in the Bits panel, the lab's cast, or the checkpoint.
    pub fn title(&self) -> String {
        match self.tab {
            Tab::Bits => {
                let a = self.bits.analysis();
                format!(
                    "quantscope — {} in {} = {}",
                    self.bits.state().value,
                    a.format.name(),
                    crate::formats::decimal::shortest_repr(a.value)
                )
            }
            Tab::Downcast => {
                let s = self.downcast.state();
                let to = if s.quantize { s.qtype } else { s.format };
                format!(
                    "quantscope — {} {} values → {to}",
                    s.size,
                    s.distribution.kind()
                )
            }
            Tab::Model => match self.model.files() {
                Some(f) => format!("quantscope — {}", f.path.display()),
                None => "quantscope — Model".into(),
            },
        }
    }
}
