#!/usr/bin/env bash
# Builds the two native FAISS modules the graph stage uses, against Debian's static libfaiss (1.7.3):
#   1. faiss-node 0.5.1 (npm, installed with --ignore-scripts because its install script downloads prebuilt binaries or
#      clones faiss from GitHub) compiled from its own sources into node_modules/faiss-node/build/Release/faiss-node.node,
#      so the real `faiss-node` package works;
#   2. the companion binding tools/native/src/alsg-faiss.cc -> tools/native/build/alsg-faiss.node (zero-copy
#      Float32Array, search parameters; see docs/graph.md for why it exists). Where the CPU has AVX2 + FMA, faiss's own
#      distance kernels (faiss/utils/distances_simd.cpp from the Debian source tarball of the same faiss version,
#      downloaded once and checked against a pinned sha256) are compiled with -mavx2 -mfma -mf16c and linked ahead of
#      libfaiss.a, replacing the archive's baseline-x86-64 (SSE) member; otherwise, or when the download fails, the
#      companion is built as before and a one-line note says why. The companion's kernels() reports which.
# Idempotent: each module is rebuilt only when one of its inputs is newer than the output. `--force` rebuilds both.
# Usage: bash tools/native/build.sh [--force] [--quiet] [--also-baseline]
#   --also-baseline: also build tools/native/build/alsg-faiss-baseline.node without the AVX2 kernels (for same-run
#   comparisons: ALSG_FAISS_COMPANION=<path> makes the graph stage load another companion module).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NATIVE="$ROOT/tools/native"
FORCE=0
QUIET=0
BASELINE_TOO=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --quiet) QUIET=1 ;;
    --also-baseline) BASELINE_TOO=1 ;;
    -h|--help) sed -n 2,18p "$0"; exit 0 ;;
    *) echo "tools/native/build.sh: unknown argument '$arg' (expected --force, --quiet, --also-baseline)" >&2; exit 2 ;;
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

# --- 2. AVX2 distance kernels ----------------------------------------------------------------------------------------
# Debian's libfaiss.a is compiled for baseline x86-64, so fvec_L2sqr (every distance an HNSW build or search computes)
# runs on SSE. The same source file compiled for AVX2 defines a superset of that member's symbols, so linking its object
# before the archive keeps the linker from pulling the archive's member (a duplicate-symbol error would say otherwise).
# Only the matching faiss version's source is used: the tarball's sha256 is the one Debian's faiss_1.7.3-2.dsc lists.
FAISS_SRC_VERSION=1.7.3
FAISS_SRC_URL="http://deb.debian.org/debian/pool/main/f/faiss/faiss_${FAISS_SRC_VERSION}.orig.tar.gz"
FAISS_SRC_SHA256=3e4fac26d8c9e9008ecea4ae5fc414c658998fce4ba75835058b1a71d3516002
KDIR="$NATIVE/build/kernels"
KERNEL_FLAGS=(-std=c++17 -O3 -fPIC -fopenmp -mavx2 -mfma -mf16c -mpopcnt)
KERNEL_OBJS=()
KERNELS="baseline (Debian libfaiss.a, x86-64 baseline SSE)"

header_version() {
  local m n p
  m=$(sed -n 's/^#define FAISS_VERSION_MAJOR \([0-9]*\).*/\1/p' /usr/include/faiss/Index.h)
  n=$(sed -n 's/^#define FAISS_VERSION_MINOR \([0-9]*\).*/\1/p' /usr/include/faiss/Index.h)
  p=$(sed -n 's/^#define FAISS_VERSION_PATCH \([0-9]*\).*/\1/p' /usr/include/faiss/Index.h)
  echo "$m.$n.$p"
}

# fetch_source: leaves the verified tarball at $KDIR/faiss-src.tar.gz, or returns 1 with a note on stderr.
fetch_source() {
  local tarball="$KDIR/faiss-src.tar.gz"
  if [ -f "$tarball" ] && echo "$FAISS_SRC_SHA256  $tarball" | sha256sum -c --status; then return 0; fi
  mkdir -p "$KDIR"
  local tmp="$tarball.tmp.$$"
  if ! curl -fsSL --connect-timeout 10 --max-time 120 -o "$tmp" "$FAISS_SRC_URL" 2>/dev/null; then
    rm -f "$tmp"; echo "native: note: could not download $FAISS_SRC_URL; building the companion without AVX2 kernels" >&2; return 1
  fi
  if ! echo "$FAISS_SRC_SHA256  $tmp" | sha256sum -c --status; then
    rm -f "$tmp"; echo "native: note: $FAISS_SRC_URL does not have the pinned sha256 $FAISS_SRC_SHA256; building the companion without AVX2 kernels" >&2; return 1
  fi
  mv -f "$tmp" "$tarball"
}

