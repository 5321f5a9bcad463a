import HostAccess
import SRIOVCore

/// Writes a realistic sysfs PCI tree for tests and benchmarks: `DIR/sys/bus/pci/devices/<addr>/`
/// as real directories (the way the lab captures store them), with the attributes that
/// `SysfsInventory` and pciutils' `lib/sysfs.c` read (`vendor`, `device`, `class`, `irq` and
/// `resource` are mandatory for `lspci -O sysfs.path=DIR/sys/bus/pci`), a 4096-byte `config`
/// with a real capability chain, and the kernel's links (`driver`, `iommu_group`, `physfn`,
/// `virtfnN`) as symlinks that resolve inside the tree.
///
/// The hardware is Intel 82599 dual-port cards (8086:10fb PF / 8086:10ed VF, ixgbe/ixgbevf,
/// subsystem 8086:000c "X520-2"), each behind its own Broadwell root port (8086:6f08) with
/// ARI forwarding and ACS, so pci.ids names resolve. VFs sit where SR-IOV puts them
/// (`SRIOVCapability.vfAddresses`: PF routing ID + offset 128 + i * stride 2, PCIe Base Spec
/// 9.3.3.10); with more than 63 VFs they spill over onto the next bus number, which is why
/// every card gets a bus range and the root ports forward ARI.
///
/// This is a test-fixture writer, not a host reader, for tests, benchmarks (`sriov-gen-tree`)
/// and fuzzing only: it is not part of the tool. It writes through HostAccess's plain fixture
/// writes (`TreeWriter.fixture...`), with the register offsets of `PCIRegister`.
public enum SyntheticTree {
    public static let vendorID: UInt16 = 0x8086
    public static let pfDeviceID: UInt16 = 0x10fb
    public static let vfDeviceID: UInt16 = 0x10ed
    public static let rootPortDeviceID: UInt16 = 0x6f08
    public static let hostBridgeDeviceID: UInt16 = 0x6f00
    public static let subsystemVendorID: UInt16 = 0x8086
    public static let subsystemID: UInt16 = 0x000c
    public static let vfOffset: UInt16 = 128
    public static let vfStride: UInt16 = 2
    /// TotalVFs of a real 82599 in config space (ixgbe itself allows 63).
    public static let defaultTotalVFs = 64
    /// Physical functions per card (dual-port 82599: functions 0 and 1; VF stride 2 interleaves
    /// their VFs without collisions).
    public static let pfsPerCard = 2
    /// Root ports per PCI device number on bus 0 (functions 0-3, as bifurcated Xeon ports).
    static let rootPortsPerDevice = 4

    /// One function of the generated tree.
    public struct Function: Sendable, Equatable {
        public enum Kind: String, Sendable { case hostBridge, rootPort, pf, vf }
        public var address: PCIAddress
        public var kind: Kind
        /// Card (and root port) index; -1 for the host bridge.
        public var card: Int
        /// Index of the PF among all PFs (for PFs and their VFs).
        public var pfIndex: Int?
        /// Index of a VF within its PF (`virtfnN`).
        public var vfIndex: Int?
        public var physfn: PCIAddress?
        public var virtfns: [PCIAddress] = []
        public var iommuGroup: Int
        public var netdev: String?
        public var driver: String?
        /// Secondary/subordinate bus of a root port.
        public var secondaryBus: UInt8?
        public var subordinateBus: UInt8?
        /// True when other functions share this PCI device number (header type bit 7).
        public var multifunction = false
    }

    /// What `write` creates: every function, in the order written.
    public struct Layout: Sendable {
        public var functions: [Function]
        public var vfsPerPF: Int
        /// TotalVFs in config space.
        public var totalVFs: Int
        /// `sriov_totalvfs` in sysfs (a driver may lower it, as igb does: 8 -> 7).
        public var kernelTotalVFs: Int

        public var count: Int { functions.count }
        public var pfs: [PCIAddress] { functions.filter { $0.kind == .pf }.map(\.address) }
        public var vfs: [PCIAddress] { functions.filter { $0.kind == .vf }.map(\.address) }
        public var rootPorts: [PCIAddress] { functions.filter { $0.kind == .rootPort }.map(\.address) }
    }

