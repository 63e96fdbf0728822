#!/usr/bin/env bash
# `npm run soak`: the determinism check. Runs the whole suite from a fresh clone of the committed HEAD,
# SOAK_RUNS times in a row (default 3), each time while a second `npm test` (another fresh clone) runs
# alongside on the same cores. Every run of both must pass; logs stay in the printed folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${SOAK_RUNS:-3}"
work="$(mktemp -d /tmp/lumenize-soak.XXXXXX)"
echo "[soak] $runs runs of HEAD $(git -C "$root" rev-parse --short HEAD) with a second npm test alongside; logs in $work"
export CI=true WRANGLER_SEND_METRICS=false
failed=0
for i in $(seq 1 "$runs"); do
  rm -rf "$work/main" "$work/load"
  git clone -q "$root" "$work/main"
  git clone -q "$root" "$work/load"
  start=$SECONDS
  (cd "$work/load" && npm test >"$work/load-$i.log" 2>&1) &
  load=$!
  if (cd "$work/main" && npm test >"$work/main-$i.log" 2>&1); then main_ok=1; else main_ok=0; fi
  if wait "$load"; then load_ok=1; else load_ok=0; fi
  summary() { grep -E '^\s*(Tests|Test Files)' "$1" | sed 's/\x1b\[[0-9;]*m//g' | tr -s ' ' | tr '\n' ' '; }
  echo "[soak] run $i: main $([ $main_ok = 1 ] && echo passed || echo FAILED) ($(summary "$work/main-$i.log")), alongside $([ $load_ok = 1 ] && echo passed || echo FAILED), $((SECONDS - start)) s"
  if [ $main_ok = 0 ] || [ $load_ok = 0 ]; then failed=1; break; fi
done
if [ $failed = 1 ]; then
  echo "[soak] FAILED: see the logs in $work" >&2
  exit 1
fi
echo "[soak] $runs of $runs runs passed with a second npm test alongside"
