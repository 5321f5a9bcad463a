/// Register offsets of the PCI configuration header, as named in the kernel's
/// `include/uapi/linux/pci_regs.h`.
public enum PCIRegister {
    public static let vendorID = 0x00
    public static let deviceID = 0x02
    public static let command = 0x04
    public static let status = 0x06
    public static let statusCapList: UInt16 = 0x10
    public static let revisionID = 0x08
    public static let classProgIf = 0x09
    public static let headerType = 0x0e
    public static let headerTypeMask: UInt8 = 0x7f
    public static let headerTypeNormal: UInt8 = 0
    public static let headerTypeBridge: UInt8 = 1
    public static let headerTypeCardBus: UInt8 = 2
    public static let subsystemVendorID = 0x2c
    public static let subsystemID = 0x2e
    public static let capabilityList = 0x34
    /// Type 1 (bridge) header: bus number right below the bridge.
    public static let secondaryBus = 0x19
    public static let cardBusCapabilityList = 0x14
    /// Start of PCI Express extended configuration space.
    public static let extendedStart = 0x100
    public static let standardSize = 0x100
    public static let extendedSize = 0x1000
}

/// Raw configuration space with bounds-checked reads (the analogue of pciutils'
/// `config_fetch`): a read past the captured bytes returns nil, never garbage or a trap.
public struct ConfigSpace: Sendable, Equatable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes.count > PCIRegister.extendedSize ? Array(bytes.prefix(PCIRegister.extendedSize)) : bytes
    }

    public var count: Int { bytes.count }
    /// True when the extended space (0x100..0xfff) was captured, which needs root on a live host.
    public var hasExtendedSpace: Bool { bytes.count >= PCIRegister.extendedSize }
    /// True when the whole standard header with its capability list was captured (sysfs gives
    /// only 64 bytes to non-root readers).
    public var hasStandardSpace: Bool { bytes.count >= PCIRegister.standardSize }

    public func u8(_ offset: Int) -> UInt8? {
        guard offset >= 0, offset < bytes.count else { return nil }
        return bytes[offset]
    }

    public func u16(_ offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    public func u32(_ offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
            | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    public var vendorID: UInt16? { u16(PCIRegister.vendorID) }
    public var deviceID: UInt16? { u16(PCIRegister.deviceID) }
    public var revision: UInt8? { u8(PCIRegister.revisionID) }
    /// 24-bit class code: base class, subclass, programming interface.
    public var classCode: UInt32? {
        guard let pi = u8(PCIRegister.classProgIf), let sub = u8(PCIRegister.classProgIf + 1),
              let base = u8(PCIRegister.classProgIf + 2) else { return nil }
        return UInt32(base) << 16 | UInt32(sub) << 8 | UInt32(pi)
    }
    public var headerType: UInt8? { u8(PCIRegister.headerType).map { $0 & PCIRegister.headerTypeMask } }
    public var subsystemVendorID: UInt16? {
        headerType == PCIRegister.headerTypeNormal ? u16(PCIRegister.subsystemVendorID) : nil
    }
    public var subsystemID: UInt16? {
        headerType == PCIRegister.headerTypeNormal ? u16(PCIRegister.subsystemID) : nil
    }
}
