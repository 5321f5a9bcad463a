/// One entry of a function's capability lists. Unknown capabilities are kept by ID.
public struct Capability: Sendable, Equatable, Hashable, Codable {
    public enum Space: String, Sendable, Codable { case standard, extended }

    public var space: Space
    /// Capability ID: 8-bit for standard, 16-bit for extended capabilities.
    public var id: UInt16
    /// Offset of the capability header in configuration space.
    public var offset: UInt16
    /// Capability version (extended capabilities only; nil where not known).
    public var version: UInt8?

    public init(space: Space, id: UInt16, offset: UInt16, version: UInt8? = nil) {
        self.space = space
        self.id = id
        self.offset = offset
        self.version = version
    }

    public var name: String {
        switch space {
        case .standard: return CapabilityID.standardNames[id] ?? "Unknown capability 0x\(hex(id, 2))"
        case .extended: return CapabilityID.extendedNames[id] ?? "Unknown extended capability 0x\(hex(id, 4))"
        }
    }

    /// `[160 v1]`-style label as lspci prints it.
    public var label: String {
        switch space {
        case .standard: return "[\(hex(offset, 2))]"
        case .extended: return "[\(hex(offset, 3))" + (version.map { " v\($0)" } ?? "") + "]"
        }
    }
}

/// Capability IDs (PCI_CAP_ID_* and PCI_EXT_CAP_ID_* in `include/uapi/linux/pci_regs.h`).
public enum CapabilityID {
    public static let powerManagement: UInt16 = 0x01
    public static let msi: UInt16 = 0x05
    public static let pcix: UInt16 = 0x07
    public static let vendorSpecific: UInt16 = 0x09
    public static let express: UInt16 = 0x10
    public static let msix: UInt16 = 0x11

    public static let aer: UInt16 = 0x0001
    public static let acs: UInt16 = 0x000d
    public static let ari: UInt16 = 0x000e
    public static let ats: UInt16 = 0x000f
    public static let sriov: UInt16 = 0x0010

    static let standardNames: [UInt16: String] = [
        0x00: "Null", 0x01: "Power Management", 0x02: "AGP", 0x03: "Vital Product Data",
        0x04: "Slot Identification", 0x05: "MSI", 0x06: "CompactPCI hot-swap", 0x07: "PCI-X",
        0x08: "HyperTransport", 0x09: "Vendor Specific", 0x0a: "Debug port",
        0x0b: "CompactPCI central resource control", 0x0c: "PCI Hot-plug",
        0x0d: "Subsystem", 0x0e: "AGP 8x", 0x0f: "Secure device", 0x10: "Express",
        0x11: "MSI-X", 0x12: "SATA HBA", 0x13: "PCI Advanced Features",
        0x14: "Enhanced Allocation", 0x15: "Flattening Portal Bridge",
    ]

    static let extendedNames: [UInt16: String] = [
        0x0000: "Null", 0x0001: "Advanced Error Reporting", 0x0002: "Virtual Channel",
        0x0003: "Device Serial Number", 0x0004: "Power Budgeting",
        0x0005: "Root Complex Link", 0x0006: "Root Complex Internal Link Control",
        0x0007: "Root Complex Event Collector", 0x0008: "Multi-Function Virtual Channel",
        0x0009: "Virtual Channel", 0x000a: "Root Complex Register Block",
        0x000b: "Vendor Specific Information", 0x000c: "Configuration Access Correlation",
        0x000d: "Access Control Services", 0x000e: "Alternative Routing-ID Interpretation (ARI)",
        0x000f: "Address Translation Service (ATS)", 0x0010: "Single Root I/O Virtualization (SR-IOV)",
        0x0011: "Multi-Root I/O Virtualization (MR-IOV)", 0x0012: "Multicast",
        0x0013: "Page Request Interface (PRI)", 0x0015: "Resizable BAR",
        0x0016: "Dynamic Power Allocation", 0x0017: "Transaction Processing Hints",
        0x0018: "Latency Tolerance Reporting", 0x0019: "Secondary PCI Express",
        0x001a: "Protocol Multiplexing", 0x001b: "Process Address Space ID (PASID)",
        0x001c: "LN Requester", 0x001d: "Downstream Port Containment",
        0x001e: "L1 PM Substates", 0x001f: "Precision Time Measurement",
        0x0020: "PCI Express over M-PHY", 0x0021: "FRS Queueing",
        0x0022: "Readiness Time Reporting", 0x0023: "Designated Vendor-Specific",
        0x0024: "VF Resizable BAR", 0x0025: "Data Link Feature",
        0x0026: "Physical Layer 16.0 GT/s", 0x0027: "Lane Margining at the Receiver",
        0x0028: "Hierarchy ID", 0x0029: "Native PCIe Enclosure Management",
        0x002a: "Physical Layer 32.0 GT/s", 0x002b: "Alternate Protocol",
        0x002c: "System Firmware Intermediary", 0x002d: "Shadow Functions",
        0x002e: "Data Object Exchange", 0x002f: "Device 3", 0x0030: "Integrity and Data Encryption",
        0x0031: "Physical Layer 64.0 GT/s", 0x0032: "Flit Logging",
    ]
}

