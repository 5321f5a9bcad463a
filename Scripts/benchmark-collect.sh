#!/usr/bin/env bash
# Times `sriov-wizard collect` over N XML reports (default 1,000): one report of the bundled
# lab sample (Resources/sample-host-vfs, 1 PF + 7 VFs, every check) copied N times with
# varied host names (lab-0001 ...), read as a fleet into text, JSON, XML and HTML.
# Target (issue 6): at most 10 s for 1,000 reports on the 2-core development machine.
#
# Usage: Scripts/benchmark-collect.sh [--reports N] [--runs N] [--scratch-path DIR] [--no-build] [--keep]
#   --reports N         reports in the fleet (default 1000)
#   --runs N            timed runs per output (default 3)
#   --scratch-path DIR  SwiftPM build directory (default .build); uses DIR/release/sriov-wizard
#   --no-build          use the existing release binary
#   --keep              keep the generated reports and outputs and print where they are
#
# Exit status: 0 every run was within the target; 1 usage or setup error; 2 over the target.
set -euo pipefail

reports=1000 runs=3 scratch=.build build=1 keep=0 target_ms=10000
while [[ $# -gt 0 ]]; do
    case "$1" in
        --reports) reports=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --scratch-path) scratch=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "benchmark-collect.sh: unknown option $1 (see --help)" >&2; exit 1 ;;
    esac
done

cd "$(dirname "$0")/.."
if [[ $build == 1 ]]; then
    swift build -c release --scratch-path "$scratch" --product sriov-wizard >&2
fi
bin="$scratch/release/sriov-wizard"
[[ -x $bin ]] || { echo "benchmark-collect.sh: no binary at $bin (build it or drop --no-build)" >&2; exit 1; }

base=/dev/shm
[[ -d $base && -w $base ]] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/sriov-collect-bench.XXXXXX")
[[ $keep == 1 ]] || trap 'rm -rf "$work"' EXIT

"$bin" report --root Resources/sample-host-vfs --xml "$work/template.xml" --time 2026-01-31T12:00:00Z
mkdir "$work/reports"
# Copies with varied host names (the only per-host difference that matters to collect).
for ((i = 1; i <= reports; i++)); do
    printf -v name 'lab-%04d' "$i"
    sed "s|<hostname>sriov-lab</hostname>|<hostname>$name</hostname>|" "$work/template.xml" > "$work/reports/$name.xml"
done
size=$(du -sh "$work/reports" | cut -f1)
echo "fleet: $reports reports ($size) in $work/reports; binary $bin; $(nproc) CPUs"

time_ms() {  # prints the wall time of "$@" in milliseconds; output discarded
    local start end
    start=$(date +%s%N)
    "$@" > /dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

worst=0
for output in text json html+xml; do
    case $output in
        text) cmd=("$bin" collect "$work"/reports/*.xml) ;;
        json) cmd=("$bin" collect --format json "$work"/reports/*.xml) ;;
        html+xml) cmd=("$bin" collect --html "$work/fleet.html" --xml "$work/fleet.xml" "$work"/reports/*.xml) ;;
    esac
    times=()
    for ((r = 1; r <= runs; r++)); do times+=("$(time_ms "${cmd[@]}")"); done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
    ((median > worst)) && worst=$median
    printf 'collect %-8s median %6d ms   runs: %s\n' "$output" "$median" "$sorted"
done
[[ $keep == 1 ]] && echo "kept: $work (fleet.html, fleet.xml, reports/)"
if ((worst > target_ms)); then
    echo "over the target: ${worst} ms > ${target_ms} ms" >&2
    exit 2
fi
echo "within the target: worst median ${worst} ms <= ${target_ms} ms"
