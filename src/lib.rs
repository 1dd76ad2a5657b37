//! quantscope: see what number formats and quantization do.
//!
//! The core ([`formats`]) is GUI-free; [`cli`] and [`app`] are thin layers over it.
//! The map of the code is `ARCHITECTURE.md`.

#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod browse;
pub mod cli;
pub mod deeplink;
pub mod export;
pub mod formats;
pub mod ggml;
pub mod gguf;
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
