#!/usr/bin/env bash
# Run the criterion benches, then print each hot loop's time as a ratio to the memcpy
# measured in the same run, and — when NumPy / ml_dtypes / PyTorch are installed — our
# time divided by theirs (scripts/bench_reference.py). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --locked --bench throughput "$@"
ref=$(python3 scripts/bench_reference.py 2>/dev/null || echo '{}')
TARGET="${CARGO_TARGET_DIR:-target}" REF="$ref" python3 - <<'PY'
import json, os, pathlib
root = pathlib.Path(os.environ["TARGET"]) / "criterion"
ref = json.loads(os.environ["REF"] or "{}")
def mean(group, name):
    p = root / group / name / "new" / "estimates.json"
    return json.loads(p.read_text())["mean"]["point_estimate"] / 1e9 if p.exists() else None
print(f"{'benchmark':45} {'ours':>10} {'memcpy/ours':>12}  vs reference (ours / theirs)")
for group in sorted(p.name for p in root.iterdir() if p.is_dir() and p.name != "report"):
    base = mean(group, "memcpy_f32")
    for name in sorted(p.name for p in (root / group).iterdir() if p.is_dir()):
        if name in ("memcpy_f32", "report"):
            continue
        t = mean(group, name)
        key = f"{group}/{name}"
        vs = "  ".join(f"{lib} {t / r[key]:.2f}" for lib, r in ref.items() if key in r)
        print(f"{key:45} {t * 1e3:8.2f}ms {base / t:12.2f}  {vs}")
PY
