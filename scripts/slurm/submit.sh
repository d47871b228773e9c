#!/usr/bin/env bash
# Submits a vibench suite to SLURM as a job array of N shards and a merge job
# that runs when every shard has ended.
#
#   scripts/slurm/submit.sh SUITE.json N OUT_DIR [vibench run options]
#
# Writes OUT_DIR/shard-K-of-N.json (K = 1..N), OUT_DIR/merged.json and the
# logs OUT_DIR/logs/shard-K-of-N.log and OUT_DIR/logs/merge.log; OUT_DIR must
# be on a file system the nodes share. Prints the two job ids.
#
# Environment:
#   VIBENCH        the vibench program (default: build/vibench of this
#                  checkout, else vibench on PATH)
#   MAX_RUNNING    shards running at once (sbatch --array=...%K; default: N)
#   CPUS           CPUs per shard (--cpus-per-task, vibench --jobs; default 1)
#   ARRAY          which shards to submit (default 1-N); ARRAY=3 runs shard 3
#                  again alone, ARRAY=2,5 two of them; the merge is redone
#   ALLOW_PARTIAL  1: the merge writes a partial result instead of refusing
#   SBATCH_PARTITION, SBATCH_TIMELIMIT, SBATCH_ACCOUNT, SBATCH_QOS, ...
#                  read by sbatch itself, for both jobs
set -euo pipefail

if [ "$#" -lt 3 ] || ! [[ "$2" =~ ^[1-9][0-9]*$ ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
suite=$(realpath "$1")
shards=$2
mkdir -p "$3/logs"
out_dir=$(realpath "$3")
shift 3
if [ -z "${VIBENCH:-}" ]; then
  if [ -x "$here/../../build/vibench" ]; then
    VIBENCH=$(realpath "$here/../../build/vibench")
  else
    VIBENCH=$(command -v vibench) || {
      echo "submit.sh: no vibench: set VIBENCH=/path/to/vibench" >&2
      exit 2
    }
  fi
fi
# The jobs run on other nodes, from another directory: absolute paths only.
VIBENCH=$(realpath "$VIBENCH")
array=${ARRAY:-1-$shards}
limit=${MAX_RUNNING:+%$MAX_RUNNING}
cpus=${CPUS:-1}

# --parsable prints "JOBID" or "JOBID;CLUSTER".
array_id=$(sbatch --parsable --array="$array$limit" --cpus-per-task="$cpus" \
  --export="ALL,VIBENCH=$VIBENCH" \
  --output="$out_dir/logs/shard-%a-of-$shards.log" \
  "$here/vibench_array.sbatch" "$suite" "$shards" "$out_dir" "$@")
array_id=${array_id%%;*}
merge_id=$(sbatch --parsable --dependency="afterany:$array_id" \
  --export="ALL,VIBENCH=$VIBENCH,ALLOW_PARTIAL=${ALLOW_PARTIAL:-0}" \
  --output="$out_dir/logs/merge.log" \
  "$here/merge.sbatch" "$shards" "$out_dir")
merge_id=${merge_id%%;*}
echo "submit.sh: shards $array of $shards: job $array_id; merge: job" \
  "$merge_id -> $out_dir/merged.json" >&2
echo "$array_id $merge_id"
