#!/bin/bash
# End-to-end suite on a real Linux kernel: every scenario of ../shared/lab, the built binary
# run inside the VM, assertions on the host (Tests/EndToEnd/assert.py, expectations.json).
#
# Usage: Tests/EndToEnd/run-lab-suite.sh [--binary PATH] [--setup] [JOB...]
#   JOB            a scenario of expectations.json (igb, igb-nvme, ...), `apply` (the four
#                  apply/rollback phases) or `apply-PHASE` (sysfs, modprobe, mac, vfio, passthrough, wizard);
#                  default: every scenario, then every apply phase
#   --binary PATH  sriov-wizard to test (default .build/release/sriov-wizard)
#   --setup        run `vm.sh setup` first (installs QEMU, fetches guest kernels; cached)
# Environment: LAB_DIR (default ../shared/lab from the repository), LAB_CACHE (lab cache,
# default /var/tmp/sriov-lab), E2E_OUT (results, default /var/tmp/sriov-wizard-e2e),
# E2E_VM_TIMEOUT (hard limit per VM, default 1200 s), E2E_HANG_SECS (a guest with no console
# output and no heartbeat for this long has stopped: a lab fault, default 240 s),
# E2E_STUCK_SECS (a live guest whose job makes no progress for this long: a failure, not
# retried, default 600 s), E2E_RETRIES (reruns of a job after a lab fault, default 2),
# E2E_APPLY=0 (skip the apply/rollback phases when no JOB is named).
#
# Lab faults: QEMU under TCG with the emulated VT-d sometimes loses a vCPU's timer after VFs
# are created (console: "rcu: INFO: rcu_preempt detected stalls", "vtd_mem_write: MMIO over
# range"), or the guest stops silently; the job would then sit until the VM limit. A watchdog
# stops such a VM at once and the job is run again (at most E2E_RETRIES times). Only these
# faults of the emulator are retried: a failed assertion or a crash of the binary is not.
#
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
apply_phases=()
if [ ${#scenarios[@]} = 0 ]; then
  mapfile -t scenarios < <(python3 -c "import json,sys; print('\n'.join(json.load(open('$expect'))['scenarios']))")
  [ "${E2E_APPLY:-1}" = 1 ] && apply_phases=(sysfs modprobe mac vfio passthrough wizard)
else
  picked=()
  for name in "${scenarios[@]}"; do
    case $name in
      apply) apply_phases+=(sysfs modprobe mac vfio passthrough wizard) ;;
      apply-sysfs|apply-modprobe|apply-mac|apply-vfio|apply-passthrough|apply-wizard) apply_phases+=("${name#apply-}") ;;
      *) picked+=("$name") ;;
    esac
  done
  scenarios=("${picked[@]}")
fi

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

cache=${LAB_CACHE:-/var/tmp/sriov-lab}
vm_timeout=${E2E_VM_TIMEOUT:-1200}
hang_secs=${E2E_HANG_SECS:-240}
stuck_secs=${E2E_STUCK_SECS:-600}
retries=${E2E_RETRIES:-2}
# Kernel messages that mean the guest itself is broken (never printed by a healthy run).
stall_re='rcu: INFO: rcu_preempt detected stalls|rcu_preempt kthread timer wakeup didn.t happen|watchdog: BUG: soft lockup|Kernel panic - not syncing'

# SIGTERM to the job's QEMU (then SIGCONT, in case it was stopped), found by the session
# setsid gave vm.sh (timeout(1) puts QEMU in a process group of its own): vm.sh then copies the
# results and returns.
stop_qemu() { pkill -TERM -s "$1" -x qemu-system-x86 2>/dev/null; pkill -CONT -s "$1" -x qemu-system-x86 2>/dev/null; }

# vm_job LAB_SCENARIO KERNEL OUTDIR CMD...: one `vm.sh run` under a watchdog. Sets vm_rc
# (vm.sh's status), vm_fault (empty, or why the watchdog stopped a broken guest: retried) and
# vm_stuck (empty, or why it stopped a live guest that made no progress: not retried).
vm_job() {
  local scen=$1 kernel=$2 dir=$3; shift 3
  rm -rf "$dir"
  # setsid: vm.sh leads a session of its own, so its QEMU can be found and stopped.
  setsid "$lab/vm.sh" run "$scen" --kernel "$kernel" --timeout "$vm_timeout" --out "$dir" -- "$@" > "$dir.vm.log" 2>&1 &
  local pid=$! jobdir="" alive progress now
  vm_fault="" vm_stuck=""
  while kill -0 "$pid" 2>/dev/null; do
    sleep 3
    [ -n "$vm_fault$vm_stuck" ] && continue
    [ -n "$jobdir" ] || jobdir=$(ls -d "$cache/jobs/$scen"-*-"$pid" 2>/dev/null | head -1)
    [ -n "$jobdir" ] && [ -f "$jobdir/console.log" ] || continue
    if grep -qaE "$stall_re" "$jobdir/console.log"; then
      vm_fault="the guest kernel stalled: $(grep -m1 -oaE "$stall_re" "$jobdir/console.log")"
      grep -qa 'vtd_mem_write: MMIO over range' "$jobdir/console.log" && vm_fault+=" (QEMU: vtd_mem_write: MMIO over range)"
    else
      now=$(date +%s)
      # Newest write of any file (alive) and of any but the heartbeat (progress), one walk;
      # console.log exists, so both are set.
      read -r alive progress < <(find "$jobdir/console.log" "$jobdir/out" -type f -printf '%T@ %f\n' 2>/dev/null |
        awk '{ t = int($1); if (t > a) a = t; if ($2 != "heartbeat" && t > p) p = t } END { print a + 0, p + 0 }')
      if [ $(( now - alive )) -ge "$hang_secs" ]; then
        vm_fault="the guest stopped: no console output and no heartbeat for ${hang_secs}s"
      elif [ $(( now - progress )) -ge "$stuck_secs" ]; then
        vm_stuck="no progress for ${stuck_secs}s while the guest is alive: a step of the test or the binary hangs"
        echo "[run-lab-suite $(date +%T)] $vm_stuck; stopping the VM" >> "$dir.vm.log"
        stop_qemu "$pid"
      fi
    fi
    if [ -n "$vm_fault" ]; then
      echo "[run-lab-suite $(date +%T)] lab fault: $vm_fault; stopping the VM" >> "$dir.vm.log"
      stop_qemu "$pid"
    fi
  done
  wait "$pid"; vm_rc=$?
}

