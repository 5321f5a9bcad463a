/// Turns a draft into a `PCIFunction`: text values first, then the hex dump (decoded by
/// `PCIFunction.apply(config:source:)`) fills what the text did not say.
enum LspciFunctionBuilder {
    /// What the whole output says about the capture, needed to judge one function.
    struct Context {
        /// Some function showed an extended capability, so this capture could read extended
        /// configuration space (lspci ran as root on a host with ECAM).
        var extendedSpaceSeen: Bool
    }

    static func function(from draft: LspciDeviceDraft, address: PCIAddress, context: Context) -> PCIFunction {
        var function = PCIFunction(address: address)
        if let header = draft.header { applyHeader(header, verbose: draft.verbose, to: &function) }
        if let ids = draft.subsystem ?? draft.capabilitySubsystem {
            function.subsystemVendorID = ids.vendorID
            function.subsystemDeviceID = ids.deviceID
        }
        function.driver = draft.driver
        function.kernelModules = draft.modules
        function.iommuGroup = draft.iommuGroup
        applyCapabilities(draft, context: context, to: &function)
        if !draft.hexDump.bytes.isEmpty {
            var decoded = PCIFunction(address: address)
            decoded.apply(config: ConfigSpace(draft.hexDump.bytes), source: LspciTextParser.hexSource)
            LspciMerge.fillGaps(&function, from: decoded)
        }
        if function.classCode == nil, let classID = draft.header?.classID {
            function.classCode = UInt32(classID) << 8
        }
        return function
    }

    /// lspci prints ` (rev RR)` whenever the revision is non-zero, and ` (prog-if PP)` at -v
    /// whenever it is non-zero. Without -v the prog-if is unknown: a hex dump may tell it,
    /// else it is taken as 0 (the class and subclass are what the wizard uses).
    static func applyHeader(_ header: LspciHeader, verbose: Bool, to function: inout PCIFunction) {
        function.vendorID = header.names.vendorID
        function.deviceID = header.names.deviceID
        function.vendorName = header.names.vendorName
        function.deviceName = header.names.label
        function.className = header.className
        function.revision = header.revision ?? 0
        if let classID = header.classID, header.progIf != nil || verbose {
            function.classCode = UInt32(classID) << 8 | UInt32(header.progIf ?? 0)
        }
    }

    static func applyCapabilities(_ draft: LspciDeviceDraft, context: Context, to function: inout PCIFunction) {
        function.capabilityChainLooped = draft.chainLooped
        if draft.accessDenied {
            function.extendedCapabilitiesKnown = false
            return
        }
        if draft.sawCapabilityLine {
            function.capabilities = draft.capabilities
            function.express = draft.express
            function.ari = draft.ari
            function.acs = draft.acs
            function.sriov = draft.sriov.map { SRIOVState(capability: $0, source: LspciTextParser.textSource) }
            function.extendedCapabilitiesKnown = draft.elided ? nil : extendedReadable(draft, context: context)
        } else if draft.verbose, draft.statusCapList != true, !draft.elided {
            // -v/-vv print every capability of a function with Status Cap+; none printed and
            // no Cap+ means none exist, so neither do extended ones.
            function.capabilities = []
            function.extendedCapabilitiesKnown = true
        }
    }

    /// Whether "no SR-IOV capability" can be concluded from the capabilities printed.
    /// lspci looks for extended capabilities only after a PCI Express or PCI-X capability
    /// (`ls-caps.c` `show_caps`), and prints nothing both when there are none and when the
    /// extended space could not be read. So: an extended capability printed -> readable; no
    /// Express/PCI-X capability -> conventional PCI, which has no extended space (and the
    /// kernel enables SR-IOV only on PCIe, `drivers/pci/iov.c` `pci_iov_init`) -> nothing to
    /// miss; Express without extended capabilities -> readable only if other functions of the
    /// same capture show extended capabilities, else unknown. A capability line that could
    /// not be read makes it unknown too.
    static func extendedReadable(_ draft: LspciDeviceDraft, context: Context) -> Bool? {
        if draft.unreadableCapabilityLines > 0, draft.sriov == nil { return nil }
        if draft.hasExtendedCapability { return true }
        let canHaveExtended = draft.capabilities.contains {
            $0.space == .standard && ($0.id == CapabilityID.express || $0.id == CapabilityID.pcix)
        }
        if !canHaveExtended { return true }
        return context.extendedSpaceSeen ? true : nil
    }

    /// A function built from lines without a device line.
    static func unaddressed(from draft: LspciDeviceDraft, context: Context) -> UnaddressedFunction {
        // The address is needed only to build the value; it is not kept.
        let built = function(from: draft, address: PCIAddress(bus: 0, device: 0, function: 0), context: context)
        var result = UnaddressedFunction(firstLine: draft.firstLine)
        result.vendorID = built.vendorID
        result.deviceID = built.deviceID
        result.classCode = built.classCode
        result.capabilities = built.capabilities
        result.extendedCapabilitiesKnown = built.extendedCapabilitiesKnown
        result.express = built.express
        result.ari = built.ari
        result.acs = built.acs
        result.sriov = built.sriov
        return result
    }
}
