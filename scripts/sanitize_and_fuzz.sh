#!/usr/bin/env bash
# The checking build: vibench compiled by clang with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-san), its test subset labelled
# "sanitize", and the libFuzzer targets of fuzz/ (suite parser and
# validator, CSV reader, result-file and journal readers), each run for a
# bounded time on a corpus made from the repository's suites, results and
# CSV files, after replaying the inputs of fuzz/regressions/. Exits non-zero
# on any failing test, sanitizer report or fuzzer finding, printing it.
#
# Usage: scripts/sanitize_and_fuzz.sh
# Environment:
#   FUZZ_SECONDS        seconds per fuzzer (default 60)
#   BUILD_DIR           build directory (default build-san)
#   VIBENCH_BUILD_LOCK  a file: configure and build under `flock` on it, for
#                       machines where other builds must not run at once
#   SKIP_TESTS=1, SKIP_FUZZ=1  leave out a phase
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD_DIR:-build-san}
fuzz_seconds=${FUZZ_SECONDS:-60}
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] || jobs=2

# Clang 14 is Debian 12's; compiler-rt holds the sanitizer and libFuzzer
# runtimes, libomp the OpenMP runtime clang links. The rest as in setup.sh.
packages=(clang-14 libclang-rt-14-dev libomp-14-dev cmake make git
          libeigen3-dev libcli11-dev nlohmann-json3-dev libfmt-dev doctest-dev
          libglpk-dev liblemon-dev python3 pkgconf libopenblas-openmp-dev
          libhwy-dev)
"$(dirname "$0")/install_packages.sh" sanitize "${packages[@]}"

lock=()
[ -z "${VIBENCH_BUILD_LOCK:-}" ] || lock=(flock "$VIBENCH_BUILD_LOCK")

# -O1 -g: fast enough to run the tests, exact enough for the reports' stack
# traces. Without NDEBUG, so Eigen's index checks are on as well.
start=$SECONDS
"${lock[@]}" cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" \
  -DVIBENCH_SANITIZE=ON -DVIBENCH_FUZZ=ON -DVIBENCH_BUILD_BENCH=OFF >/dev/null
"${lock[@]}" cmake --build "$build" -j "$jobs" --target vibench \
  vibench_sanitize_tests fuzz_suite fuzz_csv fuzz_results
echo "sanitize: build took $((SECONDS - start)) s"

# Leaks count as findings too; a UBSan report stops the program (the build
# also says so) and prints where it came from.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

if [ "${SKIP_TESTS:-}" != 1 ]; then
  start=$SECONDS
  ctest --test-dir "$build" -L sanitize --output-on-failure -j "$jobs"
  echo "sanitize: tests took $((SECONDS - start)) s"
fi
[ "${SKIP_FUZZ:-}" != 1 ] || exit 0

