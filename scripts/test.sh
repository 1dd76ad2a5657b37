#!/usr/bin/env bash
# Run every test: unit tests of the cores, reference tests (ml_dtypes fixtures),
# the CLI as a process, and the UI driven headless through egui_kittest.
# Needs only the Rust toolchain: no display, no Python, no system packages.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --locked --lib --bins --tests "$@"
