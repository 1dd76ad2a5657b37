#!/usr/bin/env python3
"""Generate tests/fixtures/ml_dtypes_casts.json: reference casts from ml_dtypes.

Run once (needs `pip install ml_dtypes numpy`); tests and CI only read the JSON.

For each small float format it records
  - `decode`: the value of every bit pattern (as float64 bits, hex),
  - `from_f32`: the bits ml_dtypes stores for each float32 input (edge cases + random),
  - `from_f64`: the bits for float64 inputs chosen to expose double rounding
    (ml_dtypes, like PyTorch, casts float64 -> float32 -> narrow format; NumPy's
    float16, used here for float16, rounds float64 directly).
"""
import json
import pathlib
import sys

import ml_dtypes
import numpy as np

FORMATS = ["float16", "bfloat16", "float8_e4m3fn", "float8_e5m2",
           "float6_e3m2fn", "float6_e2m3fn", "float4_e2m1fn", "float8_e8m0fnu"]
WIDTH = {"float16": 16, "bfloat16": 16, "float8_e4m3fn": 8, "float8_e5m2": 8,
         "float6_e3m2fn": 6, "float6_e2m3fn": 6, "float4_e2m1fn": 4, "float8_e8m0fnu": 8}


def dtype(name):
    return np.float16 if name == "float16" else getattr(ml_dtypes, name)


def patterns(name):
    n = 1 << WIDTH[name]
    store = np.uint16 if WIDTH[name] == 16 else np.uint8
    return np.arange(n, dtype=store).view(dtype(name)) if WIDTH[name] >= 8 else \
        np.arange(n, dtype=np.uint8).view(dtype(name))


def bits_of(arr, name):
    store = np.uint16 if WIDTH[name] == 16 else np.uint8
    return [int(b) for b in arr.view(store)]


def f32_inputs(rng):
    vals = set()
    for name in FORMATS:
        finite = np.sort(np.unique(patterns(name).astype(np.float64)))
        finite = finite[np.isfinite(finite)]
        mids = (finite[:-1] + finite[1:]) / 2
        points = np.concatenate([finite, mids])
        if len(points) > 4000:  # 16-bit formats: a sample (exhaustive checks use `half`)
            points = np.concatenate([points[:300], points[-300:], rng.choice(points, 3400, replace=False)])
        for v in points:
            f = np.float32(v)
            vals.add(f)
            vals.add(np.nextafter(f, np.float32(np.inf)))
            vals.add(np.nextafter(f, np.float32(-np.inf)))
        top = finite.max()
        for v in [top * 1.01, top * 1.5, top * 2, top * 1e3, finite[finite > 0].min() / 2,
                  finite[finite > 0].min() * 0.51, finite[finite > 0].min() * 0.49]:
            vals.add(np.float32(v))
    vals.update(np.float32(v) for v in [0.0, -0.0, np.inf, -np.inf, np.nan, 1 / 3, 0.1, 1e-45, 3.4e38])
    logs = rng.uniform(-30, 30, 3000)
    vals.update(np.float32(s * 2.0 ** l) for s, l in zip(rng.choice([-1, 1], 3000), logs))
    arr = np.array(sorted(vals, key=lambda x: (np.isnan(x), x)), dtype=np.float32)
    # keep signed zeros / nan sign explicitly
    arr = np.concatenate([arr, np.array([-0.0, -np.nan], dtype=np.float32)])
    return arr


def f64_inputs(rng):
    vals = []
    for name in ["float16", "bfloat16", "float8_e4m3fn", "float8_e5m2", "float4_e2m1fn"]:
        finite = np.sort(np.unique(patterns(name).astype(np.float64)))
        finite = finite[np.isfinite(finite) & (finite > 0)]
        mids = (finite[:-1] + finite[1:]) / 2
        for m in rng.choice(mids, min(60, len(mids)), replace=False):
            for k in (-40, -30, 30, 40):
                vals.append(m + np.sign(k) * m * 2.0 ** -abs(k))
    vals += list(rng.uniform(-10, 10, 200))
    return np.array(vals, dtype=np.float64)


def main():
    np.seterr(all="ignore")
    rng = np.random.default_rng(20261125)
    x32 = f32_inputs(rng)
    x64 = f64_inputs(rng)
    out = {
        "source": f"ml_dtypes {ml_dtypes.__version__}, numpy {np.__version__} (scripts/make_fixtures.py)",
        "f32_inputs": [int(b) for b in x32.view(np.uint32)],
        "f64_inputs": [int(b) for b in x64.view(np.uint64)],
        "formats": {},
    }
    with np.errstate(all="ignore"):
        for name in FORMATS:
            if WIDTH[name] == 16:  # decode of 16-bit formats is checked against `half`
                out["formats"][name] = {"decode": [],
                                        "from_f32": bits_of(x32.astype(dtype(name)), name),
                                        "from_f64": bits_of(x64.astype(dtype(name)), name)}
                continue
            t = dtype(name)
            out["formats"][name] = {
                "decode": [int(b) for b in patterns(name).astype(np.float64).view(np.uint64)],
                "from_f32": bits_of(x32.astype(t), name),
                "from_f64": bits_of(x64.astype(t), name),
            }
    path = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "ml_dtypes_casts.json"
    path.write_text(json.dumps(out, separators=(",", ":")))
    print(f"wrote {path} ({len(x32)} f32 inputs, {len(x64)} f64 inputs)", file=sys.stderr)


if __name__ == "__main__":
    main()
