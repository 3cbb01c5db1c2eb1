#!/usr/bin/env bash
# The smoke DAG (tests/smoke/config.yaml) through the SLURM executor on a throwaway one-node
# cluster, checked against a local run of the same config.
#
#   .ci/slurm_smoke.sh            (as root; tests/test_slurm.py runs it)
#
# 1. Installs Debian's slurmctld, slurmd, slurm-client and munge if they are missing (apt).
# 2. Writes a private munge key and a one-node slurm.conf (loopback, free ports) to a temp dir;
#    every SLURM command here reads it through SLURM_CONF, so /etc is never touched.
# 3. Starts munged, slurmctld and slurmd in the foreground of background jobs, keeping their PIDs;
#    a trap cancels our jobs and stops exactly these PIDs on any exit, failure or timeout.
# 4. Runs the workflow with --workflow-profile profiles/slurm into a scratch directory and, at
#    the same time, locally into another; then compares every Parquet table of the two by value
#    (all columns but the measured `wall_time`). Both runs make the figures in $TARGETS: every
#    kind of cluster job (steady-state, SDE and histogram, quantum, relaxation, continuation and
#    phase-line, spectrum chunks; 14 sbatch jobs) and the local rules that join them (aggregation,
#    statistics, fits, figures). The whole smoke DAG has 42 cluster jobs, each paying a Snakemake
#    start inside its job: 7.3 min against 2-3 here. tests/test_workflow.py runs all of it locally.
# The whole script runs under a hard timeout (SLURM_SMOKE_TIMEOUT seconds, default 1500).
# SLURM_SMOKE_KEEP=1 keeps the temp dir (logs, both runs); it is kept anyway on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z ${_SLURM_SMOKE_UNDER_TIMEOUT:-} ]]; then
    export _SLURM_SMOKE_UNDER_TIMEOUT=1
    # timeout signals this script and its process group (snakemake, the daemons); the trap
    # below still runs on TERM. KILL follows 60 s later if cleanup itself hangs.
    exec timeout --kill-after=60 "${SLURM_SMOKE_TIMEOUT:-1500}" bash "${BASH_SOURCE[0]}" "$@"
fi