    /// The addresses and links of a tree with `pfs` PFs of `vfsPerPF` enabled VFs each, without
    /// writing anything. Fails when the VFs would not fit into bus numbers 1-255.
    public static func layout(pfs: Int, vfsPerPF: Int, totalVFs: Int? = nil,
                              kernelTotalVFs: Int? = nil) throws(HostAccessError) -> Layout {
        guard pfs >= 0, vfsPerPF >= 0, vfsPerPF <= 0xffff else {
            throw HostAccessError.invalidPath(path: "SyntheticTree", reason: "pfs and vfsPerPF must be >= 0 (vfsPerPF <= 65535)")
        }
        let total = totalVFs ?? max(vfsPerPF, defaultTotalVFs)
        let kernelTotal = kernelTotalVFs ?? total
        guard total >= vfsPerPF, total <= 0xffff, kernelTotal >= vfsPerPF, kernelTotal <= total else {
            throw HostAccessError.invalidPath(
                path: "SyntheticTree", reason: "need vfsPerPF (\(vfsPerPF)) <= kernelTotalVFs (\(kernelTotal)) <= totalVFs (\(total)) <= 65535")
        }
        var functions: [Function] = []
        let cards = (pfs + pfsPerCard - 1) / pfsPerCard
        // More cards than bus 0 of one domain has root ports for continue in domain 0001, 0002,
        // ... (each with its own host bridge): how the 2,000- and 20,000-PF benchmark trees are made.
        let cardsPerDomain = 30 * rootPortsPerDevice
        var group = 1
        var rootPorts: [Function] = []
        var pfFunctions: [Function] = []
        var vfFunctions: [Function] = []
        for firstCard in stride(from: 0, to: max(cards, 1), by: cardsPerDomain) {
            let domain = UInt32(firstCard / cardsPerDomain)
            let domainCards = min(cardsPerDomain, cards - firstCard)
            var hostBridge = Function(address: PCIAddress(domain: domain, bus: 0, device: 0, function: 0),
                                      kind: .hostBridge, card: -1, iommuGroup: 0)
            if domain > 0 { hostBridge.iommuGroup = group; group += 1 }
            functions.append(hostBridge)
            var nextBus = 1
            for local in 0..<domainCards {
                let card = firstCard + local
                let pfsHere = min(pfsPerCard, pfs - card * pfsPerCard)
                // Highest routing ID on the card, relative to the card's first bus.
                let lastRID = (pfsHere - 1) + (vfsPerPF > 0 ? Int(vfOffset) + (vfsPerPF - 1) * Int(vfStride) : 0)
                let buses = lastRID / 256 + 1
                guard nextBus + buses - 1 <= 255 else {
                    throw HostAccessError.invalidPath(path: "SyntheticTree", reason: "\(pfs) PFs x \(vfsPerPF) VFs need more than 255 bus numbers")
                }
                let bus = UInt8(nextBus)
                nextBus += buses
                let port = PCIAddress(domain: domain, bus: 0, device: UInt8(2 + local / rootPortsPerDevice),
                                      function: UInt8(local % rootPortsPerDevice))
                var rp = Function(address: port, kind: .rootPort, card: card, iommuGroup: group, driver: "pcieport")
                rp.secondaryBus = bus
                rp.subordinateBus = UInt8(Int(bus) + buses - 1)
                let portsOnDevice = min(rootPortsPerDevice, domainCards - (local / rootPortsPerDevice) * rootPortsPerDevice)
                rp.multifunction = portsOnDevice > 1
                group += 1
                rootPorts.append(rp)
                for fn in 0..<pfsHere {
                    let pfIndex = card * pfsPerCard + fn
                    let pfAddress = PCIAddress(domain: domain, bus: bus, device: 0, function: UInt8(fn))
                    let netdev = domain > 0 ? "enP\(domain)p\(bus)s0f\(fn)" : "enp\(bus)s0f\(fn)"
                    var pf = Function(address: pfAddress, kind: .pf, card: card, pfIndex: pfIndex, iommuGroup: 0,
                                      netdev: netdev, driver: "ixgbe")
                    pf.multifunction = pfsHere > 1
                    guard let vfs = SRIOVCapability.vfAddresses(pf: pfAddress, offset: vfOffset, stride: vfStride,
                                                                count: vfsPerPF) else {
                        throw HostAccessError.invalidPath(path: "SyntheticTree", reason: "VFs of \(pfAddress) fall past bus 255")
                    }
                    pf.virtfns = vfs
                    for (i, vf) in vfs.enumerated() {
                        vfFunctions.append(Function(address: vf, kind: .vf, card: card, pfIndex: pfIndex, vfIndex: i,
                                                    physfn: pfAddress, iommuGroup: 0, netdev: netdev + "v\(i)",
                                                    driver: "ixgbevf"))
                    }
                    pfFunctions.append(pf)
                }
            }
        }
        // IOMMU groups in the order the kernel creates them: ports and PFs at boot, VFs when
        // they are enabled, PF by PF. ACS on the ports gives every function its own group.
        for i in pfFunctions.indices { pfFunctions[i].iommuGroup = group; group += 1 }
        for i in vfFunctions.indices { vfFunctions[i].iommuGroup = group; group += 1 }
        functions += rootPorts + pfFunctions + vfFunctions
        return Layout(functions: functions, vfsPerPF: vfsPerPF, totalVFs: total, kernelTotalVFs: kernelTotal)
    }

