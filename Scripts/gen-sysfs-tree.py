#!/usr/bin/env python3
"""Write a synthetic sysfs PCI tree: DIR/sys/bus/pci/devices/<addr>/ ...

The same tree, byte for byte, as SRIOVCore's `SyntheticTree.write(to:pfs:vfsPerPF:)`
(Sources/SRIOVCore/PCI/SyntheticTree.swift; SyntheticTreeTests compares the two). It exists so
that Scripts/benchmark.sh can build a large tree without a Swift helper target.

Intel 82599 dual-port cards (8086:10fb PF, 8086:10ed VF, ixgbe/ixgbevf) behind Broadwell root
ports (8086:6f08) with ARI forwarding and ACS. VF i of a PF sits at PF routing ID + 128 + 2*i
(SR-IOV offset/stride, PCIe Base Spec 9.3.3.10), so more than 63 VFs spill onto the next bus.

Usage: gen-sysfs-tree.py [--pfs 8] [--vfs 128] [--total-vfs N] [--kernel-total-vfs N] DIR
Prints the number of functions written.
"""
import argparse
import os
import struct
import sys

VENDOR = 0x8086
PF_DEVICE = 0x10FB
VF_DEVICE = 0x10ED
ROOT_PORT_DEVICE = 0x6F08
HOST_BRIDGE_DEVICE = 0x6F00
SUBSYSTEM = (0x8086, 0x000C)
VF_OFFSET = 128
VF_STRIDE = 2
DEFAULT_TOTAL_VFS = 64
PFS_PER_CARD = 2
ROOT_PORTS_PER_DEVICE = 4

VF_BAR_SIZE = 0x4000
VF_BAR3_OFFSET = 0x80000000
PF_BAR0_SIZE = 0x80000
PF_BAR4_OFFSET = 0x80000
PF_BAR4_SIZE = 0x4000


def addr(bus, dev, fn, domain=0):
    return "%04x:%02x:%02x.%d" % (domain, bus, dev, fn)


def rid_addr(rid, domain=0):
    return addr(rid >> 8, (rid >> 3) & 0x1F, rid & 7, domain)


class Function:
    def __init__(self, address, kind, card, bus=0, dev=0, fn=0):
        self.address, self.kind, self.card = address, kind, card
        self.bus, self.dev, self.fn = bus, dev, fn
        self.pf_index = None
        self.vf_index = None
        self.physfn = None
        self.virtfns = []
        self.iommu_group = 0
        self.netdev = None
        self.driver = None
        self.secondary = None
        self.subordinate = None
        self.multifunction = False


