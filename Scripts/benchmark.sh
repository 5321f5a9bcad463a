#!/usr/bin/env bash
# Times `sriov-wizard devices --root DIR --format json --all` against
# `lspci -vvv -O sysfs.path=DIR/sys/bus/pci` on one generated sysfs tree (default: 8 Intel
# 82599 PFs x 128 VFs = 1,032 PFs and VFs + 4 root ports + host bridge) and prints the medians
# and their ratio.
#
# Usage: Scripts/benchmark.sh [--pfs N] [--vfs N] [--runs N] [--scratch-path DIR] [--no-build]
#                             [--lspci-only] [--keep]
#   --runs N            timed runs per command (default 15), after 2 warm-up runs
#   --scratch-path DIR  SwiftPM build directory (default .build); the binary is DIR/release/sriov-wizard
#   --no-build          use the existing release binary
#   --lspci-only        time only lspci (e.g. before the devices command exists)
#   --keep              keep the generated tree and print where it is
#
# The tree comes from Scripts/gen-sysfs-tree.py, which writes the same tree as SRIOVCore's
# SyntheticTree (a test checks that). It goes to /dev/shm when there is one: sysfs lives in
# memory too, and on ext4 creating many inodes right after deleting many is slow.
# Uses hyperfine when installed, else a bash loop with `date +%s%N`.
#
# Exit status: 0 done; 1 usage or setup error; 2 the sriov-wizard half could not run (the
# lspci half is still timed and printed).
set -euo pipefail

pfs=8 vfs=128 runs=15 scratch=.build build=1 lspci_only=0 keep=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --pfs) pfs=$2; shift 2 ;;
        --vfs) vfs=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --scratch-path) scratch=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        --lspci-only) lspci_only=1; build=0; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "benchmark.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "benchmark.sh: --runs needs a positive number, got '$runs'" >&2; exit 1; }

package=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$package"
lspci=$(command -v lspci || true)
[[ -n $lspci ]] || { echo "benchmark.sh: lspci not found; install pciutils (apt-get install pciutils)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "benchmark.sh: python3 not found; it generates the tree" >&2; exit 1; }

if [[ $build == 1 ]]; then
    echo "== swift build -c release --scratch-path $scratch"
    if ! log=$(swift build -c release --scratch-path "$scratch" 2>&1); then
        echo "!! the release build failed; the sriov-wizard half will be skipped:" >&2
        printf '%s\n' "$log" | grep -m 5 'error:' | sed 's/^/   /' >&2 || true
    fi
fi
wizard="$package/${scratch%/}/release/sriov-wizard"
[[ $scratch == /* ]] && wizard="${scratch%/}/release/sriov-wizard"

tmpbase=/tmp
[[ -d /dev/shm && -w /dev/shm ]] && tmpbase=/dev/shm
tree=$(mktemp -d "$tmpbase/sriov-wizard-bench-XXXXXX")
cleanup() { if [[ $keep == 1 ]]; then echo "tree kept at $tree"; else rm -rf -- "$tree"; fi; }
trap cleanup EXIT

start=$(date +%s%N)
functions=$(python3 "$package/Scripts/gen-sysfs-tree.py" --pfs "$pfs" --vfs "$vfs" "$tree")
echo "== generated $functions functions ($pfs PFs x $vfs VFs) in $tree in $(( ($(date +%s%N) - start) / 1000000 )) ms"

# -A linux-sysfs: never fall back to /proc/bus/pci (this machine's devices) if the tree is unusable.
lspci_cmd=("$lspci" -A linux-sysfs -O "sysfs.path=$tree/sys/bus/pci" -vvv)
ours_cmd=("$wizard" devices --root "$tree" --format json --all)

# Both must work on the tree before their timings mean anything.
listed=$("${lspci_cmd[@]}" 2>/dev/null | grep -c '^[0-9a-f]') || true
if [[ $listed != "$functions" ]]; then
    echo "benchmark.sh: lspci listed $listed functions, expected $functions:" >&2
    "${lspci_cmd[@]}" 2>&1 >/dev/null | head -n 5 >&2
    exit 1
fi
ours_ok=0
if [[ $lspci_only == 0 ]]; then
    if [[ ! -x $wizard ]]; then
        echo "!! $wizard does not exist (build failed or --no-build without a release build): timing lspci only" >&2
    elif ! out=$("${ours_cmd[@]}" 2>&1 >/dev/null); then
        echo "!! \`sriov-wizard devices --root DIR --format json --all\` failed: timing lspci only" >&2
        printf '%s\n' "$out" | head -n 5 | sed 's/^/   /' >&2
    else
        count=$("${ours_cmd[@]}" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
items = doc if isinstance(doc, list) else next((v for v in doc.values() if isinstance(v, list)), [])
print(len(items))' 2>/dev/null) || count="?"
        if [[ $count != "$functions" ]]; then
            echo "!! sriov-wizard JSON lists $count functions, expected $functions (timing anyway)" >&2
        fi
        ours_ok=1
    fi
fi

median_ms() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1e6 }'; }

time_loop() {  # prints the median wall time in ms of "$@" over $runs runs
    local i t0 t1
    for i in 1 2; do "$@" >/dev/null 2>&1 || true; done
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        echo $((t1 - t0))
    done | median_ms
}

declare -A median
if command -v hyperfine >/dev/null; then
    json="$tree.hyperfine.json"
    cmds=("$(printf '%q ' "${lspci_cmd[@]}")")
    [[ $ours_ok == 1 ]] && cmds+=("$(printf '%q ' "${ours_cmd[@]}")")
    hyperfine --warmup 2 --runs "$runs" --ignore-failure --style basic --export-json "$json" "${cmds[@]}" >&2
    mapfile -t medians < <(python3 -c 'import json, sys; [print("%.1f" % (r["median"] * 1000)) for r in json.load(open(sys.argv[1]))["results"]]' "$json")
    rm -f -- "$json"
    median[lspci]=${medians[0]}
    [[ $ours_ok == 1 ]] && median[sriov-wizard]=${medians[1]}
    method="hyperfine, median of $runs runs after 2 warm-ups"
else
    median[lspci]=$(time_loop "${lspci_cmd[@]}")
    [[ $ours_ok == 1 ]] && median[sriov-wizard]=$(time_loop "${ours_cmd[@]}")
    method="bash loop (date +%s%N), median of $runs runs after 2 warm-ups; hyperfine not installed"
fi

echo "== $functions functions; $method"
printf '   %-70s %10s ms\n' "lspci -vvv -O sysfs.path=DIR/sys/bus/pci" "${median[lspci]}"
if [[ $ours_ok == 1 ]]; then
    printf '   %-70s %10s ms\n' "sriov-wizard devices --root DIR --format json --all" "${median[sriov-wizard]}"
    awk -v a="${median[sriov-wizard]}" -v b="${median[lspci]}" 'BEGIN { printf "   ratio sriov-wizard / lspci: %.2f\n", a / b }'
    exit 0
fi
[[ $lspci_only == 1 ]] && exit 0
exit 2
