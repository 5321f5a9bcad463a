#!/bin/bash
# Builds sriov-wizard_<version>_amd64.deb for Debian 12 / Proxmox VE 8, which have no Swift
# (and sriov-report-server_<version>_amd64.deb when the package has that product, step 4):
# the Swift standard library and Foundation are linked statically (--static-swift-stdlib),
# libxml2 and the C library come from Debian.
#   Scripts/make-deb.sh [OUTPUT_DIR]          (default: the repository root)
# Environment: DEB_MAINTAINER="Name <email>" (default: the author of the last commit),
# SOURCE_DATE_EPOCH (default: the last commit's date; used for the man page and the changelog),
# SRIOV_REPORT_SERVER_BIN=FILE (package this server binary instead of building the product).
# Build products go to .build-deb/ (ours, static only) and .build-deb-manual/ (the plugin's own
# release build, dynamic). They must not share a scratch path: SwiftPM 6.3 does not relink when
# only --static-swift-stdlib changes, so a dynamic binary would be packaged (the ldd check in
# step 2 caught exactly that). The package tree goes to .build-deb/pkg/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-.}")
scratch=.build-deb
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || echo "sriov-wizard maintainers <root@localhost>")}
date_ymd=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
date_rfc=$(date -u -R -d "@$SOURCE_DATE_EPOCH")

step() { echo "== $*"; }
die() { echo "make-deb: $*" >&2; exit 1; }

# Every shared library BINARY links against (its ELF NEEDED entries; what those need in turn is
# their packages' business) must come from a package named in CONTROL's Depends: (the server
# once shipped without libsqlite3-0 and failed to start on a clean Debian). ldd says /lib/...,
# dpkg knows /usr/lib/... on merged-/usr Debian: try both.
check_depends() {
  local binary=$1 control=$2 depends needed lib path owner missing=""
  depends=$(sed -n 's/^Depends: //p' "$control" | tr ',|' '\n\n' | sed 's/^ *//; s/[ (].*//')
  needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  [ -n "$needed" ] || die "readelf found no NEEDED entries in $binary"
  for lib in $needed; do
    path=$(ldd "$binary" | awk -v lib="$lib" '$1 == lib && $2 == "=>" {print $3}')
    case $lib in ld-linux*) path=$(ldd "$binary" | awk '$1 ~ /ld-linux/ {print $1}') ;; esac
    [ -n "$path" ] && [ "$path" != "not" ] || die "$binary needs $lib, which ldd cannot find here"
    owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null || true)
    owner=${owner%%:*}
    [ -n "$owner" ] || die "$binary needs $path, which no installed package owns"
    grep -qx "$owner" <<<"$depends" || missing="$missing $owner ($lib)"
  done
  [ -z "$missing" ] || die "$binary needs libraries of packages missing from Depends: in $control:$missing"
  echo "  every library $binary links against is in Depends: ($(echo $needed))"
}

# 1. The man page, generated from the argument definitions by swift-argument-parser's plugin
#    (Plugins/GenerateManual: builds the package in release, runs `generate-manual` on every
#    executable that uses ArgumentParser). Its build is a plain dynamic one, in its own scratch path.
step "man page (swift package plugin generate-manual)"
manual_scratch=$scratch-manual
rm -rf "$manual_scratch/plugins/GenerateManual/outputs"
nice swift package --scratch-path "$manual_scratch" plugin generate-manual --date "$date_ymd" --section 1 >/dev/null
manual=$(find "$manual_scratch/plugins/GenerateManual/outputs" -name sriov-wizard.1 -print -quit)
[ -n "$manual" ] || die "generate-manual wrote no sriov-wizard.1 under $manual_scratch/plugins/GenerateManual/outputs"

# 2. The binary. (libicu* in ldd comes from Debian's libxml2, not from Swift: the
#    Foundation ICU is inside the static libFoundation.)
step "swift build -c release --static-swift-stdlib"
nice swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product sriov-wizard
bin=$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/sriov-wizard

step "no Swift runtime left to load"
libs=$(ldd "$bin")
echo "$libs" | sed 's/^/  /'
if grep -Ei 'libswift|libFoundation|lib_FoundationICU|libdispatch|libBlocksRuntime|/opt/swift' <<<"$libs"; then
  die "$bin still needs the Swift runtime (above); it would not run on a host without Swift"
