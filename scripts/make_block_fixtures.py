#!/usr/bin/env python3
"""Generate tests/fixtures/block_scaled.json: block-scaled quantization references.

Run once (needs `pip install torch torchao numpy`); tests and CI only read the JSON.

For a few float32 tensors (weights-like normal, heavy-tailed Student-t, outliers, tiny
values, a zero block, a wide dynamic range) it records, per scheme:
  - MX (mxfp8_e4m3, mxfp8_e5m2, mxfp6_e3m2, mxfp6_e2m3, mxfp4): torchao's
    `to_mx(..., ScaleCalculationMode.FLOOR)`: the E8M0 scale codes, the element codes
    (fp8 bit patterns, unpacked fp6 / fp4 codes) and torchao's dequantized values;
  - NVFP4 (`nvfp4`, and `nvfp4_tensor_scale` with torchao's per-tensor scale
    `per_tensor_amax_to_scale(amax)`): `nvfp4_quantize`'s E4M3 scale codes, the FP4 codes
    (unpacked, low nibble first) and the dequantized values as NVFP4Tensor computes them;
  - NF4: the QLoRA definition (absmax per 64 over the flattened tensor, nearest of the 16
    levels, ties to the lower index), in numpy.
Values are stored as their float32 bit patterns.

It also writes tests/fixtures/gpt_oss_mxfp4.safetensors, a checkpoint in gpt-oss's MXFP4
layout: `model.layers.0.mlp.experts.down_proj_blocks` U8 [2, 4, 3, 16] (two FP4 codes a
byte, low nibble first) and `..._scales` U8 [2, 4, 3] (E8M0), made by torchao's `to_mx` from
a [2, 4, 96] tensor, plus an f32 bias; the JSON's "gpt_oss" entry holds torchao's
dequantized values of it.
"""
import json
import pathlib
import sys

import numpy as np
import torch
import torchao
from torchao.prototype.mx_formats.config import ScaleCalculationMode
from torchao.prototype.mx_formats.constants import DTYPE_FP6_E2M3, DTYPE_FP6_E3M2
from torchao.prototype.mx_formats.kernels import (
    f4_unpacked_to_f32,
    unpack_uint4,
)
from torchao.prototype.mx_formats.mx_tensor import to_dtype, to_mx
from torchao.prototype.mx_formats.nvfp4_tensor import nvfp4_quantize, per_tensor_amax_to_scale

NF4 = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0], dtype=np.float32)

MX = {
    "mxfp8_e4m3": torch.float8_e4m3fn,
    "mxfp8_e5m2": torch.float8_e5m2,
    "mxfp6_e3m2": DTYPE_FP6_E3M2,
    "mxfp6_e2m3": DTYPE_FP6_E2M3,
    "mxfp4": torch.float4_e2m1fn_x2,
}


def tensors():
    g = torch.Generator().manual_seed(20261127)
    out = {}
    out["normal"] = torch.randn(8, 64, generator=g) * 0.02
    out["heavy"] = torch.from_numpy(
        np.random.default_rng(7).standard_t(2, size=(8, 64)).astype(np.float32))
    o = torch.randn(4, 64, generator=g)
    o[0, 5], o[1, 40], o[3, 63] = 80.0, -120.0, 300.0
    out["outliers"] = o
    out["tiny"] = torch.full((2, 64), 1e-6) * torch.sign(torch.randn(2, 64, generator=g))
    z = torch.randn(1, 64, generator=g)
    z[0, :32] = 0.0
    out["zero_block"] = z
    logs = torch.rand(4, 64, generator=g) * 50 - 30
    out["wide"] = torch.sign(torch.randn(4, 64, generator=g)) * torch.exp2(logs)
    return {k: v.float().contiguous() for k, v in out.items()}


def bits(t):
    return [int(b) for b in t.detach().float().contiguous().view(torch.int32).flatten()
            .numpy().astype(np.uint32)]


