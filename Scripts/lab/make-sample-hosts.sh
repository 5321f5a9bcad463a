#!/bin/bash
# Takes the sample host snapshots inside the lab VM (igb scenario), and records what the same
# binary prints on the live kernel, for the round-trip test outside the VM.
set -eux
B=/work/main/.build/debug/sriov-wizard
$B snapshot --output $LAB_OUT/sample-host
$B devices --all --format json > $LAB_OUT/sample-host.live-devices-all.json
echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs
udevadm settle
sleep 2
$B snapshot --output $LAB_OUT/sample-host-vfs
$B devices --all --format json > $LAB_OUT/sample-host-vfs.live-devices-all.json
$B devices --all
