#!/usr/bin/env bash
# Install the window's system libraries if missing (Debian), then open quantscope.
# Extra arguments go to quantscope (e.g. `scripts/run.sh cast --to bf16 1/3`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
exec cargo run --release --locked -- "$@"