    /// Writes the tree under `dir` (created if needed; existing files are overwritten) and
    /// returns its layout. 8 PFs x 128 VFs give 1,037 functions (1 host bridge, 4 root ports).
    @discardableResult
    public static func write(to dir: String, pfs: Int, vfsPerPF: Int, totalVFs: Int? = nil,
                             kernelTotalVFs: Int? = nil) throws(HostAccessError) -> Layout {
        let layout = try layout(pfs: pfs, vfsPerPF: vfsPerPF, totalVFs: totalVFs, kernelTotalVFs: kernelTotalVFs)
        var writer = FileWriter()
        let sys = (dir.hasSuffix("/") ? String(dir.dropLast()) : dir) + "/sys"
        let devices = sys + "/bus/pci/devices"
        try writer.makeDirectories(devices)
        for driver in ["ixgbe", "ixgbevf", "pcieport"] { try writer.makeDirectories(sys + "/bus/pci/drivers/" + driver) }
        try writer.makeDirectories(sys + "/class/net")
        try writer.makeDirectories(sys + "/class/iommu/dmar0")
        try writer.makeDirectories(sys + "/kernel/iommu_groups")
        for f in layout.functions {
            try writeFunction(f, layout: layout, sys: sys, writer: &writer)
        }
        return layout
    }

