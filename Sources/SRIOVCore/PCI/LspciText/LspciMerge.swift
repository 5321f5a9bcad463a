/// Fills what one view of a function left unknown from another view of the same function: the
/// hex dump under a text block, or a second block for the same address (`lspci -vv` and
/// `lspci -xxxx` pasted one after the other). The first view wins where both say something.
enum LspciMerge {
    static func fillGaps(_ f: inout PCIFunction, from other: PCIFunction) {
        fillIdentity(&f, from: other)
        if f.kernelModules.isEmpty { f.kernelModules = other.kernelModules }
        if f.netdevs.isEmpty { f.netdevs = other.netdevs }
        f.capabilities = mergeCapabilities(f.capabilities, other.capabilities)
        f.capabilityChainLooped = f.capabilityChainLooped || other.capabilityChainLooped
        // Evidence that the extended space was read beats the lack of it.
        if f.extendedCapabilitiesKnown != true { f.extendedCapabilitiesKnown = other.extendedCapabilitiesKnown == true ? true : (f.extendedCapabilitiesKnown ?? other.extendedCapabilitiesKnown) }
        f.express = mergeExpress(f.express, other.express)
        f.ari = mergeARI(f.ari, other.ari)
        f.acs = mergeACS(f.acs, other.acs)
        f.sriov = mergeSRIOV(f.sriov, other.sriov)
    }

    static func fillIdentity(_ f: inout PCIFunction, from o: PCIFunction) {
        f.vendorID = f.vendorID ?? o.vendorID
        f.deviceID = f.deviceID ?? o.deviceID
        f.subsystemVendorID = f.subsystemVendorID ?? o.subsystemVendorID
        f.subsystemDeviceID = f.subsystemDeviceID ?? o.subsystemDeviceID
        f.classCode = f.classCode ?? o.classCode
        f.revision = f.revision ?? o.revision
        f.vendorName = f.vendorName ?? o.vendorName
        f.deviceName = f.deviceName ?? o.deviceName
        f.className = f.className ?? o.className
        f.driver = f.driver ?? o.driver
        f.iommuGroup = f.iommuGroup ?? o.iommuGroup
    }

    /// The first list, plus entries of the second at offsets the first does not have.
    static func mergeCapabilities(_ a: [Capability]?, _ b: [Capability]?) -> [Capability]? {
        guard let a else { return b }
        guard let b else { return a }
        let known = Set(a.map { CapabilityKey(space: $0.space, offset: $0.offset) })
        var merged = a
        for entry in b where !known.contains(CapabilityKey(space: entry.space, offset: entry.offset)) {
            merged.append(entry)
        }
        return merged
    }

    struct CapabilityKey: Hashable {
        var space: Capability.Space
        var offset: UInt16
    }

    static func mergeExpress(_ a: PCIExpressCapability?, _ b: PCIExpressCapability?) -> PCIExpressCapability? {
        guard var merged = a else { return b }
        guard let b, b.offset == merged.offset else { return merged }
        if merged.version == 0 { merged.version = b.version }
        merged.functionLevelReset = merged.functionLevelReset ?? b.functionLevelReset
        merged.ariForwardingSupported = merged.ariForwardingSupported ?? b.ariForwardingSupported
        merged.ariForwardingEnabled = merged.ariForwardingEnabled ?? b.ariForwardingEnabled
        return merged
    }

    static func mergeARI(_ a: ARICapability?, _ b: ARICapability?) -> ARICapability? {
        guard var merged = a else { return b }
        if let b, b.offset == merged.offset { merged.nextFunction = merged.nextFunction ?? b.nextFunction }
        return merged
    }

    static func mergeACS(_ a: ACSCapability?, _ b: ACSCapability?) -> ACSCapability? {
        guard var merged = a else { return b }
        if let b, b.offset == merged.offset {
            merged.capabilities = merged.capabilities ?? b.capabilities
            merged.control = merged.control ?? b.control
        }
        return merged
    }

    /// The source names who gave TotalVFs: "lspci" when the text printed it, "lspci-hex" when
    /// only the dump had it (`Capabilities: [160]` at -v has no details).
    static func mergeSRIOV(_ a: SRIOVState?, _ b: SRIOVState?) -> SRIOVState? {
        guard let a else { return b }
        guard let b, let other = b.capability else { return a }
        var capability = a.capability ?? SRIOVCapability(offset: other.offset, version: other.version)
        guard capability.offset == other.offset else { return a }
        fillSRIOV(&capability, from: other)
        return SRIOVState(capability: capability, source: a.totalVFs != nil ? a.source : b.source)
    }

    static func fillSRIOV(_ c: inout SRIOVCapability, from o: SRIOVCapability) {
        c.version = c.version ?? o.version
        c.vfEnable = c.vfEnable ?? o.vfEnable
        c.vfMemorySpaceEnable = c.vfMemorySpaceEnable ?? o.vfMemorySpaceEnable
        c.ariHierarchy = c.ariHierarchy ?? o.ariHierarchy
        c.initialVFs = c.initialVFs ?? o.initialVFs
        c.totalVFs = c.totalVFs ?? o.totalVFs
        c.numVFs = c.numVFs ?? o.numVFs
        c.functionDependencyLink = c.functionDependencyLink ?? o.functionDependencyLink
        c.vfOffset = c.vfOffset ?? o.vfOffset
        c.vfStride = c.vfStride ?? o.vfStride
        c.vfDeviceID = c.vfDeviceID ?? o.vfDeviceID
        c.supportedPageSizes = c.supportedPageSizes ?? o.supportedPageSizes
        c.systemPageSize = c.systemPageSize ?? o.systemPageSize
    }
}
