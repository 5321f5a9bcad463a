import HostAccess
import SRIOVCore

/// An Intel Data Center GPU Flex 170 host (test fixture), built register by register from the
/// real capture in Mika Westerberg's kernel bug 216795 as quoted on linux-pci
/// (https://lore.kernel.org/r/20230130125324.GA1661790@bhelgaas, "PCI resource allocation
/// mismatch with BIOS", kernel v6.1-rc8):
/// - topology 0000:50:02.0 Root Port [8086:347a] -> 51:00.0 Switch Upstream Port [8086:4fa0]
///   -> 52:01.0 Switch Downstream Port [8086:4fa4] -> 53:00.0 GPU [8086:56c0] rev 08, class
///   0x038000 (Display controller), the on-card switch;
/// - the ports' header registers as the kernel logged them ("saving config space at offset 0x..
///   (reading 0x..)": command/status, class/revision, bus numbers 50/51/54, 51/52/54, windows
///   bb800000-bb9fffff and 0x201c00000000-0x205e1fffffff);
/// - the GPU's BAR 0 0x205e1f000000 (16M, 64-bit pref), BAR 2 0x201c00000000 (16G, 64-bit
///   pref), ROM at bb800000 (2M, disabled); SR-IOV [320 v1]: IOVCtl ARIHierarchy+, Initial/Total
///   VFs 31, offset 1, stride 1, VF device ID 56c0, page sizes 553/1, VF BAR 0 0x205e00000000
///   (16M per VF, "reg 0x344"), VF BAR 2 0x202000000000 (8G per VF, "reg 0x34c", BAR 9
///   0x3e00000000 for 31 VFs).
/// Not in the capture, derived: ARIHierarchy+ is set by the kernel only when the bus above has
/// ARI forwarding on (drivers/pci/iov.c sriov_init: `if (pci_ari_enabled(dev->bus))`), which
/// pci_configure_ari() (drivers/pci/pci.c) does only for a device with the ARI capability; so
/// the GPU has an ARI capability (placed at [100]) and 52:01.0 has ARI forwarding supported and
/// enabled. Assumptions, not in the capture: the other capability offsets ([40] Express, [ac]
/// MSI, [d0] PM), the subsystem ID 8086:4905, the bridges' own BAR sizes, the host around it
/// (Proxmox kernel 6.8.12-4-pve, a Xeon CPU, IOMMU groups) and, in the VF state, vfio-pci and
/// the sysfsutils line.
public enum FlexTree {
    public enum State: String, CaseIterable, Sendable {
        /// As captured: i915 bound, no VFs.
        case captured = "flex-no-vfs"
        /// All 31 VFs made through sysfs, on vfio-pci: 53:00.1 ... 53:03.7 need ARI.
        case vfsEnabled = "flex-31-vfs"
    }

    public static let rootPort = PCIAddress("0000:50:02.0")!
    public static let upstreamPort = PCIAddress("0000:51:00.0")!
    public static let downstreamPort = PCIAddress("0000:52:01.0")!
    public static let pf = PCIAddress("0000:53:00.0")!
    public static let deviceID: UInt16 = 0x56c0
    public static let totalVFs = 31
    public static let kernel = "6.8.12-4-pve"
    static let vfBar0: UInt64 = 0x205e_0000_0000, vfBar0Size: UInt64 = 16 << 20
    static let vfBar2: UInt64 = 0x2020_0000_0000, vfBar2Size: UInt64 = 8 << 30

