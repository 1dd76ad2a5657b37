//! What two or more views draw: titled tables and plots with their export buttons, plot
//! helpers, a ggml block drawn apart, the rounding picker, sections a lesson step scrolls to, and layout helpers (side
//! panels, scrolled central areas, pairs that stack when narrow).

pub mod focus;
pub mod ggml_block;
pub mod layout;
pub mod plots;
pub mod rounding_picker;
pub mod table;
