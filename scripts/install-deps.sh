#!/usr/bin/env bash
# System packages quantscope needs on Debian: X11/Wayland/GL libraries for the window,
# Xvfb + ImageMagick for screenshots; with --browser also Chromium and curl for the web
# page's smoke test (scripts/web-smoke.sh). Safe to run again; quiet when all are present.
set -euo pipefail
packages=(
  pkg-config
  libx11-6 libxcursor1 libxrandr2 libxi6 libxkbcommon0 libxkbcommon-x11-0
  libwayland-client0 libwayland-egl1 libegl1 libgl1 libgl1-mesa-dri
  xvfb xauth imagemagick xdotool
)
if [ "${1:-}" = "--browser" ]; then
  packages+=(chromium curl)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
