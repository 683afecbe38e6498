#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright (no browser download).
# Install it, and a Japanese font for readable screenshots, when missing. Without root or
# sudo this only warns, and the browser tests skip with a message saying why.
set -u
[ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ] && exit 0
packages="chromium fonts-ipafont-gothic"
if [ "$(id -u)" = 0 ]; then run=""; elif command -v sudo >/dev/null; then run="sudo -n"; else
  echo "warning: cannot install chromium (not root, no sudo); browser tests will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get install -y -q $packages >/dev/null 2>&1 \
  || { $run apt-get update -q >/dev/null 2>&1 && $run apt-get install -y -q $packages >/dev/null; } \
  || echo "warning: apt-get could not install chromium; browser tests will skip" >&2
exit 0
