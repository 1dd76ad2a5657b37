//! The Hugging Face image classifiers Run executes, by `config.json`'s `model_type`: each
//! one's config, the tensors its checkpoint must hold, its image processor, and loading it
//! prepared for a precision.

use super::convnext::{self, ConvNextConfig};
use super::image_processor::ProcessorKind;
use super::layers::Network;
use super::mobilenet_v2::{self, MobileNetV2Config};
use super::mobilevit::{self, MobileVitConfig};
use super::precision::Precision;
use super::resnet::{self, ResNetConfig};
use super::vit::{self, VitConfig};
use crate::model::ModelFiles;

/// A Hugging Face image classifier's architecture and config.
#[derive(Clone, Debug, PartialEq)]
pub enum HfModel {
    /// `mobilevit`.
    MobileVit(MobileVitConfig),
    /// `vit`.
    Vit(VitConfig),
    /// `resnet`.
    ResNet(ResNetConfig),
    /// `convnext`.
    ConvNext(ConvNextConfig),
    /// `mobilenet_v2`.
    MobileNetV2(MobileNetV2Config),
}

impl HfModel {
    /// The architecture of `model_type`, its config read from `config` (None: a type this
    /// module does not know).
    pub fn from_config(
        model_type: &str,
        config: &serde_json::Value,
    ) -> Option<Result<HfModel, String>> {
        Some(match model_type {
            "mobilevit" => MobileVitConfig::from_json(config).map(HfModel::MobileVit),
            "vit" => VitConfig::from_json(config).map(HfModel::Vit),
            "resnet" => ResNetConfig::from_json(config).map(HfModel::ResNet),
            "convnext" => ConvNextConfig::from_json(config).map(HfModel::ConvNext),
            "mobilenet_v2" => MobileNetV2Config::from_json(config).map(HfModel::MobileNetV2),
            _ => return None,
        })
    }

    /// The architecture's name.
    pub fn name(&self) -> &'static str {
        match self {
            HfModel::MobileVit(_) => "MobileViT",
            HfModel::Vit(_) => "ViT",
            HfModel::ResNet(_) => "ResNet",
            HfModel::ConvNext(_) => "ConvNeXt",
            HfModel::MobileNetV2(_) => "MobileNetV2",
        }
    }

    /// The classifier head's weight.
    pub fn classifier(&self) -> String {
        let head = match self {
            HfModel::ResNet(_) => resnet::CLASSIFIER,
            _ => "classifier",
        };
        format!("{head}.weight")
    }

    /// Every tensor (name, shape) a checkpoint holds, with `num_labels` classes.
    pub fn tensors(&self, num_labels: usize) -> Vec<(String, Vec<usize>)> {
        match self {
            HfModel::MobileVit(c) => mobilevit::checkpoint_tensors(c, num_labels),
            HfModel::Vit(c) => vit::checkpoint_tensors(c, num_labels),
            HfModel::ResNet(c) => resnet::checkpoint_tensors(c, num_labels),
            HfModel::ConvNext(c) => convnext::checkpoint_tensors(c, num_labels),
            HfModel::MobileNetV2(c) => mobilenet_v2::checkpoint_tensors(c, num_labels),
        }
    }

    /// The image processor its checkpoints use when `preprocessor_config.json` does not
    /// say (ResNet checkpoints use ConvNeXt's).
    pub fn processor(&self) -> ProcessorKind {
        match self {
            HfModel::MobileVit(_) => ProcessorKind::MobileVit,
            HfModel::Vit(_) => ProcessorKind::Vit,
            HfModel::ResNet(_) | HfModel::ConvNext(_) => ProcessorKind::ConvNext,
            HfModel::MobileNetV2(_) => ProcessorKind::MobileNetV2,
        }
    }

    /// The input side the model was made for.
    pub fn image_size(&self) -> usize {
        match self {
            HfModel::MobileVit(c) => c.image_size,
            HfModel::Vit(c) => c.image_size,
            HfModel::ResNet(_) => 224,
            HfModel::ConvNext(c) => c.image_size,
            HfModel::MobileNetV2(c) => c.image_size,
        }
    }

    /// Input channels.
    pub fn num_channels(&self) -> usize {
        match self {
            HfModel::MobileVit(c) => c.num_channels,
            HfModel::Vit(c) => c.num_channels,
            HfModel::ResNet(c) => c.num_channels,
            HfModel::ConvNext(c) => c.num_channels,
            HfModel::MobileNetV2(c) => c.num_channels,
        }
    }

    /// Load it from `files`, prepared for `precision`.
    pub fn load(
        &self,
        files: &ModelFiles,
        precision: Precision,
    ) -> Result<Box<dyn Network>, String> {
        Ok(match self {
            HfModel::MobileVit(c) => Box::new(mobilevit::load(files, c.clone(), precision)?),
            HfModel::Vit(c) => Box::new(vit::load(files, c.clone(), precision)?),
            HfModel::ResNet(c) => Box::new(resnet::load(files, c.clone(), precision)?),
            HfModel::ConvNext(c) => Box::new(convnext::load(files, c.clone(), precision)?),
            HfModel::MobileNetV2(c) => Box::new(mobilenet_v2::load(files, c.clone(), precision)?),
        })
    }
}
