//! The list of views: one folder each, and one line each in [`views!`] below. The line names
//! the tab ([`Tab`]), the view's key in links, lesson steps and state files (also the name of
//! its folder, which the list declares as its module), and its type; from it come the
//! [`Views`] the app holds, the [`ViewStates`] its state file holds, and the walks over every
//! view that the top bar, links, the lesson and the tests use.

use super::view::{Persist, View};

macro_rules! views {
    ($($(#[$doc:meta])* $tab:ident => $key:ident: $ty:ty,)+) => {
        // Each view's folder is the module of its key.
        $(pub mod $key;)+

        /// The views, one per tab of the top bar, in the bar's order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Tab {
            $($(#[$doc])* $tab,)+
        }

        impl Tab {
            /// Every view, in the top bar's order.
            pub const ALL: &'static [Tab] = &[$(Tab::$tab,)+];

            /// The view's key in links, lesson steps and state files.
            pub fn key(self) -> &'static str {
                match self {
                    $(Tab::$tab => stringify!($key),)+
                }
            }
        }

        /// Every view's state, one field per view (the app derefs to it: `app.bits`).
        #[derive(Default)]
        pub struct Views {
            $($(#[$doc])* pub $key: $ty,)+
        }

        impl Views {
            /// The view of `tab`.
            pub fn get(&self, tab: Tab) -> &dyn View {
                match tab {
                    $(Tab::$tab => &self.$key,)+
                }
            }

            /// The view of `tab`, to change.
            pub fn get_mut(&mut self, tab: Tab) -> &mut dyn View {
                match tab {
                    $(Tab::$tab => &mut self.$key,)+
                }
            }

            /// Every view with its tab, in the top bar's order.
            pub fn iter_mut(&mut self) -> impl Iterator<Item = (Tab, &mut dyn View)> {
                [$((Tab::$tab, &mut self.$key as &mut dyn View),)+].into_iter()
            }

            /// Every view's settings.
            pub fn state(&self) -> ViewStates {
                ViewStates {
                    $($key: Persist::state(&self.$key),)+
                }
            }

            /// Every view back to `states`.
            pub fn restore(&mut self, states: &ViewStates) {
                $(Persist::restore(&mut self.$key, &states.$key);)+
            }
        }

        /// Every view's saved settings, each under the view's key (flattened into
        /// [`crate::app::state::AppState`]).
        #[derive(Clone, Debug, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[serde(default)]
        pub struct ViewStates {
            $($(#[$doc])* pub $key: <$ty as Persist>::State,)+
        }

        impl ViewStates {
            /// What "Reset to defaults" goes to from these settings.
            pub fn fresh(&self) -> ViewStates {
                ViewStates {
                    $($key: <$ty as Persist>::fresh(&self.$key),)+
                }
            }
        }
    };
}

views! {
    /// The bit-layout visualizer: one value in one format, bit by bit.
    Bits => bits: bits::BitsPanel,
    /// The downcasting lab: a random tensor cast or quantized.
    Downcast => downcast: downcast::DowncastPanel,
    /// The model panel: a checkpoint's tensors, memory and sensitivity, and runs.
    Model => model: model::ModelPanel,
}

impl Tab {
    /// The view whose key is `key` (`bits`, `downcast`, `model`, …).
    pub fn named(key: &str) -> Option<Tab> {
        Tab::ALL.iter().copied().find(|t| t.key() == key)
    }

    /// Every view's key, in the top bar's order.
    pub fn keys() -> Vec<&'static str> {
        Tab::ALL.iter().map(|t| t.key()).collect()
    }
}
