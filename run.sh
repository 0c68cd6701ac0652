#!/usr/bin/env bash
# Install vnpolicy, ingest the bundled sample corpus and serve the API and the chat page at
# http://127.0.0.1:8000 (data in $VNPOLICY_HOME, default ~/.local/share/vnpolicy).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
HOME_DIR="${VNPOLICY_HOME:-$HOME/.local/share/vnpolicy}"
KEY_FILE="${VNPOLICY_API_KEY_FILE:-$HOME_DIR/api_key}"
if [ -z "${VNPOLICY_API_KEY:-}" ] && [ ! -s "$KEY_FILE" ]; then
    # Writes (uploads, deletions) need a key; make one the owner alone can read.
    mkdir -p "$(dirname "$KEY_FILE")"
    (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))' > "$KEY_FILE")
fi
.venv/bin/vnpolicy ingest data/sample
.venv/bin/vnpolicy documents
[ -n "${VNPOLICY_API_KEY:-}" ] || echo "API key for writes (header X-API-Key): in $KEY_FILE"
# serve prints "Open http://…" once the index is loaded and /health answers 200.
exec .venv/bin/vnpolicy serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
