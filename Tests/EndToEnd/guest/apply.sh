#!/bin/bash
# Runs inside the lab VM (as root, real kernel, udevd running).
# Usage: apply.sh BINARY [PHASE [PF]]   PHASE: sysfs | modprobe | mac | vfio | passthrough | wizard | all (default)
# Proves `apply` / `rollback` on the igb PF: VFs now and after a driver reload (the lab's
# stand-in for a reboot) for both methods, the 0-first dance, the ERANGE limit, dry-run,
# byte-identical rollback, stable VF MACs, vfio modules, the root check and the lock; and
# (passthrough) `apply --passthrough/--mapping` with qm/pvesh stand-ins, then `check`; (wizard)
# the interactive wizard's stage 4 on a pseudo-terminal, from no VFs to a VF in a VM.
# Each phase starts from the fresh guest (no VFs, /etc as booted) and ends there, so the
# host can run each phase in its own VM (shorter jobs, cheaper retries of a lab fault).
# Prints PASS/FAIL lines; writes details to $LAB_OUT; exit 0 only when every assertion passed.
set -u
# Heartbeat for the host's watchdog (run-lab-suite.sh): a live guest whose steps make no
# progress is a product hang; a guest whose heartbeat stops is a lab fault.
( while :; do cat /proc/uptime > "${LAB_OUT:-/tmp}/heartbeat"; sleep 10; done ) > /dev/null 2>&1 < /dev/null &
heartbeat=$!
trap 'kill $heartbeat 2>/dev/null' EXIT
B=$1
PHASE=${2:-all}
ADDR=${3:-0000:01:00.0}
PF=/sys/bus/pci/devices/$ADDR
OUT=${LAB_OUT:-/tmp}
fails=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
expect() { # expect NAME ACTUAL WANTED
  if [ "$2" = "$3" ]; then pass "$1 ($2)"; else fail "$1: got '$2', wanted '$3'"; fi
}
numvfs() { cat $PF/sriov_numvfs; }
settle() { udevadm settle -t 30 2>/dev/null; sleep 2; udevadm settle -t 30 2>/dev/null; }
vf_drivers() { # "igbvf igbvf ..." for every VF
  local d out=""
  for d in $PF/virtfn*; do [ -e "$d" ] || continue; out="$out $(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null || echo none)"; done
  echo ${out# }
}
repeat() { local n=$1 w=$2 out=""; for _ in $(seq $n); do out="$out $w"; done; echo ${out# }; }
etc_sums() { find /etc -xdev -type f ! -path '/etc/mtab' -print0 2>/dev/null | sort -z | xargs -0 sha256sum 2>/dev/null; }
reload_igb() { modprobe -r igb && modprobe igb; settle; }
run() { # run NAME ARGS...: binary output to $OUT/NAME.{out,err,rc}
  local name=$1; shift
  "$B" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"; echo $? > "$OUT/$name.rc"
  echo "---- $name: sriov-wizard $* (rc $(cat "$OUT/$name.rc"))" >> "$OUT/transcript.txt"
  cat "$OUT/$name.out" "$OUT/$name.err" >> "$OUT/transcript.txt"
  return "$(cat "$OUT/$name.rc")"
}

# Commands that would rebuild the guest's initramfs from the host's /boot: stubbed (logged),
# since the lab reloads the driver instead of rebooting.
mkdir -p /run/stub
for c in update-initramfs update-grub proxmox-boot-tool; do
  printf '#!/bin/sh\necho "%s $*" >> %s/stub-commands.log\n' "$c" "$OUT" > /run/stub/$c
  chmod +x /run/stub/$c
done
export PATH=/run/stub:$PATH

echo "kernel $(uname -r); phase $PHASE; $ADDR totalvfs $(cat $PF/sriov_totalvfs), numvfs $(numvfs), driver $(basename "$(readlink $PF/driver)")"
expect "start: no VFs" "$(numvfs)" 0
etc_sums > "$OUT/etc-before.sha256"
wants() { [ "$PHASE" = all ] || [ "$PHASE" = "$1" ]; }

# qm and pvesh stand-ins that write /etc/pve the way Proxmox does (qm(1): `key: value` lines,
# sorted; pci.cfg: the mapping id, then `map` lines with sorted keys), and three VMs.
pve_stubs() {
cat > /run/stub/qm <<'QM'
#!/bin/bash
# Stand-in for Proxmox's qm: `qm set VMID -hostpciN VALUE`, `qm list`.
echo "qm $*" >> "${LAB_OUT:-/tmp}/stub-commands.log"
case $1 in
  list)
    printf '%10s %-20s %-10s %-10s %12s %-10s\n' VMID NAME STATUS 'MEM(MB)' 'BOOTDISK(GB)' PID
    for f in /etc/pve/qemu-server/*.conf; do
      id=$(basename "$f" .conf); name=$(sed -n 's/^name: //p' "$f")
      if grep -qx "$id" /run/stub/running 2>/dev/null; then st=running; pid=4242; else st=stopped; pid=0; fi
      printf '%10s %-20s %-10s %-10s %12s %-10s\n' "$id" "${name:-VM$id}" $st 2048 32.00 $pid
    done ;;
  set)
    conf=/etc/pve/qemu-server/$2.conf key=${3#-} value=$4
    [ -f "$conf" ] || { echo "Configuration file 'nodes/lab/qemu-server/$2.conf' does not exist" >&2; exit 2; }
    { grep -v "^$key: " "$conf"; echo "$key: $value"; } | sort > "$conf.new" && mv "$conf.new" "$conf" ;;
  *) echo "qm stand-in: $1 not supported" >&2; exit 1 ;;
esac
QM
cat > /run/stub/pvesh <<'PVESH'
#!/bin/bash
# Stand-in for `pvesh create /cluster/mapping/pci --id NAME --map K=V,... [--map ...]`.
echo "pvesh $*" >> "${LAB_OUT:-/tmp}/stub-commands.log"
[ "$1 $2 $3" = "create /cluster/mapping/pci --id" ] || { echo "pvesh stand-in: $* not supported" >&2; exit 1; }
cfg=/etc/pve/mapping/pci.cfg; name=$4; shift 4
grep -qx "$name" "$cfg" 2>/dev/null && { echo "mapping '$name' already exists" >&2; exit 255; }
{ [ -s "$cfg" ] && echo; echo "$name"; while [ $# -ge 2 ] && [ "$1" = --map ]; do
    printf '\tmap %s\n' "$(echo "$2" | tr , '\n' | sort | paste -sd,)"; shift 2; done; } >> "$cfg"
PVESH
# apply runs commands with LC_ALL, LANG and PATH only: the log path is written in.
sed -i "s|\${LAB_OUT:-/tmp}|$OUT|" /run/stub/qm /run/stub/pvesh
chmod +x /run/stub/qm /run/stub/pvesh
mkdir -p /etc/pve/qemu-server /etc/pve/mapping
printf 'bios: ovmf\ncores: 4\nmachine: pc-q35-8.1\nmemory: 8192\nname: win11\nostype: win11\n' > /etc/pve/qemu-server/100.conf
printf 'cores: 2\nmemory: 2048\nname: debian\nostype: l26\n' > /etc/pve/qemu-server/101.conf
printf 'machine: q35\nname: router\nostype: l26\n' > /etc/pve/qemu-server/102.conf
echo 100 > /run/stub/running
}


if wants sysfs; then
# --- dry-run changes nothing
run dry-run apply --device $ADDR --vfs 4 --dry-run
expect "dry-run exit status" "$(cat $OUT/dry-run.rc)" 0
etc_sums > "$OUT/etc-after-dry-run.sha256"
if cmp -s "$OUT/etc-before.sha256" "$OUT/etc-after-dry-run.sha256"; then pass "dry-run: /etc checksums unchanged"; else fail "dry-run changed /etc"; fi
expect "dry-run: no VFs" "$(numvfs)" 0

# --- root check and confirmation rules
setpriv --reuid=65534 --regid=65534 --clear-groups "$B" apply --device $ADDR --vfs 4 --yes > "$OUT/nonroot.out" 2>&1; rc=$?
expect "non-root apply on / exits 77" $rc 77
"$B" apply --device $ADDR --vfs 4 < /dev/null > "$OUT/notty.out" 2>&1; rc=$?
expect "no TTY and no --yes refuses (exit 5)" $rc 5
expect "refused: no VFs" "$(numvfs)" 0

# --- sysfs method: 4, then 7 (0-first), then 8 refused
run apply4 apply --device $ADDR --vfs 4 --yes
expect "apply --vfs 4 exit status" "$(cat $OUT/apply4.rc)" 0
settle
expect "4 VFs now" "$(numvfs)" 4
expect "4 VFs bound to igbvf" "$(vf_drivers)" "$(repeat 4 igbvf)"
cp /etc/udev/rules.d/70-sriov-wizard.rules "$OUT/udev-rule-4.rules" 2>/dev/null

run apply7 apply --device $ADDR --vfs 7 --yes
expect "apply --vfs 7 exit status (0-first dance)" "$(cat $OUT/apply7.rc)" 0
settle
expect "7 VFs now" "$(numvfs)" 7
expect "7 VFs bound to igbvf" "$(vf_drivers)" "$(repeat 7 igbvf)"

run apply8 apply --device $ADDR --vfs 8 --yes
if [ "$(cat $OUT/apply8.rc)" != 0 ] && grep -q "at most 7" "$OUT/apply8.err"; then pass "--vfs 8 refused with the maximum 7: $(head -1 $OUT/apply8.err)"; else fail "--vfs 8 not refused properly"; fi
expect "after refused 8: still 7" "$(numvfs)" 7

run again7 apply --device $ADDR --vfs 7 --yes
if grep -q "Already applied" "$OUT/again7.out"; then pass "re-run: already applied"; else fail "re-run planned changes"; fi

# The kernel's own answer to a direct write above the maximum (what the tool maps to its message).
echo 0 > $PF/sriov_numvfs; echo 8 > $PF/sriov_numvfs 2> "$OUT/kernel-erange.txt"; echo "direct echo 8: $(cat $OUT/kernel-erange.txt)"
echo 7 > $PF/sriov_numvfs; settle

# --- persistence (sysfs + udev rule): driver reload = `bind` uevent
reload_igb
expect "after igb reload: 7 VFs back (udev rule, bind)" "$(numvfs)" 7
expect "after igb reload: bound to igbvf" "$(vf_drivers)" "$(repeat 7 igbvf)"
# Coldplug at boot replays `add` (events sent before udevd ran): the rule matches that too.
echo 0 > $PF/sriov_numvfs; settle
udevadm trigger --action=add --subsystem-match=pci --sysname-match=$ADDR; settle
expect "udevadm trigger --action=add (coldplug): 7 VFs back" "$(numvfs)" 7

run check-after check --device $ADDR --stage activation
grep -E "vfs-persistent|vfs-enabled|vf-driver-bound" "$OUT/check-after.out" | head -5

# --- rollback both applies: files byte-identical, VFs gone after the next reload
run history1 history
run rollback1 rollback --last --yes
expect "rollback (7 -> 4) exit status" "$(cat $OUT/rollback1.rc)" 0
settle
expect "after first rollback: 4 VFs (value before the 7 apply)" "$(numvfs)" 4
if cmp -s /etc/udev/rules.d/70-sriov-wizard.rules "$OUT/udev-rule-4.rules"; then pass "first rollback restored the 4-VF rule byte for byte"; else fail "rule after first rollback differs"; fi
run rollback2 rollback --last --yes
expect "rollback (4 -> none) exit status" "$(cat $OUT/rollback2.rc)" 0
expect "after second rollback: 0 VFs" "$(numvfs)" 0
etc_sums > "$OUT/etc-after-rollback.sha256"
if cmp -s "$OUT/etc-before.sha256" "$OUT/etc-after-rollback.sha256"; then pass "rollback: /etc byte-identical to before"; else fail "rollback: /etc differs"; diff "$OUT/etc-before.sha256" "$OUT/etc-after-rollback.sha256" | head; fi
reload_igb
expect "after rollback + igb reload: no VFs" "$(numvfs)" 0
run history2 history
fi

if wants modprobe; then
# --- modprobe method: option file, max_vfs after reload
run modprobe3 apply --device $ADDR --vfs 3 --method modprobe --yes
expect "apply --method modprobe exit status" "$(cat $OUT/modprobe3.rc)" 0
cat /etc/modprobe.d/sriov-wizard-igb.conf > "$OUT/modprobe-file.conf" 2>/dev/null
if grep -qx "options igb max_vfs=3" /etc/modprobe.d/sriov-wizard-igb.conf 2>/dev/null; then pass "modprobe.d file: options igb max_vfs=3"; else fail "modprobe.d file missing or wrong"; fi
grep -q "update-initramfs -u -k all" "$OUT/stub-commands.log" 2>/dev/null && pass "update-initramfs -u -k all was run (stub)" || fail "update-initramfs not run"
reload_igb
expect "after igb reload: max_vfs parameter" "$(cat /sys/module/igb/parameters/max_vfs 2>/dev/null)" 3
expect "after igb reload: 3 VFs (module option)" "$(numvfs)" 3
expect "after igb reload: bound to igbvf" "$(vf_drivers)" "$(repeat 3 igbvf)"
run modprobe-again apply --device $ADDR --vfs 3 --method modprobe --yes
grep -q "Already applied" "$OUT/modprobe-again.out" && pass "modprobe re-run: already applied" || fail "modprobe re-run planned changes"
run rollback3 rollback --last --yes
expect "rollback of the modprobe apply exit status" "$(cat $OUT/rollback3.rc)" 0
etc_sums > "$OUT/etc-after-rollback3.sha256"
if cmp -s "$OUT/etc-before.sha256" "$OUT/etc-after-rollback3.sha256"; then pass "modprobe rollback: /etc byte-identical to before"; else fail "modprobe rollback: /etc differs"; diff "$OUT/etc-before.sha256" "$OUT/etc-after-rollback3.sha256" | head; fi
reload_igb
expect "after modprobe rollback + reload: max_vfs" "$(cat /sys/module/igb/parameters/max_vfs 2>/dev/null)" 0
expect "after modprobe rollback + reload: no VFs" "$(numvfs)" 0
fi

if wants mac; then
# --- --vf-mac auto: stable locally administered MACs, set now and again by the udev rule
netdev=$(basename "$(ls -d $PF/net/* 2>/dev/null | head -1)")
run mac apply --device $ADDR --vfs 2 --vf-mac auto --yes
expect "apply --vfs 2 --vf-mac auto exit status" "$(cat $OUT/mac.rc)" 0
settle
macs=$(grep -o 'vf [0-9] mac [0-9a-f:]*' /etc/udev/rules.d/70-sriov-wizard.rules 2>/dev/null | awk '{print $4}' | tr '\n' ' ')
echo "planned MACs: $macs (PF netdev $netdev)"
vf_macs() { ip link show "$netdev" | awk '$1 == "vf" {for (i = 1; i <= NF; i++) if ($i == "link/ether") printf "%s ", $(i + 1)}'; }
expect "VF MACs now (ip link show $netdev)" "$(vf_macs)" "$macs"
ip link show "$netdev" > "$OUT/ip-link-mac-now.txt"
reload_igb
expect "after igb reload: 2 VFs" "$(numvfs)" 2
expect "after igb reload: same VF MACs (udev RUN)" "$(vf_macs)" "$macs"
ip link show "$netdev" > "$OUT/ip-link-mac-reload.txt"
run check-mac check --device $ADDR --stage activation
grep -E "vf-mac-addresses" "$OUT/check-mac.out" | head -2
run rollback-mac rollback --last --yes
expect "rollback of the MAC apply exit status" "$(cat $OUT/rollback-mac.rc)" 0
expect "after MAC rollback: no VFs" "$(numvfs)" 0
etc_sums > "$OUT/etc-after-rollback-mac.sha256"
if cmp -s "$OUT/etc-before.sha256" "$OUT/etc-after-rollback-mac.sha256"; then pass "MAC rollback: /etc byte-identical to before"; else fail "MAC rollback: /etc differs"; fi
fi

if wants vfio; then
# --- vfio modules at boot: file + update-initramfs, rollback
run vfio apply --vfio --yes
expect "apply --vfio exit status" "$(cat $OUT/vfio.rc)" 0
cat /etc/modules-load.d/vfio.conf > "$OUT/vfio.conf" 2>/dev/null
run vfio-again apply --vfio --yes
grep -q "Already applied" "$OUT/vfio-again.out" && pass "vfio re-run: already applied" || fail "vfio re-run planned changes"
run rollback-vfio rollback --last --yes
etc_sums > "$OUT/etc-after-rollback-vfio.sha256"
if cmp -s "$OUT/etc-before.sha256" "$OUT/etc-after-rollback-vfio.sha256"; then pass "vfio rollback: /etc byte-identical to before"; else fail "vfio rollback: /etc differs"; fi

# --- the lock: a second apply while one holds it
mkdir -p /var/lib/sriov-wizard
flock /var/lib/sriov-wizard/lock sleep 8 & holder=$!
sleep 1
"$B" apply --device $ADDR --vfs 2 --yes > "$OUT/locked.out" 2>&1; rc=$?
expect "apply while locked exits 75" $rc 75
wait $holder
expect "locked apply changed nothing" "$(numvfs)" 0
fi

if wants passthrough; then
# --- a VF in a VM: qm and pvesh stand-ins that write /etc/pve the way Proxmox does (qm(1):
# `key: value` lines, sorted; pci.cfg: the mapping id, then `map` lines with sorted keys),
# then `check` on the real kernel sees the VFs passed.
pve_stubs
echo 7 > $PF/sriov_numvfs; settle
expect "passthrough: 7 VFs" "$(numvfs)" 7
vf0=$(basename "$(readlink $PF/virtfn0)"); vf1=$(basename "$(readlink $PF/virtfn1)")

run pt-win apply --passthrough 100 --vf auto --device $ADDR --yes
expect "apply --passthrough 100 --vf auto exit status" "$(cat $OUT/pt-win.rc)" 0
expect "VM 100 (q35) config line" "$(grep '^hostpci' /etc/pve/qemu-server/100.conf)" "hostpci0: $vf0,pcie=1"
grep -q "VM 100 'win11' is running" "$OUT/pt-win.out" && pass "running VM told to restart" || fail "no restart note for the running VM"
run pt-i440fx apply --passthrough 101 --vf auto --device $ADDR --yes
expect "VM 101 (i440fx) config line: no pcie=1" "$(grep '^hostpci' /etc/pve/qemu-server/101.conf)" "hostpci0: $vf1"
run pt-again apply --passthrough 100 --vf $vf0 --yes
grep -q "Already applied" "$OUT/pt-again.out" && pass "passthrough re-run: already applied" || fail "passthrough re-run planned changes"
run pt-taken apply --passthrough 101 --vf $vf0 --yes
[ "$(cat $OUT/pt-taken.rc)" = 1 ] && grep -q "already passed to VM 100" "$OUT/pt-taken.err" && pass "a VF of VM 100 is refused for VM 101" || fail "VF in use not refused"

run pt-map apply --mapping igb-vfs --device $ADDR --passthrough 102 --yes
expect "apply --mapping igb-vfs --passthrough 102 exit status" "$(cat $OUT/pt-map.rc)" 0
cp /etc/pve/mapping/pci.cfg "$OUT/pci.cfg" 2>/dev/null
expect "pci.cfg: one map line per free VF" "$(grep -c $'^\tmap ' /etc/pve/mapping/pci.cfg)" 5
vf2=$(basename "$(readlink $PF/virtfn2)"); g2=$(basename "$(readlink $PF/virtfn2/iommu_group)")
expect "pci.cfg: first map line (real IOMMU group)" "$(grep -m1 $'^\tmap ' /etc/pve/mapping/pci.cfg)" \
  "$(printf '\tmap id=%s:%s,iommugroup=%s,node=%s,path=%s' "$(cut -c3- $PF/virtfn2/vendor)" "$(cut -c3- $PF/virtfn2/device)" "$g2" "$(hostname)" "$vf2")"
expect "VM 102 config line" "$(grep '^hostpci' /etc/pve/qemu-server/102.conf)" "hostpci0: mapping=igb-vfs,pcie=1"
cat /etc/pve/qemu-server/*.conf > "$OUT/vm-configs.txt"

run pt-check check --device $ADDR --stage activation --width 1000
grep "vf-passthrough" "$OUT/pt-check.out"
grep -q "WARN  vf-passthrough    VF $vf0 (.*) is passed to VM 100 'win11' (hostpci0); VM 100 'win11' runs Windows" "$OUT/pt-check.out" && pass "check: $vf0 passed to VM 100 'win11' (Windows: warn)" || fail "check does not show $vf0 in VM 100"
grep -q "PASS  vf-passthrough    VF $vf1 (.*) is passed to VM 101 'debian' (hostpci0)." "$OUT/pt-check.out" && pass "check: $vf1 passed to VM 101 'debian'" || fail "check does not show $vf1 in VM 101"
grep -q "PASS  vf-passthrough    VF $vf2 (.*) is passed to resource mapping 'igb-vfs', used by VM 102 'router'." "$OUT/pt-check.out" && pass "check: $vf2 in mapping igb-vfs of VM 102" || fail "check does not show the mapping"
grep -q "All 7 VFs of $ADDR" "$OUT/pt-check.out" && pass "check: every VF given" || fail "check: not every VF given"
# A VF given twice is a FAIL on the real tree.
printf 'hostpci1: %s\n' "$vf1" >> /etc/pve/qemu-server/100.conf
run pt-check2 check --device $ADDR --stage activation --width 1000
grep -q "FAIL  vf-passthrough    VF $vf1 (.*) is given twice" "$OUT/pt-check2.out" && pass "check: a VF in two VMs fails" || fail "check: VF in two VMs not a FAIL"
cp "$OUT/stub-commands.log" "$OUT/pt-stub-commands.log" 2>/dev/null
rm -rf /etc/pve /run/stub/qm /run/stub/pvesh /run/stub/running
echo 0 > $PF/sriov_numvfs; settle
fi

if wants wizard; then
# --- the wizard's stage 4 on a terminal (script(1) gives it a pseudo-terminal), from no VFs to
# a VF in a VM: stage 1 skipped, 2 and 3 continued; at stage 4 [a], the VF count, persistence
# and MAC questions answered with their defaults, apply confirmed, then VM 100 'win11' picked
# and its passthrough confirmed. The kernel's VFs, the VM config, the closing summary and
# `check` must agree.
pve_stubs
printf 's\n\n\na\n\n\n\ny\n1\ny\n\n\nq\n' | NO_COLOR=1 timeout 300 script -qfec "$B --width 80" /dev/null > "$OUT/wizard.raw" 2>&1
echo $? > "$OUT/wizard.rc"
tr -d '\r' < "$OUT/wizard.raw" > "$OUT/wizard.txt"
settle
expect "wizard: exit status" "$(cat $OUT/wizard.rc)" 0
expect "wizard: VFs created on the real igb" "$(numvfs)" 7
expect "wizard: VF drivers" "$(vf_drivers)" "$(repeat 7 igbvf)"
[ -f /etc/udev/rules.d/70-sriov-wizard.rules ] && pass "wizard: udev rule written" || fail "wizard: no udev rule"
vf0=$(basename "$(readlink $PF/virtfn0)")
expect "wizard: VM 100 config line" "$(grep '^hostpci' /etc/pve/qemu-server/100.conf)" "hostpci0: $vf0,pcie=1"
flat=$(tr -s ' \n' '  ' < "$OUT/wizard.txt")
grep -q "How many VFs on $ADDR" <<<"$flat" && pass "wizard asked how many VFs" || fail "wizard did not ask how many VFs"
grep -q "Which VM gets a VF" <<<"$flat" && pass "wizard asked which VM" || fail "wizard did not ask which VM"
grep -q "VF $vf0 (.*) is passed to VM 100 'win11'" <<<"$flat" && pass "wizard summary: $vf0 passed to VM 100 'win11'" || fail "wizard summary does not name $vf0 and VM 100"
grep -q "inside Windows install" <<<"$flat" && pass "wizard summary names the Windows VF driver" || fail "wizard summary lacks the Windows driver"
run wz-check check --stage activation --details
grep -q "vf-passthrough    VF $vf0 (.*) is passed to VM 100 'win11'" "$OUT/wz-check.out" && pass "check on the real kernel: $vf0 in VM 100" || fail "check does not show $vf0 in VM 100"
cp "$OUT/stub-commands.log" "$OUT/wz-stub-commands.log" 2>/dev/null
rm -rf /etc/pve /run/stub/qm /run/stub/pvesh /run/stub/running /etc/udev/rules.d/70-sriov-wizard.rules
echo 0 > $PF/sriov_numvfs; settle
fi

case $PHASE in all|sysfs|modprobe|mac|vfio|passthrough|wizard) ;; *) fail "unknown phase '$PHASE'" ;; esac
run history-final history
echo "== $fails failure(s)"
[ $fails = 0 ]
