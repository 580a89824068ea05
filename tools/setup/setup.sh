#!/usr/bin/env bash
# One-command set-up of a fresh machine of this kind (Debian/Ubuntu, Node 20): checks Node, installs npm dependencies
# when node_modules is missing or older than the lockfile, installs the Debian libraries FAISS needs (when root, with
# apt; otherwise prints the exact command and stops), then builds the native modules (tools/native/build.sh).
# Idempotent and fast when everything is already in place. Usage: bash tools/setup/setup.sh [--quiet]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
QUIET=0
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    -h|--help) sed -n 2,6p "$0"; exit 0 ;;
    *) echo "setup: unknown argument '$arg' (expected --quiet)" >&2; exit 2 ;;
  esac
done
say() { [ "$QUIET" = 1 ] || echo "setup: $*"; }
fail() { echo "setup: $*" >&2; exit 1; }

# --- Node ------------------------------------------------------------------------------------------------------------
command -v node >/dev/null 2>&1 || fail "Node.js >= 20 is required, but no 'node' is on PATH (install Node 20 LTS)"
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || fail "Node.js must be >= 20, but got $(node --version)"
command -v npm >/dev/null 2>&1 || fail "npm is required, but no 'npm' is on PATH"

# --- npm dependencies ------------------------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install: older than package-lock.json means the tree is stale.
# --ignore-scripts: faiss-node's install script downloads binaries from GitHub (no network here) and fails; it is
# compiled from its npm sources by tools/native/build.sh instead. No other dependency needs an install script
# (sharp ships prebuilt @img/* packages, TF.js wasm ships its .wasm).
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
else
  say "npm dependencies up to date"
fi

# --- Debian libraries for FAISS --------------------------------------------------------------------------------------
DEB_PACKAGES=(libfaiss-dev libopenblas-dev liblapack-dev g++)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
else
  ls /usr/lib/*/libfaiss.a /usr/lib/libfaiss.a >/dev/null 2>&1 || missing+=(libfaiss-dev)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: the Debian packages ${missing[*]} are missing and this shell cannot install them (not root, or no apt-get)." >&2
    echo "setup: run this, then run setup again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
else
  say "Debian libraries present (${DEB_PACKAGES[*]})"
fi

# --- native modules --------------------------------------------------------------------------------------------------
if [ -f tools/native/build.sh ]; then
  say "building native modules (tools/native/build.sh; skipped when up to date)"
  if [ "$QUIET" = 1 ]; then bash tools/native/build.sh --quiet; else bash tools/native/build.sh; fi
fi
say "done"
