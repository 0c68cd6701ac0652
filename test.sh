#!/usr/bin/env bash
# Install vnpolicy with its test tools and Debian's Chromium (for the browser tests), then run the
# linter and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh test
if ! command -v chromium >/dev/null; then
    SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
export HF_HUB_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
