#!/usr/bin/env bash
# Type-checks the Worker/DO side and the Node side (two sets of ambient types).
set -euo pipefail
cd "$(dirname "$0")/.."
tsc --noEmit -p tsconfig.json
tsc --noEmit -p tsconfig.node.json
