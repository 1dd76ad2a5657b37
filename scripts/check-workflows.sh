#!/usr/bin/env bash
# Validate the GitHub Actions workflows (.github/workflows/*.yml) against GitHub's schema with
# npm's @action-validator/cli (pinned), since they cannot run here; fails on a bad one.
# Run by .ci/run. Installs Node.js from Debian if it is missing, and the validator once into
# ~/.cache/quantscope-npm.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.6.0
if ! command -v npm >/dev/null; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
prefix="$HOME/.cache/quantscope-npm"
validator="$prefix/node_modules/.bin/action-validator"
if ! [ -x "$validator" ] || ! grep -q "\"version\": \"$version\"" "$prefix/node_modules/@action-validator/cli/package.json" 2>/dev/null; then
  npm install --prefix "$prefix" --no-audit --no-fund --silent \
    "@action-validator/cli@$version" "@action-validator/core@$version"
fi
shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
[ ${#files[@]} -gt 0 ] || { echo "check-workflows: no workflow files" >&2; exit 1; }
failed=0
for f in "${files[@]}"; do
  if "$validator" "$f" >/tmp/action-validator.$$ 2>&1; then
    echo "workflow ok: $f"
  else
    echo "workflow INVALID: $f" >&2
    cat /tmp/action-validator.$$ >&2
    failed=1
  fi
done
rm -f /tmp/action-validator.$$
exit $failed