fi
# The same check as a user's machine would make: nothing from the toolchain in reach.
env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH= "$bin" --version >/dev/null \
  || die "$bin --version failed with an empty environment"
version=$(env -i "$bin" --version | awk '{print $NF}')
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || die "unexpected --version output: $(env -i "$bin" --version)"

# 3. The package tree.
step "package tree for $version"
pkg=$scratch/pkg/sriov-wizard_${version}_amd64
rm -rf "$pkg"
install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/man/man1" \
  "$pkg/usr/share/bash-completion/completions" "$pkg/usr/share/zsh/vendor-completions" \
  "$pkg/usr/share/fish/vendor_completions.d" "$pkg/usr/share/sriov-wizard" \
  "$pkg/usr/share/doc/sriov-wizard"
install -m 0755 "$bin" "$pkg/usr/bin/sriov-wizard"
strip --remove-section=.comment --remove-section=.note "$pkg/usr/bin/sriov-wizard"
# The generated mdoc keeps the blank lines of the help texts; groff (and lintian) want `.Pp`.
sed 's/^[[:space:]]*$/.Pp/' "$manual" >"$pkg/usr/share/man/man1/sriov-wizard.1"
gzip -9n "$pkg/usr/share/man/man1/sriov-wizard.1"
# bash-completion sources the file: no #! line (lintian bash-completion-with-hashbang).
"$bin" --generate-completion-script bash | sed '1{/^#!/d}' >"$pkg/usr/share/bash-completion/completions/sriov-wizard"
"$bin" --generate-completion-script zsh >"$pkg/usr/share/zsh/vendor-completions/_sriov-wizard"
"$bin" --generate-completion-script fish >"$pkg/usr/share/fish/vendor_completions.d/sriov-wizard.fish"
# The sample host for `wizard --walkthrough`: SampleHost.locate() looks for
# ../share/sriov-wizard/sample-host next to the binary. It holds sysfs symlinks: copy as is.
cp -a Resources/sample-host "$pkg/usr/share/sriov-wizard/sample-host"
cp -a Resources/sample-host-igpu "$pkg/usr/share/sriov-wizard/sample-host-igpu"   # wizard --walkthrough --sample igpu
sed -e "s/@VERSION@/$version/" -e "s/@YEAR@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)/" Scripts/deb/copyright >"$pkg/usr/share/doc/sriov-wizard/copyright"
# A native package: changelog.gz is the Debian changelog; the project's own is shipped beside it.
{
  echo "sriov-wizard ($version) stable; urgency=medium"
  echo
  echo "  * Release $version; see /usr/share/doc/sriov-wizard/CHANGELOG.md.gz."
  echo
  echo " -- $maintainer  $date_rfc"
} | gzip -9n >"$pkg/usr/share/doc/sriov-wizard/changelog.gz"
gzip -9n <CHANGELOG.md >"$pkg/usr/share/doc/sriov-wizard/CHANGELOG.md.gz"
# The snapshot's symlinks keep the kernel's own link text (lintian: lengthy-symlink).
install -d "$pkg/usr/share/lintian/overrides"
install -m 0644 Scripts/deb/lintian-overrides "$pkg/usr/share/lintian/overrides/sriov-wizard"
gzip -9n <README.md >"$pkg/usr/share/doc/sriov-wizard/README.md.gz"
find "$pkg/usr" -type d -exec chmod 0755 {} +
find "$pkg/usr/share" -type f -exec chmod 0644 {} +
# Reproducible: every file dated at SOURCE_DATE_EPOCH.
find "$pkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

installed_kb=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@MAINTAINER@/$maintainer/" -e "s/@SIZE@/$installed_kb/" \
  Scripts/deb/control >"$pkg/DEBIAN/control"
