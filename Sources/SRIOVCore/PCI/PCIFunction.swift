/// What a function is in SR-IOV terms.
public enum FunctionRole: String, Sendable, Codable, Equatable {
    /// A physical function with the SR-IOV capability.
    case pf
    /// A virtual function (has a `physfn`, or sits at a VF address of a PF in the same output).
    case vf
    case none
}

/// SR-IOV state of a PF: config-space values, overridden by the kernel's sysfs view where the
/// kernel knows better (`sriov_totalvfs`: the igb driver allows 7 VFs on an 82576 whose
/// config space says 8; Documentation/ABI/testing/sysfs-bus-pci).
public struct SRIOVState: Sendable, Equatable {
    public var capability: SRIOVCapability?
    public var initialVFs: Int?
    public var totalVFs: Int?
    public var numVFs: Int?
    public var vfOffset: Int?
    public var vfStride: Int?
    public var vfDeviceID: UInt16?
    public var driversAutoprobe: Bool?
    /// TotalVFs as config space says, when it differs from the kernel's limit.
    public var configTotalVFs: Int?
    /// Where the values came from: "sysfs", "config", "lspci".
    public var source: String
    /// `sriov_*` attributes that held no valid number ("PATH: invalid value \"-1\" (expected
    /// ...)"); their fields are nil. The checks show these as a warning.
    public var invalidValues: [String] = []

    public init(capability: SRIOVCapability?, source: String) {
        self.capability = capability
        self.source = source
        initialVFs = capability?.initialVFs.map(Int.init)
        totalVFs = capability?.totalVFs.map(Int.init)
        numVFs = capability?.numVFs.map(Int.init)
        vfOffset = capability?.vfOffset.map(Int.init)
        vfStride = capability?.vfStride.map(Int.init)
        vfDeviceID = capability?.vfDeviceID
    }
}

/// One PCI function as the inventory knows it. Fields that cannot be known are nil.
public struct PCIFunction: Sendable, Equatable {
    public var address: PCIAddress
    public var vendorID: UInt16?
    public var deviceID: UInt16?
    public var subsystemVendorID: UInt16?
    public var subsystemDeviceID: UInt16?
    /// 24-bit class code (base, subclass, prog-if).
    public var classCode: UInt32?
    public var revision: UInt8?
    public var vendorName: String?
    public var deviceName: String?
    public var className: String?
    public var driver: String?
    public var kernelModules: [String] = []
    public var netdevs: [String] = []
    public var iommuGroup: Int?
    /// Every capability found; nil when the capability lists could not be read at all.
    public var capabilities: [Capability]?
    /// Whether the extended capability list is known: the extended space was read, or the
    /// function is conventional PCI and cannot have one. False for 256-byte dumps of PCIe
    /// functions and non-root sysfs reads: then "no SR-IOV" cannot be concluded.
    public var extendedCapabilitiesKnown: Bool?
    public var capabilityChainLooped = false
    public var express: PCIExpressCapability?
    public var ari: ARICapability?
    public var acs: ACSCapability?
    public var sriov: SRIOVState?
    public var role: FunctionRole = .none
    public var physfn: PCIAddress?
    public var virtfns: [PCIAddress] = []
    /// Where the role is a guess from lspci text that shows no SR-IOV capability or link for
    /// it: "layout" (addresses and names: Intel iGPU functions beside 00:02.0, the PF of VFs
    /// named after it), "name" ("Virtual Function" in the name), "virtual-bars" (every BAR
    /// `[virtual]`). Nil where config space, sysfs links or a PF's VF addresses showed it.
    public var roleInferredFrom: String?
    /// `ari_enabled` from sysfs (the kernel enabled ARI on this function's bus).
    public var ariEnabled: Bool?
    /// For bridges (type 1 header): the bus number right below (PCI_SECONDARY_BUS, 0x19).
    public var secondaryBus: UInt8?

    public init(address: PCIAddress) { self.address = address }

    /// True/false when known; nil when the capability lists that would tell were not captured.
    public var hasARI: Bool? {
        if ari != nil { return true }
        return extendedCapabilitiesKnown == true ? false : nil
    }

    public var hasSRIOV: Bool? {
        if sriov != nil { return true }
        return extendedCapabilitiesKnown == true ? false : nil
    }

    /// Applies what a captured configuration space says: IDs when still unknown, and every
    /// capability with the decoders for the ones the wizard uses.
    public mutating func apply(config: ConfigSpace, source: String) {
        if vendorID == nil, let v = config.vendorID, v != 0xffff { vendorID = v }
        if deviceID == nil, let d = config.deviceID, d != 0xffff { deviceID = d }
        if classCode == nil { classCode = config.classCode }
        if revision == nil { revision = config.revision }
        if subsystemVendorID == nil { subsystemVendorID = config.subsystemVendorID }
        if subsystemDeviceID == nil { subsystemDeviceID = config.subsystemID }
        if config.headerType == PCIRegister.headerTypeBridge { secondaryBus = config.u8(PCIRegister.secondaryBus) }
        guard config.hasStandardSpace else {
            // 64-byte reads (non-root): the capability pointer may be there, the list is not.
            extendedCapabilitiesKnown = false
            return
        }
        let list = config.capabilities()
        capabilities = list.entries
        capabilityChainLooped = list.standardLooped || list.extendedLooped
        // A conventional PCI function has no extended capabilities: its list is complete.
        extendedCapabilitiesKnown = list.extendedReadable || config.hasExtendedSpace || !list.extendedPossible
        for cap in list.entries {
            switch (cap.space, cap.id) {
            case (.standard, CapabilityID.express):
                if express == nil { express = PCIExpressCapability(config: config, at: cap.offset) }
            case (.extended, CapabilityID.ari):
                if ari == nil { ari = ARICapability(config: config, at: cap.offset) }
            case (.extended, CapabilityID.acs):
                if acs == nil { acs = ACSCapability(config: config, at: cap.offset) }
            case (.extended, CapabilityID.sriov):
                if sriov == nil {
                    sriov = SRIOVState(capability: SRIOVCapability(config: config, at: cap.offset, version: cap.version),
                                       source: source)
                }
            default:
                break
            }
        }
    }
}