    /// Named offsets (include/uapi/linux/pci_regs.h).
    enum Reg {
        static let vendorID = 0x00, deviceID = 0x02, command = 0x04, status = 0x06, revision = 0x08, classCode = 0x09
        static let cacheLineSize = 0x0c, headerType = 0x0e, bar0 = 0x10, bar2 = 0x18
        static let subsystemVendorID = 0x2c, subsystemID = 0x2e, romAddress = 0x30, capabilityList = 0x34
        static let interruptLine = 0x3c, interruptPin = 0x3d
        // type 1 header: PCI_PRIMARY_BUS, PCI_SECONDARY_BUS, PCI_SUBORDINATE_BUS, PCI_IO_BASE,
        // PCI_SEC_STATUS, PCI_MEMORY_BASE/LIMIT, PCI_PREF_MEMORY_BASE/LIMIT, PCI_PREF_BASE/LIMIT_UPPER32,
        // PCI_BRIDGE_CONTROL
        static let primaryBus = 0x18, secondaryBus = 0x19, subordinateBus = 0x1a, ioBase = 0x1c, secondaryStatus = 0x1e
        static let memoryBase = 0x20, prefBase = 0x24, prefBaseUpper = 0x28, prefLimitUpper = 0x2c
        static let bridgeControl = 0x3e
        // PCI_EXP_FLAGS, PCI_EXP_DEVCAP, PCI_EXP_DEVCAP2, PCI_EXP_DEVCTL2 (+ 0x02/0x04/0x24/0x28)
        static let expFlags = 0x02, expDevCap = 0x04, expDevCap2 = 0x24, expDevCtl2 = 0x28
        static let ariForwarding: UInt32 = 0x20
        // PCI_SRIOV_*
        static let sriovCtrl = 0x08, sriovInitialVF = 0x0c, sriovTotalVF = 0x0e, sriovNumVF = 0x10, sriovVFOffset = 0x14
        static let sriovVFStride = 0x16, sriovVFDID = 0x1a, sriovSupPgSize = 0x1c, sriovSysPgSize = 0x20, sriovBAR = 0x24
        static let sriovCtrlVFE: UInt16 = 0x01, sriovCtrlMSE: UInt16 = 0x08, sriovCtrlARI: UInt16 = 0x10
    }
    static let expressOffset = 0x40, msiOffset = 0xac, pmOffset = 0xd0, ariOffset = 0x100, sriovOffset = 0x320
    /// PCI_EXP_TYPE_*: Endpoint 0, Root Port 4, Upstream 5, Downstream 6.
    enum PortType: UInt16 { case endpoint = 0, rootPort = 4, upstream = 5, downstream = 6 }

    static func express(_ c: inout IGPUTree.Image, _ type: PortType, next: UInt8, ariForwarding: Bool) {
        c.cap(expressOffset, id: 0x10, next: next)
        c.u16(expressOffset + Reg.expFlags, 0x0002 | type.rawValue << 4 | (type == .endpoint || type == .upstream ? 0 : 0x0100))
        c.u32(expressOffset + Reg.expDevCap, 0x0000_8000)   // RBE+
        if ariForwarding {
            c.u32(expressOffset + Reg.expDevCap2, Reg.ariForwarding)
            c.u16(expressOffset + Reg.expDevCtl2, UInt16(Reg.ariForwarding))
        }
    }

    /// A bridge's registers as the kernel logged them: `dwords[offset] = value`.
    static func bridgeConfig(_ dwords: [Int: UInt32], type: PortType) -> [UInt8] {
        var c = IGPUTree.Image()
        for (offset, value) in dwords { c.u32(offset, value) }
        c.u8(Reg.capabilityList, UInt8(expressOffset))
        express(&c, type, next: 0, ariForwarding: type == .downstream)
        return c.bytes
    }

    /// 50:02.0, from "pcieport 0000:50:02.0: saving config space at offset ...".
    static func rootPortConfig() -> [UInt8] {
        bridgeConfig([Reg.vendorID: 0x347a_8086, Reg.command: 0x0010_0547, Reg.revision: 0x0604_0004, Reg.cacheLineSize: 0x0001_0000,
                      Reg.bar0: 0x2080_0004, 0x14: 0x0000_205e, Reg.primaryBus: 0x0054_5150, Reg.ioBase: 0x2000_00f0,
                      Reg.memoryBase: 0xbb90_bb80, Reg.prefBase: 0x2071_0001, Reg.prefBaseUpper: 0x201c, Reg.prefLimitUpper: 0x205e,
                      Reg.interruptLine: 0x0002_01ff], type: .rootPort)
    }

    /// 51:00.0, from "pcieport 0000:51:00.0: saving config space at offset ...".
    static func upstreamConfig() -> [UInt8] {
        bridgeConfig([Reg.vendorID: 0x4fa0_8086, Reg.command: 0x0011_0147, Reg.revision: 0x0604_0001, Reg.cacheLineSize: 0x0001_0008,
                      Reg.bar0: 0x2000_000c, 0x14: 0x0000_205e, Reg.primaryBus: 0x0054_5251, Reg.ioBase: 0x0000_01f1,
                      Reg.memoryBase: 0xbb90_bb80, Reg.prefBase: 0x1ff1_0001, Reg.prefBaseUpper: 0x201c, Reg.prefLimitUpper: 0x205e,
                      Reg.interruptLine: 0x0003_01ff], type: .upstream)
    }

