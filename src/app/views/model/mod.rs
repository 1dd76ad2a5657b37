//! The Model view: open a checkpoint, browse its tensors, memory per precision, one tensor
//! under a scheme and the sensitivity table (Inspect); classify an input in every precision
//! (Run).

mod canvas;
mod gguf_block;
mod inspect;
mod panel;
mod run;
mod settings;
mod tree;
mod view;

pub use panel::{ModelPanel, View};
pub use run::InferView;
pub use settings::ModelState;
