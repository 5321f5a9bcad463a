#!/bin/bash
# Builds sriov-wizard (release) and runs its main job: on this host when run as root on a
# machine with PCI devices, otherwise on the bundled sample host snapshot (a real Linux
# kernel with an Intel 82576 and 7 VFs, captured in ../shared/lab).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product sriov-wizard >&2
bin=.build/release/sriov-wizard
if [ "$(id -u)" = 0 ] && [ -n "$(ls -A /sys/bus/pci/devices 2>/dev/null)" ] && [ "${SRIOV_WIZARD_SAMPLE:-0}" != 1 ]; then
  echo "== this host (/)" >&2
  exec "$bin" devices "$@"
else
  echo "== bundled sample host: Resources/sample-host-vfs (not root, or SRIOV_WIZARD_SAMPLE=1)" >&2
  exec "$bin" devices --root Resources/sample-host-vfs "$@"
fi