    static func writeFunction(_ f: Function, layout: Layout, sys: String, writer: inout FileWriter) throws(HostAccessError) {
        let name = f.address.description
        let d = sys + "/bus/pci/devices/" + name
        try writer.makeDirectory(d)
        let (device, classCode): (UInt16, UInt32) = switch f.kind {
        case .hostBridge: (hostBridgeDeviceID, 0x060000)
        case .rootPort: (rootPortDeviceID, 0x060400)
        case .pf: (pfDeviceID, 0x020000)
        case .vf: (vfDeviceID, 0x020000)
        }
        let subsystem: (UInt16, UInt16) = f.kind == .pf || f.kind == .vf ? (subsystemVendorID, subsystemID) : (vendorID, 0)
        let revision: UInt8 = 0x01
        try writer.file(d + "/vendor", "0x" + hex(vendorID, 4) + "\n")
        try writer.file(d + "/device", "0x" + hex(device, 4) + "\n")
        try writer.file(d + "/subsystem_vendor", "0x" + hex(subsystem.0, 4) + "\n")
        try writer.file(d + "/subsystem_device", "0x" + hex(subsystem.1, 4) + "\n")
        try writer.file(d + "/class", "0x" + hex(classCode, 6) + "\n")
        try writer.file(d + "/revision", "0x" + hex(revision, 2) + "\n")
        try writer.file(d + "/irq", "\(irq(f))\n")
        try writer.file(d + "/resource", resourceText(f, layout: layout))
        try writer.file(d + "/config", config(for: f, layout: layout))
        try writer.file(d + "/modalias", "pci:v0000" + hex(vendorID, 4).uppercased() + "d0000" + hex(device, 4).uppercased()
                        + "sv0000" + hex(subsystem.0, 4).uppercased() + "sd0000" + hex(subsystem.1, 4).uppercased()
                        + "bc" + hex(classCode >> 16, 2).uppercased() + "sc" + hex((classCode >> 8) & 0xff, 2).uppercased()
                        + "i" + hex(classCode & 0xff, 2).uppercased() + "\n")
        try writer.file(d + "/numa_node", "-1\n")
        try writer.file(d + "/enable", "1\n")
        try writer.file(d + "/driver_override", "(null)\n")
        try writer.file(d + "/ari_enabled", f.kind == .pf || f.kind == .vf ? "1\n" : "0\n")
        switch f.kind {
        case .pf: try writer.file(d + "/reset_method", "flr bus\n")
        case .vf: try writer.file(d + "/reset_method", "flr\n")
        default: break
        }
        // Links with the kernel's relative targets: four levels up from a device directory in
        // bus/pci/devices is DIR/sys, as from /sys/devices/pci0000:00/0000:00:02.0/<PF>.
        if let driver = f.driver { try writer.link(d + "/driver", "../../../../bus/pci/drivers/" + driver) }
        try writer.link(d + "/iommu_group", "../../../../kernel/iommu_groups/\(f.iommuGroup)")
        let groupDir = sys + "/kernel/iommu_groups/\(f.iommuGroup)"
        try writer.makeDirectories(groupDir + "/devices")
        try writer.file(groupDir + "/type", "identity\n")
        try writer.link(groupDir + "/devices/" + name, "../../../../bus/pci/devices/" + name)
        if let physfn = f.physfn { try writer.link(d + "/physfn", "../" + physfn.description) }
        for (i, vf) in f.virtfns.enumerated() { try writer.link(d + "/virtfn\(i)", "../" + vf.description) }
        if let netdev = f.netdev {
            try writer.makeDirectories(d + "/net/" + netdev)
            try writer.file(d + "/net/" + netdev + "/address", macAddress(f) + "\n")
            try writer.link(sys + "/class/net/" + netdev, "../../bus/pci/devices/" + name + "/net/" + netdev)
        }
        if f.kind == .pf {
            try writer.file(d + "/sriov_totalvfs", "\(layout.kernelTotalVFs)\n")
            try writer.file(d + "/sriov_numvfs", "\(layout.vfsPerPF)\n")
            try writer.file(d + "/sriov_offset", "\(vfOffset)\n")
            try writer.file(d + "/sriov_stride", "\(vfStride)\n")
            try writer.file(d + "/sriov_vf_device", hex(vfDeviceID, 4) + "\n")
            try writer.file(d + "/sriov_drivers_autoprobe", "1\n")
            try writer.file(d + "/sriov_vf_total_msix", "0\n")
        }
        if f.kind == .rootPort, let secondary = f.secondaryBus, let subordinate = f.subordinateBus {
            try writer.file(d + "/secondary_bus_number", "\(secondary)\n")
            try writer.file(d + "/subordinate_bus_number", "\(subordinate)\n")
        }
    }

    static func irq(_ f: Function) -> Int {
        switch f.kind {
        case .hostBridge, .vf: return 0
        case .rootPort: return 24 + f.card
        case .pf: return 16 + (f.pfIndex ?? 0) % 8
        }
    }

    static func macAddress(_ f: Function) -> String {
        let pf = f.pfIndex ?? 0
        if let vf = f.vfIndex {
            return "02:1b:21:" + hex(pf & 0xff, 2) + ":" + hex(vf >> 8, 2) + ":" + hex(vf & 0xff, 2)
        }
        return "00:1b:21:0a:" + hex(pf >> 8, 2) + ":" + hex(pf & 0xff, 2)
    }

    // MARK: - address plan

    /// 32-bit non-prefetchable window of PF `i`: BAR0 (512 KiB) and BAR4 (16 KiB, MSI-X).
    static func pfMemoryBase(_ pfIndex: Int) -> UInt64 { 0x9000_0000 + UInt64(pfIndex) * 0x10_0000 }
    /// 64-bit prefetchable window of PF `i`'s VFs: VF BAR0 at +0, VF BAR3 at +2 GiB.
    static func vfMemoryBase(_ pfIndex: Int) -> UInt64 { 0x38_0000_0000 + UInt64(pfIndex) << 32 }
    static let vfBar3Offset: UInt64 = 0x8000_0000
    static let vfBarSize: UInt64 = 0x4000
    static let pfBar0Size: UInt64 = 0x8_0000
    static let pfBar4Offset: UInt64 = 0x8_0000
    static let pfBar4Size: UInt64 = 0x4000