def layout(pfs, vfs, total=None, kernel_total=None):
    total = total if total is not None else max(vfs, DEFAULT_TOTAL_VFS)
    kernel_total = kernel_total if kernel_total is not None else total
    if not (0 <= vfs <= kernel_total <= total <= 0xFFFF) or pfs < 0:
        sys.exit("need 0 <= vfs <= kernel-total-vfs <= total-vfs <= 65535 and pfs >= 0")
    cards = (pfs + PFS_PER_CARD - 1) // PFS_PER_CARD
    # More cards than bus 0 of one domain has root ports for continue in domain 0001, 0002, ...
    # (each with its own host bridge): how the 2,000- and 20,000-PF benchmark trees are made.
    # SyntheticTree (Swift) stops at one domain; up to there both write the same tree.
    per_domain = 30 * ROOT_PORTS_PER_DEVICE
    group = 1
    ports, pf_list, vf_list = [], [], []
    functions = []
    for first_card in range(0, max(cards, 1), per_domain):
        domain = first_card // per_domain
        domain_cards = min(per_domain, cards - first_card)
        hb = Function(addr(0, 0, 0, domain), "hostBridge", -1)
        if domain > 0:
            hb.iommu_group = group
            group += 1
        functions.append(hb)
        next_bus = 1
        for local in range(domain_cards):
            card = first_card + local
            pfs_here = min(PFS_PER_CARD, pfs - card * PFS_PER_CARD)
            last_rid = (pfs_here - 1) + (VF_OFFSET + (vfs - 1) * VF_STRIDE if vfs > 0 else 0)
            buses = last_rid // 256 + 1
            if next_bus + buses - 1 > 255:
                sys.exit("%d PFs x %d VFs need more than 255 bus numbers" % (pfs, vfs))
            bus = next_bus
            next_bus += buses
            rp = Function(addr(0, 2 + local // ROOT_PORTS_PER_DEVICE, local % ROOT_PORTS_PER_DEVICE, domain), "rootPort", card)
            rp.iommu_group = group
            rp.driver = "pcieport"
            rp.secondary, rp.subordinate = bus, bus + buses - 1
            on_device = min(ROOT_PORTS_PER_DEVICE, domain_cards - (local // ROOT_PORTS_PER_DEVICE) * ROOT_PORTS_PER_DEVICE)
            rp.multifunction = on_device > 1
            group += 1
            ports.append(rp)
            for fn in range(pfs_here):
                pf_index = card * PFS_PER_CARD + fn
                pf = Function(addr(bus, 0, fn, domain), "pf", card, bus, 0, fn)
                pf.pf_index = pf_index
                pf.netdev = ("enP%dp%ds0f%d" % (domain, bus, fn)) if domain else ("enp%ds0f%d" % (bus, fn))
                pf.driver = "ixgbe"
                pf.multifunction = pfs_here > 1
                pf.pfs_on_card = pfs_here
                base_rid = (bus << 8) | fn
                for i in range(vfs):
                    rid = base_rid + VF_OFFSET + i * VF_STRIDE
                    if rid > 0xFFFF:
                        sys.exit("VFs of %s fall past bus 255" % pf.address)
                    vf = Function(rid_addr(rid, domain), "vf", card, rid >> 8, (rid >> 3) & 0x1F, rid & 7)
                    vf.pf_index, vf.vf_index, vf.physfn = pf_index, i, pf.address
                    vf.netdev = pf.netdev + "v%d" % i
                    vf.driver = "ixgbevf"
                    pf.virtfns.append(vf.address)
                    vf_list.append(vf)
                pf_list.append(pf)
    for f in pf_list + vf_list:
        f.iommu_group = group
        group += 1
    return functions + ports + pf_list + vf_list, total, kernel_total


def pf_memory_base(i):
    return 0x90000000 + i * 0x100000


def vf_memory_base(i):
    return 0x3800000000 + (i << 32)


class Config:
    def __init__(self):
        self.b = bytearray(4096)

    def u8(self, o, v):
        self.b[o] = v & 0xFF

    def u16(self, o, v):
        struct.pack_into("<H", self.b, o, v & 0xFFFF)

    def u32(self, o, v):
        struct.pack_into("<I", self.b, o, v & 0xFFFFFFFF)

    def header(self, device, command, status, revision, class_code, header_type, subsystem, caps):
        self.u16(0, VENDOR)
        self.u16(2, device)
        self.u16(4, command)
        self.u16(6, status)
        self.u8(8, revision)
        self.u8(9, class_code & 0xFF)
        self.u8(10, (class_code >> 8) & 0xFF)
        self.u8(11, class_code >> 16)
        self.u8(0x0C, 0x10)
        self.u8(0x0E, header_type)
        if subsystem is not None:
            self.u16(0x2C, subsystem[0])
            self.u16(0x2E, subsystem[1])
        self.u8(0x34, caps)

    def cap(self, o, cap_id, nxt):
        self.u8(o, cap_id)
        self.u8(o + 1, nxt)

    def ecap(self, o, cap_id, version, nxt):
        self.u32(o, cap_id | (version & 0xF) << 16 | nxt << 20)

    def express(self, o, flags, devcap, lnkcap, lnksta, devcap2, devctl2):
        self.u16(o + 0x02, flags)
        self.u32(o + 0x04, devcap)
        self.u16(o + 0x08, 0x2810)
        self.u32(o + 0x0C, lnkcap)
        self.u16(o + 0x12, lnksta)
        self.u32(o + 0x24, devcap2)
        self.u16(o + 0x28, devctl2)
        self.u32(o + 0x2C, 0x00000006)
        self.u16(o + 0x30, 0x0002)


def irq(f):
    if f.kind in ("hostBridge", "vf"):
        return 0
    if f.kind == "rootPort":
        return 24 + f.card
    return 16 + f.pf_index % 8


_pfs_per_card = {}


def pfs_per_card(functions):
    """PFs on each card (counted once per tree, not once per root port)."""
    key = id(functions)
    if key not in _pfs_per_card:
        counts = {}
        for g in functions:
            if g.kind == "pf":
                counts[g.card] = counts.get(g.card, 0) + 1
        _pfs_per_card.clear()
        _pfs_per_card[key] = counts
    return _pfs_per_card[key]


def port_windows(f, functions):
    first = f.card * PFS_PER_CARD
    here = max(1, pfs_per_card(functions).get(f.card, 0))
    return ((pf_memory_base(first), pf_memory_base(first + here) - 1),
            (vf_memory_base(first), vf_memory_base(first + here) - 1))


def config(f, functions, vfs, total):
    c = Config()
    if f.kind == "hostBridge":
        c.header(HOST_BRIDGE_DEVICE, 0x0006, 0x0000, 0x01, 0x060000, 0x00, (VENDOR, 0), 0)
    elif f.kind == "rootPort":
        c.header(ROOT_PORT_DEVICE, 0x0507, 0x0010, 0x01, 0x060400, 0x01 | (0x80 if f.multifunction else 0), None, 0x40)
        c.u8(0x18, 0)
        c.u8(0x19, f.secondary)
        c.u8(0x1A, f.subordinate)
        c.u8(0x1C, 0xF0)
        c.u8(0x1D, 0x00)
        mem, pref = port_windows(f, functions)
        c.u16(0x20, (mem[0] >> 16) & 0xFFF0)
        c.u16(0x22, (mem[1] >> 16) & 0xFFF0)
        c.u16(0x24, ((pref[0] >> 16) & 0xFFF0) | 1)
        c.u16(0x26, ((pref[1] >> 16) & 0xFFF0) | 1)
        c.u32(0x28, pref[0] >> 32)
        c.u32(0x2C, pref[1] >> 32)
        c.u8(0x3C, irq(f))
        c.u8(0x3D, 1)
        c.u16(0x3E, 0x0002)
        c.cap(0x40, 0x10, 0x80)
        c.express(0x40, 0x0142, 0x00008001, (f.card + 1) << 24 | 0x00036C82, 0x3082, 0x0000003F, 0x0020)
        c.u32(0x54, (f.card + 1) << 19 | 0x00000060)
        c.cap(0x80, 0x05, 0x90)
        c.u16(0x82, 0x0081)
        c.cap(0x90, 0x0D, 0xA0)
        c.u16(0x94, VENDOR)
        c.u16(0x96, 0x0000)
        c.cap(0xA0, 0x01, 0x00)
        c.u16(0xA2, 0xC803)
        c.u16(0xA4, 0x0008)
        c.ecap(0x100, 0x0001, 2, 0x148)
        c.u32(0x10C, 0x00062030)
        c.u32(0x118, 0x000000A0)
        c.ecap(0x148, 0x000D, 1, 0)
        c.u16(0x14C, 0x001F)
        c.u16(0x14E, 0x001D)
    elif f.kind == "pf":
        base = pf_memory_base(f.pf_index)
        c.header(PF_DEVICE, 0x0506, 0x0010, 0x01, 0x020000, 0x80 if f.multifunction else 0x00, SUBSYSTEM, 0x40)
        c.u32(0x10, (base & 0xFFFFFFFF) | 0x4)
        c.u32(0x14, base >> 32)
        c.u32(0x20, ((base + PF_BAR4_OFFSET) & 0xFFFFFFFF) | 0x4)
        c.u32(0x24, (base + PF_BAR4_OFFSET) >> 32)
        c.u8(0x3C, irq(f))
        c.u8(0x3D, 1)
        c.cap(0x40, 0x01, 0x50)
        c.u16(0x42, 0x4823)
        c.u16(0x44, 0x2008)
        c.cap(0x50, 0x05, 0x70)
        c.u16(0x52, 0x0180)
        c.cap(0x70, 0x11, 0xA0)
        c.u16(0x72, 0x803F)
        c.u32(0x74, 0x00000004)
        c.u32(0x78, 0x00002004)
        c.cap(0xA0, 0x10, 0x00)
        c.express(0xA0, 0x0002, 0x10008CC2, 0x00036C82, 0x1082, 0x0000001F, 0)
        c.ecap(0x100, 0x0001, 2, 0x150)
        c.u32(0x10C, 0x00062030)
        c.u32(0x114, 0x00002000)
        c.u32(0x118, 0x000000A0)
        c.ecap(0x150, 0x000E, 1, 0x160)
        next_fn = f.fn + 1 if f.fn + 1 < f.pfs_on_card else 0
        c.u16(0x154, next_fn << 8)
        o = 0x160
        c.ecap(o, 0x0010, 1, 0)
        c.u32(o + 0x04, 0)
        c.u16(o + 0x08, 0x0019 if vfs > 0 else 0)
        c.u16(o + 0x0C, total)
        c.u16(o + 0x0E, total)
        c.u16(o + 0x10, vfs)
        c.u8(o + 0x12, f.fn)
        c.u16(o + 0x14, VF_OFFSET)
        c.u16(o + 0x16, VF_STRIDE)
        c.u16(o + 0x1A, VF_DEVICE)
        c.u32(o + 0x1C, 0x00000553)
        c.u32(o + 0x20, 0x00000001)
        vf_base = vf_memory_base(f.pf_index)
        c.u32(o + 0x24, (vf_base & 0xFFFFFFFF) | 0xC)
        c.u32(o + 0x28, vf_base >> 32)
        c.u32(o + 0x30, ((vf_base + VF_BAR3_OFFSET) & 0xFFFFFFFF) | 0xC)
        c.u32(o + 0x34, (vf_base + VF_BAR3_OFFSET) >> 32)
    else:  # VF: vendor/device read 0xffff (PCIe Base Spec 9.3.4.1.1)
        c.header(0xFFFF, 0x0406, 0x0010, 0x01, 0x020000, 0x00, SUBSYSTEM, 0x70)
        c.u16(0, 0xFFFF)
        c.cap(0x70, 0x11, 0xA0)
        c.u16(0x72, 0x8002)
        c.u32(0x74, 0x00000003)
        c.u32(0x78, 0x00002003)
        c.cap(0xA0, 0x10, 0x00)
        c.express(0xA0, 0x0002, 0x10008CC2, 0x00036C82, 0x1082, 0x0000001F, 0)
        c.ecap(0x100, 0x0001, 2, 0x150)
        c.u32(0x10C, 0x00062030)
        c.ecap(0x150, 0x000E, 1, 0)
    return bytes(c.b)


def resource(f, functions, total):
    lines = [(0, 0, 0)] * (17 if f.kind == "rootPort" else 13)
    mem64, mem64pref = 0x140204, 0x14220C
    if f.kind == "pf":
        base = pf_memory_base(f.pf_index)
        lines[0] = (base, base + PF_BAR0_SIZE - 1, mem64)
        lines[4] = (base + PF_BAR4_OFFSET, base + PF_BAR4_OFFSET + PF_BAR4_SIZE - 1, mem64)
        vf_base = vf_memory_base(f.pf_index)
        size = VF_BAR_SIZE * total
        if size > 0:
            lines[7] = (vf_base, vf_base + size - 1, mem64pref)
            lines[10] = (vf_base + VF_BAR3_OFFSET, vf_base + VF_BAR3_OFFSET + size - 1, mem64pref)
    elif f.kind == "vf":
        vf_base = vf_memory_base(f.pf_index) + f.vf_index * VF_BAR_SIZE
        lines[0] = (vf_base, vf_base + VF_BAR_SIZE - 1, mem64pref)
        lines[3] = (vf_base + VF_BAR3_OFFSET, vf_base + VF_BAR3_OFFSET + VF_BAR_SIZE - 1, mem64pref)
    elif f.kind == "rootPort":
        mem, pref = port_windows(f, functions)
        lines[14] = (mem[0], mem[1], 0x200)
        lines[15] = (pref[0], pref[1], 0x102201)
    return "".join("0x%016x 0x%016x 0x%016x\n" % line for line in lines)


def mac(f):
    pf = f.pf_index or 0
    if f.vf_index is not None:
        return "02:1b:21:%02x:%02x:%02x" % (pf & 0xFF, f.vf_index >> 8, f.vf_index & 0xFF)
    return "00:1b:21:0a:%02x:%02x" % (pf >> 8, pf & 0xFF)


def write(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, data if isinstance(data, bytes) else data.encode())
    finally:
        os.close(fd)


def link(path, target):
    try:
        os.symlink(target, path)
    except FileExistsError:
        os.unlink(path)
        os.symlink(target, path)


def write_tree(root, pfs, vfs, total=None, kernel_total=None):
    functions, total, kernel_total = layout(pfs, vfs, total, kernel_total)
    sysdir = os.path.join(root, "sys")
    devices = os.path.join(sysdir, "bus/pci/devices")
    os.makedirs(devices, exist_ok=True)
    for drv in ("ixgbe", "ixgbevf", "pcieport"):
        os.makedirs(os.path.join(sysdir, "bus/pci/drivers", drv), exist_ok=True)
    os.makedirs(os.path.join(sysdir, "class/net"), exist_ok=True)
    os.makedirs(os.path.join(sysdir, "class/iommu/dmar0"), exist_ok=True)
    os.makedirs(os.path.join(sysdir, "kernel/iommu_groups"), exist_ok=True)
    ids = {"hostBridge": (HOST_BRIDGE_DEVICE, 0x060000), "rootPort": (ROOT_PORT_DEVICE, 0x060400),
           "pf": (PF_DEVICE, 0x020000), "vf": (VF_DEVICE, 0x020000)}
    for f in functions:
        d = os.path.join(devices, f.address)
        os.makedirs(d, exist_ok=True)
        device, cls = ids[f.kind]
        sub = SUBSYSTEM if f.kind in ("pf", "vf") else (VENDOR, 0)
        write(d + "/vendor", "0x%04x\n" % VENDOR)
        write(d + "/device", "0x%04x\n" % device)
        write(d + "/subsystem_vendor", "0x%04x\n" % sub[0])
        write(d + "/subsystem_device", "0x%04x\n" % sub[1])
        write(d + "/class", "0x%06x\n" % cls)
        write(d + "/revision", "0x01\n")
        write(d + "/irq", "%d\n" % irq(f))
        write(d + "/resource", resource(f, functions, total))
        write(d + "/config", config(f, functions, vfs, total))
        write(d + "/modalias", "pci:v0000%04Xd0000%04Xsv0000%04Xsd0000%04Xbc%02Xsc%02Xi%02X\n"
              % (VENDOR, device, sub[0], sub[1], cls >> 16, (cls >> 8) & 0xFF, cls & 0xFF))
        write(d + "/numa_node", "-1\n")
        write(d + "/enable", "1\n")
        write(d + "/driver_override", "(null)\n")
        write(d + "/ari_enabled", "1\n" if f.kind in ("pf", "vf") else "0\n")
        if f.kind == "pf":
            write(d + "/reset_method", "flr bus\n")
        elif f.kind == "vf":
            write(d + "/reset_method", "flr\n")
        if f.driver:
            link(d + "/driver", "../../../../bus/pci/drivers/" + f.driver)
        link(d + "/iommu_group", "../../../../kernel/iommu_groups/%d" % f.iommu_group)
        group_dir = os.path.join(sysdir, "kernel/iommu_groups/%d" % f.iommu_group)
        os.makedirs(group_dir + "/devices", exist_ok=True)
        write(group_dir + "/type", "identity\n")
        link(group_dir + "/devices/" + f.address, "../../../../bus/pci/devices/" + f.address)
        if f.physfn:
            link(d + "/physfn", "../" + f.physfn)
        for i, vf in enumerate(f.virtfns):
            link(d + "/virtfn%d" % i, "../" + vf)
        if f.netdev:
            os.makedirs(d + "/net/" + f.netdev, exist_ok=True)
            write(d + "/net/" + f.netdev + "/address", mac(f) + "\n")
            link(os.path.join(sysdir, "class/net", f.netdev), "../../bus/pci/devices/" + f.address + "/net/" + f.netdev)
        if f.kind == "pf":
            write(d + "/sriov_totalvfs", "%d\n" % kernel_total)
            write(d + "/sriov_numvfs", "%d\n" % vfs)
            write(d + "/sriov_offset", "%d\n" % VF_OFFSET)
            write(d + "/sriov_stride", "%d\n" % VF_STRIDE)
            write(d + "/sriov_vf_device", "%04x\n" % VF_DEVICE)
            write(d + "/sriov_drivers_autoprobe", "1\n")
            write(d + "/sriov_vf_total_msix", "0\n")
        if f.kind == "rootPort":
            write(d + "/secondary_bus_number", "%d\n" % f.secondary)
            write(d + "/subordinate_bus_number", "%d\n" % f.subordinate)
    return len(functions)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pfs", type=int, default=8, help="physical functions (2 per card; default 8)")
    parser.add_argument("--vfs", type=int, default=128, help="enabled VFs per PF (default 128)")
    parser.add_argument("--total-vfs", type=int, default=None, help="TotalVFs in config space (default max(vfs, 64))")
    parser.add_argument("--kernel-total-vfs", type=int, default=None, help="sriov_totalvfs in sysfs (default: total-vfs)")
    parser.add_argument("dir", help="root directory; the tree goes to DIR/sys")
    args = parser.parse_args()
    print(write_tree(args.dir, args.pfs, args.vfs, args.total_vfs, args.kernel_total_vfs))


if __name__ == "__main__":
    main()