    /// 52:01.0, from lspci.before (bus 52/53/54, the same windows as its upstream port); the
    /// words lspci elided (command, revision) copied from 51:00.0.
    static func downstreamConfig() -> [UInt8] {
        bridgeConfig([Reg.vendorID: 0x4fa4_8086, Reg.command: 0x0011_0147, Reg.revision: 0x0604_0001, Reg.cacheLineSize: 0x0001_0008,
                      Reg.primaryBus: 0x0054_5352, Reg.ioBase: 0x0000_01f1,
                      Reg.memoryBase: 0xbb90_bb80, Reg.prefBase: 0x1ff1_0001, Reg.prefBaseUpper: 0x201c, Reg.prefLimitUpper: 0x205e,
                      Reg.interruptLine: 0x0003_01ff], type: .downstream)
    }

    static func pfConfig(numVFs: Int) -> [UInt8] {
        var c = IGPUTree.Image()
        c.u16(Reg.vendorID, 0x8086); c.u16(Reg.deviceID, deviceID)
        c.u16(Reg.command, 0x0006); c.u16(Reg.status, 0x0010)                   // Mem+ BusMaster+, Cap+
        c.u8(Reg.revision, 0x08); c.u8(Reg.classCode + 1, 0x80); c.u8(Reg.classCode + 2, 0x03)   // 0380 Display controller
        c.bar64(Reg.bar0, 0x205e_1f00_0000, prefetchable: true)
        c.bar64(Reg.bar2, 0x201c_0000_0000, prefetchable: true)
        c.u32(Reg.romAddress, 0xbb80_0000)                                      // [disabled]
        c.u16(Reg.subsystemVendorID, 0x8086); c.u16(Reg.subsystemID, 0x4905)
        c.u8(Reg.capabilityList, UInt8(expressOffset)); c.u8(Reg.interruptPin, 1); c.u8(Reg.interruptLine, 0xff)
        express(&c, .endpoint, next: UInt8(msiOffset), ariForwarding: false)
        c.cap(msiOffset, id: 0x05, next: UInt8(pmOffset)); c.u16(msiOffset + 2, 0x0181)   // MSI Enable+ 64bit+ Maskable+
        c.cap(pmOffset, id: 0x01, next: 0); c.u16(pmOffset + 2, 0x0023)                   // PM v3, DSI+
        c.ext(ariOffset, id: 0x0e, version: 1, next: sriovOffset)
        let s = sriovOffset
        c.ext(s, id: 0x10, version: 1, next: 0)
        c.u16(s + Reg.sriovCtrl, Reg.sriovCtrlARI | (numVFs > 0 ? Reg.sriovCtrlVFE | Reg.sriovCtrlMSE : 0))
        c.u16(s + Reg.sriovInitialVF, UInt16(totalVFs)); c.u16(s + Reg.sriovTotalVF, UInt16(totalVFs)); c.u16(s + Reg.sriovNumVF, UInt16(numVFs))
        c.u16(s + Reg.sriovVFOffset, 1); c.u16(s + Reg.sriovVFStride, 1); c.u16(s + Reg.sriovVFDID, deviceID)
        c.u32(s + Reg.sriovSupPgSize, 0x553); c.u32(s + Reg.sriovSysPgSize, 1)
        c.bar64(s + Reg.sriovBAR, vfBar0, prefetchable: true)
        c.bar64(s + Reg.sriovBAR + 8, vfBar2, prefetchable: true)
        return c.bytes
    }

    static func vfConfig() -> [UInt8] {
        var c = IGPUTree.Image()
        c.u16(Reg.vendorID, 0x8086); c.u16(Reg.deviceID, deviceID)     // VF device ID = the PF's (VF Device ID 56c0)
        c.u16(Reg.status, 0x0010); c.u8(Reg.revision, 0x08); c.u8(Reg.classCode + 1, 0x80); c.u8(Reg.classCode + 2, 0x03)
        c.u16(Reg.subsystemVendorID, 0x8086); c.u16(Reg.subsystemID, 0x4905)
        c.u8(Reg.capabilityList, UInt8(expressOffset))
        express(&c, .endpoint, next: 0, ariForwarding: false)
        c.ext(ariOffset, id: 0x0e, version: 1, next: 0)
        return c.bytes
    }

