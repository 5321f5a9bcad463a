#!/usr/bin/env bash
# Times sriov-wizard against `lspci -vvv -O sysfs.path=DIR/sys/bus/pci` (pciutils) on the same
# trees, side by side in one run: the commands alternate within every round, so load from other
# processes falls on both. Prints medians, ratios and peak memory, writes them as TSV, and draws
# an SVG plot of time against the number of functions (check, devices, report, lspci).
#
# Usage: Scripts/benchmark.sh [--quick] [--runs N] [--sizes LIST] [--collect N] [--out DIR]
#                             [--svg FILE] [--scratch-path DIR] [--static] [--no-build] [--keep]
#                             [--compare NAME=BINARY]...
#   --quick             sizes small,1k,8k,2kpf, 3 runs, collect of 1,000 (a few minutes here)
#   --runs N            timed rounds per tree (default 11), after 1 warm-up round
#   --sizes LIST        comma-separated, from: small (Resources/sample-host-vfs, 15 functions),
#                       1k (8 PFs x 128 VFs, 1,037), 8k (64 x 128, 8,289), 2kpf (2,000 PFs x 2
#                       VFs, 7,009 in 9 PCI domains), 20kpf (20,000 x 2, 70,084 in 84 domains);
#                       default all five
#   --collect N         also time `collect` of N copies of a lab report (default 1000; 0: skip)
#   --out DIR           where results.tsv, results.md and plot.svg go (default .build/benchmark)
#   --svg FILE          also copy the plot to FILE (e.g. Docs/benchmark.svg)
#   --scratch-path DIR  SwiftPM build directory (default .build, .build-static with --static); the
#                       binary is DIR/release/sriov-wizard
#   --static            build with --static-swift-stdlib, as Scripts/make-deb.sh does for the .deb
#                       (start-up about 12 M instructions cheaper; see BENCHMARKS.md)
#   --no-build          use the existing release binary
#   --keep              keep the generated trees and print where they are
#   --compare NAME=BIN  also time another sriov-wizard binary (e.g. before=/tmp/old/sriov-wizard,
#                       static=.build-deb/release/sriov-wizard) in the same rounds: its devices,
#                       check, report and collect alternate with the others; a second table
#                       gives its ratios to lspci and to this binary, and its devices and check
#                       JSON are compared with this binary's byte for byte (cmp) on every tree
#
# Commands timed on each tree:
#   lspci -A linux-sysfs -O sysfs.path=DIR/sys/bus/pci -vvv
#   sriov-wizard devices --root DIR --format json --all
#   sriov-wizard check --root DIR --format json
#   sriov-wizard report --root DIR --xml F --html F --time 2026-01-31T12:00:00Z
# Peak memory is "Maximum resident set size" of one more run of each under /usr/bin/time -v.
# Trees come from sriov-gen-tree (the SyntheticTree generator, built with the wizard) and go to /dev/shm when there is one (sysfs lives in
# memory too; on ext4, creating many inodes right after deleting many is slow).
#
# Exit status: 0 done; 1 usage or setup error.
set -euo pipefail

runs=11 sizes=small,1k,8k,2kpf,20kpf collect=1000 out= svg= scratch= build=1 keep=0 static=()
compare_names=() compare_bins=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) runs=3 sizes=small,1k,8k,2kpf; shift ;;
        --runs) runs=$2; shift 2 ;;
        --sizes) sizes=$2; shift 2 ;;
        --collect) collect=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --svg) svg=$2; shift 2 ;;
        --scratch-path) scratch=$2; shift 2 ;;
        --static) static=(--static-swift-stdlib); shift ;;
        --no-build) build=0; shift ;;
        --keep) keep=1; shift ;;
        --compare)
            [[ ${2:-} =~ ^([a-z0-9_-]+)=(.+)$ ]] || { echo "benchmark.sh: --compare needs NAME=BINARY (NAME: a-z 0-9 _ -), got '${2:-}'" >&2; exit 1; }
            [[ -x ${BASH_REMATCH[2]} ]] || { echo "benchmark.sh: --compare ${BASH_REMATCH[1]}: no executable at ${BASH_REMATCH[2]}" >&2; exit 1; }
            compare_names+=("${BASH_REMATCH[1]}"); compare_bins+=("$(realpath "${BASH_REMATCH[2]}")"); shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "benchmark.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
    esac
