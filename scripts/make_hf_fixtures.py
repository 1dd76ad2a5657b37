#!/usr/bin/env python3
"""Reference fixtures for quantscope's ViT, ResNet, ConvNeXt and MobileNetV2: small
random-init models in Hugging Face layout, the PIL image processors each family's
checkpoints use, and what transformers computes.

    pip install torch transformers safetensors pillow
    python3 scripts/make_hf_fixtures.py

For each model below, writes tests/fixtures/hf/<name>/:
  config.json, model.safetensors (save_pretrained), preprocessor_config.json
  reference.safetensors:
      pixel_values [1,3,H,W]  the PIL processor on tests/fixtures/mobilevit/image.png
      logits_fp32, logits_bf16, logits_fp16   from those pixel values (model.to(dtype))
      hidden_state_<i>                        output_hidden_states=True, fp32
      random_pixel_values, random_logits_fp32 a torch.rand input, independent of the processor
and tests/fixtures/hf/processors.safetensors + processors.json: pixel values of more
processor settings (every resample filter, ConvNeXt's crop_pct rule on both sides of 384,
integer `size`, no normalization) on the same image.

Weights are re-drawn so activations stay O(1) through every layer (transformers' std 0.02
init gives logits near 0, where a 1e-4 check means nothing): Kaiming-scaled weights, norm
scales in [0.5, 1.5], biases in ±0.2, batch-norm statistics not 0/1, layer scales in
[0.5, 1]. Tests and CI never need Python: the outputs are committed.
"""
import json
import math
import os

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import (
    ConvNextConfig,
    ConvNextForImageClassification,
    ConvNextImageProcessorPil,
    MobileNetV2Config,
    MobileNetV2ForImageClassification,
    MobileNetV2ImageProcessorPil,
    MobileViTImageProcessorPil,
    ResNetConfig,
    ResNetForImageClassification,
    ViTConfig,
    ViTForImageClassification,
    ViTImageProcessorPil,
)

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.join(HERE, "tests", "fixtures", "hf")
IMAGE = os.path.join(HERE, "tests", "fixtures", "mobilevit", "image.png")

IMAGENET_DEFAULT = dict(image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])

# name: (model class, config, processor class, processor kwargs)
MODELS = {
    # ViT: GELU, layer norm 1e-12, q/k/v biases; the processor resizes to 32×32 (bilinear).
    "vit_tiny": (
        ViTForImageClassification,
        ViTConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48,
                  image_size=32, patch_size=8, num_labels=5),
        ViTImageProcessorPil, dict(size={"height": 32, "width": 32}),
    ),
    # No q/k/v biases, the tanh GELU, another epsilon, patch and head count; bicubic resize
    # and ImageNet's mean/std.
    "vit_nobias": (
        ViTForImageClassification,
        ViTConfig(hidden_size=24, num_hidden_layers=3, num_attention_heads=3, intermediate_size=40,
                  image_size=24, patch_size=4, num_labels=7, qkv_bias=False, hidden_act="gelu_pytorch_tanh",
                  layer_norm_eps=1e-6),
        ViTImageProcessorPil, dict(size={"height": 24, "width": 24}, resample=3, **IMAGENET_DEFAULT),
    ),
    # ResNet-18 style: basic layers; microsoft/resnet-* use ConvNextImageProcessor (crop_pct).
    "resnet_basic": (
        ResNetForImageClassification,
        ResNetConfig(embedding_size=8, hidden_sizes=[8, 16, 24, 32], depths=[1, 2, 1, 1], layer_type="basic",
                     num_labels=6),
        ConvNextImageProcessorPil, dict(size={"shortest_edge": 48}, crop_pct=0.875, **IMAGENET_DEFAULT),
    ),
    # ResNet-50 style bottlenecks, downsampling in the first stage and in the 1×1, GELU.
    "resnet_bottleneck": (
        ResNetForImageClassification,
        ResNetConfig(embedding_size=12, hidden_sizes=[16, 32, 48, 64], depths=[2, 1, 2, 1], layer_type="bottleneck",
                     downsample_in_first_stage=True, downsample_in_bottleneck=True, hidden_act="gelu",
                     num_labels=4),
        ConvNextImageProcessorPil, dict(size={"shortest_edge": 40}, crop_pct=0.9, resample=2),
    ),
    # ConvNeXt: layer scale, depthwise 7×7, GELU, two layer-norm epsilons.
    "convnext_tiny": (
        ConvNextForImageClassification,
        ConvNextConfig(hidden_sizes=[8, 16, 24, 32], depths=[1, 2, 1, 1], num_labels=5, image_size=32),
        ConvNextImageProcessorPil, dict(size={"shortest_edge": 32}, crop_pct=0.875, **IMAGENET_DEFAULT),
    ),
    # No layer scale, three stages, patch 2, another final epsilon; bilinear resize.
    "convnext_noscale": (
        ConvNextForImageClassification,
        ConvNextConfig(hidden_sizes=[12, 20, 28], depths=[2, 1, 1], num_stages=3, patch_size=2,
                       layer_scale_init_value=0.0, layer_norm_eps=1e-6, num_labels=3, image_size=24),
        ConvNextImageProcessorPil, dict(size={"shortest_edge": 24}, crop_pct=0.8, resample=2),
    ),
    # MobileNetV2 0.35 at an odd side (TF "SAME" padding pads one side only), ReLU6,
    # fine-grained 1280-channel output.
    "mobilenet_v2_035": (
        MobileNetV2ForImageClassification,
        MobileNetV2Config(depth_multiplier=0.35, image_size=33, num_labels=6),
        MobileNetV2ImageProcessorPil, dict(size={"shortest_edge": 40}, crop_size={"height": 33, "width": 33}),
    ),
    # 0.25, an expansion 1×1 in the stem, no TF padding, no fine-grained output, ReLU,
    # expand ratio 4, another batch-norm epsilon.
    "mobilenet_v2_025": (
        MobileNetV2ForImageClassification,
        MobileNetV2Config(depth_multiplier=0.25, image_size=32, num_labels=5, first_layer_is_expansion=False,
                          tf_padding=False, finegrained_output=False, hidden_act="relu", expand_ratio=4.0,
                          layer_norm_eps=1e-5),
        MobileNetV2ImageProcessorPil, dict(size={"shortest_edge": 36}, crop_size={"height": 32, "width": 32},
                                           resample=3),
    ),
}

