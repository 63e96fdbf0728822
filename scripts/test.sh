#!/usr/bin/env bash
# `npm test`: installs what is missing, then type check, repository checks and every vitest project
# (Node, workerd, Chromium). Extra arguments go to vitest (e.g. `npm test -- --project debug:node`).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/node22.sh
source scripts/node22.sh
lmz_ensure_deps
export PATH="$root/node_modules/.bin:$PATH"
echo "[lumenize] node $(node --version)"

chromium="$(node --experimental-strip-types --no-warnings -e "import('./tools/chromium.ts').then(m => console.log(m.findChromium() ?? ''))")"
if [ -z "$chromium" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "[lumenize] ERROR: no Chromium found under CI; .ci/run should have installed Debian's chromium" >&2
    exit 1
  fi
  cat >&2 <<'MSG'
################################################################################
##  NO CHROMIUM FOUND: BROWSER TESTS ARE SKIPPED.                              ##
##  Install Debian's chromium (apt-get install -y chromium) to run them.        ##
################################################################################
MSG
else
  echo "[lumenize] browser tests run in $chromium"
fi

if [ $# -eq 0 ]; then
  echo "[lumenize] type check"
  bash scripts/typecheck.sh
  node scripts/check-deps.mjs
  node scripts/check-log-namespaces.mjs
fi
exec vitest run "$@"