    /// The kernel's `resource` file (drivers/pci/pci-sysfs.c `resource_show`): start, end, flags
    /// for the 6 BARs, the ROM, the 6 IOV BARs and, on bridges, the 4 windows.
    static func resourceText(_ f: Function, layout: Layout) -> String {
        var lines = [(UInt64, UInt64, UInt64)](repeating: (0, 0, 0), count: f.kind == .rootPort ? 17 : 13)
        let mem64 = UInt64(0x14_0204), mem64Pref = UInt64(0x14_220c)
        switch f.kind {
        case .pf:
            let base = pfMemoryBase(f.pfIndex ?? 0)
            lines[0] = (base, base + pfBar0Size - 1, mem64)
            lines[4] = (base + pfBar4Offset, base + pfBar4Offset + pfBar4Size - 1, mem64)
            let vfBase = vfMemoryBase(f.pfIndex ?? 0)
            let size = vfBarSize * UInt64(layout.totalVFs)
            if size > 0 {
                lines[7] = (vfBase, vfBase + size - 1, mem64Pref)
                lines[10] = (vfBase + vfBar3Offset, vfBase + vfBar3Offset + size - 1, mem64Pref)
            }
        case .vf:
            let vfBase = vfMemoryBase(f.pfIndex ?? 0) + UInt64(f.vfIndex ?? 0) * vfBarSize
            lines[0] = (vfBase, vfBase + vfBarSize - 1, mem64Pref)
            lines[3] = (vfBase + vfBar3Offset, vfBase + vfBar3Offset + vfBarSize - 1, mem64Pref)
        case .rootPort:
            let (mem, pref) = portWindows(f, layout: layout)
            lines[14] = (mem.0, mem.1, 0x200)
            lines[15] = (pref.0, pref.1, 0x10_2201)
        case .hostBridge:
            break
        }
        var text = ""
        text.reserveCapacity(lines.count * 57)
        for (start, end, flags) in lines {
            text += "0x" + hex(start, 16) + " 0x" + hex(end, 16) + " 0x" + hex(flags, 16) + "\n"
        }
        return text
    }

    /// Memory windows of a root port: the PFs' BARs and the VFs' BARs of its card.
    static func portWindows(_ f: Function, layout: Layout) -> ((UInt64, UInt64), (UInt64, UInt64)) {
        let firstPF = f.card * pfsPerCard
        let pfsHere = layout.functions.filter { $0.kind == .pf && $0.card == f.card }.count
        let memStart = pfMemoryBase(firstPF)
        let memEnd = pfMemoryBase(firstPF + max(pfsHere, 1)) - 1
        let prefStart = vfMemoryBase(firstPF)
        let prefEnd = vfMemoryBase(firstPF + max(pfsHere, 1)) - 1
        return ((memStart, memEnd), (prefStart, prefEnd))
    }

    // MARK: - configuration space

    /// The 4096-byte configuration space of a function of `layout`, as the kernel's sysfs
    /// `config` returns it to root.
    public static func config(for f: Function, layout: Layout) -> [UInt8] {
        var c = ConfigImage()
        switch f.kind {
        case .hostBridge:
            c.header(device: hostBridgeDeviceID, command: 0x0006, status: 0x0000, revision: 0x01, classCode: 0x060000,
                     headerType: 0x00, subsystem: (vendorID, 0), capabilities: 0)
        case .rootPort:
            rootPortConfig(&c, f, layout: layout)
        case .pf:
            pfConfig(&c, f, layout: layout)
        case .vf:
            vfConfig(&c, f)
        }
        return c.bytes
    }