if ! grep -qw avx2 /proc/cpuinfo 2>/dev/null || ! grep -qw fma /proc/cpuinfo 2>/dev/null; then
  say "this CPU lacks avx2/fma: the companion uses Debian's baseline kernels"
elif [ "$(header_version)" != "$FAISS_SRC_VERSION" ]; then
  say "note: libfaiss is $(header_version), the pinned kernel source is $FAISS_SRC_VERSION: the companion uses Debian's baseline kernels"
elif ! command -v curl >/dev/null 2>&1 && [ ! -f "$KDIR/faiss-src.tar.gz" ]; then
  echo "native: note: curl not found; building the companion without AVX2 kernels" >&2
elif fetch_source; then
  KOBJ="$KDIR/distances_simd.avx2.o"
  if needs_build "$KOBJ" "$KDIR/faiss-src.tar.gz" "$0"; then
    say "compiling faiss $FAISS_SRC_VERSION distances_simd.cpp with ${KERNEL_FLAGS[*]}"
    ksrc="$KDIR/src.$$"
    rm -rf "$ksrc"; mkdir -p "$ksrc"
    tar -xzf "$KDIR/faiss-src.tar.gz" -C "$ksrc" "faiss-$FAISS_SRC_VERSION/faiss/utils/distances_simd.cpp"
    # The system headers (/usr/include/faiss) are the ones libfaiss.a was compiled with.
    if g++ "${KERNEL_FLAGS[@]}" -c "$ksrc/faiss-$FAISS_SRC_VERSION/faiss/utils/distances_simd.cpp" -o "$KOBJ.tmp.$$"; then
      mv -f "$KOBJ.tmp.$$" "$KOBJ"
    else
      rm -f "$KOBJ.tmp.$$"; echo "native: note: compiling the AVX2 kernels failed; building the companion without them" >&2
    fi
    rm -rf "$ksrc"
  fi
  if [ -f "$KOBJ" ]; then
    KERNEL_OBJS=("$KOBJ")
    KERNELS="avx2 (faiss $FAISS_SRC_VERSION distances_simd.cpp, ${KERNEL_FLAGS[*]:1})"
  fi
fi

# --- 3. companion binding ----------------------------------------------------------------------------------------------
CO_SRC="$NATIVE/src/alsg-faiss.cc"
CO_OUT="$NATIVE/build/alsg-faiss.node"
# The kernel choice is an input too: a stamp records what the module was linked with, so a change rebuilds it.
CO_STAMP="$CO_OUT.kernels"
CO_FLAGS=(-std=c++17 -O3 -fPIC -shared -fopenmp -DNAPI_VERSION=8 -I"$NODE_INC")
if needs_build "$CO_OUT" "$CO_SRC" "$0" "$LIBDIR/libfaiss.a" "${KERNEL_OBJS[@]}" || [ "$(cat "$CO_STAMP" 2>/dev/null)" != "$KERNELS" ]; then
  say "building companion binding $CO_OUT (kernels: $KERNELS)"
  compile "$CO_OUT" "${CO_FLAGS[@]}" -DALSG_FAISS_KERNELS="\"$KERNELS\"" "$CO_SRC" "${KERNEL_OBJS[@]}" "${LIBS[@]}"
  echo "$KERNELS" > "$CO_STAMP"
else
  say "companion binding up to date ($CO_OUT, kernels: $KERNELS)"
fi
CO_BASE="$NATIVE/build/alsg-faiss-baseline.node"
if [ "$BASELINE_TOO" = 1 ]; then
  say "building $CO_BASE (baseline kernels, for comparisons)"
  compile "$CO_BASE" "${CO_FLAGS[@]}" -DALSG_FAISS_KERNELS="\"baseline (Debian libfaiss.a, x86-64 baseline SSE)\"" "$CO_SRC" "${LIBS[@]}"
fi

# --- smoke check: both modules load and answer ---------------------------------------------------------------------------
node -e "
const fn = require('$FAISS_NODE');
const ix = new fn.IndexFlatL2(2); ix.add([0, 0, 1, 1]);
if (ix.search([0.9, 0.9], 1).labels[0] !== 1) throw new Error('faiss-node smoke search returned a wrong neighbour');
const co = require('$CO_OUT');
if (typeof co.faissVersion !== 'function' || typeof co.kernels !== 'function') throw new Error('companion binding has no faissVersion() / kernels()');
const h = co.create(8, 'HNSW8'); const xs = new Float32Array(64 * 8).map((_, i) => (i * 7919) % 101);
co.add(h, xs); const L = new Int32Array(1), D = new Float32Array(1); co.search(h, xs.subarray(8 * 5, 8 * 6), 1, L, D);
if (L[0] !== 5 || D[0] !== 0) throw new Error('companion smoke search returned a wrong neighbour');
" || { echo "tools/native/build.sh: the built modules failed their smoke check (see the error above)" >&2; exit 1; }
say "ok (faiss-node + companion, libfaiss from $LIBDIR, companion kernels: $KERNELS)"
