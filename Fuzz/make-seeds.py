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
