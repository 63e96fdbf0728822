#!/usr/bin/env bash
# `npm start`: installs what is missing, then serves apps/demo with wrangler dev on localhost:8787.
# State persists in apps/demo/.wrangler/state, so data survives a restart. Ctrl-C stops it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/node22.sh"
lmz_ensure_deps
export PATH="$root/node_modules/.bin:$PATH"
port="${PORT:-8787}"
cd "$root/apps/demo"
echo
echo "  Lumenize demo: open http://localhost:${port}"
echo
exec wrangler dev --port "$port" --ip 127.0.0.1 --persist-to .wrangler/state --show-interactive-dev-session=false
