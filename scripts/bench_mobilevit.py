"""MobileViT-small forward pass: quantscope (candle) against PyTorch / transformers, in the
same run, on the same weights and input, with the same number of threads.

    pip install torch transformers
    python3 scripts/bench_mobilevit.py [--threads 2] [--runs 5] [--rounds 3]

It builds and runs `examples/make_mobilevit_small.rs` (a random MobileViT-small with
transformers' MobileViTConfig() sizes, Kaiming-scaled so activations stay O(1)), times
transformers' forward in float32, bfloat16 and float16 (best of --runs after a warm-up),
times ours the same way (`examples/forward_times.rs`: one process, weights prepared, a
warm-up, best of --runs), runs `quantscope compare --json` once on the same pixel_values
(the first forward of a fresh process, as a user sees it), checks that the float32 top-1
agrees, and prints our time / theirs. The two sides take turns --rounds times (the
speed of this shared VM drifts for minutes at a time) and each side's best is compared.
Not part of CI (needs torch).
"""

import argparse
import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/quantscope-target"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternate PyTorch and quantscope this many times (this VM's speed "
                         "drifts for minutes at a time); best of all rounds on each side")
    ap.add_argument("--dir", default="/tmp/quantscope-mobilevit-small")
    args = ap.parse_args()
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    subprocess.run(["cargo", "build", "--release", "--bin", "quantscope",
                    "--example", "make_mobilevit_small", "--example", "forward_times"],
                   cwd=ROOT, env=env, check=True)
    subprocess.run([str(TARGET / "release/examples/make_mobilevit_small"), args.dir], check=True)

    import torch
    from safetensors.torch import load_file
    from transformers import MobileViTForImageClassification

    torch.set_num_threads(args.threads)
    model = MobileViTForImageClassification.from_pretrained(args.dir).eval()
    pv = load_file(f"{args.dir}/pixel_values.safetensors")["pixel_values"]

    def best(m, x):
        with torch.inference_mode():
            m(pixel_values=x)
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                out = m(pixel_values=x).logits
                times.append((time.perf_counter() - t) * 1e3)
        return min(times), out.float()

    torch_ms, ours, rounds = {}, {}, []
    logits = None
    for r in range(args.rounds):
        f32, ref = best(model, pv)
        torch_ms["float32"] = min(torch_ms.get("float32", float("inf")), f32)
        if r == 0:
            # Half precision in PyTorch takes seconds per forward: once is enough.
            # Module.to converts in place: copies, so the float32 weights stay as written.
            for name, dt in [("bfloat16", torch.bfloat16), ("float16", torch.float16)]:
                torch_ms[name], _ = best(copy.deepcopy(model).to(dt), pv.to(dt))
        # Ours the same way: one process, weights prepared, a warm-up, best of --runs.
        out = subprocess.run(
            [str(TARGET / "release/examples/forward_times"), args.dir,
             f"{args.dir}/pixel_values.safetensors", str(args.runs)],
            check=True, capture_output=True, text=True,
            env=dict(os.environ, RAYON_NUM_THREADS=str(args.threads)),
        )
        this_round = json.loads(out.stdout)
        for dt, ms in this_round.items():
            ours[dt] = min(ours.get(dt, float("inf")), ms)
        if r == 0:
            # `quantscope compare` as a user runs it: a fresh process, each precision's
            # first forward after preparing its weights (cold caches, first page faults).
            out = subprocess.run(
                [str(TARGET / "release/quantscope"), "compare", "--model", args.dir,
                 "--pixel-values", f"{args.dir}/pixel_values.safetensors", "--json"],
                check=True, capture_output=True, text=True,
                env=dict(os.environ, RAYON_NUM_THREADS=str(args.threads)),
            )
            rows = json.loads(out.stdout)
            cold = {row["dtype"]: row["ms"] for row in rows}
            logits = next(row["top5"] for row in rows if row["dtype"] == "float32")
        rounds.append((f32, this_round))
    top = int(ref[0].argmax())
    print(f"torch {torch.__version__}, {args.threads} threads; float32 top-1: torch {top}, "
          f"ours {logits[0]['index']}")
    for i, (theirs, mine) in enumerate(rounds):
        f32 = mine["float32"]
        print(f"round {i + 1}: float32 ours {f32:.1f} ms, torch {theirs:.1f} ms, "
              f"ours/torch {f32 / theirs:.2f}x; int8 {mine['int8'] / f32:.2f}x, "
              f"fp8 {mine['fp8_e4m3fn'] / f32:.2f}x our float32")
    # Weight-only precisions against our float32 in the same round (the median round).
    same_round = {dt: sorted(m[dt] / m["float32"] for _, m in rounds)[len(rounds) // 2]
                  for dt in ["int8", "fp8_e4m3fn"]}
    print(f"best of {args.rounds} rounds × {args.runs} runs on each side:")
    print(f"{'precision':<12} {'ours ms':>9} {'torch ms':>9} {'ours/torch':>11}")
    for dt in ["float32", "bfloat16", "float16", "int8", "fp8_e4m3fn"]:
        theirs = torch_ms.get(dt)
        ratio = f"{ours[dt] / theirs:>10.2f}x" if theirs else f"{same_round[dt]:>6.2f}x f32"
        print(f"{dt:<12} {ours[dt]:>9.1f} {theirs if theirs else float('nan'):>9.1f} {ratio:>11}"
              f"   (compare, first run: {cold[dt]:.1f} ms)")


if __name__ == "__main__":
    sys.exit(main())
