#!/usr/bin/env python3
"""Our ggml decoding and quantizing against ggml's own, in one run, alternating rounds:

    pip install llama-cpp-python==0.3.36 numpy      # ggml's libggml-base.so, through ctypes
    python3 scripts/bench_ggml.py [--rounds=3] [--rows=1024] [--cols=4096]

ggml's side: `ggml_quantize_chunk` (no importance matrix) and `dequantize_row_<type>`, one
thread (they are single-threaded functions), outputs preallocated, median of 7 runs after a
warm-up. Ours: examples/ggml_speed.rs, the same statistic, on one thread and on all cores.
Each round runs both sides for every type; the ratio reported is the median of the rounds'
ratios (this VM's speed drifts for minutes at a time). Prints a markdown table and JSON.
"""
import ctypes
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from make_gguf_fixtures import ggml_lib  # noqa: E402

TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", pathlib.Path.home() / ".cache" / "quantscope-target"))
TYPES = ["q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k",
         "iq4_nl", "iq4_xs", "tq1_0", "tq2_0", "ggml_mxfp4"]
IDS = {"q4_0": 2, "q4_1": 3, "q5_0": 6, "q5_1": 7, "q8_0": 8, "q2_k": 10, "q3_k": 11,
       "q4_k": 12, "q5_k": 13, "q6_k": 14, "iq4_nl": 20, "iq4_xs": 23, "tq1_0": 34,
       "tq2_0": 35, "ggml_mxfp4": 39}


def arg(name, default):
    for a in sys.argv[1:]:
        if a.startswith(f"--{name}="):
            return int(a.split("=", 1)[1])
    return default


def median_ms(f, repeat=7):
    f()
    t = []
    for _ in range(repeat):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1e3)
    return statistics.median(t)


def ggml_times(lib, x, rows, cols):
    out = {}
    for name in TYPES:
        tid = IDS[name]
        lib.ggml_quantize_init(tid)
        row = lib.ggml_row_size(tid, cols)
        q = np.zeros(rows * row, dtype=np.uint8)
        y = np.zeros(rows * cols, dtype=np.float32)
        fn = getattr(lib, "dequantize_row_" + (name if name != "ggml_mxfp4" else "mxfp4").replace("_k", "_K"))
        fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
        xp, qp, yp = x.ctypes.data, q.ctypes.data, y.ctypes.data
        qt = median_ms(lambda: lib.ggml_quantize_chunk(tid, xp, qp, 0, rows, cols, None))
        dt = median_ms(lambda: fn(qp, yp, rows * cols))
        out[name] = {"quantize_ms": qt, "dequantize_ms": dt}
    return out


def ours(path, rows, cols):
    exe = TARGET / "release" / "examples" / "ggml_speed"
    r = subprocess.run([str(exe), path, str(rows), str(cols), ",".join(TYPES)],
                       check=True, capture_output=True, text=True)
    return json.loads(r.stdout)


def main():
    rounds, rows, cols = arg("rounds", 3), arg("rows", 1024), arg("cols", 4096)
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    subprocess.run(["cargo", "build", "--release", "--locked", "--example", "ggml_speed"],
                   cwd=ROOT, env=env, check=True)
    lib = ggml_lib()
    if lib is None:
        sys.exit("llama-cpp-python is needed")
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((rows, cols)) * 0.02).astype(np.float32)
    with tempfile.NamedTemporaryFile(suffix=".f32", delete=False) as f:
        f.write(x.tobytes())
        path = f.name
    runs = []
    for _ in range(rounds):
        runs.append((ours(path, rows, cols), ggml_times(lib, x, rows, cols)))
    os.unlink(path)
    flags = open("/proc/cpuinfo").read().split("flags", 1)[1].split("\n", 1)[0]
    model = [line for line in open("/proc/cpuinfo") if line.startswith("model name")][0].split(":", 1)[1].strip()
    simd = [f for f in ["avx2", "fma", "f16c", "avx512f", "avx512_bf16", "avx512_vnni"] if f" {f}" in flags]
    print(f"{model}, {os.cpu_count()} threads, flags: {' '.join(simd)}; {rows} × {cols} values, {rounds} rounds\n")
    print("| type | ggml quantize | ours (1 thread) | ratio | ours (all cores) | ggml decode | ours (1 thread) | ratio | ours (all cores) |")
    print("|---|---|---|---|---|---|---|---|---|")
    table = {}
    for name in TYPES:
        med = lambda side, k: statistics.median(r[side][name][k] for r in runs)  # noqa: E731
        qr = statistics.median(o[name]["quantize_ms"] / g[name]["quantize_ms"] for o, g in runs)
        dr = statistics.median(o[name]["dequantize_ms"] / g[name]["dequantize_ms"] for o, g in runs)
        row = {
            "ggml_quantize_ms": med(1, "quantize_ms"), "quantize_ms": med(0, "quantize_ms"),
            "quantize_ratio": qr, "quantize_all_ms": med(0, "quantize_all_ms"),
            "ggml_dequantize_ms": med(1, "dequantize_ms"), "dequantize_ms": med(0, "dequantize_ms"),
            "dequantize_ratio": dr, "dequantize_all_ms": med(0, "dequantize_all_ms"),
        }
        table[name] = row
        print(f"| {name} | {row['ggml_quantize_ms']:.1f} ms | {row['quantize_ms']:.1f} ms | {qr:.2f}× | "
              f"{row['quantize_all_ms']:.1f} ms | {row['ggml_dequantize_ms']:.2f} ms | {row['dequantize_ms']:.2f} ms | "
              f"{dr:.2f}× | {row['dequantize_all_ms']:.2f} ms |")
    print()
    print(json.dumps(table))


if __name__ == "__main__":
    main()