(cd "$pkg" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
check_depends "$pkg/usr/bin/sriov-wizard" "$pkg/DEBIAN/control"

step "dpkg-deb"
mkdir -p "$out"
deb=$out/sriov-wizard_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
ls -l "$deb"
if command -v lintian >/dev/null; then
  step "lintian"
  lintian "$deb" || true
fi
echo "$deb"

# 4. sriov-report-server_<version>_amd64.deb: the server binary (static Swift runtime, as
#    above), its systemd unit with its own system user and StateDirectory=, hardening, and
#    postinst/prerm/postrm. Built with `swift build -c release --product sriov-report-server`.
server_bin=${SRIOV_REPORT_SERVER_BIN:-}
if [ -z "$server_bin" ]; then
  products=$(swift package --scratch-path "$scratch" dump-package \
    | python3 -c 'import json,sys; print("\n".join(p["name"] for p in json.load(sys.stdin)["products"]))')
  if ! grep -qx sriov-report-server <<<"$products"; then
    step "sriov-report-server: no such product in Package.swift; its .deb is NOT built"
    exit 0
  fi
  step "swift build -c release --static-swift-stdlib --product sriov-report-server"
  nice swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product sriov-report-server
  server_bin=$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/sriov-report-server
fi
[ -x "$server_bin" ] || die "$server_bin: not an executable"
if ldd "$server_bin" | grep -Ei 'libswift|libFoundation|lib_FoundationICU|libdispatch|/opt/swift'; then
  die "$server_bin still needs the Swift runtime (above)"
fi
step "package tree for sriov-report-server $version"
spkg=$scratch/pkg/sriov-report-server_${version}_amd64
rm -rf "$spkg"
install -d "$spkg/DEBIAN" "$spkg/usr/bin" "$spkg/lib/systemd/system" "$spkg/etc/default" \
  "$spkg/usr/share/doc/sriov-report-server" "$spkg/usr/share/man/man1"
install -m 0755 "$server_bin" "$spkg/usr/bin/sriov-report-server"
strip --remove-section=.comment --remove-section=.note "$spkg/usr/bin/sriov-report-server"
install -m 0644 Scripts/deb/server/sriov-report-server.service "$spkg/lib/systemd/system/sriov-report-server.service"
install -m 0644 Scripts/deb/server/default "$spkg/etc/default/sriov-report-server"
for script in postinst prerm postrm; do install -m 0755 "Scripts/deb/server/$script" "$spkg/DEBIAN/$script"; done
echo /etc/default/sriov-report-server >"$spkg/DEBIAN/conffiles"
server_manual=$(find "$manual_scratch/plugins/GenerateManual/outputs" -name sriov-report-server.1 -print -quit)
if [ -n "$server_manual" ]; then
  sed 's/^[[:space:]]*$/.Pp/' "$server_manual" | gzip -9n >"$spkg/usr/share/man/man1/sriov-report-server.1.gz"
else
  rmdir "$spkg/usr/share/man/man1" "$spkg/usr/share/man"
fi
sed -e "s/@VERSION@/$version/" -e "s/@YEAR@/$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)/" Scripts/deb/copyright >"$spkg/usr/share/doc/sriov-report-server/copyright"
{
  echo "sriov-report-server ($version) stable; urgency=medium"
  echo
  echo "  * Release $version; see /usr/share/doc/sriov-report-server/CHANGELOG.md.gz."
  echo
  echo " -- $maintainer  $date_rfc"
} | gzip -9n >"$spkg/usr/share/doc/sriov-report-server/changelog.gz"
gzip -9n <CHANGELOG.md >"$spkg/usr/share/doc/sriov-report-server/CHANGELOG.md.gz"
gzip -9n <README.md >"$spkg/usr/share/doc/sriov-report-server/README.md.gz"
install -m 0644 Docs/openapi.yaml "$spkg/usr/share/doc/sriov-report-server/openapi.yaml"
find "$spkg/usr" "$spkg/lib" "$spkg/etc" -type d -exec chmod 0755 {} +
find "$spkg/usr/share" "$spkg/lib" "$spkg/etc" -type f -exec chmod 0644 {} +
find "$spkg" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
installed_kb=$(du -sk --exclude=DEBIAN "$spkg" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@MAINTAINER@/$maintainer/" -e "s/@SIZE@/$installed_kb/" \
  Scripts/deb/server/control >"$spkg/DEBIAN/control"
(cd "$spkg" && find usr lib -type f -print0 | sort -z | xargs -0 md5sum) >"$spkg/DEBIAN/md5sums"
chmod 0644 "$spkg/DEBIAN/control" "$spkg/DEBIAN/md5sums" "$spkg/DEBIAN/conffiles"
check_depends "$spkg/usr/bin/sriov-report-server" "$spkg/DEBIAN/control"
step "dpkg-deb (server)"
sdeb=$out/sriov-report-server_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$spkg" "$sdeb" >/dev/null
dpkg-deb --info "$sdeb" | sed -n '/Package:/,$p'
ls -l "$sdeb"
if command -v lintian >/dev/null; then
  step "lintian (server)"
  lintian "$sdeb" || true
fi
echo "$sdeb"
