//! Number formats, GUI-free: layouts, exact encode/decode with every rounding mode,
//! per-value analysis, limits (`finfo`/`iinfo`) and decimal printing.

pub mod analysis;
pub mod codec;
pub mod decimal;
pub mod info;
pub mod normal_round;
pub mod parse;
pub mod rounding;
pub mod spec;
pub mod sweep;
pub mod table;

pub use analysis::{Analysis, Class, Field};
pub use codec::{CastPath, decode, encode, encode_with};
pub use info::Info;
pub use rounding::{Rounder, RoundingMode};
pub use spec::{Format, Kind, Specials};
