#!/bin/bash
# Installs the .deb into a clean Debian 12 chroot (no Swift anywhere) and runs it there as a
# user would: --version, `check` on the installed sample host, `wizard --walkthrough`, the man
# page and completions in place, then purge leaves nothing behind.
#   Scripts/test-deb.sh [sriov-wizard_VERSION_amd64.deb]   (default: the newest one in the root)
# Needs root and debootstrap (apt-get install debootstrap). The minbase bootstrap is cached as
# /var/tmp/sriov-wizard-deb/base (delete it to refresh); every run starts from a fresh copy.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=${1:-$(ls -t sriov-wizard_*_amd64.deb 2>/dev/null | head -1)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "test-deb: no .deb given or found; run Scripts/make-deb.sh" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "test-deb: needs root (chroot, mount)" >&2; exit 2; }
cache=/var/tmp/sriov-wizard-deb
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ ! -x "$cache/base/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y --no-install-recommends debootstrap
  echo "== debootstrap bookworm (cached in $cache/base)"
  rm -rf "$cache/base"; mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$cache/base" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log"; exit 1; }
fi

root=$(mktemp -d "$cache/run.XXXXXX")
cleanup() {
  umount "$root/dev/pts" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
cp -a "$cache/base/." "$root/"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# /proc: the binary finds the sample host from /proc/self/exe.
mount -t proc proc "$root/proc"
# /dev/pts: apt's terminal log (a new devpts instance, not the host's).
mount -t devpts devpts "$root/dev/pts"
cp "$deb" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb LANG=C.UTF-8 "$@"; }
pkg=/tmp/$(basename "$deb")

echo "== no Swift in the chroot"
if in_root sh -c 'ls -d /opt/swift* /usr/lib/swift* 2>/dev/null; ldconfig -p | grep -i swift'; then
  echo "test-deb: the chroot has Swift; the test would prove nothing" >&2; exit 1
fi
echo "none"

echo "== dpkg -i $(basename "$deb") (dependencies with apt-get -f install)"
in_root apt-get update -qq
if ! in_root dpkg -i "$pkg" >/dev/null 2>&1; then
  in_root apt-get -f install -y -qq --no-install-recommends >/dev/null
fi
in_root dpkg -s sriov-wizard | grep -E '^(Status|Version|Depends):'

echo "== sriov-wizard --version"
in_root sriov-wizard --version

status=0
echo "== sriov-wizard check --root /usr/share/sriov-wizard/sample-host"
in_root sriov-wizard check --root /usr/share/sriov-wizard/sample-host || status=$?
echo "(exit $status; 1 means a check failed on the sample host, as it should: see README exit codes)"
[ "$status" -le 1 ] || { echo "test-deb: check exited $status" >&2; exit 1; }

echo "== sriov-wizard wizard --walkthrough"
status=0
in_root sriov-wizard wizard --walkthrough </dev/null || status=$?
echo "(exit $status)"
[ "$status" -le 1 ] || { echo "test-deb: wizard --walkthrough exited $status" >&2; exit 1; }

echo "== man page and completions"
in_root sh -ec '
  zcat /usr/share/man/man1/sriov-wizard.1.gz | grep -m1 "^\.Dt"  # mdoc: .Dt, not .TH
  test -s /usr/share/bash-completion/completions/sriov-wizard
  test -s /usr/share/zsh/vendor-completions/_sriov-wizard
  test -s /usr/share/fish/vendor_completions.d/sriov-wizard.fish
  echo "bash, zsh, fish completions present"'

echo "== dpkg --purge"
in_root dpkg --purge sriov-wizard >/dev/null
if in_root sh -c 'ls /usr/bin/sriov-wizard /usr/share/sriov-wizard 2>/dev/null'; then
  echo "test-deb: files left after purge" >&2; exit 1
fi
echo "removed cleanly"
echo "test-deb: PASS"