    /// VF n (0-based) is routing ID offset + n * stride = 1 + n on bus 53: 53:00.1 ... 53:03.7.
    public static func vfAddresses(_ count: Int) -> [PCIAddress] {
        (0..<count).map { n in
            let rid = 1 + n
            return PCIAddress(domain: 0, bus: pf.bus, device: UInt8(rid >> 3), function: UInt8(rid & 7))
        }
    }

    static let mem64Pref: UInt64 = 0x0014_220c, bridgeMem: UInt64 = 0x0000_0200, bridgePref: UInt64 = 0x0010_2201

    public static func write(_ state: State, to root: String) throws(HostAccessError) {
        let numVFs = state == .vfsEnabled ? totalVFs : 0
        let vfDriver = "vfio-pci"
        let w = try TreeWriter(root: root)
        let devices = "/sys/bus/pci/devices"
        for driver in ["pcieport", "i915", vfDriver] { try w.makeDirectory("/sys/bus/pci/drivers/" + driver) }
        func line(_ start: UInt64, _ size: UInt64, _ flags: UInt64) -> String { IGPUTree.line(start, size, flags) }
        let empty = line(0, 0, 0)
        func function(_ a: PCIAddress, device: UInt16, cls: String, config: [UInt8], resource: String, driver: String?, group: Int) throws(HostAccessError) {
            let d = devices + "/" + a.description
            try w.makeDirectory(d)
            try w.write("0x8086\n", to: d + "/vendor")
            try w.write("0x" + hex(device, 4) + "\n", to: d + "/device")
            try w.write(cls + "\n", to: d + "/class")
            try w.write("0\n", to: d + "/irq")
            try w.write(resource, to: d + "/resource")
            try w.write(config, to: d + "/config")
            try w.write("-1\n", to: d + "/numa_node")
            if let driver { try w.symlink("../../../../bus/pci/drivers/" + driver, at: d + "/driver") }
            try w.symlink("../../../../kernel/iommu_groups/\(group)", at: d + "/iommu_group")
            let g = "/sys/kernel/iommu_groups/\(group)"
            try w.makeDirectory(g + "/devices")
            try w.symlink("../../../../bus/pci/devices/" + a.description, at: g + "/devices/" + a.description)
        }
        // Resources 0-5 BARs, 6 ROM, 7-12 IOV, 13-16 bridge windows (I/O, memory, prefetchable).
        func bridgeResource(_ bar0: String, prefLimit: UInt64) -> String {
            bar0 + String(repeating: empty, count: 13) + line(0xbb80_0000, 2 << 20, bridgeMem)
                + line(0x201c_0000_0000, prefLimit - 0x201c_0000_0000 + 1, bridgePref) + empty
        }
        // BAR sizes are not in the capture: the upstream port's 8M fills the root port's
        // prefetchable window up to 0x205e207fffff; the root port's 32K is an assumption.
        try function(rootPort, device: 0x347a, cls: "0x060400", config: rootPortConfig(),
                     resource: bridgeResource(line(0x205e_2080_0000, 32 << 10, 0x0014_0204), prefLimit: 0x205e_207f_ffff), driver: "pcieport", group: 30)
        try function(upstreamPort, device: 0x4fa0, cls: "0x060400", config: upstreamConfig(),
                     resource: bridgeResource(line(0x205e_2000_0000, 8 << 20, mem64Pref), prefLimit: 0x205e_1fff_ffff), driver: "pcieport", group: 31)
        try function(downstreamPort, device: 0x4fa4, cls: "0x060400", config: downstreamConfig(),
                     resource: bridgeResource(empty, prefLimit: 0x205e_1fff_ffff), driver: "pcieport", group: 31)
        var pfResource = line(0x205e_1f00_0000, 16 << 20, mem64Pref) + empty + line(0x201c_0000_0000, 16 << 30, mem64Pref) + empty + empty + empty
        pfResource += line(0xbb80_0000, 2 << 20, 0x0004_6200)                 // ROM, disabled
        pfResource += line(vfBar0, vfBar0Size * UInt64(totalVFs), mem64Pref) + empty + line(vfBar2, vfBar2Size * UInt64(totalVFs), mem64Pref)
        pfResource += empty + empty + empty
        try function(pf, device: deviceID, cls: "0x038000", config: pfConfig(numVFs: numVFs), resource: pfResource, driver: "i915", group: 32)
        let d = devices + "/" + pf.description
        try w.write("\(totalVFs)\n", to: d + "/sriov_totalvfs")
        try w.write("\(numVFs)\n", to: d + "/sriov_numvfs")
        try w.write("1\n", to: d + "/sriov_offset")
        try w.write("1\n", to: d + "/sriov_stride")
        try w.write(hex(deviceID, 4) + "\n", to: d + "/sriov_vf_device")
        try w.write("1\n", to: d + "/sriov_drivers_autoprobe")
        try w.write("1\n", to: d + "/ari_enabled")
        for (n, vf) in vfAddresses(numVFs).enumerated() {
            let resource = line(vfBar0 + UInt64(n) * vfBar0Size, vfBar0Size, mem64Pref) + empty
                + line(vfBar2 + UInt64(n) * vfBar2Size, vfBar2Size, mem64Pref) + String(repeating: empty, count: 10)
            try function(vf, device: deviceID, cls: "0x038000", config: vfConfig(), resource: resource, driver: vfDriver, group: 33 + n)
            try w.symlink("../" + pf.description, at: devices + "/" + vf.description + "/physfn")
            try w.symlink("../" + vf.description, at: d + "/virtfn\(n)")
            try w.write("vfio-pci\n", to: devices + "/" + vf.description + "/driver_override")
        }
        try w.write("BOOT_IMAGE=/boot/vmlinuz-\(kernel) root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt\n", to: "/proc/cmdline")
        try w.write(kernel + "\n", to: "/proc/sys/kernel/osrelease")
        try w.write("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu vme de pse msr pae mce cx8 apic vmx ept\n", to: "/proc/cpuinfo")
        try w.makeDirectory("/sys/devices/virtual/iommu/dmar0")
        try w.symlink("../../devices/virtual/iommu/dmar0", at: "/sys/class/iommu/dmar0")
        if numVFs > 0 {
            try w.write("devices/pci0000:50/0000:50:02.0/0000:51:00.0/0000:52:01.0/0000:53:00.0/sriov_numvfs = \(totalVFs)\n", to: "/etc/sysfs.d/flex.conf")
            try w.write("[Unit]\nDescription=Set sysfs variables from /etc/sysfs.conf\n", to: "/usr/lib/systemd/system/sysfsutils.service")
        }
    }
}

