#!/usr/bin/env python3
"""Random checkpoints at the real size of the Hugging Face classifiers quantscope runs, for
screenshots and timing (no model hub here; tests use the small fixtures instead).

    pip install torch transformers safetensors
    python3 scripts/make_real_size_models.py [OUT_DIR]      # default /tmp/quantscope-models

Writes OUT_DIR/<name>/ with config.json, model.safetensors and preprocessor_config.json in the
layout and with the processor settings of google/vit-base-patch16-224, microsoft/resnet-50,
facebook/convnext-tiny-224 and google/mobilenet_v2_1.0_224 (1000 classes). Weights are
Kaiming-scaled and batch-norm statistics not 0/1, so activations stay O(1) (transformers'
std 0.02 init would make logits ~0 and timings meaningless).
"""
import math
import os
import sys

import torch
from transformers import (
    ConvNextConfig,
    ConvNextForImageClassification,
    ConvNextImageProcessorPil,
    MobileNetV2Config,
    MobileNetV2ForImageClassification,
    MobileNetV2ImageProcessorPil,
    ResNetConfig,
    ResNetForImageClassification,
    ViTConfig,
    ViTForImageClassification,
    ViTImageProcessorPil,
)

OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/quantscope-models"
IMAGENET_DEFAULT = dict(image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])

MODELS = {
    "vit-base-patch16-224": (ViTForImageClassification, ViTConfig(), ViTImageProcessorPil(
        size={"height": 224, "width": 224})),
    "resnet-50": (ResNetForImageClassification, ResNetConfig(), ConvNextImageProcessorPil(
        size={"shortest_edge": 224}, crop_pct=0.875, **IMAGENET_DEFAULT)),
    "convnext-tiny-224": (ConvNextForImageClassification, ConvNextConfig(), ConvNextImageProcessorPil(
        size={"shortest_edge": 224}, crop_pct=0.875, **IMAGENET_DEFAULT)),
    "mobilenet_v2_1.0_224": (MobileNetV2ForImageClassification, MobileNetV2Config(), MobileNetV2ImageProcessorPil(
        size={"shortest_edge": 256}, crop_size={"height": 224, "width": 224}, **IMAGENET_DEFAULT)),
}


def main():
    gen = torch.Generator().manual_seed(0)
    for name, (cls, config, processor) in MODELS.items():
        config.num_labels = 1000
        config.id2label = {i: f"class {i}" for i in range(1000)}
        config.label2id = {f"class {i}": i for i in range(1000)}
        model = cls(config).eval()
        with torch.no_grad():
            for pname, p in model.named_parameters():
                if p.ndim >= 2 and not pname.endswith(("cls_token", "position_embeddings")):
                    fan_in = p[0].numel()
                    gain = 1.0 if "classifier" in pname or "vit" in pname else 2.0
                    if ".layer.2." in pname:
                        gain = 0.1  # each bottleneck's last 1×1: residual sums stay O(1)
                    p.normal_(0.0, math.sqrt(gain / fan_in), generator=gen)
                elif pname.endswith(("cls_token", "position_embeddings")):
                    p.normal_(0.0, 0.5, generator=gen)
                elif pname.endswith("layer_scale_parameter"):
                    p.fill_(0.1)
                elif pname.endswith("bias"):
                    p.uniform_(-0.1, 0.1, generator=gen)
                else:
                    p.uniform_(0.8, 1.2, generator=gen)
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.1, 0.1, generator=gen)
                    m.running_var.uniform_(0.8, 1.2, generator=gen)
        out = os.path.join(OUT, name)
        model.save_pretrained(out, safe_serialization=True)
        processor.save_pretrained(out)
        with torch.no_grad():
            logits = model(torch.rand(1, 3, 224, 224, generator=gen)).logits
        print(out, sum(p.numel() for p in model.parameters()), "parameters; logits std", float(logits.std()))


if __name__ == "__main__":
    main()
