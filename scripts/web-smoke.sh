#!/usr/bin/env bash
# The browser smoke test (run by .ci/run): build the page (scripts/web.sh), serve it on
# loopback, open a deep link in headless Chromium (WebGL2 through SwiftShader) and check that
# the app started without a panic, drew the Bits panel (a screenshot that is not blank) and
# landed in the link's state (0.1 in float16 = 0.0999755859375 in the page's title), and that
# the Downcast lab's web worker sends its result back (scripts/web_worker_check.py), and that a
# GGUF file dropped on the page opens (scripts/web_gguf_check.py). Prints the gzipped .wasm size.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --browser
bash scripts/web.sh
port=${PORT:-$((18000 + RANDOM % 1000))}
out=$(mktemp -d)
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.1
done
url="http://127.0.0.1:$port/#tab=bits&value=0.1&format=float16"
chrome=(chromium --headless --no-sandbox --use-angle=swiftshader --enable-unsafe-swiftshader
  --disable-background-networking --disable-component-update --disable-sync --no-first-run
  --disable-quic --user-data-dir="$out/profile" --window-size=1280,800
  --enable-logging=stderr --v=0 --virtual-time-budget=20000)
"${chrome[@]}" --dump-dom "$url" >"$out/dom.html" 2>"$out/console.log" || true
"${chrome[@]}" --screenshot="$out/page.png" "$url" >/dev/null 2>>"$out/console.log" || true
fail() { echo "web smoke test: FAILED: $*" >&2; tail -20 "$out/console.log" >&2; exit 1; }
if grep -qi "panicked" "$out/console.log"; then
  fail "a panic in the console: $(grep -i -m1 panicked "$out/console.log")"
fi
title=$(grep -o '<title>[^<]*</title>' "$out/dom.html" || true)
echo "page title: $title"
case "$title" in
  *"0.1 in float16 = 0.0999755859375"*) ;;
  *) fail "the deep link did not land: expected 0.1 in float16 = 0.0999755859375 in the title" ;;
esac
# The lab runs in a web worker: its result must come back to the page. That needs real time
# (--dump-dom's virtual time ends before a worker starts), so Playwright drives Chromium.
lab="http://127.0.0.1:$port/#tab=downcast&dist=normal&size=100000&seed=0&to=bfloat16"
python3 -c "import playwright" 2>/dev/null \
  || python3 -m pip install --quiet playwright 2>/dev/null \
  || python3 -m pip install --quiet --break-system-packages playwright 2>/dev/null || true
if python3 -c "import playwright" 2>/dev/null; then
  python3 scripts/web_worker_check.py "$lab" || fail "the lab's web worker"
  python3 scripts/web_gguf_check.py "$out/gguf.png" || fail "a GGUF dropped on the page"
else
  echo "web smoke test: the web-worker check SKIPPED (pip could not install playwright)" >&2
fi
[ -s "$out/page.png" ] || fail "no screenshot"
spread=$(convert "$out/page.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || fail "the page is blank (grey spread $spread)"
cp "$out/page.png" "${SMOKE_SCREENSHOT:-$out/page.png}" 2>/dev/null || true
wasm_gz=$(gzip -9 -c dist/quantscope_bg.wasm | wc -c)
first=$(grep -o 'data-first-frame-ms="[0-9]*"' "$out/dom.html" | grep -o '[0-9]*' || echo "?")
echo "budgets: wasm ${wasm_gz} bytes gzipped; first frame at ${first} ms of virtual time (real-time numbers: scripts/web_budgets.py)"
echo "web smoke test: 1 passed, 0 failed"
