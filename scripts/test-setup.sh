#!/usr/bin/env bash
# `npm run test:setup`: installs everything the test suites use, idempotent, caching outside the
# clone (${XDG_CACHE_HOME:-$HOME/.cache}/vact-ci): Debian's PostgreSQL (authority), openssl (TLS test
# certificates), dnsmasq and BIND9 (KMS DNS discovery and publishing), Chromium (browser tests),
# systemd-analyze (checks the agent's unit), Node 24 (the current LTS, beside Node 20) and code-server (the real VS Code for the extension).
# Needs root on Debian (apt-get); on a machine that has them all it installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '=== %s ===\n' "$*" >&2; }

need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v openssl >/dev/null || need+=(openssl)
command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
[ -x /usr/sbin/named ] || need+=(bind9)
command -v dig >/dev/null || need+=(bind9-dnsutils)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/include/krb5.h ] || need+=(libkrb5-dev)   # code-server's kerberos module builds against it
command -v systemd-analyze >/dev/null || need+=(systemd)   # verifies `vact agent install`'s unit
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test:setup needs root to install: ${need[*]} (run it as root, or install them with apt-get)" >&2
    exit 1
  fi
  log "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}"
  # Debian starts a cluster on 5432; the tests run their own throwaway servers.
  for c in /etc/postgresql/*/main; do [ -d "$c" ] && pg_ctlcluster "$(basename "$(dirname "$c")")" main stop 2>/dev/null; done || true
fi

# Node 24 and code-server (cached; prints their paths, which the VS Code suites find again themselves).
bash test/scripts/setup-vscode.sh >/dev/null
log "test:setup: everything the tests need is installed"
