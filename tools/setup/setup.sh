#!/usr/bin/env bash
# One-command set-up of a fresh machine of this kind (Debian/Ubuntu, Node 20): checks Node, installs npm dependencies
# when node_modules is missing or older than the lockfile, installs the Debian libraries FAISS needs (when root, with
# apt; otherwise prints the exact command and stops), python3-numpy and python3-sklearn for the cross-check tests and
# Slurm (slurmctld, slurmd, slurm-client) for the Slurm executor test (with apt when root; otherwise a warning, never a
# failure), then builds the native modules (tools/native/build.sh).
# Idempotent and fast when everything is already in place. Usage: bash tools/setup/setup.sh [--quiet]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
QUIET=0
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
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

# --- Python cross-checks (optional) -----------------------------------------------------------------------------------
# libs/knn/src/graph.spec.ts, libs/evaluation/src/ldl-metrics.spec.ts and libs/artifacts/src/npy.spec.ts check our
# graphs, metrics and .npy files against scikit-learn and numpy run by Debian's /usr/bin/python3 (not whatever python3
# is first on PATH: a pyenv or venv python would not see apt's packages), and skip those checks when it cannot import
# them (Debian's python3 ships without either). Installed with apt when root (only what is missing); otherwise, or when
# apt fails (no network), a warning says how, and set-up still succeeds: the project builds and its other tests run.
PY=/usr/bin/python3
if [ -x "$PY" ]; then
  py_missing=()
  "$PY" -c 'import numpy' >/dev/null 2>&1 || py_missing+=(python3-numpy)
  "$PY" -c 'import sklearn' >/dev/null 2>&1 || py_missing+=(python3-sklearn)
  if [ "${#py_missing[@]}" -eq 0 ]; then
    say "$PY has numpy and scikit-learn (the cross-checks will run)"
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${py_missing[*]} with apt-get (for the numpy / scikit-learn cross-checks)"
    export DEBIAN_FRONTEND=noninteractive
    if { apt-get install -y -qq --no-install-recommends "${py_missing[@]}" >/dev/null 2>&1 ||
         { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${py_missing[@]}" >/dev/null 2>&1; }; } &&
       "$PY" -c 'import numpy, sklearn' >/dev/null 2>&1; then
      say "installed ${py_missing[*]}"
    else
      echo "setup: warning: could not install ${py_missing[*]} with apt-get (no network or no such package?);" >&2
      echo "setup: warning: the scikit-learn / numpy cross-checks will be skipped. To install them later:" >&2
      echo "  apt-get update && apt-get install -y --no-install-recommends ${py_missing[*]}" >&2
    fi
  else
    echo "setup: warning: $PY lacks ${py_missing[*]} and this shell cannot install them (not root, or no apt-get);" >&2
    echo "setup: warning: the scikit-learn / numpy cross-checks will be skipped. To run them:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${py_missing[*]}" >&2
  fi
else
  echo "setup: warning: no $PY (Debian's python3): the scikit-learn / numpy cross-checks will be skipped" >&2
  echo "  sudo apt-get install -y --no-install-recommends python3 python3-numpy python3-sklearn" >&2
fi

# --- Slurm (optional) ------------------------------------------------------------------------------------------------
# tools/slurm/slurm-executor.spec.ts runs `alsg run --executor slurm` against a single-node cluster that
# tools/slurm/local-cluster.sh starts from Debian's slurmctld, slurmd and slurm-client (no munge; docs/slurm.md), and
# is skipped without them. Installed with apt when root and missing; otherwise a warning, never a failure.
slurm_missing=()
for pair in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || slurm_missing+=("${pair#*:}")
done
if [ "${#slurm_missing[@]}" -eq 0 ]; then
  say "Slurm present (the Slurm executor test will run)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing ${slurm_missing[*]} with apt-get (for the Slurm executor test)"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq --no-install-recommends "${slurm_missing[@]}" >/dev/null 2>&1 ||
     { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "${slurm_missing[@]}" >/dev/null 2>&1; }; then
    say "installed ${slurm_missing[*]}"
  else
    echo "setup: warning: could not install ${slurm_missing[*]} with apt-get; the Slurm executor test will be skipped." >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends slurmctld slurmd slurm-client" >&2
  fi
else
  echo "setup: warning: no Slurm (${slurm_missing[*]}) and this shell cannot install it (not root, or no apt-get);" >&2
  echo "setup: warning: the Slurm executor test will be skipped. To run it: sudo apt-get install -y --no-install-recommends slurmctld slurmd slurm-client" >&2
fi

# --- native modules --------------------------------------------------------------------------------------------------
if [ -f tools/native/build.sh ]; then
  say "building native modules (tools/native/build.sh; skipped when up to date)"
  if [ "$QUIET" = 1 ]; then bash tools/native/build.sh --quiet; else bash tools/native/build.sh; fi
fi
say "done"
