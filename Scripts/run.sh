#!/bin/bash
# The README's first command, on Debian 12 with Swift:
#  1. installs the Debian packages that are missing (as root; otherwise it says which and how);
#  2. builds sriov-wizard (release);
#  3. runs its main job, the wizard: interactive on this host when run as root on a terminal on a
#     machine with PCI devices; otherwise the walkthrough of the bundled sample host (an Intel
#     82576 with SR-IOV off, captured on a real kernel in ../shared/lab), all four stages, no
#     prompts. SRIOV_WIZARD_SAMPLE=1 forces the walkthrough. Arguments go to the wizard
#     (e.g. `bash Scripts/run.sh --lang es`).
set -euo pipefail
cd "$(dirname "$0")/.."

# What the build, the tool and `swift test` use (bsdutils: `script`, the pseudo-terminal of the
# wizard tests; the report server's PostgreSQL client is postgres-nio, Swift, no C library). PostgreSQL and Chromium
# are left to .ci/run: the tests that need them are skipped without them.
packages=(libxml2-dev libxml2-utils pkg-config pciutils pci.ids tar gzip iproute2 kmod bsdutils curl openssl python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing missing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y --no-install-recommends "${missing[@]}" >&2
  else
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}   (or run this script as root)" >&2
    exit 1
  fi
fi

echo "== building sriov-wizard (release)" >&2
swift build -c release --product sriov-wizard >&2
bin=.build/release/sriov-wizard
if [ "$(id -u)" = 0 ] && [ -t 0 ] && [ -t 1 ] && [ -n "$(ls -A /sys/bus/pci/devices 2>/dev/null)" ] \
   && [ "${SRIOV_WIZARD_SAMPLE:-0}" != 1 ]; then
  echo "== the wizard on this host (/)" >&2
  exec "$bin" wizard "$@"
else
  echo "== walkthrough of the bundled sample host (not root on a terminal, or SRIOV_WIZARD_SAMPLE=1);" >&2
  echo "   on your host: sudo bash Scripts/run.sh   (or sudo $bin)" >&2
  exec "$bin" wizard --walkthrough "$@"
fi
