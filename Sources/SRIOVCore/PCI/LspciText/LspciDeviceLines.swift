/// Reading the detail lines of one function: device-level lines and capability lines.
extension LspciDeviceDraft {
    mutating func readTopLevel(_ text: Substring) {
        if !Self.kernelOnlyKeys.contains(where: { text.hasASCIIPrefix($0) }) { verbose = true }
        if let value = LspciFields.value(after: "Subsystem:", in: text) {
            subsystem = LspciHeader.parseIDText(value)
        } else if let value = LspciFields.value(after: "Status:", in: text) {
            statusCapList = LspciFields.flag("Cap", in: value) ?? statusCapList
        } else if let value = LspciFields.value(after: "Kernel driver in use:", in: text) {
            driver = value.isEmpty ? nil : String(value)
        } else if let value = LspciFields.value(after: "Kernel modules:", in: text) {
            modules = value.split(separator: ",").map { String(LspciFields.trim($0)) }.filter { !$0.isEmpty }
        } else if let value = LspciFields.value(after: "IOMMU group:", in: text) {
            iommuGroup = LspciFields.decimal(value, as: UInt32.self).map(Int.init)
        } else if let value = LspciFields.value(after: "Flags:", in: text) {
            readFlags(value)
        } else if text.hasASCIIPrefix("Region ") || text.hasASCIIPrefix("Memory at ") || text.hasASCIIPrefix("I/O ports at ") {
            regionCount += 1
            if text.contains("[virtual]") { virtualRegionCount += 1 }
        }
    }

    /// `-v` prints `Flags: bus master, fast devsel, latency 0, IRQ 16, IOMMU group 27`.
    mutating func readFlags(_ value: Substring) {
        for item in value.split(separator: ",") {
            let trimmed = LspciFields.trim(item)
            if trimmed.hasASCIIPrefix("IOMMU group ") {
                iommuGroup = LspciFields.decimal(trimmed.dropFirst(12), as: UInt32.self).map(Int.init)
            }
        }
    }

    mutating func openCapability(_ line: LspciLine) {
        sawCapabilityLine = true
        verbose = true
        open = nil
        switch LspciCapabilityLine.parse(line.text) {
        case .accessDenied:
            accessDenied = true
        case .chainLooped:
            chainLooped = true
        case .chainBroken:
            break
        case .malformed:
            unreadableCapabilityLines += 1
            notes.append(InventoryIssue(path: "line \(line.number)", message: "line \(line.number): capability line not understood, ignored: \(line.text.prefix(80))"))
        case .entry(let capability, let name):
            addCapability(capability, name: name, line: line)
        }
    }

    mutating func addCapability(_ capability: Capability, name: Substring, line: LspciLine) {
        if capability.id == LspciCapabilityNames.unrecognized {
            notes.append(InventoryIssue(path: "line \(line.number)", message: "line \(line.number): capability name not recognised, kept with ID 0xffff: \(name.prefix(80))"))
        }
        capabilities.append(capability)
        let kind = LspciOpenCapability.kind(of: capability)
        open = LspciOpenCapability(kind: kind, indent: line.indent)
        switch kind {
        case .express: if express == nil { express = LspciCapabilityBody.express(name, offset: capability.offset) }
        case .ari: if ari == nil { ari = ARICapability(offset: capability.offset) }
        case .acs: if acs == nil { acs = ACSCapability(offset: capability.offset) }
        case .sriov: if sriov == nil { sriov = SRIOVCapability(offset: capability.offset, version: capability.version) }
        case .other:
            if capability.space == .standard, capability.id == CapabilityID.subsystemVendor, let value = LspciFields.value(after: "Subsystem:", in: name) {
                capabilitySubsystem = LspciHeader.parseIDText(value)
            }
        }
    }

    /// Only the first capability of each kind is decoded, as `PCIFunction.apply` does.
    mutating func readDetail(_ text: Substring, of capability: LspciOpenCapability) {
        guard let current = capabilities.last else { return }
        switch capability.kind {
        case .express where express?.offset == current.offset:
            if var value = express { LspciCapabilityBody.readExpress(text, register: capability.register, into: &value); express = value }
        case .ari where ari?.offset == current.offset:
            if var value = ari { LspciCapabilityBody.readARI(text, into: &value); ari = value }
        case .acs where acs?.offset == current.offset:
            if var value = acs { LspciCapabilityBody.readACS(text, into: &value); acs = value }
        case .sriov where sriov?.offset == current.offset:
            if var value = sriov { LspciCapabilityBody.readSRIOV(text, into: &value); sriov = value }
        default:
            break
        }
    }
}