work=$(mktemp -d "${TMPDIR:-/tmp}/vibench-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/corpus/{fuzz_suite,fuzz_csv,fuzz_results} "$work/tmp"

# Seeds. Suites as they are (a few KiB each). Result files are up to MiBs:
# each is cut to its header and a few cells with short traces, so that a
# seed fits the 64 KiB inputs and still has what compare, table and profile
# read; the same cells also make a journal (JSON lines) for the journal
# reader, with the suite hash the fuzzer expects. CSVs: the first lines of
# the bundled data, and a few small sample files.
# Suites whose tasks take seconds to build under the sanitizers (large
# games and data sets) would spend the fuzzer's time in the tasks'
# constructors, not in the parser and validator it is for: a suite is a seed
# only if the instrumented target takes it in under 5 s.
for f in $(find suites -name '*.json' ! -name '*.schema.json' | sort); do
  if (cd "$work/tmp" && TMPDIR="$work/tmp" timeout 5 \
      "$root/$build/fuzz/fuzz_suite" "$root/$f") >/dev/null 2>&1; then
    cp "$f" "$work/corpus/fuzz_suite/"
  else
    echo "sanitize: $f is not a seed of fuzz_suite (slower than 5 s)"
  fi
done
python3 - "$work/corpus/fuzz_results" results <<'EOF'
import json, pathlib, sys

out, source = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
limit = 60 * 1024


def thin(value, keep):
    if isinstance(value, list):
        return [thin(v, keep) for v in value[:keep]]
    if isinstance(value, dict):
        return {k: thin(v, keep) for k, v in value.items()}
    return value


for path in sorted(source.rglob("*.json")):
    doc = json.loads(path.read_text())
    name = str(path.relative_to(source)).replace("/", "_")[:-5]
    for cells in (2, 6):
        small = {k: v for k, v in doc.items() if k != "cells"}
        small["cells"] = [thin(c, 4) for c in doc["cells"][:cells]]
        text = json.dumps(small)
        if len(text) > limit:  # a long suite (merge reads it): shortened
            small["suite"] = thin(doc["suite"], 8)
            text = json.dumps(small)
        if len(text) <= limit:
            (out / f"{name}-{cells}.json").write_text(text)
        header = {"vibench_journal": 1, "suite_hash": "fuzz"}
        lines = [json.dumps(header)] + [json.dumps(c) for c in small["cells"]]
        text = "\n".join(lines) + "\n"
        if len(text) <= limit:
            (out / f"{name}-{cells}.journal.jsonl").write_text(text)
EOF
find targets/data -name '*.csv' | while read -r f; do
  head -n 12 "$f" >"$work/corpus/fuzz_csv/$(basename "$f")"
done
printf 'x1,x2\n1,2\n-0.5,3e-2\n' >"$work/corpus/fuzz_csv/samples.csv"
printf '\xef\xbb\xbf"a, b","c""d"\r\n1,"2"\r\n' >"$work/corpus/fuzz_csv/quoted.csv"
printf 'x1\n" 1 "\n\n0x1p-3\n' >"$work/corpus/fuzz_csv/spaces.csv"

fuzz_failed=0
for target in fuzz_suite fuzz_csv fuzz_results; do
  exe="$root/$build/fuzz/$target"
  dict=()
  [ "$target" = fuzz_csv ] || dict=(-dict="$root/fuzz/json.dict")
  artifacts="$root/$build/fuzz-findings/$target"
  rm -rf "$artifacts"
  mkdir -p "$artifacts"
  options=(-rss_limit_mb=2048 -timeout=10 -max_len=65536
           -artifact_prefix="$artifacts/" "${dict[@]}")
  log="$work/$target.log"
  status=0
  start=$SECONDS
  # Each input that once crashed a target, replayed first (libFuzzer runs
  # the files it is given once each).
  regressions=("$root/fuzz/regressions/$target"/*)
  if [ -e "${regressions[0]}" ]; then
    (cd "$work/tmp" && TMPDIR="$work/tmp" "$exe" "${options[@]}" \
      "${regressions[@]}") >"$log" 2>&1 || status=$?
  fi
  if [ "$status" -eq 0 ]; then
    (cd "$work/tmp" && TMPDIR="$work/tmp" "$exe" "${options[@]}" \
      -max_total_time="$fuzz_seconds" -print_final_stats=1 \
      "$work/corpus/$target") >>"$log" 2>&1 || status=$?
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
    grep -o '[0-9]*$' || true)
  echo "sanitize: $target: $((SECONDS - start)) s, ${runs:-?} inputs," \
    "exit status $status"
  if [ "$status" -ne 0 ]; then
    fuzz_failed=1
    echo "---- $target: the end of its log ----"
    tail -n 80 "$log"
    for crash in "$artifacts"/*; do
      [ -e "$crash" ] || continue
      echo "---- $target: input $crash (base64; add it to" \
        "fuzz/regressions/$target/ once fixed) ----"
      base64 "$crash" | head -c 4000
      echo
    done
  fi
done
exit "$fuzz_failed"
