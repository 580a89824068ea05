#!/usr/bin/env bash
# Builds the two native FAISS modules the graph stage uses, against Debian's static libfaiss (1.7.3):
#   1. faiss-node 0.5.1 (npm, installed with --ignore-scripts because its install script downloads prebuilt binaries or
#      clones faiss from GitHub) compiled from its own sources into node_modules/faiss-node/build/Release/faiss-node.node,
#      so the real `faiss-node` package works;
#   2. the companion binding tools/native/src/alsg-faiss.cc -> tools/native/build/alsg-faiss.node (zero-copy
#      Float32Array, search parameters; see docs/graph.md for why it exists).
# Idempotent: each module is rebuilt only when one of its inputs is newer than the output. `--force` rebuilds both.
# Usage: bash tools/native/build.sh [--force] [--quiet]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NATIVE="$ROOT/tools/native"
FORCE=0
QUIET=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --quiet) QUIET=1 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "tools/native/build.sh: unknown argument '$arg' (expected --force, --quiet)" >&2; exit 2 ;;
  esac
done
say() { [ "$QUIET" = 1 ] || echo "native: $*"; }

# --- locate the system libraries -------------------------------------------------------------------------------------
LIBDIR=""
for dir in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
  if [ -f "$dir/libfaiss.a" ]; then LIBDIR="$dir"; break; fi
done
missing=()
[ -n "$LIBDIR" ] && [ -f /usr/include/faiss/Index.h ] || missing+=(libfaiss-dev)
have_lib() { local f; for f in /usr/lib/*/"$1" /usr/lib/"$1" /usr/lib64/"$1" /usr/local/lib/"$1"; do [ -e "$f" ] && return 0; done; return 1; }
have_lib libopenblas.so || missing+=(libopenblas-dev)
have_lib liblapack.so || missing+=(liblapack-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "tools/native/build.sh: missing Debian packages: ${missing[*]}" >&2
  echo "  install them with: sudo apt-get install -y libfaiss-dev libopenblas-dev liblapack-dev g++" >&2
  exit 1
fi

NODE_INC=""
for dir in "$(dirname "$(dirname "$(command -v node)")")/include/node" /usr/include/node /usr/local/include/node; do
  if [ -f "$dir/node_api.h" ]; then NODE_INC="$dir"; break; fi
done
if [ -z "$NODE_INC" ]; then
  echo "tools/native/build.sh: node_api.h not found (looked in <node prefix>/include/node, /usr/include/node)" >&2
  echo "  install the Node.js headers (Debian: sudo apt-get install -y libnode-dev) or use an official Node.js build" >&2
  exit 1
fi

FAISS_NODE="$ROOT/node_modules/faiss-node"
if [ ! -f "$FAISS_NODE/src/faiss.cc" ]; then
  echo "tools/native/build.sh: $FAISS_NODE/src/faiss.cc not found; install the package first:" >&2
  echo "  npm install --ignore-scripts --no-audit --no-fund faiss-node@0.5.1" >&2
  exit 1
fi
ADDON_INC="$FAISS_NODE/node_modules/node-addon-api"
[ -f "$ADDON_INC/napi.h" ] || ADDON_INC="$ROOT/node_modules/node-addon-api"

CXXFLAGS=(-std=c++17 -O3 -fPIC -shared -fopenmp -DNAPI_VERSION=8 -I"$NODE_INC" -I"$ADDON_INC")
LIBS=("$LIBDIR/libfaiss.a" -lopenblas -llapack -fopenmp)

# needs_build OUT INPUT...: true when OUT is missing, --force was given, or any input is newer.
needs_build() {
  local out="$1"; shift
  [ "$FORCE" = 1 ] && return 0
  [ -f "$out" ] || return 0
  local f
  for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
  return 1
}

# Compile to a temporary file, then rename: a failed or interrupted build never leaves a half-written module.
compile() {
  local out="$1"; shift
  mkdir -p "$(dirname "$out")"
  local tmp="$out.tmp.$$"
  if ! g++ "$@" -o "$tmp"; then rm -f "$tmp"; echo "tools/native/build.sh: compiling $out failed" >&2; exit 1; fi
  mv -f "$tmp" "$out"
}

# --- 1. faiss-node -----------------------------------------------------------------------------------------------------
FN_OUT="$FAISS_NODE/build/Release/faiss-node.node"
SHIM="$NATIVE/src/faiss-idx-shim.h"
if needs_build "$FN_OUT" "$FAISS_NODE/src/faiss.cc" "$SHIM" "$0" "$LIBDIR/libfaiss.a"; then
  say "building faiss-node $(node -p "require('$FAISS_NODE/package.json').version") against $LIBDIR/libfaiss.a"
  compile "$FN_OUT" "${CXXFLAGS[@]}" -DNAPI_CPP_EXCEPTIONS -include "$SHIM" "$FAISS_NODE/src/faiss.cc" "${LIBS[@]}"
else
  say "faiss-node up to date ($FN_OUT)"
fi

# --- 2. companion binding ----------------------------------------------------------------------------------------------
CO_SRC="$NATIVE/src/alsg-faiss.cc"
CO_OUT="$NATIVE/build/alsg-faiss.node"
if needs_build "$CO_OUT" "$CO_SRC" "$0" "$LIBDIR/libfaiss.a"; then
  say "building companion binding $CO_OUT"
  compile "$CO_OUT" -std=c++17 -O3 -fPIC -shared -fopenmp -DNAPI_VERSION=8 -I"$NODE_INC" "$CO_SRC" "${LIBS[@]}"
else
  say "companion binding up to date ($CO_OUT)"
fi

# --- smoke check: both modules load and answer ---------------------------------------------------------------------------
node -e "
const fn = require('$FAISS_NODE');
const ix = new fn.IndexFlatL2(2); ix.add([0, 0, 1, 1]);
if (ix.search([0.9, 0.9], 1).labels[0] !== 1) throw new Error('faiss-node smoke search returned a wrong neighbour');
const co = require('$CO_OUT');
if (typeof co.faissVersion !== 'function') throw new Error('companion binding has no faissVersion()');
" || { echo "tools/native/build.sh: the built modules failed their smoke check (see the error above)" >&2; exit 1; }
say "ok (faiss-node + companion, libfaiss from $LIBDIR)"
