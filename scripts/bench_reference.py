#!/usr/bin/env python3
"""The benches' work in NumPy / ml_dtypes (and PyTorch if installed), timed the same way:
best of several runs, with a memcpy (np.copyto) of the same bytes as the baseline.

    pip install numpy ml_dtypes        # torch is optional
    python3 scripts/bench_reference.py

Prints one JSON object: seconds per operation for each library. scripts/bench-report.sh
reads it to print our time / theirs.
"""
import json
import time

import numpy as np


def best(f, repeat=7):
    f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    rng = np.random.default_rng(1)
    n = 16 * 1024 * 1024
    x = rng.standard_normal(n, dtype=np.float32)
    w = x.reshape(4096, 4096)
    h = x[:1_000_000]
    out = {}
    out["numpy"] = {
        "histogram_1M/histogram_100_bins": best(lambda: np.histogram(h, bins=100, range=(-5, 5))),
    }

    def quant_np():
        scale = np.abs(w).max(axis=1, keepdims=True) / 127
        q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
        return q, scale

    out["numpy"]["quantize_4096x4096/int8_per_channel"] = best(quant_np)
    try:
        import torch

        torch.set_num_threads(2)
        t = torch.from_numpy(x)
        tw = torch.from_numpy(w)

        def quant_torch():
            scale = tw.abs().amax(dim=1, keepdim=True) / 127
            return torch.clamp(torch.round(tw / scale), -127, 127).to(torch.int8), scale

        out["torch"] = {
            "quantize_4096x4096/int8_per_channel": best(quant_torch),
            "histogram_1M/histogram_100_bins": best(lambda: torch.histc(t[:1_000_000], bins=100, min=-5, max=5)),
        }
    except ImportError:
        pass
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