PY=${PYTHON:-$ROOT/.venv/bin/python}
SMOKE_CONFIG=$ROOT/tests/smoke/config.yaml
TARGETS=(figures/fig3.png figures/figS2.png figures/figS3.png figures/extra-phase-diagram.png)
START=$SECONDS
say() { printf '[slurm-smoke %3ds] %s\n' $((SECONDS - START)) "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

# ---- 1. packages ------------------------------------------------------------------------------
missing=()
for exe in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client squeue:slurm-client munged:munge mungekey:munge; do
    command -v "${exe%%:*}" >/dev/null 2>&1 || missing+=("${exe#*:}")
done
if ((${#missing[@]})); then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    [[ $(id -u) -eq 0 ]] || die "needs root to install ${missing[*]} with apt-get (or install them first)"
    command -v apt-get >/dev/null || die "no apt-get to install ${missing[*]}: install SLURM and munge first"
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } \
        || die "apt-get install ${missing[*]} failed"
fi
[[ $(id -u) -eq 0 ]] || die "slurmd must run as root here (it starts jobs as their user)"
"$PY" -c "import snakemake_executor_plugin_slurm" 2>/dev/null \
    || die "snakemake-executor-plugin-slurm is not installed in $PY (pip install -e '.[test]')"

# ---- 2. a private one-node cluster ------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/slurm_smoke.XXXXXX")
chmod 700 "$WORK"
mkdir -p "$WORK"/{munge,ctld,spool,log}
chmod 700 "$WORK/munge"
MUNGED_PID="" CTLD_PID="" SLURMD_PID="" SLURM_RUN_PID="" LOCAL_RUN_PID=""

stop_pid() {  # stop_pid NAME PID: TERM, up to 15 s, then KILL
    local name=$1 pid=$2
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
    say "$name ($pid) ignored TERM; KILL"
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    stop_pid "snakemake (SLURM run)" "$SLURM_RUN_PID"
    stop_pid "snakemake (local run)" "$LOCAL_RUN_PID"
    if [[ -n $CTLD_PID ]] && kill -0 "$CTLD_PID" 2>/dev/null; then
        # our jobs only: this cluster exists only for this script
        timeout 10 scancel --quiet --full --user "$(id -un)" 2>/dev/null && sleep 2
    fi
    stop_pid slurmd "$SLURMD_PID"
    stop_pid slurmctld "$CTLD_PID"
    stop_pid munged "$MUNGED_PID"
    if ((rc != 0)); then
        say "FAILED (exit $rc); logs in $WORK"
        for f in "$WORK"/log/slurmctld.log "$WORK"/log/slurmd.log "$WORK"/slurm_run.log "$WORK"/local_run.log; do
            [[ -f $f ]] && { echo "---- tail of $f"; tail -n 15 "$f"; }
        done
        find "$WORK/slurm_run/.snakemake/slurm_logs" -name '*.log' 2>/dev/null | head -n 3 | while read -r f; do
            echo "---- $f"; tail -n 20 "$f"; done
    elif [[ -z ${SLURM_SMOKE_KEEP:-} ]]; then
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

read -r CTLD_PORT SLURMD_PORT < <("$PY" - <<'EOF'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)
HOST=$(hostname -s)
NODE=smoke1
# CPUs and memory as slurmd sees them; config_overrides keeps the node up if they differ.
read -r CPUS MEM < <(slurmd -C 2>/dev/null | tr ' ' '\n' | awk -F= '$1=="CPUs"{c=$2} $1=="RealMemory"{m=$2} END{print c+0, m+0}')
((CPUS > 0)) || CPUS=$(nproc)
((MEM > 0)) || MEM=$(awk '/MemTotal/{print int($2/1024)}' /proc/meminfo)
MEM=$((MEM > 4096 ? MEM - 1024 : MEM))

export SLURM_CONF=$WORK/slurm.conf
cat >"$SLURM_CONF" <<EOF
# one-node test cluster written by .ci/slurm_smoke.sh
ClusterName=smoke
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$WORK/munge/munge.socket
StateSaveLocation=$WORK/ctld
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups in this container
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# no accounting database: status queries use squeue, so finished jobs must stay visible
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=300
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# without a default, a job without --mem takes the whole node and jobs run one at a time
DefMemPerCPU=500
ReturnToService=2
SlurmdParameters=config_overrides
SlurmctldTimeout=30
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

say "work dir $WORK; controller port $CTLD_PORT, node port $SLURMD_PORT, $CPUS CPUs, $MEM MB"
mungekey --create --keyfile="$WORK/munge/munge.key" >/dev/null 2>&1 || die "mungekey failed"
chmod 600 "$WORK/munge/munge.key"
setsid munged --foreground --force --key-file="$WORK/munge/munge.key" --socket="$WORK/munge/munge.socket" \
    --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/log/munged.log" \
    --seed-file="$WORK/munge/munged.seed" >>"$WORK/log/munged.out" 2>&1 &
MUNGED_PID=$!
for _ in $(seq 50); do [[ -S $WORK/munge/munge.socket ]] && break; sleep 0.2; done
[[ -S $WORK/munge/munge.socket ]] || { cat "$WORK/log/munged.out" "$WORK/log/munged.log" 2>/dev/null; die "munged did not start"; }

setsid slurmctld -D -i -f "$SLURM_CONF" >>"$WORK/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
setsid slurmd -D -N "$NODE" -f "$SLURM_CONF" >>"$WORK/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
sleep 0.5
for d in munged:$MUNGED_PID slurmctld:$CTLD_PID slurmd:$SLURMD_PID; do  # the PIDs are the daemons'
    [[ $(cat "/proc/${d#*:}/comm" 2>/dev/null) == "${d%%:*}" ]] || die "${d%%:*} is not running as PID ${d#*:}"
done
say "munged $MUNGED_PID, slurmctld $CTLD_PID, slurmd $SLURMD_PID"
state=""
for _ in $(seq 120); do
    kill -0 "$CTLD_PID" 2>/dev/null || die "slurmctld exited: $(tail -n 5 "$WORK/log/slurmctld.out" "$WORK/log/slurmctld.log" 2>/dev/null)"
    kill -0 "$SLURMD_PID" 2>/dev/null || die "slurmd exited: $(tail -n 5 "$WORK/log/slurmd.out" "$WORK/log/slurmd.log" 2>/dev/null)"
    state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null || true)
    [[ $state == idle ]] && break
    sleep 0.5
done
[[ $state == idle ]] || die "node $NODE is '${state:-unreachable}', not idle, after 60 s"
srun --quiet -N1 -n1 -t 1 true || die "a trivial srun job failed"
say "cluster up (node $NODE idle, srun works)"

# ---- 3. the smoke DAG on SLURM and locally ---------------------------------------------------
# Both runs go in the background at once (the local one fills the SLURM run's waits for status
# checks); the script `wait`s for them, and `wait` returns at once on a signal, so the trap
# stops Snakemake, the jobs and the daemons even mid-run.
run_snakemake() {  # run_snakemake LOG ARGS...: start in the background; PID in $!
    local log=$1
    shift
    "$PY" -m snakemake -s "$ROOT/Snakefile" --configfile "$SMOKE_CONFIG" "$@" "${TARGETS[@]}" >"$log" 2>&1 &
}

say "smoke DAG through the SLURM executor (profiles/slurm) and locally, side by side"
# The test cluster's specifics go on the command line, over the profile: no accounting
# database (squeue for status), few CPUs, a short first status check, and no retries, so
# that a failure shows.
run_snakemake "$WORK/slurm_run.log" -d "$WORK/slurm_run" --workflow-profile "$ROOT/profiles/slurm" \
    --slurm-status-command squeue --slurm-init-seconds-before-status-checks 2 \
    --jobs "$CPUS" --local-cores "$CPUS" --latency-wait 5 --retries 0
SLURM_RUN_PID=$!
run_snakemake "$WORK/local_run.log" -d "$WORK/local_run" --cores 1
LOCAL_RUN_PID=$!
t0=$SECONDS
rc=0
wait "$SLURM_RUN_PID" || rc=$?
SLURM_RUN_PID=""
SLURM_S=$((SECONDS - t0))
((rc == 0)) || die "the SLURM run failed, exit $rc (log: $WORK/slurm_run.log)"
grep -q "SLURM run ID" "$WORK/slurm_run.log" || die "the run did not use the SLURM executor"
submitted=$(grep -c "has been submitted with SLURM jobid" "$WORK/slurm_run.log" || true)
((submitted > 0)) || die "no job was submitted to SLURM"
say "SLURM run green in ${SLURM_S} s: $submitted jobs went through sbatch, the local rules ran here"
wait "$LOCAL_RUN_PID" || rc=$?
LOCAL_RUN_PID=""
((rc == 0)) || die "the local run failed, exit $rc (log: $WORK/local_run.log)"
say "local run green after $((SECONDS - t0)) s"

"$PY" - "$WORK/slurm_run" "$WORK/local_run" "${TARGETS[@]#figures/}" <<'EOF' || die "the SLURM and local tables differ"
import sys
from pathlib import Path

import pandas as pd

from powergrid.tables import read_table

MEASURED = ["wall_time"]  # seconds a computation took: differs between any two runs
slurm, local = map(Path, sys.argv[1:3])
names = lambda d: sorted(p.relative_to(d) for p in (d / "results").rglob("*.parquet"))
a, b = names(slurm), names(local)
assert a == b, f"different tables: only SLURM {sorted(set(a) - set(b))}, only local {sorted(set(b) - set(a))}"
assert len(a) >= 20, a
for rel in a:
    x, y = read_table(slurm / rel), read_table(local / rel)
    x, y = (df.drop(columns=[c for c in MEASURED if c in df]) for df in (x, y))
    try:  # values, dtypes and column order; not the file bytes or the provenance metadata
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    except AssertionError as err:
        sys.exit(f"{rel}: {err}")
figs = sorted(p.name for p in (slurm / "figures").glob("*.png"))
assert figs == sorted(p.name for p in (local / "figures").glob("*.png")) == sorted(sys.argv[3:]), figs
print(f"{len(a)} Parquet tables equal by value (all columns but {', '.join(MEASURED)}), "
      f"{len(figs)} figure files on both sides")
EOF
say "PASS: SLURM run ${SLURM_S} s; total $((SECONDS - START)) s"
