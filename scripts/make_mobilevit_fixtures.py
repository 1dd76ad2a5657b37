#!/usr/bin/env python3
"""Reference fixtures for quantscope's MobileViT: small random-init models in Hugging Face
layout, an image, and what transformers computes for them.

    pip install torch transformers safetensors pillow
    python3 scripts/make_mobilevit_fixtures.py

For each config below, writes tests/fixtures/mobilevit/<name>/:
  config.json, model.safetensors, preprocessor_config.json   (save_pretrained)
  reference.safetensors: pixel_values [1,3,H,W] (MobileViTImageProcessor on image.png),
      logits_fp32, logits_bf16 (model.to(bfloat16) on bf16 pixel values, as the lesson),
      hidden_state_<i> (output_hidden_states=True, fp32) for layer-by-layer checks
and tests/fixtures/mobilevit/image.png (a synthetic 96×80 picture, deterministic).
Tests and CI never need Python: the outputs are committed.
"""
import json
import os

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import MobileViTConfig, MobileViTForImageClassification, MobileViTImageProcessor

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures", "mobilevit")

# Larger than the default 0.02, so logits are O(1) and a 1e-4 comparison means something.
INIT = 0.2

CONFIGS = {
    # Smallest sensible shape: every stage present, 2 heads, 5 labels.
    "tiny": dict(
        image_size=64, patch_size=2, hidden_sizes=[16, 24, 32], neck_hidden_sizes=[8, 8, 16, 16, 24, 32, 48],
        num_attention_heads=2, mlp_ratio=2.0, expand_ratio=2.0, num_labels=5, conv_kernel_size=3,
    ),
    # Different patch size, expand ratio, kernel and label count: sizes must come from the config.
    "tiny_p1": dict(
        image_size=32, patch_size=1, hidden_sizes=[12, 16, 20], neck_hidden_sizes=[8, 12, 12, 16, 16, 24, 40],
        num_attention_heads=4, mlp_ratio=3.0, expand_ratio=4.0, num_labels=7, conv_kernel_size=5,
    ),
}


def image():
    y, x = np.mgrid[0:80, 0:96]
    r = (x * 255 / 95).astype(np.uint8)
    g = (y * 255 / 79).astype(np.uint8)
    b = (((x // 12 + y // 10) % 2) * 200 + 30).astype(np.uint8)
    return Image.fromarray(np.stack([r, g, b], axis=-1), "RGB")


def main():
    torch.manual_seed(0)
    os.makedirs(ROOT, exist_ok=True)
    img = image()
    img.save(os.path.join(ROOT, "image.png"))
    for name, kw in CONFIGS.items():
        out = os.path.join(ROOT, name)
        os.makedirs(out, exist_ok=True)
        config = MobileViTConfig(**kw, initializer_range=INIT, id2label={i: f"class {i}" for i in range(kw["num_labels"])},
                                 label2id={f"class {i}": i for i in range(kw["num_labels"])})
        model = MobileViTForImageClassification(config).eval()
        # Non-trivial batch-norm statistics, so eval-mode folding is exercised; a unit-scale
        # classifier, so the logits are O(1).
        with torch.no_grad():
            model.classifier.weight.normal_(0.0, 1.0)
            model.classifier.bias.uniform_(-0.5, 0.5)
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
        model.save_pretrained(out, safe_serialization=True)
        size = kw["image_size"]
        processor = MobileViTImageProcessor(size={"shortest_edge": size + size // 8}, crop_size={"height": size, "width": size})
        processor.save_pretrained(out)
        pixel_values = processor(images=img, return_tensors="pt")["pixel_values"]
        if name == "tiny":
            # An input whose feature maps are not multiples of the patch size: transformers
            # interpolates them (bilinear) before unfolding and back after folding.
            odd = torch.rand(1, 3, 72, 72, generator=torch.Generator().manual_seed(1))
            with torch.no_grad():
                logits = model(odd).logits
            save_file({"pixel_values": odd.contiguous(), "logits_fp32": logits.contiguous()},
                      os.path.join(out, "reference_72.safetensors"))
        with torch.no_grad():
            o = model(pixel_values, output_hidden_states=True)
            bf16 = model.to(torch.bfloat16)(pixel_values.to(torch.bfloat16)).logits.float()
        tensors = {"pixel_values": pixel_values.contiguous(), "logits_fp32": o.logits.contiguous(), "logits_bf16": bf16.contiguous()}
        for i, h in enumerate(o.hidden_states):
            tensors[f"hidden_state_{i}"] = h.contiguous()
        save_file(tensors, os.path.join(out, "reference.safetensors"),
                  metadata={"torch": torch.__version__, "transformers": __import__("transformers").__version__})
        print(name, sum(p.numel() for p in model.parameters()), "parameters", tuple(pixel_values.shape), o.logits[0, :3].tolist())


if __name__ == "__main__":
    main()
