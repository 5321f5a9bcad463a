#!/bin/bash
# Takes real-kernel snapshots of the lab scenarios with our own `sriov-wizard snapshot`, inside
# the QEMU lab VM (../shared/lab/vm.sh, see its README), as test fixtures in Tests/Fixtures/lab/.
#
# Usage (from anywhere; needs root for vm.sh, ~50-70 s per scenario under TCG):
#   Scripts/lab/make-scenario-fixtures.sh [BINARY] [SCENARIO...]
#
#   BINARY    the sriov-wizard binary to run in the guest (default: .build/debug/sriov-wizard,
#             relative to the repository). It is copied to a private folder under /var/tmp
#             first (the guest sees the host's /var/tmp but has its own /tmp), so a rebuild
#             while the script runs cannot change it. If the first argument is a scenario
#             name, the default binary is used.
#   SCENARIO  any of: igb-noiommu igb-iommu-off igb-iommu-default igb-iommu-ptonly igb-maxvfs
#             igb-amd igb-nvme igb-kernel6.1 (default: all of them, in that order).
#             NAME-kernelK means lab scenario NAME booted with `vm.sh run --kernel K`.
#
# Environment: LAB_DIR (default: <repo>/../shared/lab), plus vm.sh's own LAB_* variables.
#
# Per scenario, Tests/Fixtures/lab/<scenario>/ is replaced by:
#   before/                         `sriov-wizard snapshot` right after boot
#   after/                          same after `echo 7 > .../0000:01:00.0/sriov_numvfs`, udevadm settle,
#                                   sleep 2 (not for igb-maxvfs: its VFs exist at boot through
#                                   `options igb max_vfs=7`; igb-nvme: only the igb PF's VFs)
#   <phase>.live-devices-all.json   `sriov-wizard devices --all --format json` on the live guest
#   proc-cmdline.txt                guest /proc/cmdline
#   host-run.txt, qemu.cmdline      from vm.sh (QEMU exit, wall time, kernel; the QEMU command)
#   guest.log                       what the guest script printed
#   fixture-info.txt                binary checksum, repository commit at run time, date, vm.sh arguments
#
# After each run the script replays every snapshot outside the VM
# (`devices --all --format json --root <scenario>/<phase>`) and compares it with the live JSON;
# a difference is reported and makes the exit status 1 (the fixtures are still written).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB_DIR=${LAB_DIR:-$(cd "$REPO/../shared/lab" 2>/dev/null && pwd || echo "$REPO/../shared/lab")}
VM=$LAB_DIR/vm.sh
DEST=$REPO/Tests/Fixtures/lab
ALL=(igb-noiommu igb-iommu-off igb-iommu-default igb-iommu-ptonly igb-maxvfs igb-amd igb-nvme igb-kernel6.1)

