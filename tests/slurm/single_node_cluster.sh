#!/usr/bin/env bash
# The SLURM recipe of scripts/slurm/ on a real, single-node SLURM cluster
# started here: munged, slurmctld and slurmd on this machine, talking over
# 127.0.0.1 only, with a slurm.conf generated in a temporary directory (no
# systemd, no cgroups: it runs as root in a container).
#
#   tests/slurm/single_node_cluster.sh [VIBENCH]   (default: build/vibench)
#
# 1. submit.sh runs suites/ci.json as a 4-shard job array and a merge job;
#    the merged result must equal the unsharded run bit for bit
#    (vibench compare --exact) with every array task COMPLETED;
# 2. failure semantics: with shard 3's file gone, merge refuses (exit 2)
#    naming "shard 3/4 missing", --allow-partial lists the missing cells, and
#    submitting shard 3 alone (ARRAY=3) redoes it and the merge, bit for bit
#    again, without touching the other shards;
# 3. requeue: a shard of a filtered run (options after OUT_DIR are passed to
#    vibench run) requeued while it runs (scontrol requeue) resumes from its
#    journal, and the merge is still bit-identical to the unsharded run.
# Installs Debian's slurm-wlm and munge where missing. Every daemon started
# here is stopped on exit, pass or fail. Prints PASS or FAIL last.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
vibench=$(realpath "${1:-build/vibench}")
started=$(date +%s)
say() { echo "slurm test: $*"; }

[ -x "$vibench" ] || { say "FAIL: no vibench program at $vibench"; exit 1; }

# --- packages -----------------------------------------------------------
scripts/install_packages.sh slurm-test slurm-wlm munge