done
[[ -n $scratch ]] || { scratch=.build; [[ ${#static[@]} -eq 0 ]] || scratch=.build-static; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "benchmark.sh: --runs needs a positive number, got '$runs'" >&2; exit 1; }
[[ $collect =~ ^[0-9]+$ ]] || { echo "benchmark.sh: --collect needs a number, got '$collect'" >&2; exit 1; }

package=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$package"
out=${out:-$package/.build/benchmark}
lspci=$(command -v lspci || true)
[[ -n $lspci ]] || { echo "benchmark.sh: lspci not found; install pciutils (apt-get install pciutils)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "benchmark.sh: python3 not found; it draws the plot" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "benchmark.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }

if [[ $build == 1 ]]; then
    for product in sriov-wizard sriov-gen-tree; do
        echo "== swift build -c release ${static[*]} --scratch-path $scratch --product $product"
        swift build -c release "${static[@]}" --scratch-path "$scratch" --product "$product" 2>&1 | tail -n 3
    done
fi
bin="$package/${scratch%/}/release"
[[ $scratch == /* ]] && bin="${scratch%/}/release"
wizard="$bin/sriov-wizard" gentree="$bin/sriov-gen-tree"
[[ -x $wizard ]] || { echo "benchmark.sh: no binary at $wizard (build it or drop --no-build)" >&2; exit 1; }
[[ -x $gentree ]] || { echo "benchmark.sh: no binary at $gentree (build it or drop --no-build)" >&2; exit 1; }

tmpbase=/tmp
[[ -d /dev/shm && -w /dev/shm ]] && tmpbase=/dev/shm
work=$(mktemp -d "$tmpbase/sriov-wizard-bench-XXXXXX")
cleanup() { if [[ $keep == 1 ]]; then echo "trees kept in $work"; else rm -rf -- "$work"; fi; }
trap cleanup EXIT
mkdir -p "$out"
tsv="$out/results.tsv"
printf 'size\tfunctions\tcommand\tmedian_ms\tpeak_kb\n' > "$tsv"

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m }'; }
wall_ms() {  # wall time of "$@" in ms (output and exit status ignored: check exits 1 when a check fails)
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f\n", d / 1e6 }'
}
peak_kb() { { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } | awk -F': ' '/Maximum resident set size/ { print $2 }'; }

make_tree() {  # size dir -> prints the number of functions
    case $1 in
        small) mkdir -p "$2" && cp -a "$package/Resources/sample-host-vfs/." "$2/"
               "$lspci" -A linux-sysfs -O "sysfs.path=$2/sys/bus/pci" 2>/dev/null | grep -c '^[0-9a-f]' ;;
        1k) "$gentree" --pfs 8 --vfs 128 "$2" ;;
        8k) "$gentree" --pfs 64 --vfs 128 "$2" ;;
        2kpf) "$gentree" --pfs 2000 --vfs 2 "$2" ;;
        20kpf) "$gentree" --pfs 20000 --vfs 2 "$2" ;;
        *) echo "benchmark.sh: unknown size '$1' (small, 1k, 8k, 2kpf, 20kpf)" >&2; return 1 ;;
    esac
}

wizard_commands() {  # SUFFIX BINARY: the three timed commands of one wizard binary, into cmd_of
    cmd_of[devices$1]="$2 devices --root $tree --format json --all"
    cmd_of[check$1]="$2 check --root $tree --format json"
    cmd_of[report$1]="$2 report --root $tree --xml $work/report.xml --html $work/report.html --time 2026-01-31T12:00:00Z"
}

names=(lspci devices check report)
for n in "${compare_names[@]}"; do names+=("devices@$n" "check@$n" "report@$n"); done
IFS=, read -ra size_list <<< "$sizes"
for size in "${size_list[@]}"; do
    tree="$work/$size"
    start=$(date +%s%N)
    functions=$(make_tree "$size" "$tree")
    echo "== $size: $functions functions, tree made in $(( ($(date +%s%N) - start) / 1000000 )) ms"
    listed=$("$lspci" -A linux-sysfs -O "sysfs.path=$tree/sys/bus/pci" 2>/dev/null | grep -c '^[0-9a-f]') || true
    [[ $listed == "$functions" ]] || { echo "benchmark.sh: lspci lists $listed functions in $tree, expected $functions" >&2; exit 1; }
    declare -A cmd_of=([lspci]="$lspci -A linux-sysfs -O sysfs.path=$tree/sys/bus/pci -vvv")
    wizard_commands "" "$wizard"
    for i in "${!compare_names[@]}"; do
        n=${compare_names[$i]}
        wizard_commands "@$n" "${compare_bins[$i]}"
        for c in devices check; do  # same answers, or the timing compares different work
            read -ra one <<< "${cmd_of[$c]}"; read -ra two <<< "${cmd_of[$c@$n]}"
            "${one[@]}" > "$work/out-a" 2>/dev/null || true
            "${two[@]}" > "$work/out-b" 2>/dev/null || true
            if cmp -s "$work/out-a" "$work/out-b"; then echo "   $c --format json: $n's output is identical ($(wc -c < "$work/out-a") bytes)"
            else echo "   WARNING: $c --format json: $n's output differs from this binary's"; fi
        done
    done
    declare -A times=()
    for ((r = 0; r <= runs; r++)); do  # round 0 warms the page cache and is not counted
        for name in "${names[@]}"; do
            read -ra cmd <<< "${cmd_of[$name]}"
            t=$(wall_ms "${cmd[@]}")
            if ((r > 0)); then times[$name]+="$t "; fi
        done
    done
    for name in "${names[@]}"; do
        read -ra cmd <<< "${cmd_of[$name]}"
        m=$(tr ' ' '\n' <<< "${times[$name]}" | grep . | median)
        kb=$(peak_kb "${cmd[@]}")
        printf '%s\t%s\t%s\t%s\t%s\n' "$size" "$functions" "$name" "$m" "$kb" >> "$tsv"
    done
    unset cmd_of times
    [[ $keep == 1 ]] || rm -rf -- "$tree"
done

if ((collect > 0)); then
    fleet="$work/fleet"
    mkdir -p "$fleet"
    "$wizard" report --root Resources/sample-host-vfs --xml "$work/template.xml" --time 2026-01-31T12:00:00Z
    for ((i = 1; i <= collect; i++)); do
        printf -v name 'lab-%04d' "$i"
        sed "s|<hostname>sriov-lab</hostname>|<hostname>$name</hostname>|" "$work/template.xml" > "$fleet/$name.xml"
    done
    echo "== collect: $collect reports ($(du -sh "$fleet" | cut -f1))"
    collect_args=(collect --html "$work/fleet.html" --xml "$work/fleet.xml" "$fleet"/*.xml)
    labels=(collect) bins=("$wizard")
    for i in "${!compare_names[@]}"; do labels+=("collect@${compare_names[$i]}"); bins+=("${compare_bins[$i]}"); done
    declare -A ts=()
    for ((r = 0; r <= runs; r++)); do  # round 0 warms up; the binaries alternate within a round
        for i in "${!bins[@]}"; do
            t=$(wall_ms "${bins[$i]}" "${collect_args[@]}")
            if ((r > 0)); then ts[${labels[$i]}]+="$t "; fi
        done
    done
    for i in "${!bins[@]}"; do
        m=$(tr ' ' '\n' <<< "${ts[${labels[$i]}]}" | grep . | median)
        printf '%s\t%s\t%s\t%s\t%s\n' "collect" "$collect" "${labels[$i]}" "$m" "$(peak_kb "${bins[$i]}" "${collect_args[@]}")" >> "$tsv"
    done
fi

# The table (markdown) and the plot, from the TSV.
python3 - "$tsv" "$out/results.md" "$out/plot.svg" "$runs" <<'PY'
import math, sys
tsv, md, svg, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rows = [line.rstrip("\n").split("\t") for line in open(tsv)][1:]
data = {}
for size, functions, command, ms, kb in rows:
    data.setdefault(size, {"functions": int(functions)})[command] = (float(ms), int(kb or 0))
lines = ["| tree | functions | lspci -vvv | devices --all | check | report --xml --html | devices / lspci | check / lspci | report / lspci | peak MB check / report |",
         "|---|---|---|---|---|---|---|---|---|---|"]
fmt = lambda ms: "%.0f ms" % ms if ms < 1000 else "%.2f s" % (ms / 1000)
for size, d in data.items():
    if size == "collect":
        continue
    l = d["lspci"][0]
    lines.append("| %s | %d | %s | %s | %s | %s | %.2f | %.2f | %.2f | %.0f / %.0f |" % (
        size, d["functions"], fmt(l), fmt(d["devices"][0]), fmt(d["check"][0]), fmt(d["report"][0]),
        d["devices"][0] / l, d["check"][0] / l, d["report"][0] / l, d["check"][1] / 1024, d["report"][1] / 1024))
if "collect" in data:
    c = data["collect"]["collect"]
    lines.append("")
    lines.append("collect of %d reports (--html --xml): %s, peak %.0f MB" % (data["collect"]["functions"], fmt(c[0]), c[1] / 1024))
lines.append("")
lines.append("medians of %s rounds; per function (us) for check: %s" % (runs, ", ".join(
    "%s %.0f" % (s, d["check"][0] * 1000 / d["functions"]) for s, d in data.items() if s != "collect")))
others = sorted({c.split("@", 1)[1] for d in data.values() for c in d if isinstance(c, str) and "@" in c})
for n in others:
    lines += ["", "Compared in the same rounds: `%s`" % n, "",
              "| tree | functions | devices --all | check | report | devices / lspci | check / lspci | report / lspci | check / this binary's | report / this binary's | peak MB check / report |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for size, d in data.items():
        if size == "collect" or "check@" + n not in d:
            continue
        l = d["lspci"][0]
        dv, ck, rp = d["devices@" + n], d["check@" + n], d["report@" + n]
        lines.append("| %s | %d | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f / %.0f |" % (
            size, d["functions"], fmt(dv[0]), fmt(ck[0]), fmt(rp[0]), dv[0] / l, ck[0] / l, rp[0] / l,
            ck[0] / d["check"][0], rp[0] / d["report"][0], ck[1] / 1024, rp[1] / 1024))
    if "collect" in data and "collect@" + n in data["collect"]:
        c = data["collect"]["collect@" + n]
        lines.append("")
        lines.append("collect of %d reports (--html --xml) by `%s`: %s, peak %.0f MB" % (data["collect"]["functions"], n, fmt(c[0]), c[1] / 1024))
open(md, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))

# Log-log plot: x functions, y milliseconds.
series = [("lspci", "lspci -vvv", "#555555"), ("devices", "devices --all", "#1f77b4"),
          ("check", "check", "#d62728"), ("report", "report --xml --html", "#2ca02c")]
points = [(d["functions"], d[c][0]) for s, d in data.items() if s != "collect" for c, _, _ in series]
if not points:
    sys.exit(0)
W, H, L, R, T, B = 720, 440, 70, 170, 30, 50
x0, x1 = math.log10(min(p[0] for p in points)) - 0.1, math.log10(max(p[0] for p in points)) + 0.1
y0, y1 = math.log10(max(1, min(p[1] for p in points))) - 0.1, math.log10(max(p[1] for p in points)) + 0.1
X = lambda f: L + (math.log10(f) - x0) / (x1 - x0) * (W - L - R)
Y = lambda ms: H - B - (math.log10(ms) - y0) / (y1 - y0) * (H - T - B)
out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">' % (W, H, W, H),
       '<rect width="100%" height="100%" fill="white"/>',
       '<text x="%d" y="18" font-size="14">Time against PCI functions (log-log; medians)</text>' % L]
for e in range(int(math.floor(y0)), int(math.ceil(y1)) + 1):
    for m in (1, 2, 5):
        v = m * 10 ** e
        if y0 <= math.log10(v) <= y1:
            y = Y(v)
            out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e5e5e5"/>' % (L, y, W - R, y))
            out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (L - 6, y + 4, ("%g ms" % v) if v < 1000 else ("%g s" % (v / 1000))))
for e in range(int(math.floor(x0)), int(math.ceil(x1)) + 1):
    for m in (1, 2, 5):
        v = m * 10 ** e
        if x0 <= math.log10(v) <= x1:
            x = X(v)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e5e5e5"/>' % (x, T, x, H - B))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%g</text>' % (x, H - B + 16, v))
out.append('<text x="%d" y="%d" text-anchor="middle">PCI functions</text>' % ((L + W - R) // 2, H - 12))
out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>' % (L, T, W - L - R, H - T - B))
for i, (c, label, color) in enumerate(series):
    pts = sorted((d["functions"], d[c][0]) for s, d in data.items() if s != "collect")
    out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (color, " ".join("%.1f,%.1f" % (X(f), Y(ms)) for f, ms in pts)))
    for f, ms in pts:
        out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %d functions, %.1f ms</title></circle>' % (X(f), Y(ms), color, label, f, ms))
    ly = T + 10 + i * 20
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>' % (W - R + 12, ly, W - R + 32, ly, color))
    out.append('<text x="%d" y="%d">%s</text>' % (W - R + 38, ly + 4, label))
out.append("</svg>")
open(svg, "w").write("\n".join(out) + "\n")
PY
echo "== results in $tsv, $out/results.md, $out/plot.svg"
if [[ -n $svg ]]; then cp -- "$out/plot.svg" "$svg" && echo "== plot copied to $svg"; fi
