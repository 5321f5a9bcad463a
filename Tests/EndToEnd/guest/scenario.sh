#!/bin/bash
# Runs inside the lab VM (as root, real kernel). Usage: scenario.sh BINARY
# Writes to $LAB_OUT, per phase (boot, and vfs after `echo 7 > sriov_numvfs` where the PF has
# no VFs yet): check.json + check.rc, devices.json, a snapshot, and the snapshot's check run
# inside the guest; the host side compares and asserts.
set -u
# Heartbeat for the host's watchdog (run-lab-suite.sh): a live guest whose steps make no
# progress is a product hang; a guest whose heartbeat stops is a lab fault.
( while :; do cat /proc/uptime > "${LAB_OUT:-/tmp}/heartbeat"; sleep 10; done ) > /dev/null 2>&1 < /dev/null &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null' EXIT
B=$1
PF=/sys/bus/pci/devices/0000:01:00.0
out=$LAB_OUT

phase() {
  local name=$1 dir=$LAB_OUT/$1
  mkdir -p "$dir"
  "$B" check --format json > "$dir/check.json" 2> "$dir/check.stderr"; echo $? > "$dir/check.rc"
  "$B" check --lang es > "$dir/check-es.txt" 2>&1
  "$B" devices --all --format json > "$dir/devices.json" 2> "$dir/devices.stderr"; echo $? > "$dir/devices.rc"
  "$B" snapshot --output "$dir/snapshot" > "$dir/snapshot.stdout" 2>&1; echo $? > "$dir/snapshot.rc"
  if "$B" help report >/dev/null 2>&1; then
    "$B" report --xml "$dir/report.xml" --html "$dir/report.html" > "$dir/report.stdout" 2>&1; echo $? > "$dir/report.rc"
  fi
}

phase boot
if [ "$(cat $PF/sriov_numvfs 2>/dev/null || echo 0)" = 0 ] && [ -e $PF/sriov_numvfs ]; then
  echo 7 > $PF/sriov_numvfs
  timeout 120 udevadm settle 2>/dev/null || true
  sleep 2
  phase vfs
fi
exit 0