/// The result of walking a function's capability lists.
public struct CapabilityList: Sendable, Equatable {
    public var entries: [Capability] = []
    /// The standard list pointed back to an entry already seen (pciutils: `<chain looped>`).
    public var standardLooped = false
    /// The extended list pointed back to an entry already seen.
    public var extendedLooped = false
    /// A standard entry with ID 0xff (pciutils: `<chain broken>`).
    public var standardBroken = false
    /// Whether the extended list could be read (4 KiB of config space captured).
    public var extendedReadable = false
    /// False when the function has no PCI Express (or PCI-X 2.0) capability: then it has no
    /// extended capabilities at all, whatever the size of the captured config space.
    public var extendedPossible = false

    public func first(_ space: Capability.Space, _ id: UInt16) -> Capability? {
        entries.first { $0.space == space && $0.id == id }
    }
}

extension ConfigSpace {
    /// Walks the standard and extended capability lists the way pciutils' `show_caps` /
    /// `show_ext_caps` do: every read guarded, each offset visited once (loop detection),
    /// extended capabilities only after a PCI Express (or PCI-X) capability, as in pciutils.
    public func capabilities() -> CapabilityList {
        var list = CapabilityList()
        var canHaveExtended = false
        // Unknown header types (3...0x7f) have no capability list: lspci prints "!!! Unknown
        // header type" and stops (lspci.c show_verbose), the kernel ignores the device (probe.c).
        if let status = u16(PCIRegister.status), status & PCIRegister.statusCapList != 0,
           let header = headerType, header <= PCIRegister.headerTypeCardBus {
            let pointerOffset = header == PCIRegister.headerTypeCardBus ? PCIRegister.cardBusCapabilityList : PCIRegister.capabilityList
            var visited = Set<Int>()
            var position = Int(u8(pointerOffset) ?? 0) & ~3
            while position != 0 {
                guard let id = u8(position), let next = u8(position + 1), position + 4 <= count else { break }
                if !visited.insert(position).inserted { list.standardLooped = true; break }
                if id == 0xff { list.standardBroken = true; break }
                list.entries.append(Capability(space: .standard, id: UInt16(id), offset: UInt16(position)))
                if UInt16(id) == CapabilityID.express || UInt16(id) == CapabilityID.pcix { canHaveExtended = true }
                position = Int(next) & ~3
            }
        }
        list.extendedPossible = canHaveExtended
        guard canHaveExtended else { return list }
        var position = PCIRegister.extendedStart
        var visited = Set<Int>()
        while position != 0 {
            guard let header = u32(position) else {
                // The chain runs past the captured bytes (a short dump): what follows is
                // unknown, not absent, so "no SR-IOV" must not be concluded.
                list.extendedReadable = false
                break
            }
            if position == PCIRegister.extendedStart { list.extendedReadable = true }
            if header == 0 || header == 0xffff_ffff { break }
            if !visited.insert(position).inserted { list.extendedLooped = true; break }
            list.entries.append(Capability(space: .extended, id: UInt16(header & 0xffff), offset: UInt16(position),
                                           version: UInt8((header >> 16) & 0xf)))
            position = Int(header >> 20) & ~3
        }
        if hasExtendedSpace { list.extendedReadable = true }
        return list
    }
}