log() { printf '[fixtures %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

is_scenario() { local s; for s in "${ALL[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

BIN=.build/debug/sriov-wizard
if [ $# -gt 0 ] && ! is_scenario "$1"; then BIN=$1; shift; fi
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=("${ALL[@]}")
for s in "${SCENARIOS[@]}"; do is_scenario "$s" || die "unknown scenario '$s' (known: ${ALL[*]})"; done

case "$BIN" in /*) ;; *) BIN=$REPO/$BIN ;; esac
[ -x "$BIN" ] || die "no executable binary at $BIN (build it: swift build --product sriov-wizard)"
[ -x "$VM" ] || die "lab harness not found: $VM (set LAB_DIR)"

STAGE=$(mktemp -d /var/tmp/sriov-wizard-fixtures.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
cp "$BIN" "$STAGE/sriov-wizard"
SUM=$(sha256sum "$STAGE/sriov-wizard" | cut -d' ' -f1)
COMMIT=$(git -C "$REPO" rev-parse HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$REPO" status --porcelain 2>/dev/null | wc -l)
log "binary $BIN (sha256 $SUM), repo $COMMIT ($DIRTY changed/untracked paths)"

# The guest side: runs as root in the VM, cwd /lab/out, outputs in $LAB_OUT.
#   guest.sh BINARY MODE   MODE: enable (take before, enable 7 igb VFs, take after) | boot (before only)
cat > "$STAGE/guest.sh" <<'GUEST'
#!/bin/bash
set -euo pipefail
exec 2>&1
B=$1 MODE=$2
PF=/sys/bus/pci/devices/0000:01:00.0
phase() {
  local name=$1
  echo "### $name: numvfs=$(cat $PF/sriov_numvfs) totalvfs=$(cat $PF/sriov_totalvfs)"
  "$B" snapshot --output "$LAB_OUT/$name"
  "$B" devices --all --format json > "$LAB_OUT/$name.live-devices-all.json"
  "$B" devices --all
}
echo "### kernel $(uname -r), scenario ${LAB_SCENARIO:-?}"
cat /proc/cmdline > "$LAB_OUT/proc-cmdline.txt"
cat /proc/cmdline
phase before
if [ "$MODE" = enable ]; then
  echo 7 > $PF/sriov_numvfs
  udevadm settle
  sleep 2
  phase after
  [ "$(cat $PF/sriov_numvfs)" = 7 ] || { echo "sriov_numvfs is not 7"; exit 1; }
fi
for vf in $PF/virtfn*; do
  [ -e "$vf" ] || continue
  echo "$(basename "$vf") $(basename "$(readlink -f "$vf")") driver=$(basename "$(readlink "$vf/driver" 2>/dev/null || echo none)")"
done
GUEST
chmod 755 "$STAGE/guest.sh"

roundtrip() {  # roundtrip FIXTURE-DIR PHASE -> 0 if the replay equals the live JSON
  local dir=$1 phase=$2 out
  out=$(mktemp "$STAGE/replay.XXXXXX")
  local rc=0
  "$STAGE/sriov-wizard" devices --all --format json --root "$dir/$phase" > "$out" || rc=$?
  [ $rc = 0 ] || { log "  $phase: replay failed (exit status $rc)"; return 1; }
  if cmp -s "$out" "$dir/$phase.live-devices-all.json"; then
    log "  $phase: replay == live JSON"
  else
    log "  $phase: replay DIFFERS from live JSON:"
    diff -u "$dir/$phase.live-devices-all.json" "$out" | head -40 >&2 || true
    return 1
  fi
}

FAILED=()
for name in "${SCENARIOS[@]}"; do
  scen=$name; vmopts=()
  if [[ $name =~ ^(.+)-kernel([0-9.]+)$ ]]; then scen=${BASH_REMATCH[1]}; vmopts=(--kernel "${BASH_REMATCH[2]}"); fi
  mode=enable; phases=(before after)
  [ "$scen" = igb-maxvfs ] && { mode=boot; phases=(before); }
  run=$STAGE/runs/$name
  log "$name: vm.sh run $scen ${vmopts[*]}"
  if ! "$VM" run "$scen" "${vmopts[@]}" --out "$run" -- "$STAGE/guest.sh" "$STAGE/sriov-wizard" "$mode"; then
    keep=/var/tmp/sriov-wizard-fixtures-failed-$name-$(date +%Y%m%d-%H%M%S)
    cp -a "$run" "$keep" 2>/dev/null || true
    log "$name: guest run FAILED (outputs kept in $keep); fixture left unchanged"
    FAILED+=("$name"); continue
  fi
  new=$DEST/.$name.new
  rm -rf "$new"; mkdir -p "$new"
  for p in "${phases[@]}"; do
    cp -a "$run/$p" "$new/"
    cp "$run/$p.live-devices-all.json" "$new/"
  done
  cp "$run/proc-cmdline.txt" "$run/host-run.txt" "$run/qemu.cmdline" "$new/"
  cp "$run/cmd.stdout" "$new/guest.log"
  {
    echo "scenario=$name vm_scenario=$scen vm_options=${vmopts[*]:-} guest_mode=$mode"
    echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "binary_sha256=$SUM"
    echo "repo_when_run=$COMMIT changed_or_untracked_paths=$DIRTY (the binary may have been built from another state)"
    echo "guest_kernel=$(sed -n 's/.*kernel=\([^ ]*\).*/\1/p' "$run/host-run.txt")"
    echo "made_by=Scripts/lab/make-scenario-fixtures.sh"
  } > "$new/fixture-info.txt"
  rm -rf "${DEST:?}/$name"; mv "$new" "$DEST/$name"
  log "$name: written to $DEST/$name ($(du -sh "$DEST/$name" | cut -f1))"
  ok=1
  for p in "${phases[@]}"; do roundtrip "$DEST/$name" "$p" || ok=0; done
  [ $ok = 1 ] || FAILED+=("$name (round trip)")
done

if [ ${#FAILED[@]} -gt 0 ]; then log "FAILED: ${FAILED[*]}"; exit 1; fi
log "all done: ${SCENARIOS[*]}"
