#!/usr/bin/env bash
# A real Slurm test of `gannb sweep --emit slurm` + `gannb collect`: installs Debian's slurm-wlm and munge, starts a
# one-node cluster on this machine (slurmctld + slurmd, configuration in a temporary folder), submits a 4-task smoke
# array of notebook 01 (seeds 1..4), waits for it, collects, checks the table, and stops the daemons it started.
# Prints one closing line "slurm: PASS …" / "slurm: FAIL …" / "slurm: SKIP …"; exit 0 pass, 1 fail, 77 skipped.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
work=$(mktemp -d /tmp/gannb-slurm.XXXXXX)
pids=()
say() { echo "== slurm test: $*"; }
finish() {
  local rc=$1 msg=$2
  # Stop only the daemons this script started, by their process ids.
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
  [ "$rc" -eq 0 ] && rm -rf "$work"
  case $rc in 0) echo "slurm: PASS $msg";; 77) echo "slurm: SKIP $msg";; *) echo "slurm: FAIL $msg";; esac
  exit "$rc"
}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else finish 77 "(needs root or passwordless sudo to install slurm-wlm and run its daemons)"; fi
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge (Debian packages)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >"$work/apt.log" 2>&1 \
    || { $SUDO apt-get update >>"$work/apt.log" 2>&1 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurm-wlm munge >>"$work/apt.log" 2>&1; } \
    || finish 1 "(apt-get install slurm-wlm munge failed; see $work/apt.log)"
fi

# munge: a key of our own and a daemon with its own socket, so nothing of the system's configuration is touched.
mkdir -p "$work/munge" && chmod 700 "$work/munge"
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none && chmod 400 "$work/munge/munge.key"
$SUDO chown -R "$(id -un)" "$work/munge" 2>/dev/null
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" || finish 1 "(munged did not start; $work/munge/munged.log)"
sleep 0.5; pids+=("$(cat "$work/munge/munged.pid")")

host=$(hostname -s)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2/1024) - 512}' /proc/meminfo)
mkdir -p "$work/spool/ctld" "$work/spool/d" "$work/log"
cat >"$work/slurm.conf" <<CONF
ClusterName=gannbtest
SlurmctldHost=$host
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$work/spool/ctld
SlurmdSpoolDir=$work/spool/d
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" || finish 1 "(slurmctld did not start; $work/log/slurmctld.log)"
for _ in $(seq 50); do [ -s "$work/slurmctld.pid" ] && break; sleep 0.2; done
pids+=("$(cat "$work/slurmctld.pid")")
$SUDO env SLURM_CONF="$SLURM_CONF" slurmd -f "$SLURM_CONF" || finish 1 "(slurmd did not start; $work/log/slurmd.log)"
for _ in $(seq 50); do [ -s "$work/slurmd.pid" ] && break; sleep 0.2; done
pids+=("$(cat "$work/slurmd.pid")")
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed" && break; sleep 0.3; done
say "cluster up: $(sinfo -h -o '%P %D %T %c' 2>&1)"

# The sweep, as a job array: 4 smoke runs of notebook 01 (seeds 1..4).
gannb=(dotnet "$repo/lib/GanNotebooks.Runner/bin/Release/gannb.dll")
[ -f "${gannb[1]}" ] || dotnet build -c Release lib/GanNotebooks.Runner >"$work/build.log" 2>&1 || finish 1 "(build failed; $work/build.log)"
out="$work/sweep"
"${gannb[@]}" sweep notebooks/01-minimax-optimal-discriminator.ipynb -p seed=1..4 --profile smoke --out "$out" \
  --emit slurm --cpus 1 --mem 3000 --time 00:20:00 --partition debug || finish 1 "(gannb sweep --emit slurm failed)"
job=$(sbatch --parsable "$out/sweep.sbatch") || finish 1 "(sbatch failed)"
job=${job%%;*}
say "submitted array job $job"
deadline=$((SECONDS + ${SLURM_TEST_TIMEOUT:-900}))
while squeue -h -j "$job" 2>/dev/null | grep -q .; do
  [ $SECONDS -lt $deadline ] || { scancel "$job"; finish 1 "(the array did not finish within ${SLURM_TEST_TIMEOUT:-900} s)"; }
  sleep 5
done
say "array $job done; collecting"
"${gannb[@]}" collect "$out" | tee "$work/collect.log"
crc=${PIPESTATUS[0]}
[ "$crc" -eq 0 ] || { tail -n 5 "$out"/slurm/*.out; finish 1 "(collect: not every run completed, see $out/runs.csv)"; }
# The table: each claim of notebook 01 over the 4 seeds (n = 4), not judged (smoke).
n=$(grep -c ',claim,.*,4,' "$out/sweep.csv")
[ "$n" -ge 7 ] || finish 1 "(expected the 7 claims of notebook 01 with n = 4 in $out/sweep.csv, found $n)"
grep -q '1 claim\|7 claims, not judged' "$out/runs.csv" || finish 1 "(runs.csv does not show the runs' claims)"
keep=${SLURM_TEST_KEEP:-/tmp/gannb-slurm-last}; mkdir -p "$keep" && cp "$out/sweep.csv" "$out/sweep.html" "$out/runs.csv" "$keep/"
finish 0 "(4-task array $job: $n claims × 4 seeds collected; table kept in $keep/sweep.csv)"