    static func pfConfig(_ c: inout ConfigImage, _ f: Function, layout: Layout) {
        let base = pfMemoryBase(f.pfIndex ?? 0)
        c.header(device: pfDeviceID, command: 0x0506, status: 0x0010, revision: 0x01, classCode: 0x020000,
                 headerType: f.multifunction ? 0x80 : 0x00, subsystem: (subsystemVendorID, subsystemID), capabilities: 0x40)
        c.u32(0x10, UInt32(truncatingIfNeeded: base) | 0x4)           // BAR0: 64-bit memory
        c.u32(0x14, UInt32(truncatingIfNeeded: base >> 32))
        c.u32(0x20, UInt32(truncatingIfNeeded: base + pfBar4Offset) | 0x4)  // BAR4: 64-bit memory (MSI-X)
        c.u32(0x24, UInt32(truncatingIfNeeded: (base + pfBar4Offset) >> 32))
        c.u8(0x3c, UInt8(truncatingIfNeeded: irq(f)))
        c.u8(0x3d, 1)                                                 // INTA
        // [40] Power Management v3, D0, NoSoftRst+.
        c.capability(0x40, id: 0x01, next: 0x50)
        c.u16(0x42, 0x4823)
        c.u16(0x44, 0x2008)
        // [50] MSI: 64-bit, per-vector masking, 1 vector, disabled (ixgbe uses MSI-X).
        c.capability(0x50, id: 0x05, next: 0x70)
        c.u16(0x52, 0x0180)
        // [70] MSI-X: 64 vectors, enabled; table and PBA in BAR4.
        c.capability(0x70, id: 0x11, next: 0xa0)
        c.u16(0x72, 0x803f)
        c.u32(0x74, 0x0000_0004)
        c.u32(0x78, 0x0000_2004)
        // [a0] Express v2 Endpoint with FLR.
        c.capability(0xa0, id: 0x10, next: 0x00)
        express(&c, at: 0xa0, flags: 0x0002, deviceCapabilities: 0x1000_8cc2, linkCapabilities: 0x0003_6c82,
                linkStatus: 0x1082, deviceCapabilities2: 0x0000_001f, deviceControl2: 0)
        // [100] AER v2 -> [150] ARI v1 -> [160] SR-IOV v1 (82599 layout).
        c.extendedCapability(0x100, id: 0x0001, version: 2, next: 0x150)
        c.u32(0x10c, 0x0006_2030)                                     // UESvrt (spec default)
        c.u32(0x114, 0x0000_2000)                                     // CEMsk: AdvNonFatalErr
        c.u32(0x118, 0x0000_00a0)                                     // AERCap: ECRC gen/check capable
        c.extendedCapability(0x150, id: 0x000e, version: 1, next: 0x160)
        let pfsOnCard = layout.functions.filter { $0.kind == .pf && $0.card == f.card }.count
        let nextFunction: UInt16 = Int(f.address.function) + 1 < pfsOnCard ? UInt16(f.address.function) + 1 : 0
        c.u16(0x154, nextFunction << 8)                               // ARICap: Next Function
        sriov(&c, at: 0x160, f, layout: layout)
    }

    /// SR-IOV capability (PCIe Base Spec 9.3.3; register names from `pci_regs.h`).
    static func sriov(_ c: inout ConfigImage, at o: Int, _ f: Function, layout: Layout) {
        c.extendedCapability(o, id: 0x0010, version: 1, next: 0)
        c.u32(o + 0x04, 0)                                            // PCI_SRIOV_CAP
        let enabled = layout.vfsPerPF > 0
        c.u16(o + 0x08, enabled ? 0x0019 : 0)                         // CTRL: VFE | MSE | ARI
        c.u16(o + 0x0c, UInt16(layout.totalVFs))                      // INITIAL_VF
        c.u16(o + 0x0e, UInt16(layout.totalVFs))                      // TOTAL_VF
        c.u16(o + 0x10, UInt16(layout.vfsPerPF))                      // NUM_VF
        c.u8(o + 0x12, f.address.function)                            // FUNC_LINK
        c.u16(o + 0x14, vfOffset)                                     // VF_OFFSET
        c.u16(o + 0x16, vfStride)                                     // VF_STRIDE
        c.u16(o + 0x1a, vfDeviceID)                                   // VF_DID
        c.u32(o + 0x1c, 0x0000_0553)                                  // SUP_PGSIZE
        c.u32(o + 0x20, 0x0000_0001)                                  // SYS_PGSIZE: 4 KiB
        let vfBase = vfMemoryBase(f.pfIndex ?? 0)
        c.u32(o + 0x24, UInt32(truncatingIfNeeded: vfBase) | 0xc)     // VF BAR0: 64-bit prefetchable
        c.u32(o + 0x28, UInt32(truncatingIfNeeded: vfBase >> 32))
        c.u32(o + 0x30, UInt32(truncatingIfNeeded: vfBase + vfBar3Offset) | 0xc)  // VF BAR3
        c.u32(o + 0x34, UInt32(truncatingIfNeeded: (vfBase + vfBar3Offset) >> 32))
    }

