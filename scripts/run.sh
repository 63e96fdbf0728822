#!/usr/bin/env bash
# Runs a command with the project's Node (>= 22) first on PATH, dependencies installed,
# node_modules/.bin on PATH and telemetry off.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/node22.sh
source "$root/scripts/node22.sh"
lmz_ensure_deps
export PATH="$root/node_modules/.bin:$PATH"
exec "$@"