/// An AMD Radeon R9 Fury / Nano (Fiji, 1002:7300 rev ca) whose configuration space is the real
/// 4096-byte dump of pciutils' test file `tests/cap-rebar` (pciutils/pciutils @ 44c6c7fc,
/// shared/corpus/hexdump/pciutils-amd-fiji-gpu-1.txt): capabilities [48] vendor specific,
/// [50] PM, [58] Express v2 Legacy Endpoint, [a0] MSI; extended [100] vendor specific, [150]
/// AER, [200] Resizable BAR, [270] Secondary PCIe, [2b0] ATS, [2c0] PRI, [2d0] PASID, [328]
/// ARI, and no SR-IOV: a consumer AMD GPU (MxGPU exists only on FirePro S7150 / Instinct /
/// Radeon PRO V710 with AMD's GIM). Only the non-zero 16-byte rows are kept here.
public enum AMDFijiTree {
    public static let address = PCIAddress("0000:09:00.0")!
    static let rows: [Int: String] = [
        0x000: "02 10 00 73 07 04 10 00 ca 00 00 03 10 00 80 00", 0x010: "0c 00 00 e0 00 00 00 00 0c 00 00 f0 00 00 00 00",
        0x020: "01 e0 00 00 00 00 80 fe 00 00 00 00 02 10 36 0b", 0x030: "00 00 84 fe 48 00 00 00 00 00 00 00 0a 01 00 00",
        0x040: "00 00 00 00 00 00 00 00 09 50 08 00 02 10 36 0b", 0x050: "01 58 03 f6 08 00 00 00 10 a0 12 00 a1 8f 00 00",
        0x060: "30 29 09 00 03 01 40 00 40 00 03 11 00 00 00 00", 0x070: "00 00 00 00 00 00 00 00 00 00 00 00 00 00 70 00",
        0x080: "40 00 00 00 0e 00 00 00 03 00 1f 00 00 00 00 00", 0x0a0: "05 00 81 00 00 00 e0 fe 00 00 00 00 00 00 00 00",
        0x100: "0b 00 01 15 01 00 01 01 00 00 00 00 00 00 00 00", 0x150: "01 00 02 20 00 00 00 00 00 00 00 00 30 20 46 00",
        0x160: "00 00 00 00 00 20 00 00 a0 00 00 00 00 00 00 00", 0x200: "15 00 01 27 00 f0 01 00 20 08 00 00 00 00 00 00",
        0x270: "19 00 01 2b 00 00 00 00 00 00 00 00 00 27 00 27", 0x280: "00 27 00 27 00 27 00 27 00 27 00 27 00 27 00 27",
        0x290: "00 27 00 27 00 27 00 27 00 27 00 27 00 00 00 00", 0x2b0: "0f 00 01 2c 20 00 00 80 00 00 00 00 00 00 00 00",
        0x2c0: "13 00 01 2d 00 00 00 01 20 00 00 00 00 00 00 00", 0x2d0: "1b 00 81 32 06 10 00 00 00 00 00 00 00 00 00 00",
        0x320: "00 00 00 00 00 00 00 00 0e 00 01 00 00 01 00 00", 0x400: "0b 00 01 00 02 00 01 07 00 00 00 00 00 00 00 00",
    ]

