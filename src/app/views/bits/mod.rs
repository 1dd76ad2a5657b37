//! The Bits view: one value in one format, bit by bit — the bit row to click, the decoded
//! value, the sweep of rounding error, the value in every format, and finfo / iinfo.

mod bit_row;
mod change;
mod compare_table;
mod limits_table;
mod panel;
mod settings;
mod sweep_plot;
mod view;

pub use change::Change;
pub use panel::BitsPanel;
pub use settings::BitsState;
