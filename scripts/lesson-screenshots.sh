#!/usr/bin/env bash
# Screenshots of every lesson step in presentation mode, for the eyes and the README:
# scripts/lesson-screenshots.sh WIDTHxHEIGHT OUT_DIR [BINARY]. Needs Xvfb, xdotool and
# ImageMagick (scripts/install-deps.sh). Starts from a fresh state (a temporary HOME).
set -euo pipefail
size=${1:-1280x800}
out=${2:-/tmp/quantscope-lesson}
bin=${3:-target/release/quantscope}
mkdir -p "$out"
display=:$((70 + RANDOM % 20))
Xvfb "$display" -screen 0 "${size}x24" >/dev/null 2>&1 &
xvfb=$!
home=$(mktemp -d)
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$home"' EXIT
sleep 1
export DISPLAY=$display
HOME=$home "$bin" >/dev/null 2>&1 &
app=$!
sleep 4
window=$(xdotool search --name quantscope | head -1)
xdotool windowfocus "$window"
xdotool key F11   # presentation
sleep 1
xdotool key F9    # the lesson
sleep 1
for step in 1 2 3 4 5 6 7; do
  [ "$step" -gt 1 ] && xdotool key Next   # Page Down: the next step, shown
  [ "$step" -eq 1 ] && { xdotool key Next; sleep 0.5; xdotool key Prior; }
  sleep 3
  import -window root "$out/step$step-$size.png"
done
echo "screenshots in $out"
