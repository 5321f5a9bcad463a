#!/usr/bin/env python3
"""Builds Fuzz/seeds/<target>/ from ../shared/corpus and the repository's own fixtures.

Small files only: lspci captures above 32 KiB are cut at a device boundary; config-space
dumps (`lspci -x/-xxx/-xxxx` text) become one binary `config` file per function.
Run from anywhere; rerunning replaces the seeds. Usage: make-seeds.py [CORPUS_DIR]
With SRIOV_WIZARD=path/to/sriov-wizard, the sample hosts' reports (plain and --redact)
are rendered and added as XML seeds.
"""
import hashlib, os, pathlib, re, shutil, subprocess, sys, tempfile

fuzz = pathlib.Path(__file__).resolve().parent
repo = fuzz.parent
corpus = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else repo.parent / "shared" / "corpus"
seeds = fuzz / "seeds"
LIMIT = 32 * 1024


def put(target, data, name=None):
    d = seeds / target
    d.mkdir(parents=True, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    (d / name).write_bytes(data)


def cut(data):
    """At most LIMIT bytes, ending before a device header (a line starting a new function)."""
    if len(data) <= LIMIT:
        return data
    head = data[:LIMIT]
    at = max(head.rfind(b"\n\n"), head.rfind(b"\r\n\r\n"))
    return head[: at + 1] if at > 0 else head


shutil.rmtree(seeds, ignore_errors=True)

# lspci text: every capture, cut to size.
for f in sorted((corpus / "lspci").glob("*.txt")):
    put("FuzzLspciText", cut(f.read_bytes()), f.name)
# The hex dumps are lspci output too (headers + hex lines): good lspci seeds as well.
for f in sorted((corpus / "hexdump").glob("*.txt")):
    put("FuzzLspciText", cut(f.read_bytes()), f.name)

# Config space: decode every `XX: xx xx ...` block into bytes, one file per function.
hexline = re.compile(rb"^\s*([0-9a-f]{2,3}):((?:\s[0-9a-f]{2}){1,16})\s*$", re.I)
for f in sorted((corpus / "hexdump").iterdir()):
    if f.suffix == ".bin":
        put("FuzzConfigSpace", f.read_bytes()[:4096], f.name)
        continue
    blocks, cur = [], bytearray()
    for line in f.read_bytes().splitlines():
        m = hexline.match(line)
        if m:
            off = int(m.group(1), 16)
            if off == 0 and cur:
                blocks.append(bytes(cur)); cur = bytearray()
            if off != len(cur):  # a gap: keep what is contiguous
                continue
            cur += bytes(int(b, 16) for b in m.group(2).split())
        elif cur:
            blocks.append(bytes(cur)); cur = bytearray()
    if cur:
        blocks.append(bytes(cur))
    seen = set()
    for i, b in enumerate(blocks):
        if len(b) >= 64 and b not in seen:
            seen.add(b)
            put("FuzzConfigSpace", b, f"{f.stem}-{i:02d}.bin")

# Kernel command lines and GRUB defaults: the fixtures the checks and editors are tested on.
for pattern in ("Tests/Fixtures/activation/grub-*", "Tests/Fixtures/activation/kernel-cmdline-*",
                "Tests/Fixtures/lab/*/proc-cmdline.txt", "Tests/Fixtures/lab/*/before/proc/cmdline",
                "Resources/sample-host/proc/cmdline", "Resources/sample-host/etc/default/grub",
                "Resources/sample-host/etc/kernel/cmdline"):
    for f in sorted(repo.glob(pattern)):
        if f.is_file() and not f.name.endswith(".diff"):
            put("FuzzKernelCmdline", f.read_bytes()[:LIMIT])

# modprobe.d: the fixtures plus the shapes real files have (kmod's modprobe.d(5)).
for f in sorted(repo.glob("Tests/Fixtures/**/modprobe.d/*.conf")) + sorted(repo.glob("Resources/sample-host/**/modprobe.d/*.conf")):
    put("FuzzModprobe", f.read_bytes()[:LIMIT])
for text in (
    b"options igb max_vfs=7\n",
    b"# SR-IOV\r\noptions ixgbe max_vfs=8,8\r\nblacklist ixgbevf\r\n",
    b"options mlx5-core prof_sel=1\noptions igb max_vfs=2\n",
    b"options\tvfio-pci ids=8086:10ca,8086:1520 \\\n\tdisable_vga=1\n",
    b"softdep igb pre: vfio-pci\ninstall igbvf /bin/false\nalias pci:v00008086d00001520sv*sd*bc*sc*i* igbvf\n",
    b"options i40e max_vfs=\"4\"\nremove igb /sbin/modprobe -r igbvf\n",
):
    put("FuzzModprobe", text)

# XML reports: the golden model and every report-shaped XML in the tests.
for f in sorted(repo.glob("Tests/**/*.xml")):
    put("FuzzReportXML", f.read_bytes()[:LIMIT * 4])

# Sysfs attribute values (FuzzSysfsValues): length-prefixed values for sriov_totalvfs,
# sriov_numvfs, sriov_offset, sriov_stride, sriov_vf_device, class, vendor, device,
# sriov_drivers_autoprobe, ari_enabled, revision, then a 2-byte config length and config XOR
# bytes. Real values (the 82599 and igb of the lab), the absurd ones of issue 11, and
# truncated configs.
def sysfs_seed(values, config_length=4096, xor=b""):
    out = bytearray()
    for v in values:
        out.append(len(v)); out += v
    return bytes(out) + config_length.to_bytes(2, "big") + xor

real = [b"64\n", b"8\n", b"128\n", b"2\n", b"10ed\n", b"0x020000\n", b"0x8086\n", b"0x10fb\n", b"1\n", b"1\n", b"0x01\n"]
igb = [b"7\n", b"7\n", b"384\n", b"2\n", b"10ca\n", b"0x020000\n", b"0x8086\n", b"0x10c9\n", b"1\n", b"0\n", b"0x01\n"]
put("FuzzSysfsValues", sysfs_seed(real), "82599")
put("FuzzSysfsValues", sysfs_seed(igb), "igb")
put("FuzzSysfsValues", sysfs_seed(real, 256), "82599-256-byte-config")
put("FuzzSysfsValues", sysfs_seed(real, 0x161), "82599-cut-in-sriov")
put("FuzzSysfsValues", sysfs_seed(real[:4]), "82599-only-sriov-counts")
for i, bad in enumerate([b"9223372036854775807\n", b"4294967296\n", b"-1\n", b"99999999999", b"7\n\n\n",
                         b"\xff\x1b[2J\x00", b"65535\n", b""]):
    put("FuzzSysfsValues", sysfs_seed([bad] + real[1:]), f"absurd-totalvfs-{i}")
    put("FuzzSysfsValues", sysfs_seed(real[:3] + [bad] + real[4:]), f"absurd-stride-{i}")

# Report XML through collect (FuzzCollect): the first byte picks where the rest goes (0: the
# whole file; 1-5: spliced into a valid report as host name, summary, URL, evidence, elements).
for f in sorted(repo.glob("Tests/ReportsTests/Golden/*.xml")):
    put("FuzzCollect", b"\x00" + f.read_bytes()[:LIMIT * 2], "file-" + f.name)
for mode, payload in ((1, b"pve1"), (1, b"pve\xc2\x9b2J\x7f\xe2\x80\xae"), (2, b"SR-IOV is usable on 0000:01:00.0"),
                      (3, b"javascript:alert(1)"), (3, b"&#106;avascript:x"), (3, b"https://www.intel.com/x"),
                      (4, b"dmesg: \xe2\x80\xae ok"), (5, b"<extra/>"), (5, b"<!-- c --><a xmlns:p='u'/>")):
    put("FuzzCollect", bytes([mode]) + payload)

binary = os.environ.get("SRIOV_WIZARD")
if binary:
    with tempfile.TemporaryDirectory() as tmp:
        for host in sorted(repo.glob("Resources/sample-host*")):
            for extra in ([], ["--redact"]):
                out = pathlib.Path(tmp) / "report.xml"
                subprocess.run([binary, "report", "--root", str(host), "--xml", str(out), "--time", "none", *extra],
                               check=True, stdout=subprocess.DEVNULL)
                put("FuzzReportXML", out.read_bytes(), f"{host.name}{'-redacted' if extra else ''}.xml")

for d in sorted(seeds.iterdir()):
    files = list(d.iterdir())
    print(f"{d.name}: {len(files)} seeds, {sum(p.stat().st_size for p in files)} bytes")
