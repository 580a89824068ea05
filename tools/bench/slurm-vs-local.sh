#!/usr/bin/env bash
# Table 1 smoke through the Slurm executor (single-node cluster of tools/slurm/local-cluster.sh) and through the local
# executor (--jobs 2), each into a fresh store, back to back; prints each wall time and whether the two stores hold the
# same outputs (stage/key/file names; the byte-level comparison is tools/slurm/slurm-executor.spec.ts). docs/slurm.md.
#   bash tools/bench/slurm-vs-local.sh        (needs root and Debian's slurm packages: tools/setup/setup.sh installs them)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
conf="$(bash tools/slurm/local-cluster.sh start | tail -1)"
eval "$conf"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "load before: $(uptime | sed 's/.*load average: //')"
t0=$(date +%s.%N)
ALSG_STORE="$work/slurm" ALSG_SLURM_POLL_MS=2000 node bin/alsg.mjs run pipelines/table1.yaml --profile smoke --executor slurm --wait >"$work/slurm.log" 2>&1 || { tail -30 "$work/slurm.log"; exit 1; }
t1=$(date +%s.%N)
echo "slurm: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s wall; load now: $(uptime | sed 's/.*load average: //')"
ALSG_STORE="$work/local" node bin/alsg.mjs run pipelines/table1.yaml --profile smoke --jobs 2 >"$work/local.log" 2>&1 || { tail -30 "$work/local.log"; exit 1; }
t2=$(date +%s.%N)
echo "local --jobs 2: $(awk "BEGIN{printf \"%.1f\", $t2 - $t1}") s wall; load after: $(uptime | sed 's/.*load average: //')"
list() { (cd "$1" && find . -type f ! -path './.*' ! -name '*.lock' ! -path '*.slurm/*' | sort); }
if diff <(list "$work/slurm") <(list "$work/local") >/dev/null; then echo "stored files: $(list "$work/local" | wc -l) in each, same names"; else echo "stored files differ:"; diff <(list "$work/slurm") <(list "$work/local") | head -20; fi
