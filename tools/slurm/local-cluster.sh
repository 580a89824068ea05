#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for tests and demos of `alsg run --executor slurm` (docs/slurm.md).
#
#   tools/slurm/local-cluster.sh start    # idempotent; prints `export SLURM_CONF=...` on stdout (last line)
#   tools/slurm/local-cluster.sh status   # exit 0 and the conf path when running, exit 1 otherwise
#   tools/slurm/local-cluster.sh stop     # idempotent
#
# Debian's slurmctld + slurmd (Slurm 22.05) without munge: AuthType=auth/none and CredType=cred/none, daemons as root,
# no systemd. Everything (conf, state, spool, pid and log files) lives under one folder, ALSG_SLURM_DIR (default
# ${TMPDIR:-/tmp}/alsg-slurm), so stopping and deleting it leaves nothing behind. Not for a shared machine: auth/none
# lets any local user submit as anyone.
# Exit status: 0 ok; 3 when Slurm is not installed or this is not root (callers such as the tests skip on 3); 1 when
# the daemons did not come up (their logs are named).
set -euo pipefail

DIR="${ALSG_SLURM_DIR:-${TMPDIR:-/tmp}/alsg-slurm}"
CONF="$DIR/slurm.conf"
CMD="${1:-}"

running_pid() { # prints the pid in $1 when that process is alive
  [[ -f "$1" ]] || return 1
  local pid
  pid="$(cat "$1" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

is_up() {
  running_pid "$DIR/slurmctld.pid" >/dev/null && running_pid "$DIR/slurmd.pid" >/dev/null
}

write_conf() {
  local host cpus mem
  host="$(hostname -s)"
  cpus="$(nproc)"
  # Leave 10% of the memory to the system: a job's --mem above RealMemory is refused at submission.
  mem="$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)"
  mkdir -p "$DIR/state" "$DIR/spool"
  cat >"$CONF" <<EOF
ClusterName=alsg-local
SlurmctldHost=$host
AuthType=auth/none
CredType=cred/none
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SlurmctldPort=${ALSG_SLURM_CTLD_PORT:-6817}
SlurmdPort=${ALSG_SLURM_D_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
# Finished jobs stay visible to squeue/scontrol this long (s); alsg records outcomes in the store anyway.
MinJobAge=300
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

case "$CMD" in
  start)
    if [[ "$(id -u)" != 0 ]]; then echo "local-cluster: needs root (daemons as root, auth/none)" >&2; exit 3; fi
    for bin in slurmctld slurmd sbatch squeue scontrol sinfo; do
      command -v "$bin" >/dev/null || { echo "local-cluster: $bin not found (apt-get install -y --no-install-recommends slurmctld slurmd slurm-client)" >&2; exit 3; }
    done
    if is_up; then
      echo "local-cluster: already running ($DIR)" >&2
    else
      write_conf
      running_pid "$DIR/slurmctld.pid" >/dev/null || slurmctld -f "$CONF" -i
      running_pid "$DIR/slurmd.pid" >/dev/null || slurmd -f "$CONF"
    fi
    export SLURM_CONF="$CONF"
    for _ in $(seq 1 60); do
      state="$(sinfo -h -o '%t' 2>/dev/null | head -1 || true)"
      case "$state" in idle | mix | alloc) break ;; esac
      sleep 0.5
    done
    case "${state:-}" in
      idle | mix | alloc) ;;
      *) echo "local-cluster: node not up (state '${state:-none}'); see $DIR/slurmctld.log and $DIR/slurmd.log" >&2; exit 1 ;;
    esac
    echo "local-cluster: up, node $(hostname -s) $state; conf $CONF" >&2
    echo "export SLURM_CONF=$CONF"
    ;;
  status)
    if is_up; then echo "export SLURM_CONF=$CONF"; exit 0; fi
    echo "local-cluster: not running ($DIR)" >&2
    exit 1
    ;;
  stop)
    for name in slurmd slurmctld; do
      if pid="$(running_pid "$DIR/$name.pid")"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -9 "$pid" 2>/dev/null || true
      fi
    done
    echo "local-cluster: stopped ($DIR)" >&2
    ;;
  *)
    echo "usage: $0 start|status|stop   (state under \$ALSG_SLURM_DIR, default \${TMPDIR:-/tmp}/alsg-slurm)" >&2
    exit 2
    ;;
esac
