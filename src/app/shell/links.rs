//! What the app is asked from outside a view: deep links (the link for what is on screen, and
//! putting the app in a link's state with a visible note for values that were not used), a
//! lesson step's "Show me", and the title of what is on screen. Each walks the list of views.

use super::QuantscopeApp;
use crate::app::views::Tab;
use crate::deeplink::{self, Link};

impl QuantscopeApp {
    /// The link for what is on screen: the tab, and that view's settings.
    pub fn link(&self) -> Link {
        let mut link = Link {
            tab: Some(self.tab.key().into()),
            ..Link::default()
        };
        self.view().link(&mut link);
        link
    }

    /// Put the app in `link`'s state (settings the link leaves out stay as they are). The link
    /// is aimed at the view it names, else at the view that takes its keys, else at the view
    /// on screen; each view takes its own values from it.
    pub fn apply_link(&mut self, ctx: &egui::Context, link: &Link) {
        if let Some(tab) = link.tab.as_deref().and_then(Tab::named) {
            self.tab = tab;
        }
        let aimed = match link.tab {
            Some(_) => self.tab,
            None => Tab::ALL
                .iter()
                .copied()
                .find(|&t| self.views.get(t).takes_link(link))
                .unwrap_or(self.tab),
        };
        for (tab, view) in self.views.iter_mut() {
            view.apply_link(link, tab == aimed);
        }
        ctx.request_repaint();
    }

    /// Read a fragment and apply it; notes for values not used go to the status bar.
    pub fn open_link(&mut self, ctx: &egui::Context, fragment: &str) {
        let (link, notes) = deeplink::parse(fragment, &Tab::keys());
        self.apply_link(ctx, &link);
        if !notes.is_empty() {
            self.exporter.status = Some(Err(notes.join("; ")));
        }
    }

    /// The shareable URL of what is on screen, under the configured base.
    pub fn link_url(&self) -> String {
        deeplink::url(&self.exporter.settings.link_base, &self.link())
    }

    /// Put the views in a lesson step's state: its tab on screen, each view its own fields,
    /// then the section it names scrolled into view.
    pub fn apply(&mut self, ctx: &egui::Context, show: &crate::lesson::Show) {
        if let Some(tab) = show.tab.as_deref().and_then(Tab::named) {
            self.tab = tab;
        }
        for (_, view) in self.views.iter_mut() {
            view.apply_show(ctx, show);
        }
        if let Some(name) = &show.focus {
            crate::app::widgets::focus::request(ctx, name);
        }
        ctx.request_repaint();
    }

    /// A title saying what is on screen (the web page's tab shows it).
    pub fn title(&self) -> String {
        self.view().title()
    }
}