    static func vfConfig(_ c: inout ConfigImage, _ f: Function) {
        // A VF reads 0xffff as vendor and device ID (PCIe Base Spec 9.3.4.1.1); the kernel
        // takes them from the PF's SR-IOV capability, and sysfs shows those.
        c.header(device: 0xffff, command: 0x0406, status: 0x0010, revision: 0x01, classCode: 0x020000,
                 headerType: 0x00, subsystem: (subsystemVendorID, subsystemID), capabilities: 0x70)
        c.u16(0x00, 0xffff)
        // [70] MSI-X: 3 vectors in BAR3 -> [a0] Express v2 Endpoint with FLR.
        c.capability(0x70, id: 0x11, next: 0xa0)
        c.u16(0x72, 0x8002)
        c.u32(0x74, 0x0000_0003)
        c.u32(0x78, 0x0000_2003)
        c.capability(0xa0, id: 0x10, next: 0x00)
        express(&c, at: 0xa0, flags: 0x0002, deviceCapabilities: 0x1000_8cc2, linkCapabilities: 0x0003_6c82,
                linkStatus: 0x1082, deviceCapabilities2: 0x0000_001f, deviceControl2: 0)
        // [100] AER v2 -> [150] ARI v1.
        c.extendedCapability(0x100, id: 0x0001, version: 2, next: 0x150)
        c.u32(0x10c, 0x0006_2030)
        c.extendedCapability(0x150, id: 0x000e, version: 1, next: 0)
    }

    static func rootPortConfig(_ c: inout ConfigImage, _ f: Function, layout: Layout) {
        c.header(device: rootPortDeviceID, command: 0x0507, status: 0x0010, revision: 0x01, classCode: 0x060400,
                 headerType: 0x01 | (f.multifunction ? 0x80 : 0x00), subsystem: nil, capabilities: 0x40)
        c.u8(0x18, 0)                                                 // primary bus
        c.u8(0x19, f.secondaryBus ?? 0)
        c.u8(0x1a, f.subordinateBus ?? 0)
        c.u8(0x1c, 0xf0)                                              // I/O window disabled (base > limit)
        c.u8(0x1d, 0x00)
        let (mem, pref) = portWindows(f, layout: layout)
        c.u16(0x20, UInt16(truncatingIfNeeded: mem.0 >> 16) & 0xfff0)
        c.u16(0x22, UInt16(truncatingIfNeeded: mem.1 >> 16) & 0xfff0)
        c.u16(0x24, (UInt16(truncatingIfNeeded: pref.0 >> 16) & 0xfff0) | 0x1)  // 64-bit prefetchable window
        c.u16(0x26, (UInt16(truncatingIfNeeded: pref.1 >> 16) & 0xfff0) | 0x1)
        c.u32(0x28, UInt32(truncatingIfNeeded: pref.0 >> 32))
        c.u32(0x2c, UInt32(truncatingIfNeeded: pref.1 >> 32))
        c.u8(0x3c, UInt8(truncatingIfNeeded: irq(f)))
        c.u8(0x3d, 1)
        c.u16(0x3e, 0x0002)                                           // bridge control: SERR#
        // [40] Express v2 Root Port (slot) -> [80] MSI -> [90] Subsystem -> [a0] PM.
        c.capability(0x40, id: 0x10, next: 0x80)
        express(&c, at: 0x40, flags: 0x0142, deviceCapabilities: 0x0000_8001,
                linkCapabilities: UInt32(f.card + 1) << 24 | 0x0003_6c82, linkStatus: 0x3082,
                deviceCapabilities2: 0x0000_003f, deviceControl2: 0x0020)   // ARI forwarding supported + enabled
        c.u32(0x54, UInt32(f.card + 1) << 19 | 0x0000_0060)           // SlotCap: physical slot, hot-plug surprise-
        c.capability(0x80, id: 0x05, next: 0x90)
        c.u16(0x82, 0x0081)                                           // MSI: enabled, 64-bit
        c.capability(0x90, id: 0x0d, next: 0xa0)
        c.u16(0x94, vendorID)                                         // SSVID
        c.u16(0x96, 0x0000)
        c.capability(0xa0, id: 0x01, next: 0x00)
        c.u16(0xa2, 0xc803)
        c.u16(0xa4, 0x0008)
        // [100] AER v2 -> [148] ACS v1 (SrcValid TransBlk ReqRedir CmpltRedir UpstreamFwd;
        // the kernel enables SV RR CR UF).
        c.extendedCapability(0x100, id: 0x0001, version: 2, next: 0x148)
        c.u32(0x10c, 0x0006_2030)
        c.u32(0x118, 0x0000_00a0)
        c.extendedCapability(0x148, id: 0x000d, version: 1, next: 0)
        c.u16(0x14c, 0x001f)
        c.u16(0x14e, 0x001d)
    }

