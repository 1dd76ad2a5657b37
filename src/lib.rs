//! quantscope: see what number formats and quantization do.
//!
//! The core ([`formats`]) is GUI-free; [`cli`] and [`app`] are thin layers over it.

pub mod app;
pub mod browse;
pub mod cli;
pub mod deeplink;
pub mod export;
pub mod formats;
pub mod glossary;
pub mod infer;
pub mod launch;
pub mod lesson;
pub mod model;
pub mod platform;
pub mod quant;
pub mod tasks;
pub mod tensor;
pub mod wire;
