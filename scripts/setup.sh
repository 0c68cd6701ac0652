#!/usr/bin/env bash
# Installs the Debian programs vnpolicy calls, creates .venv and installs vnpolicy into it (with the test
# tools when called with "test").
# torch is pinned to 2.13.0, whose CPU wheel pip finds on this machine's disk.
# A regular (not editable) install: setuptools prints a warning banner for every editable install of
# this layout, and the tests run from the checkout anyway (`python -m pytest` puts it first on sys.path).
set -euo pipefail
cd "$(dirname "$0")/.."

# Tesseract and its Vietnamese model read scanned PDFs; antiword (catdoc as a fallback) reads Word 97 .doc
# files; the DejaVu font renders the page images of the OCR test. Only what is missing is installed.
missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
{ command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -x vie >/dev/null; } || missing+=(tesseract-ocr-vie)
command -v antiword >/dev/null || missing+=(antiword)
command -v catdoc >/dev/null || missing+=(catdoc)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# The tests also write Word 97 .doc files, with LibreOffice Writer (headless, no GUI: about 200 MB installed).
if [ "${1:-}" = "test" ]; then command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui); fi
if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null; then
        SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "setup: install ${missing[*]} (Debian names) for OCR of scanned PDFs and .doc files" >&2
    fi
fi
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "test" ]; then
    .venv/bin/python -m pip install --quiet '.[test]'
else
    .venv/bin/python -m pip install --quiet .
fi
