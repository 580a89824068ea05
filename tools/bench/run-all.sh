#!/usr/bin/env bash
# Runs every benchmark of the README's Benchmarks table in one session, one after the other (never two at once: they
# are timings), and keeps each one's full output with the date, the load average before and after, and /usr/bin/time's
# wall / CPU / peak RSS. This is how the table's figures are re-measured together on one machine (issue 14 item 5).
#
#   bash tools/bench/run-all.sh [--out DIR] [--skip name,name] [--only name,name] [--list]
#
# Names, in run order (the long ones last, so a short session still gets the rest):
#   models  ingest  csv  synthfer  graph  train-ratio  train-ratio-cnn  cached  slurm  backbone  table1-cold  ci
# table1-cold (a cold `npx nx run pipelines:table1` in a fresh store: ~19 min on the 2-core EPYC, ~1 h on the Xeon, small-cnn default) and ci (a fresh clone's
# `CI=true bash .ci/run`: ~15 min) dominate; skip them with --skip table1-cold,ci when the session is short.
# Output: DIR (default .alsg/bench/<UTC timestamp>/) holds <name>.txt per benchmark and summary.txt (one line each:
# name, exit code, wall, CPU, peak RSS, load before -> after). Prints no verdicts: read the figures.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
ALL=(models conv-kernels batchnorm-ab ingest csv synthfer graph train-ratio train-ratio-cnn cached slurm backbone table1-cold ci)
OUT="$ROOT/.alsg/bench/$(date -u +%Y%m%dT%H%M%SZ)"
SKIP=""
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --skip) SKIP=",$2,"; shift 2 ;;
    --only) ONLY=",$2,"; shift 2 ;;
    --list) printf '%s\n' "${ALL[@]}"; exit 0 ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "tools/bench/run-all.sh: unknown argument '$1' (expected --out DIR, --skip a,b, --only a,b, --list)" >&2; exit 2 ;;
  esac
done
for name in ${SKIP//,/ } ${ONLY//,/ }; do
  [[ " ${ALL[*]} " == *" $name "* ]] || { echo "tools/bench/run-all.sh: unknown benchmark '$name' (known: ${ALL[*]})" >&2; exit 2; }
done
mkdir -p "$OUT"
echo "benchmarks -> $OUT"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), node $(node --version)" | tee "$OUT/summary.txt"

# Scratch stores live under OUT so a failed step leaves them for a look; they are deleted after a step that passed.
STORE_SMOKE="$OUT/store-table1-smoke"

# command_for NAME: the README's command for that row (kept in step with the README's Benchmarks table).
command_for() {
  case "$1" in
    models) echo "npx tsx tools/bench/models.ts" ;;
    conv-kernels) echo "npx tsx tools/bench/conv-kernels.ts" ;;
    batchnorm-ab) echo "npx tsx tools/bench/batchnorm-ab.ts" ;;
    ingest) echo "npx tsx libs/datasets/bench/ingest-throughput.ts 2000" ;;
    csv) echo "npx tsx libs/openface/scripts/bench-csv-reader.ts 20000" ;;
    synthfer) echo "npx tsx tools/bench/synthfer.ts 4000 40000 2" ;;
    graph) echo "npx tsx tools/bench/graph.ts --exact off" ;;
    train-ratio) echo "npx tsx tools/bench/train-ratio.ts --train 3000 --test 1000 --reps 4 --accuracy-epochs 10 --dataset raf-syn --lr 0.01" ;;
    train-ratio-cnn) echo "npx tsx tools/bench/train-ratio.ts --backbone small-cnn --train 2000 --test 200 --reps 3" ;;
    cached) echo "ALSG_STORE=$STORE_SMOKE node bin/alsg.mjs run pipelines/table1.yaml --profile smoke --jobs 2 && ALSG_STORE=$STORE_SMOKE npx tsx tools/bench/cached-pipeline.ts" ;;
    slurm) echo "bash tools/bench/slurm-vs-local.sh" ;;
    backbone) echo "npx tsx tools/bench/backbone-select.ts --data \$(ALSG_STORE=$STORE_SMOKE.default node bin/alsg.mjs run pipelines/table1.yaml --only syn >/dev/null && ls -d $STORE_SMOKE.default/ingest/*/ | head -1) --candidates small-cnn@32 --epochs 30 --lr 0.03 --eval-every 3" ;;
    table1-cold) echo "ALSG_STORE=$OUT/store-table1 npx nx run pipelines:table1 --skip-nx-cache" ;;
    ci) echo "rm -rf $OUT/ci-clone && git clone -q $ROOT $OUT/ci-clone && cd $OUT/ci-clone && CI=true bash .ci/run" ;;
  esac
}

for name in "${ALL[@]}"; do
  [ -n "$ONLY" ] && [[ "$ONLY" != *",$name,"* ]] && continue
  [[ "$SKIP" == *",$name,"* ]] && continue
  cmd="$(command_for "$name")"
  log="$OUT/$name.txt"
  before="$(uptime | sed 's/.*load average: //')"
  {
    echo "# $name  ($(date -u +%FT%TZ))"
    echo "# \$ $cmd"
    echo "# load before: $before"
  } >"$log"
  echo "[$(date -u +%T)] $name: $cmd"
  /usr/bin/time -f '# time: wall %e s, user %U s, sys %S s, peak RSS %M KB (largest single process)' -a -o "$log.time" bash -c "$cmd" >>"$log" 2>&1
  code=$?
  after="$(uptime | sed 's/.*load average: //')"
  cat "$log.time" >>"$log" 2>/dev/null && rm -f "$log.time"
  echo "# load after: $after; exit $code" >>"$log"
  line="$(grep '^# time:' "$log" | tail -1 | sed 's/^# time: //')"
  printf '%-12s exit %-3s %s | load %s -> %s\n' "$name" "$code" "$line" "$before" "$after" | tee -a "$OUT/summary.txt"
  if [ "$code" = 0 ]; then
    case "$name" in
      cached) rm -rf "$STORE_SMOKE" ;;
      backbone) rm -rf "$STORE_SMOKE.default" ;;
      ci) rm -rf "$OUT/ci-clone" ;;
    esac
  fi
done
echo "summary: $OUT/summary.txt"
