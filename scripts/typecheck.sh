#!/usr/bin/env bash
# Type-checks the Worker/DO side and the Node side (two sets of ambient types).
set -euo pipefail
cd "$(dirname "$0")/.."
tsc --noEmit -p tsconfig.json
tsc --noEmit -p tsconfig.node.json
# The bench Workers (wrangler bundles them; their own tsconfig has the Workers types). The Agents
# peer is left out: its `agents` dependency is installed only on demand (bench/mesh-common/README.md).
for config in bench/*/worker/tsconfig.json bench/mesh-client/floor-worker/tsconfig.json; do
  tsc --noEmit -p "$config"
done