# Processor settings checked on pixel values alone (name: class, kwargs).
PROCESSORS = {
    "vit_nearest": (ViTImageProcessorPil, dict(size={"height": 20, "width": 28}, resample=0)),
    "vit_bilinear_no_normalize": (ViTImageProcessorPil, dict(size={"height": 30, "width": 30}, do_normalize=False)),
    "vit_lanczos_no_rescale": (ViTImageProcessorPil, dict(size={"height": 18, "width": 18}, resample=1,
                                                          do_rescale=False)),
    "convnext_at_384_warps": (ConvNextImageProcessorPil, dict(size={"shortest_edge": 384})),
    "convnext_below_384_crops": (ConvNextImageProcessorPil, dict(size={"shortest_edge": 56}, crop_pct=0.95,
                                                                 resample=1)),
    "mobilenet_v2_crop_larger_than_image": (MobileNetV2ImageProcessorPil, dict(size={"shortest_edge": 24},
                                                                              crop_size={"height": 30, "width": 36})),
    "mobilenet_v2_box_no_crop": (MobileNetV2ImageProcessorPil, dict(size={"shortest_edge": 20}, resample=4,
                                                                   do_center_crop=False)),
    # MobileViT's processor with a config that says bilinear (its default is bicubic).
    "mobilevit_bilinear": (MobileViTImageProcessorPil, dict(size={"shortest_edge": 40},
                                                            crop_size={"height": 32, "width": 32}, resample=2)),
}


# Kaiming's gain per model (2 for ReLU-like nets); the uncapped-ReLU MobileNetV2 with its
# 17 unnormalised residual sums needs less to stay O(1).
GAIN = {"mobilenet_v2_025": 1.0}


def reinit(model, gen, gain):
    """Weights that keep activations O(1) (see the module doc)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim >= 2 and not name.endswith(("cls_token", "position_embeddings")):
                fan_in = p[0].numel()
                p.normal_(0.0, math.sqrt(gain / fan_in) if "classifier" not in name else 1.0 / math.sqrt(fan_in),
                          generator=gen)
            elif name.endswith(("cls_token", "position_embeddings")):
                p.normal_(0.0, 0.5, generator=gen)
            elif name.endswith("layer_scale_parameter"):
                p.uniform_(0.5, 1.0, generator=gen)
            elif name.endswith("bias"):
                p.uniform_(-0.2, 0.2, generator=gen)
            else:
                p.uniform_(0.5, 1.5, generator=gen)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2, generator=gen)
                m.running_var.uniform_(0.5, 1.5, generator=gen)


def contiguous(d):
    return {k: v.contiguous() for k, v in d.items()}


def main():
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    os.makedirs(ROOT, exist_ok=True)
    img = Image.open(IMAGE).convert("RGB")
    meta = {"torch": torch.__version__, "transformers": __import__("transformers").__version__}
    for name, (cls, config, proc_cls, proc_kw) in MODELS.items():
        out = os.path.join(ROOT, name)
        os.makedirs(out, exist_ok=True)
        n = config.num_labels
        config.id2label = {i: f"class {i}" for i in range(n)}
        config.label2id = {f"class {i}": i for i in range(n)}
        model = cls(config).eval()
        reinit(model, gen, GAIN.get(name, 2.0))
        model.save_pretrained(out, safe_serialization=True)
        processor = proc_cls(**proc_kw)
        processor.save_pretrained(out)
        pixel_values = processor(images=img, return_tensors="pt")["pixel_values"]
        random = torch.rand(pixel_values.shape, generator=gen)
        with torch.no_grad():
            o = model(pixel_values, output_hidden_states=True)
            r = model(random).logits
            bf16 = cls.from_pretrained(out).eval().to(torch.bfloat16)(pixel_values.to(torch.bfloat16)).logits.float()
            fp16 = cls.from_pretrained(out).eval().to(torch.float16)(pixel_values.to(torch.float16)).logits.float()
        tensors = {"pixel_values": pixel_values, "logits_fp32": o.logits, "logits_bf16": bf16, "logits_fp16": fp16,
                   "random_pixel_values": random, "random_logits_fp32": r}
        for i, h in enumerate(o.hidden_states):
            tensors[f"hidden_state_{i}"] = h
        save_file(contiguous(tensors), os.path.join(out, "reference.safetensors"), metadata=meta)
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, pixels {tuple(pixel_values.shape)},"
              f" {len(o.hidden_states)} hidden states, logits {[round(x, 3) for x in o.logits[0].tolist()]},"
              f" |fp32 - bf16| {float((o.logits - bf16).abs().mean()):.2e}")
    pixels, settings = {}, {}
    for name, (cls, kw) in PROCESSORS.items():
        processor = cls(**kw)
        pixels[name] = processor(images=img, return_tensors="pt")["pixel_values"]
        settings[name] = json.loads(processor.to_json_string())
        print(name, tuple(pixels[name].shape))
    save_file(contiguous(pixels), os.path.join(ROOT, "processors.safetensors"), metadata=meta)
    with open(os.path.join(ROOT, "processors.json"), "w") as f:
        json.dump(settings, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