# job NAME LAB_SCENARIO KERNEL OUTDIR CMD...: vm_job, run again after a lab fault. Sets
# vm_rc, vm_fault (of the last attempt), job_secs and job_note ("", or "N lab faults").
job() {
  local name=$1; shift
  local attempt=0 start
  start=$(date +%s)
  job_note=""
  while :; do
    vm_job "$@"
    [ -n "$vm_fault" ] || break
    attempt=$((attempt + 1))
    cp "$3/console.log" "$3.fault$attempt.console.log" 2>/dev/null
    echo "  lab fault in $name (the emulator, not the product): $vm_fault; console: $3.fault$attempt.console.log"
    job_note="$attempt lab fault(s), rerun"
    if [ "$attempt" -gt "$retries" ]; then echo "  giving up after $attempt attempts"; break; fi
    echo "  running $name again ($attempt of $retries)"
  done
  job_secs=$(( $(date +%s) - start ))
}

summary=()
status=0
row() { summary+=("$(printf '%-20s %-8s %-18s %5ss  %s' "$1" "$2" "$3" "$4" "$5")"); }
for scenario in ${scenarios[@]+"${scenarios[@]}"}; do
  # The lab scenario and kernel of this job (expectations.json); status 1: no such scenario.
  read -r lab_scenario kernel < <(python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['scenarios'].get(sys.argv[2]); s is None and sys.exit(1); print(s.get('lab', sys.argv[2]), s.get('kernel', '6.12'))" "$expect" "$scenario") ||
    { echo "unknown job '$scenario' (scenarios: expectations.json; or apply, apply-PHASE)"; exit 64; }
  dir=$out/$scenario
  echo "== $scenario (lab scenario $lab_scenario, kernel $kernel)"
  job "$scenario" "$lab_scenario" "$kernel" "$dir" "$guest_script" "$bin_copy"
  if [ $vm_rc != 0 ] || [ -n "$vm_fault$vm_stuck" ]; then
    echo "  FAIL  the VM run failed (status $vm_rc${vm_fault:+; $vm_fault}${vm_stuck:+; $vm_stuck}); see $dir.vm.log and $dir/console.log"
    tail -5 "$dir.vm.log"
    row "$scenario" "-" "VM FAILED" "$job_secs" "$job_note"
    status=1
    continue
  fi
  result=$(python3 "$repo/Tests/EndToEnd/assert.py" "$expect" "$scenario" "$dir" "$binary")
  rc=$?
  echo "$result"
  counts=$(tail -1 <<<"$result" | sed 's/^ *//')
  verdict=$([ $rc = 0 ] && echo PASS || echo FAIL)
  [ $rc = 0 ] || status=1
  row "$scenario" "$verdict" "$counts" "$job_secs" "$job_note"
done

# apply/rollback on the real igb device, one VM per phase (Tests/EndToEnd/guest/apply.sh):
# sysfs (dry-run, root/TTY rules, VFs 4 -> 7 -> 8 refused, persistence over a driver reload
# and coldplug, rollback byte for byte), modprobe (max_vfs), mac (stable VF MACs), vfio (+ lock).
if [ ${#apply_phases[@]} -gt 0 ]; then
  cp "$repo/Tests/EndToEnd/guest/apply.sh" "$out/bin/apply.sh"
  for phase in "${apply_phases[@]}"; do
    echo "== apply/rollback: $phase (lab scenario igb)"
    dir=$out/apply-$phase
    job "apply-$phase" igb 6.12 "$dir" "$out/bin/apply.sh" "$bin_copy" "$phase"
    passed=$(grep -c '^PASS' "$dir/cmd.stdout" 2>/dev/null)
    failed=$(grep -c '^FAIL' "$dir/cmd.stdout" 2>/dev/null)
    grep -E '^(PASS|FAIL)' "$dir/cmd.stdout" 2>/dev/null | sed 's/^/  /'
    if [ $vm_rc = 0 ] && [ -z "$vm_fault$vm_stuck" ]; then
      verdict=PASS
    else
      verdict=FAIL; status=1
      echo "  FAIL  apply phase $phase (VM status $vm_rc${vm_fault:+; $vm_fault}${vm_stuck:+; $vm_stuck}); see $dir/transcript.txt, $dir/console.log"
      tail -5 "$dir/cmd.stdout" "$dir/cmd.stderr" 2>/dev/null | sed 's/^/  /'
    fi
    row "apply-$phase" "$verdict" "${passed:-0} passed, ${failed:-0} failed" "$job_secs" "$job_note"
  done
fi

echo
echo "== end-to-end summary (real kernel, ../shared/lab)"
printf '%-20s %-8s %-18s %6s  %s\n' scenario verdict checks time note
printf '%s\n' "${summary[@]}"
exit $status
