#!/usr/bin/env python3
"""PyTorch (and ml_dtypes) doing the work of benches/lab.rs, timed the same way, then the
table of our time / theirs.

    pip install torch ml_dtypes numpy
    python3 scripts/bench_lab.py              # runs `cargo bench --bench lab`, then PyTorch;
                                              # prints the table (markdown) and JSON
    python3 scripts/bench_lab.py --rounds=5   # the casts in 5 alternating rounds (default 3)
    python3 scripts/bench_lab.py --no-bench   # PyTorch only, against the last criterion run

torch runs with as many threads as our side (torch.set_num_threads(os.cpu_count())), into
preallocated outputs (`copy_`). Both sides report the same statistic: the median time (ours:
criterion's median estimate; theirs: the median of several runs after a warm-up), so one
side's lucky run is not set against the other's typical one. ml_dtypes' `astype` allocates
its output (it has no `out=`), as users call it; for float16, which ml_dtypes leaves to
NumPy, NumPy's `astype`.

The lab, PyTorch's way, at 10^7 values (the same steps as tensor::lab::run): randn, cast,
min / max / mean / std / zeros / inf / NaN of both tensors, error mean / max / RMSE / max
relative / SQNR, three 60-bin histograms (original and stored over their shared range,
the error over its own), x·x in fp32 and in the narrow format, and the distinct stored
values with their counts.
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

THREADS = os.cpu_count() or 1
ROOT = pathlib.Path(__file__).resolve().parent.parent
torch.set_num_threads(THREADS)
CAST_N = 16 * 1024 * 1024
LAB_N = 10_000_000
MATRIX = 4096
BINS = 60


def median_time(f, repeat=15):
    """The median time of `repeat` runs after a warm-up (criterion reports our median)."""
    f()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def casts(x):
    out = {}
    for name, dtype in [("memcpy_f32", torch.float32), ("bfloat16", torch.bfloat16), ("float16", torch.float16),
                        ("float8_e4m3fn", torch.float8_e4m3fn), ("float8_e5m2", torch.float8_e5m2),
                        ("int8", torch.int8)]:
        dst = torch.empty(CAST_N, dtype=dtype)
        out[f"cast_16M/{name}"] = median_time(lambda: dst.copy_(x))
    return out


def ml_dtypes_casts(x):
    try:
        import ml_dtypes
    except ImportError:
        return {}
    a = x.numpy()
    out = {f"cast_16M/{name}": median_time(lambda: a.astype(getattr(ml_dtypes, name)), repeat=7)
           for name in ["bfloat16", "float8_e4m3fn", "float8_e5m2", "float6_e3m2fn", "float4_e2m1fn"]}
    # ml_dtypes has no float16 of its own: NumPy's astype is the one its users call.
    out["cast_16M/float16"] = median_time(lambda: a.astype(np.float16), repeat=7)
    return out


def lab(dtype):
    x = torch.randn(LAB_N)
    y = x.to(dtype).float()
    e = y - x

    def summary(v):
        finite = v[torch.isfinite(v)]
        return (finite.min(), finite.max(), finite.mean(), finite.std(correction=0),
                (v == 0).sum(), torch.isinf(v).sum(), torch.isnan(v).sum())

    summary(x)
    summary(y)
    a = e.abs()
    mse = (a * a).mean()
    sqnr = 10 * torch.log10((x * x).sum() / (a * a).sum())
    (a.mean(), a.max(), mse.sqrt(), (a / x.abs()).nan_to_num(0, 0, 0).max(), sqnr)
    lo = torch.minimum(x.min(), y.min()).item()
    hi = torch.maximum(x.max(), y.max()).item()
    torch.histc(x, BINS, lo, hi)
    torch.histc(y, BINS, lo, hi)
    torch.histc(e, BINS, e.min().item(), e.max().item())
    torch.dot(x, x)
    xd = x.to(dtype)
    if dtype in (torch.bfloat16, torch.float16):
        torch.dot(xd, xd)
    else:
        torch.dot(xd.float(), xd.float()).to(dtype)  # fp8 has no dot
    torch.unique(y, return_counts=True)


def quantization():
    w = torch.randn(MATRIX, MATRIX)

    def int8_channel():
        scale = w.abs().amax(dim=1, keepdim=True) / 127
        q = torch.clamp(torch.round(w / scale), -127, 127).to(torch.int8)
        return q, q.float() * scale

    def int4_group():
        g = w.reshape(-1, 32)
        scale = g.abs().amax(dim=1, keepdim=True) / 7
        q = torch.clamp(torch.round(g / scale), -8, 7).to(torch.int8)
        return q, q.float() * scale

    return {"quantize_4096x4096/int8_per_channel": median_time(int8_channel),
            "quantize_4096x4096/int4_per_group_32": median_time(int4_group)}


def sensitivity():
    tensors = [torch.randn(1024, 1024) for _ in range(8)]

    def error(x, y):
        d = y - x
        return 10 * torch.log10((x * x).sum() / (d * d).sum()), d.abs().max(), (d * d).mean()

    def table():
        rows = []
        for x in tensors:
            r = [error(x, x.to(torch.bfloat16).float()), error(x, x.to(torch.float16).float())]
            s = x.abs().max() / 448
            r.append(error(x, (x / s).to(torch.float8_e4m3fn).float() * s))
            s = x.abs().max() / 127
            r.append(error(x, torch.clamp(torch.round(x / s), -127, 127) * s))
            s = x.abs().amax(dim=1, keepdim=True) / 127
            r.append(error(x, torch.clamp(torch.round(x / s), -127, 127) * s))
            g = x.reshape(-1, 32)
            s = g.abs().amax(dim=1, keepdim=True) / 7
            r.append(error(x, (torch.clamp(torch.round(g / s), -8, 7) * s).reshape(x.shape)))
            rows.append(r)
        return rows

    return {"sensitivity_8x1024x1024/six_schemes": median_time(table, repeat=9)}


def ours():
    root = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "criterion"
    out = {}
    for est in root.glob("*/*/new/estimates.json"):
        group, name = est.parts[-4], est.parts[-3]
        out[f"{group}/{name}"] = json.loads(est.read_text())["median"]["point_estimate"] / 1e9
    return out


def cast_rounds(x, rounds, run_bench):
    """The casts in `rounds` alternating rounds — ours (criterion's cast group), then
    PyTorch's and ml_dtypes' — so both sides sample the same phases of this VM's drifting
    memory bandwidth. Per cast: each side's median over the rounds, and the median of the
    rounds' ratios."""
    per_round = []
    for r in range(rounds):
        if run_bench and r > 0:
            subprocess.run(["cargo", "bench", "--locked", "--bench", "lab", "--", "cast_16M",
                            "--warm-up-time", "1", "--measurement-time", "3"],
                           check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        mine = {k: v for k, v in ours().items() if k.startswith("cast_16M/")}
        per_round.append((mine, casts(x), ml_dtypes_casts(x)))
    keys = per_round[0][0].keys() | per_round[0][1].keys() | per_round[0][2].keys()
    med = lambda vals: statistics.median(vals) if vals else None
    out = {}
    for k in keys:
        o = [r[0][k] for r in per_round if k in r[0]]
        t = [r[1][k] for r in per_round if k in r[1]]
        m = [r[2][k] for r in per_round if k in r[2]]
        out[k] = {"ours": med(o), "torch": med(t), "ml_dtypes": med(m),
                  "ratio": med([r[0][k] / r[1][k] for r in per_round if k in r[0] and k in r[1]]),
                  "ml_ratio": med([r[2][k] / r[0][k] for r in per_round if k in r[0] and k in r[2]]),
                  "rounds": len(o)}
    return out


def main():
    run_bench = "--no-bench" not in sys.argv
    rounds = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--rounds=")), "3"))
    if run_bench:
        subprocess.run(["cargo", "bench", "--locked", "--bench", "lab"], check=True, cwd=ROOT)
    x = torch.randn(CAST_N)
    rows = cast_rounds(x, rounds if run_bench else 1, run_bench)
    torch_times = {}
    torch_times["lab_10M/bfloat16"] = median_time(lambda: lab(torch.bfloat16), repeat=7)
    torch_times["lab_10M/float8_e4m3fn"] = median_time(lambda: lab(torch.float8_e4m3fn), repeat=7)
    torch_times.update(quantization())
    torch_times.update(sensitivity())
    mine = ours()
    for k, t in torch_times.items():
        o = mine.get(k)
        rows[k] = {"ours": o, "torch": t, "ml_dtypes": None, "ratio": o / t if o else None,
                   "ml_ratio": None, "rounds": 1}
    fmt = lambda s: f"{s * 1e3:.1f} ms" if s is not None else "—"
    print(f"threads: {THREADS}; torch {torch.__version__}; casts in {rounds if run_bench else 1} "
          "alternating rounds (medians; the ratio is the median of the rounds' ratios)")
    print("| work | ours | PyTorch | ours / PyTorch | ml_dtypes astype | ml_dtypes / ours |")
    print("|---|---|---|---|---|---|")
    order = sorted(rows, key=lambda k: (rows[k]["torch"] is None, not k.startswith("cast_16M/"), k))
    for k in order:
        r = rows[k]
        ratio = f"**{r['ratio']:.2f}×**" if r["ratio"] else "—"
        mlr = f"{r['ml_ratio']:.1f}×" if r["ml_ratio"] else "—"
        print(f"| {k} | {fmt(r['ours'])} | {fmt(r['torch'])} | {ratio} | {fmt(r['ml_dtypes'])} | {mlr} |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