    public static func config() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 4096)
        for (offset, row) in rows {
            for (i, byte) in row.split(separator: " ").enumerated() { bytes[offset + i] = UInt8(byte, radix: 16)! }
        }
        return bytes
    }

    /// The GPU on amdgpu, its BARs as the dump decodes them (BAR 0 e0000000 256M pref, BAR 2
    /// f0000000 2M pref, BAR 4 I/O e000, BAR 5 fe800000 256K, ROM fe840000 128K).
    public static func write(to root: String) throws(HostAccessError) {
        let w = try TreeWriter(root: root)
        let d = "/sys/bus/pci/devices/" + address.description
        try w.makeDirectory("/sys/bus/pci/drivers/amdgpu")
        try w.makeDirectory(d)
        try w.write("0x1002\n", to: d + "/vendor")
        try w.write("0x7300\n", to: d + "/device")
        try w.write("0x030000\n", to: d + "/class")
        try w.write("0\n", to: d + "/irq")
        func line(_ start: UInt64, _ size: UInt64, _ flags: UInt64) -> String { IGPUTree.line(start, size, flags) }
        let empty = line(0, 0, 0)
        var resource = line(0xe000_0000, 256 << 20, 0x0014_220c) + empty + line(0xf000_0000, 2 << 20, 0x0014_220c) + empty
        resource += line(0xe000, 256, 0x0004_0101) + line(0xfe80_0000, 256 << 10, 0x0004_0200) + line(0xfe84_0000, 128 << 10, 0x0004_6200)
        resource += String(repeating: empty, count: 6)
        try w.write(resource, to: d + "/resource")
        try w.write(config(), to: d + "/config")
        try w.symlink("../../../../bus/pci/drivers/amdgpu", at: d + "/driver")
        try w.symlink("../../../../kernel/iommu_groups/14", at: d + "/iommu_group")
        try w.makeDirectory("/sys/kernel/iommu_groups/14/devices")
        try w.symlink("../../../../bus/pci/devices/" + address.description, at: "/sys/kernel/iommu_groups/14/devices/" + address.description)
        try w.write("BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet amd_iommu=on iommu=pt\n", to: "/proc/cmdline")
        try w.write("6.8.12-4-pve\n", to: "/proc/sys/kernel/osrelease")
        try w.write("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 9 5950X 16-Core Processor\nflags\t\t: fpu vme de pse msr pae mce cx8 apic svm\n", to: "/proc/cpuinfo")
    }
}