    /// PCI Express capability body (PCIe Base Spec 7.5.3).
    static func express(_ c: inout ConfigImage, at o: Int, flags: UInt16, deviceCapabilities: UInt32,
                        linkCapabilities: UInt32, linkStatus: UInt16, deviceCapabilities2: UInt32, deviceControl2: UInt16) {
        c.u16(o + 0x02, flags)
        c.u32(o + 0x04, deviceCapabilities)
        c.u16(o + 0x08, 0x2810)                                       // DevCtl: RlxdOrd, MaxPayload 128, MaxReadReq 512
        c.u32(o + 0x0c, linkCapabilities)
        c.u16(o + 0x12, linkStatus)
        c.u32(o + 0x24, deviceCapabilities2)
        c.u16(o + 0x28, deviceControl2)
        c.u32(o + 0x2c, 0x0000_0006)                                  // LnkCap2: 2.5 and 5 GT/s
        c.u16(o + 0x30, 0x0002)                                       // LnkCtl2: target 5 GT/s
    }
}

extension SyntheticTree {
    /// Little-endian writes into a 4096-byte configuration space image.
    struct ConfigImage {
        var bytes = [UInt8](repeating: 0, count: PCIRegister.extendedSize)

        mutating func u8(_ o: Int, _ v: UInt8) { bytes[o] = v }
        mutating func u16(_ o: Int, _ v: UInt16) {
            bytes[o] = UInt8(v & 0xff); bytes[o + 1] = UInt8(v >> 8)
        }
        mutating func u32(_ o: Int, _ v: UInt32) {
            for i in 0..<4 { bytes[o + i] = UInt8((v >> (8 * UInt32(i))) & 0xff) }
        }

        mutating func header(device: UInt16, command: UInt16, status: UInt16, revision: UInt8, classCode: UInt32,
                             headerType: UInt8, subsystem: (UInt16, UInt16)?, capabilities: UInt8) {
            u16(PCIRegister.vendorID, SyntheticTree.vendorID)
            u16(PCIRegister.deviceID, device)
            u16(PCIRegister.command, command)
            u16(PCIRegister.status, status)
            u8(PCIRegister.revisionID, revision)
            u8(PCIRegister.classProgIf, UInt8(classCode & 0xff))
            u8(PCIRegister.classProgIf + 1, UInt8((classCode >> 8) & 0xff))
            u8(PCIRegister.classProgIf + 2, UInt8(classCode >> 16))
            u8(0x0c, 0x10)                                                // cache line size: 64 bytes
            u8(PCIRegister.headerType, headerType)
            if let subsystem {
                u16(PCIRegister.subsystemVendorID, subsystem.0)
                u16(PCIRegister.subsystemID, subsystem.1)
            }
            u8(PCIRegister.capabilityList, capabilities)
        }

        mutating func capability(_ o: Int, id: UInt8, next: UInt8) {
            u8(o, id); u8(o + 1, next)
        }

        mutating func extendedCapability(_ o: Int, id: UInt16, version: UInt8, next: Int) {
            u32(o, UInt32(id) | UInt32(version & 0xf) << 16 | UInt32(next) << 20)
        }
    }

    /// Writes for the generator (HostAccess's plain fixture writes: one open/write/close per
    /// file), remembering the directories it made so `mkdir -p` runs once per directory.
    struct FileWriter {
        var madeDirectories = Set<String>()

        mutating func makeDirectory(_ path: String) throws(HostAccessError) {
            try TreeWriter.fixtureDirectory(path)
            madeDirectories.insert(path)
        }

        /// `mkdir -p`.
        mutating func makeDirectories(_ path: String) throws(HostAccessError) {
            if madeDirectories.contains(path) { return }
            var prefix = path.hasPrefix("/") ? "/" : ""
            for part in path.split(separator: "/") {
                prefix += prefix.isEmpty || prefix == "/" ? String(part) : "/" + part
                if madeDirectories.contains(prefix) { continue }
                try TreeWriter.fixtureDirectory(prefix)
                madeDirectories.insert(prefix)
            }
        }

        func file(_ path: String, _ text: String) throws(HostAccessError) {
            try TreeWriter.fixtureFile(path, Array(text.utf8))
        }

        func file(_ path: String, _ bytes: [UInt8]) throws(HostAccessError) {
            try TreeWriter.fixtureFile(path, bytes)
        }

        func link(_ path: String, _ target: String) throws(HostAccessError) {
            try TreeWriter.fixtureSymlink(target, at: path)
        }
    }
}
