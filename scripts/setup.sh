#!/usr/bin/env bash
# Creates .venv and installs vnpolicy into it (with the test tools when called with "test").
# torch is pinned to 2.13.0, whose CPU wheel pip finds on this machine's disk.
# A regular (not editable) install: setuptools prints a warning banner for every editable install of
# this layout, and the tests run from the checkout anyway (`python -m pytest` puts it first on sys.path).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "test" ]; then
    .venv/bin/python -m pip install --quiet '.[test]'
else
    .venv/bin/python -m pip install --quiet .
fi