# --- the cluster's directory, and cleaning up -----------------------------
tmp=$(mktemp -d /tmp/vibench-slurm.XXXXXX)
chmod 755 "$tmp"
conf=$tmp/slurm.conf
pids=()          # daemons started here
result=FAIL
cleanup() {
  local status=$?
  set +e
  if [ -n "${SLURM_CONF:-}" ] && [ "${#pids[@]}" -gt 0 ]; then
    scancel --user="$(id -un)" 2>/dev/null
  fi
  # The daemons, last started first: slurmd and slurmctld still need munged
  # while they stop.
  local i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null
  done
  # Job steps (slurmstepd, the job scripts, vibench) left by a killed
  # slurmd: the processes whose environment names this cluster's slurm.conf
  # (this shell's own children no longer carry it).
  export -n SLURM_CONF
  grep -lsF "SLURM_CONF=$conf" /proc/[0-9]*/environ | cut -d/ -f3 |
    while read -r pid; do
      [ "$pid" != $$ ] && kill -KILL "$pid" 2>/dev/null
    done
  wait 2>/dev/null
  if [ "$status" -ne 0 ] || [ "$result" != PASS ]; then
    for log in "$tmp"/log/*.log "$tmp"/out*/logs/*.log; do
      [ -f "$log" ] || continue
      echo "----- $log (last lines)"
      tail -n 15 "$log"
    done
    result=FAIL
  fi
  if [ "${KEEP_SLURM_TMP:-0}" = 1 ]; then
    say "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  say "$result ($(($(date +%s) - started)) s)"
  [ "$result" = PASS ] || exit 1
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { say "FAIL: $*"; exit 1; }

# --- munge: a key and a daemon of this cluster's own ----------------------
mkdir -p "$tmp/munge" "$tmp/log" "$tmp/state" "$tmp/spool"
chmod 755 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged --foreground --force --key-file="$tmp/munge/munge.key" \
  --socket="$socket" --pid-file="$tmp/munge/munged.pid" \
  --seed-file="$tmp/munge/munged.seed" >"$tmp/log/munged.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$socket" ] && break; sleep 0.1; done
munge --socket="$socket" -n </dev/null |
  unmunge --socket="$socket" >/dev/null || fail "munge does not work"

# --- slurm.conf ---------------------------------------------------------
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0));
print(s.getsockname()[1])'
}
host=$(hostname -s)
cpus=$(nproc)
memory=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024))
user=$(id -un)
touch "$tmp/plugstack.conf"
cat >"$conf" <<EOF
# A single-node cluster for tests/slurm/single_node_cluster.sh.
ClusterName=vibench-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
MailProg=/bin/true
# No cgroups (none are delegated in a container): processes are tracked by
# their parent process ids, and tasks are not bound.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# The node is what this file says, whatever slurmd detects.
SlurmdParameters=config_overrides
ReturnToService=2
# Finished jobs stay visible to scontrol for 10 minutes.
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$conf

# --- the daemons --------------------------------------------------------
slurmctld -D -c -f "$conf" >>"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$conf" >>"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
  state=$(sinfo --noheader --nodes="$host" --format=%T 2>/dev/null || true)
  [ "$state" = idle ] && break
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || fail "a daemon (pid $pid) exited"
  done
  sleep 0.5
done
[ "$state" = idle ] || fail "the node is not idle after 60 s (state: $state)"
say "cluster up: node $host ($cpus CPUs, $memory MB), $(($(date +%s) - started)) s"

# --- helpers ------------------------------------------------------------
# Waits (10 minutes at most) until none of the jobs is pending or running.
wait_jobs() {
  local deadline=$(($(date +%s) + 600))
  while [ -n "$(squeue --noheader --jobs="$1" 2>/dev/null)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "jobs $1 still queued after 10 min"
    sleep 1
  done
}
# The states of a job (one line per array task).
job_states() {
  scontrol --oneliner show job "$1" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2
}
all_completed() {
  local states
  states=$(job_states "$1")
  [ -n "$states" ] && ! grep -qv '^COMPLETED$' <<<"$states"
}
suite=$root/suites/ci.json
unsharded=$tmp/unsharded.json
"$vibench" run "$suite" -q --jobs "$cpus" -o "$unsharded" >/dev/null
cells=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["cells"]))' "$unsharded")
same_as_unsharded() {
  "$vibench" compare "$unsharded" "$1" --exact >/dev/null 2>"$tmp/compare.err" ||
    { cat "$tmp/compare.err"; fail "$1 differs from the unsharded run"; }
}

# --- 1. the array and the merge -------------------------------------------
out=$tmp/out
t0=$(date +%s)
ids=$(MAX_RUNNING=$cpus scripts/slurm/submit.sh "$suite" 4 "$out") ||
  fail "submit.sh failed"
read -r array_id merge_id <<<"$ids"
wait_jobs "$array_id,$merge_id"
all_completed "$array_id" || fail "array $array_id: $(job_states "$array_id" | xargs)"
all_completed "$merge_id" || fail "merge $merge_id: $(job_states "$merge_id")"
same_as_unsharded "$out/merged.json"
say "1. 4 shards of suites/ci.json ($cells cells) merged bit-identical to" \
  "the unsharded run ($(($(date +%s) - t0)) s)"

# --- 2. a missing shard: named, partial, rerun alone ----------------------
sums_before=$(sha256sum "$out"/shard-[124]-of-4.json)
rm "$out/shard-3-of-4.json" "$out/merged.json"
status=0
"$vibench" merge "$out"/shard-*-of-4.json -o "$tmp/refused.json" \
  2>"$tmp/merge.err" || status=$?
if [ "$status" -ne 2 ] || [ -e "$tmp/refused.json" ]; then
  fail "merge without shard 3 exited $status (expected 2, no output)"
fi
grep -q "shard 3/4 missing" "$tmp/merge.err" ||
  fail "merge does not name the missing shard: $(cat "$tmp/merge.err")"
"$vibench" merge "$out"/shard-*-of-4.json -o "$tmp/partial.json" \
  --allow-partial 2>/dev/null >/dev/null || fail "merge --allow-partial failed"
python3 - "$tmp/partial.json" <<'EOF' || fail "the partial result does not list its missing cells"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["missing_cells"] and d["context"]["merge"]["missing_shards"] == ["3/4"]
EOF
t0=$(date +%s)
ids=$(ARRAY=3 scripts/slurm/submit.sh "$suite" 4 "$out") ||
  fail "submit.sh ARRAY=3 failed"
read -r array_id merge_id <<<"$ids"
wait_jobs "$array_id,$merge_id"
if ! all_completed "$array_id" || ! all_completed "$merge_id"; then
  fail "rerun of shard 3: $(job_states "$array_id") / $(job_states "$merge_id")"
fi
same_as_unsharded "$out/merged.json"
[ "$(sha256sum "$out"/shard-[124]-of-4.json)" = "$sums_before" ] ||
  fail "rerunning shard 3 touched another shard"
say "2. without shard 3, merge refused naming it; --allow-partial listed" \
  "its cells; shard 3 rerun alone completed the merge ($(($(date +%s) - t0)) s)"

# --- 3. requeued while running: resumes from its journal ------------------
# The sampling cells of suites/quickstart.json (18 of its 30) in 2 shards:
# a shard runs for a few seconds, long enough to be requeued once a cell is
# in its journal.
out=$tmp/out-requeue
quick=$root/suites/quickstart.json
filter='gmm|gaussian'
t0=$(date +%s)
ids=$(MAX_RUNNING=1 scripts/slurm/submit.sh "$quick" 2 "$out" \
  --filter "$filter") || fail "submit.sh failed"
read -r array_id merge_id <<<"$ids"
journal=$out/shard-1-of-2.json.journal.jsonl
deadline=$(($(date +%s) + 120))
until [ -f "$journal" ] && [ "$(wc -l <"$journal")" -ge 2 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "shard 1/2 wrote no journal"
  sleep 0.1
done
scontrol requeue "${array_id}_1"
# SLURM holds a requeued job back for a while (its BeginTime is set about two
# minutes ahead, once it is pending again); this test does not wait for that.
deadline=$(($(date +%s) + 60))
until [ "$(job_states "${array_id}_1")" = PENDING ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "the requeued shard is not pending"
  sleep 0.2
done
scontrol update JobId="${array_id}_1" StartTime=now
wait_jobs "$array_id,$merge_id"
if ! all_completed "$array_id" || ! all_completed "$merge_id"; then
  fail "requeue: $(job_states "$array_id" | xargs) / $(job_states "$merge_id")"
fi
grep -q "resuming from" "$out/logs/shard-1-of-2.log" ||
  fail "the requeued shard did not resume from its journal"
"$vibench" run "$quick" -q --jobs "$cpus" --filter "$filter" \
  -o "$tmp/quick.json" >/dev/null
"$vibench" compare "$tmp/quick.json" "$out/merged.json" --exact \
  >/dev/null 2>&1 || fail "the requeued run differs from the unsharded one"
say "3. shard 1/2 of --filter '$filter', requeued while running, resumed" \
  "from its journal $(grep -o '([0-9]* lines)' "$out/logs/shard-1-of-2.log" |
  head -1); merged bit-identical ($(($(date +%s) - t0)) s)"

result=PASS
