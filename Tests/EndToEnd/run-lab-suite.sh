#!/bin/bash
# End-to-end suite on a real Linux kernel: every scenario of ../shared/lab, the built binary
# run inside the VM, assertions on the host (Tests/EndToEnd/assert.py, expectations.json).
#
# Usage: Tests/EndToEnd/run-lab-suite.sh [--binary PATH] [--setup] [SCENARIO...]
#   --binary PATH  sriov-wizard to test (default .build/release/sriov-wizard)
#   --setup        run `vm.sh setup` first (installs QEMU, fetches guest kernels; cached)
# Environment: LAB_DIR (default ../shared/lab from the repository), LAB_CACHE (lab cache,
# default /var/tmp/sriov-lab), E2E_OUT (results, default /var/tmp/sriov-wizard-e2e).
# Exit status: 0 all scenarios passed; 1 an assertion failed; 77 the lab cannot run here
# (printed as SKIPPED with the reason).
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
binary=$repo/.build/release/sriov-wizard
setup=0
scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --setup) setup=1; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) scenarios+=("$1"); shift ;;
  esac
done
lab=${LAB_DIR:-$repo/../shared/lab}
out=${E2E_OUT:-/var/tmp/sriov-wizard-e2e}
expect=$repo/Tests/EndToEnd/expectations.json
[ ${#scenarios[@]} -gt 0 ] || mapfile -t scenarios < <(python3 -c "import json,sys; print('\n'.join(json.load(open('$expect'))['scenarios']))")

skip() { echo "SKIPPED: end-to-end lab suite: $*"; exit 77; }
[ -x "$lab/vm.sh" ] || skip "no lab at $lab"
[ -x "$binary" ] || skip "no binary at $binary (swift build -c release first)"
if [ $setup = 1 ]; then
  echo "== lab setup (cached in ${LAB_CACHE:-/var/tmp/sriov-lab})"
  "$lab/vm.sh" setup > "$out.setup.log" 2>&1 || { tail -20 "$out.setup.log"; skip "vm.sh setup failed (log: $out.setup.log)"; }
fi
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (run with --setup)"

# The VM sees this machine's root filesystem except /tmp: run a copy from /var/tmp.
mkdir -p "$out"
bin_copy=$out/bin/sriov-wizard
mkdir -p "$out/bin" && cp "$binary" "$bin_copy"
guest_script=$out/bin/scenario.sh
cp "$repo/Tests/EndToEnd/guest/scenario.sh" "$guest_script"
export REPORT_XSD=$repo/Resources/report/report.xsd
[ -f "$REPORT_XSD" ] || unset REPORT_XSD

summary=()
status=0
for scenario in "${scenarios[@]}"; do
  lab_scenario=$(python3 -c "import json; s=json.load(open('$expect'))['scenarios']['$scenario']; print(s.get('lab', '$scenario'))")
  kernel=$(python3 -c "import json; s=json.load(open('$expect'))['scenarios']['$scenario']; print(s.get('kernel', '6.12'))")
  dir=$out/$scenario
  rm -rf "$dir"
  echo "== $scenario (lab scenario $lab_scenario, kernel $kernel)"
  start=$(date +%s)
  # TCG on a loaded 2-core machine can take minutes per phase: a generous VM limit.
  "$lab/vm.sh" run "$lab_scenario" --kernel "$kernel" --timeout "${E2E_VM_TIMEOUT:-1200}" --out "$dir" -- "$guest_script" "$bin_copy" > "$dir.vm.log" 2>&1
  vm_rc=$?
  secs=$(( $(date +%s) - start ))
  if [ $vm_rc != 0 ]; then
    echo "  FAIL  the VM run failed (status $vm_rc); see $dir.vm.log and $dir/console.log"
    tail -5 "$dir.vm.log"
    summary+=("$(printf '%-20s %-8s %-18s %5ss' "$scenario" "-" "VM FAILED" "$secs")")
    status=1
    continue
  fi
  result=$(python3 "$repo/Tests/EndToEnd/assert.py" "$expect" "$scenario" "$dir" "$binary")
  rc=$?
  echo "$result"
  counts=$(tail -1 <<<"$result" | sed 's/^ *//')
  verdict=$([ $rc = 0 ] && echo PASS || echo FAIL)
  [ $rc = 0 ] || status=1
  summary+=("$(printf '%-20s %-8s %-18s %5ss' "$scenario" "$verdict" "$counts" "$secs")")
done

# apply/rollback on the real igb device: VFs 4 -> 7 -> 8 refused, persistence over a driver
# reload for both methods, rollback byte for byte, --dry-run changes nothing.
if [ "${E2E_APPLY:-1}" = 1 ]; then
  cp "$repo/Tests/EndToEnd/guest/apply.sh" "$out/bin/apply.sh"
  echo "== apply/rollback (lab scenario igb)"
  rm -rf "$out/apply"
  start=$(date +%s)
  "$lab/vm.sh" run igb --timeout "${E2E_VM_TIMEOUT:-1200}" --out "$out/apply" -- "$out/bin/apply.sh" "$bin_copy" > "$out/apply.vm.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  passed=$(grep -c '^PASS' "$out/apply/cmd.stdout" 2>/dev/null)
  failed=$(grep -c '^FAIL' "$out/apply/cmd.stdout" 2>/dev/null)
  grep '^FAIL' "$out/apply/cmd.stdout" 2>/dev/null | head -20
  verdict=$([ $rc = 0 ] && echo PASS || echo FAIL)
  [ $rc = 0 ] || status=1
  summary+=("$(printf '%-20s %-8s %-18s %5ss' "apply-rollback" "$verdict" "${passed:-0} passed, ${failed:-0} failed" "$secs")")
fi

echo
echo "== end-to-end summary (real kernel, ../shared/lab)"
printf '%-20s %-8s %-18s %6s\n' scenario verdict checks time
printf '%s\n' "${summary[@]}"
exit $status
