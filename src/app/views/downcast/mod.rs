//! The Downcast view (the lab): a random tensor cast or quantized, recomputed in the background
//! on every change, with histograms, error statistics, dot products, memory and the block view.

mod block_view;
mod panel;
mod results;
mod settings;
mod view;

pub use panel::{Action, DowncastPanel};
pub use settings::DowncastState;
