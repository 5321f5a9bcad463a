#!/bin/bash
# Installs the .deb into a clean Debian 12 chroot (no Swift anywhere) and runs it there as a
# user would: --version, `check` on the installed sample host, `wizard --walkthrough`, the man
# page and completions in place, then purge leaves nothing behind. Then the server package
# (sriov-report-server_VERSION_amd64.deb beside it, when make-deb.sh built one): its system user,
# the unit, the server started as the unit's ExecStart would start it, as that user, answering
# /healthz; SIGTERM stops it; purge removes it and its state.
#   Scripts/test-deb.sh [sriov-wizard_VERSION_amd64.deb [sriov-report-server_VERSION_amd64.deb]]
#   (default: the newest ones in the root)
# Needs root and debootstrap (apt-get install debootstrap). The minbase bootstrap is cached as
# /var/tmp/sriov-wizard-deb/base (delete it to refresh); every run starts from a fresh copy.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=${1:-$(ls -t sriov-wizard_*_amd64.deb 2>/dev/null | head -1)}
server_deb=${2:-$(ls -t "$(dirname "$deb")"/sriov-report-server_*_amd64.deb 2>/dev/null | head -1)}
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
[ -z "$server_deb" ] || cp "$server_deb" "$root/tmp/"
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

if [ -z "$server_deb" ]; then
  echo "== sriov-report-server: no sriov-report-server_*_amd64.deb given or found; NOT tested"
  echo "test-deb: PASS (sriov-wizard only)"
  exit 0
fi
spkg=/tmp/$(basename "$server_deb")
echo "== dpkg -i $(basename "$server_deb")"
if ! in_root dpkg -i "$spkg" >/dev/null 2>&1; then
  in_root apt-get -f install -y -qq --no-install-recommends >/dev/null
fi
in_root dpkg -s sriov-report-server | grep -E '^(Status|Version|Depends):'
unit=$root/lib/systemd/system/sriov-report-server.service
[ -f "$unit" ] || { echo "test-deb: no systemd unit installed" >&2; exit 1; }
user=$(sed -n 's/^User=//p' "$unit")
state=$(sed -n 's/^StateDirectory=//p' "$unit")
[ -n "$user" ] && [ -n "$state" ] || { echo "test-deb: the unit has no User= or StateDirectory=" >&2; exit 1; }
uid=$(in_root getent passwd "$user" | cut -d: -f3)
[ -n "$uid" ] && [ "$uid" -lt 1000 ] || { echo "test-deb: no system user $user (uid '$uid')" >&2; exit 1; }
echo "system user $user (uid $uid), StateDirectory=$state"
in_root stat -c '%U %a %n' "/var/lib/$state"

echo "== the unit's ExecStart, as $user (systemd does not run in a chroot)"
# What systemd would do: Environment=, then EnvironmentFile= (its SRIOV_REPORT_SERVER_ARGS),
# $VAR split into words. A free port instead of 8088, which may be taken on this machine.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
sed -i "s/127.0.0.1:8088/127.0.0.1:$port/" "$root/etc/default/sriov-report-server"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
args=$(in_root sh -c '. /etc/default/sriov-report-server; echo "$SRIOV_REPORT_SERVER_ARGS"')
command=${exec_start//\$SRIOV_REPORT_SERVER_ARGS/$args}
echo "  $command"
# shellcheck disable=SC2086 # word splitting is what systemd does with $VAR
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs $command >"$root/tmp/server.log" 2>&1 &
server_pid=$!
healthy=""
for _ in $(seq 1 60); do
  if answer=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null); then healthy=$answer; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$healthy" ]; then
  echo "test-deb: the server did not answer /healthz on port $port; its output:" >&2
  cat "$root/tmp/server.log" >&2
  kill "$server_pid" 2>/dev/null || true
  exit 1
fi
echo "GET /healthz: $healthy"
# stat inside the chroot: its /etc/passwd names the user (the host's may give the uid another name).
owner=$(in_root sh -c "stat -c %U /var/lib/$state/* 2>/dev/null" | sort -u | tr '\n' ' ')
echo "files in /var/lib/$state owned by: ${owner:-(none yet)}"
kill -TERM "$server_pid"
for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$server_pid" 2>/dev/null; then
  kill -KILL "$server_pid"; echo "test-deb: the server did not stop within 30 s of SIGTERM" >&2; exit 1
fi
echo "stopped on SIGTERM"

echo "== dpkg --purge sriov-report-server"
in_root dpkg --purge sriov-report-server >/dev/null
if in_root sh -c "ls /usr/bin/sriov-report-server /lib/systemd/system/sriov-report-server.service /var/lib/$state 2>/dev/null"; then
  echo "test-deb: server files left after purge" >&2; exit 1
fi
echo "removed cleanly"
echo "test-deb: PASS"
