#!/usr/bin/env bash
# Build quantscope as a static web page into dist/ (index.html, quantscope.js, quantscope_bg.wasm):
# nothing is fetched from the internet when the page runs. `scripts/web.sh --serve` also serves
# dist/ on http://127.0.0.1:8080/ (PORT overrides). Installs what it needs: the
# wasm32-unknown-unknown target and wasm-bindgen-cli pinned to Cargo.lock's wasm-bindgen.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/quantscope-target}"
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' \
  || rustup target add wasm32-unknown-unknown
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " $version$"; then
  echo "installing wasm-bindgen-cli $version (a few minutes, once)" >&2
  cargo install wasm-bindgen-cli --version "$version"
fi
profile=${WEB_PROFILE:-release}
flag=$([ "$profile" = release ] && echo --release || echo "")
cargo build --locked $flag --bin quantscope --target wasm32-unknown-unknown
rm -rf dist
mkdir -p dist
wasm-bindgen --target web --no-typescript --out-dir dist --out-name quantscope \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/quantscope.wasm"
cp web/index.html web/worker.js dist/
echo "built dist/: $(du -sh dist | cut -f1) ($(gzip -c dist/quantscope_bg.wasm | wc -c) bytes of wasm gzipped)"
if [ "${1:-}" = "--serve" ]; then
  port=${PORT:-8080}
  echo "serving dist/ on http://127.0.0.1:$port/" >&2
  exec python3 -m http.server "$port" --bind 127.0.0.1 --directory dist
fi
