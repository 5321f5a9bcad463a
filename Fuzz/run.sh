#!/bin/bash
# Builds the libFuzzer targets and runs each for a fixed number of inputs, seeded from Fuzz/seeds.
#   Fuzz/run.sh [ITERATIONS] [TARGET...]      (default: 1000000 inputs, every target)
# A crash, sanitizer report, timeout or out-of-memory stops that target; its input is copied
# to Tests/Fixtures/fuzz-regressions/<target>/ and the script exits 1 after the other targets.
# Inputs libFuzzer finds interesting go to Fuzz/work/<target>/ (git-ignored), never to seeds/.
# The one line per target ("FuzzX: N runs in S s, no crash") is what FUZZING.md records.
# FUZZ_JOBS=N (default 1): libFuzzer's fork mode with N worker processes on one shared corpus
# (-fork=N); -runs then counts the inputs of all workers together, and the first crash, timeout
# or out-of-memory stops them all, as in one process.
# Interrupting a target (kill -INT on the fuzzer: libFuzzer exits 72 after printing its
# stats) reports the runs done so far and makes the script exit 3, not 1: nothing crashed.
set -uo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-1000000}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzLspciText FuzzConfigSpace FuzzKernelCmdline FuzzModprobe FuzzReportXML FuzzSysfsValues FuzzCollect)

case "$iterations" in (*[!0-9]*|'') echo "run.sh: ITERATIONS must be a number, got '$iterations'" >&2; exit 2;; esac
jobs=${FUZZ_JOBS:-1}
case "$jobs" in (*[!0-9]*|''|0) echo "run.sh: FUZZ_JOBS must be a positive number, got '$jobs'" >&2; exit 2;; esac
fork=()
[ "$jobs" = 1 ] || fork=(-fork="$jobs")

# Release + AddressSanitizer + libFuzzer coverage on every module, the root package's included.
# nice: these machines are shared.
nice -n 10 swift build -c release --package-path Fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library || exit 2
bin=$(swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer,address \
  -Xswiftc -parse-as-library --show-bin-path)

# Per-target input size cap: real lspci captures of a whole server reach ~200 KiB, but the
# parser is line-based, so 32 KiB covers every construct; a config space is at most 4 KiB
# (a little more so reads past the end are tried); reports are tens of KiB; FuzzSysfsValues
# takes 11 length-prefixed attribute values, a config length and up to ~4 KiB of config bytes.
max_len() {
  case "$1" in
    (FuzzConfigSpace) echo 4200;;
    (FuzzReportXML|FuzzCollect) echo 65536;;
    (FuzzSysfsValues) echo 8192;;
    (*) echo 32768;;
  esac
}

# AddressSanitizer's per-allocation cost dominated the slow targets (perf, FuzzSysfsValues:
# recording a malloc stack trace, 14% of samples, and touching fresh pages that the 256 MB
# quarantine keeps from reuse, 7%). Without the allocation stack and with a 1 MB quarantine,
# 300 FuzzSysfsValues inputs took 3.0 s instead of 5.2 s. Overflows, use-after-free of recent
# frees and leaks are still reported; replay a kept input with ASAN_OPTIONS unset (or through
# FuzzRegressionTests) to get the allocation stack back. Set ASAN_OPTIONS to override.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0:quarantine_size_mb=1}

failed=0
for target in "${targets[@]}"; do
  work=Fuzz/work/$target
  artifacts=Fuzz/work/artifacts/$target
  mkdir -p "$work" "$artifacts"
  log=Fuzz/work/$target.log
  start=$(date +%s)
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: bounded memory is a requirement.
  nice -n 10 "$bin/$target" "$work" "Fuzz/seeds/$target" \
    -runs="$iterations" -max_len="$(max_len "$target")" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "${fork[@]}" >"$log" 2>&1
  status=$?
  seconds=$(( $(date +%s) - start ))
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  # Fork mode: the parent's status lines ("#N: cov: ... job: J") count every worker's inputs.
  [ "$jobs" = 1 ] || runs=$(sed -nE 's/^#([0-9]+): cov: .* job: .*/\1/p' "$log" | tail -1)
  shopt -s nullglob
  found=("$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/slow-unit-*)
  shopt -u nullglob
  if [ "$status" = 72 ] && [ ${#found[@]} = 0 ] && grep -q "run interrupted" "$log"; then
    [ "$failed" = 1 ] || failed=3
    echo "$target: INTERRUPTED after ${runs:-?} runs in ${seconds} s, no crash (corpus $(ls "$work" | wc -l) inputs)"
  elif [ "$status" != 0 ] || [ ${#found[@]} -gt 0 ]; then
    failed=1
    keep=Tests/Fixtures/fuzz-regressions/$target
    mkdir -p "$keep"
    for f in "${found[@]}"; do cp "$f" "$keep/"; done
    echo "$target: FAILED (exit $status) after ${runs:-?} runs in ${seconds} s; input(s) kept in $keep; log: $log"
    grep -m1 -E "ERROR: (AddressSanitizer|libFuzzer)|Fatal error|SUMMARY" "$log" | sed 's/^/  /'
  else
    echo "$target: ${runs:-?} runs in ${seconds} s, no crash (corpus $(ls "$work" | wc -l) inputs)"
  fi
done
exit "$failed"
