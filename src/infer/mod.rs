//! Inference, GUI-free, with candle on the CPU: models in every precision, side by side.

pub mod cache;
pub mod compare;
pub mod conv;
pub mod convnext;
pub mod depthwise;
pub mod family;
pub mod fused;
pub mod hf_model;
pub mod image_processor;
pub mod layers;
pub mod matmul;
pub mod mobilenet_v2;
pub mod mobilevit;
pub mod patches;
pub mod pil_resize;
pub mod precision;
pub mod preprocess;
pub mod resnet;
pub mod run;
pub mod simple_cnn;
pub mod synthetic;
pub mod vit;
pub mod weights;

pub use precision::Precision;
