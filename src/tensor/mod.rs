//! Tensors, GUI-free: seeded random data, whole-tensor casts, statistics, histograms and
//! dot products with a chosen accumulation.

pub mod cast;
pub mod dot;
pub mod lab;
pub mod pair_stats;
pub mod parallel;
pub mod progress;
pub mod random;
pub mod sq_error;
pub mod stats;

pub use progress::{Cancelled, Progress};
pub use random::Distribution;
