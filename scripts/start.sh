#!/usr/bin/env bash
# `npm start`: installs what is missing, prepares the demo (DEV-ONLY JWT keys in the git-ignored
# apps/demo/.dev.vars, browser bundle in apps/demo/dist/public), then serves it with wrangler dev on
# localhost:8787. State persists in apps/demo/.wrangler/state, so documents and sign-ins survive a
# restart. Ctrl-C stops it. PORT, LMZ_DEMO_STATE (state folder) and LMZ_INSPECTOR_PORT (the Worker's
# DevTools port, wrangler's default otherwise; tests set a free one so two runs never collide) override
# the defaults.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/node22.sh"
lmz_ensure_deps
export PATH="$root/node_modules/.bin:$PATH"
# wrangler dev fetches sample request.cf data from workers.cloudflare.com at every start and prints a
# DNS error offline; the demo never reads request.cf, so it uses wrangler's built-in placeholder.
export CLOUDFLARE_CF_FETCH_ENABLED="${CLOUDFLARE_CF_FETCH_ENABLED:-false}"
port="${PORT:-8787}"
state="${LMZ_DEMO_STATE:-.wrangler/state}"
cd "$root/apps/demo"
node scripts/prepare.mjs
echo
echo "  Lumenize Docs (demo): open http://localhost:${port}"
echo "  Sign in with any email address. No email is sent in local dev: the magic link is printed"
echo "  here in this terminal and listed at http://localhost:${port}/dev/mailbox"
echo
inspector=()
if [ -n "${LMZ_INSPECTOR_PORT:-}" ]; then inspector=(--inspector-port "$LMZ_INSPECTOR_PORT"); fi
exec wrangler dev --port "$port" --ip 127.0.0.1 --persist-to "$state" "${inspector[@]}" --show-interactive-dev-session=false