def mx(x, elem):
    scale, data = to_mx(x, elem, 32, ScaleCalculationMode.FLOOR)
    deq = to_dtype(data, scale, elem, 32, torch.float32)
    if elem in (torch.float8_e4m3fn, torch.float8_e5m2):
        codes = data.view(torch.uint8)
    elif elem == torch.float4_e2m1fn_x2:
        codes = unpack_uint4(data.view(torch.uint8))
    else:
        codes = data
    return {
        "scale_bits": [int(b) for b in scale.view(torch.uint8).flatten()],
        "codes": [int(c) for c in codes.flatten()],
        "dequantized": bits(deq),
    }


def nvfp4(x, two_level):
    pts = per_tensor_amax_to_scale(x.abs().max()) if two_level else None
    scales, packed = nvfp4_quantize(x, 16, pts)
    codes = unpack_uint4(packed.view(torch.uint8)).reshape(x.shape)
    s = scales.to(torch.float32)
    if pts is not None:
        s = pts * s
    deq = f4_unpacked_to_f32(codes).reshape(*x.shape[:-1], -1, 16) * s.reshape(
        *x.shape[:-1], -1, 1)
    out = {
        "scale_bits": [int(b) for b in scales.view(torch.uint8).flatten()],
        "codes": [int(c) for c in codes.flatten()],
        "dequantized": bits(deq.reshape(x.shape)),
    }
    if pts is not None:
        out["tensor_scale"] = bits(pts.reshape(1))[0]
    return out


def nf4(x):
    flat = x.flatten().numpy()
    codes, deq, scales = [], [], []
    for start in range(0, len(flat), 64):
        block = flat[start:start + 64]
        absmax = np.float32(np.abs(block).max())
        scales.append(int(np.float32(absmax).view(np.uint32)))
        for v in block:
            n = np.float32(v / absmax) if absmax > 0 else np.float32(0)
            d = np.abs(n.astype(np.float64) - NF4.astype(np.float64))
            c = int(np.argmin(d))  # first of equal distances: the lower index
            codes.append(c)
            deq.append(int(np.float32(NF4[c] * absmax).view(np.uint32)))
    return {"scale_bits": scales, "codes": codes, "dequantized": deq}


def gpt_oss(path):
    from safetensors.torch import save_file
    g = torch.Generator().manual_seed(120)
    x = (torch.randn(2, 4, 96, generator=g) * 0.05).contiguous()
    x[1, 2, 7] = 1.5  # an outlier in one block
    elem = torch.float4_e2m1fn_x2
    scale, data = to_mx(x, elem, 32, ScaleCalculationMode.FLOOR)
    deq = to_dtype(data, scale, elem, 32, torch.float32)
    name = "model.layers.0.mlp.experts.down_proj"
    save_file({
        f"{name}_blocks": data.view(torch.uint8).reshape(2, 4, 3, 16).contiguous(),
        f"{name}_scales": scale.view(torch.uint8).reshape(2, 4, 3).contiguous(),
        f"{name}_bias": torch.linspace(-1, 1, 8).reshape(2, 4),
    }, str(path))
    return {"tensor": name, "shape": [2, 4, 96], "dequantized": bits(deq)}


def main():
    out = {
        "source": f"torch {torch.__version__}, torchao {torchao.__version__} "
                  f"(scripts/make_block_fixtures.py)",
        "tensors": {},
    }
    for name, x in tensors().items():
        entry = {"shape": list(x.shape), "values": bits(x), "schemes": {}}
        for scheme, elem in MX.items():
            entry["schemes"][scheme] = mx(x, elem)
        entry["schemes"]["nvfp4"] = nvfp4(x, False)
        entry["schemes"]["nvfp4_tensor_scale"] = nvfp4(x, True)
        entry["schemes"]["nf4"] = nf4(x)
        out["tensors"][name] = entry
    fixtures = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
    out["gpt_oss"] = gpt_oss(fixtures / "gpt_oss_mxfp4.safetensors")
    path = fixtures / "block_scaled.json"
    path.write_text(json.dumps(out, separators=(",", ":")))
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
