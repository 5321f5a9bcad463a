/// The capability whose detail lines are being read, and where its lines start.
struct LspciOpenCapability {
    enum Kind { case express, ari, acs, sriov, other }

    var kind: Kind
    /// Indentation of the `Capabilities:` line; detail lines are deeper.
    var indent: Int
    /// Indentation of the first detail line; deeper lines continue the previous register line
    /// (`DevCap2: ...` then `\t\t\t 10BitTagComp- ... ARIFwd+`).
    var bodyIndent: Int?
    /// Register name of the line being continued (`DevCap`, `DevCtl2`, ...).
    var register: Substring = ""

    static func kind(of capability: Capability) -> Kind {
        switch (capability.space, capability.id) {
        case (.standard, CapabilityID.express): return .express
        case (.extended, CapabilityID.ari): return .ari
        case (.extended, CapabilityID.acs): return .acs
        case (.extended, CapabilityID.sriov): return .sriov
        default: return .other
        }
    }

    /// Tracks which register a detail line belongs to.
    mutating func enter(_ line: LspciLine) {
        let start = bodyIndent ?? line.indent
        if bodyIndent == nil { bodyIndent = line.indent }
        if line.indent > start { return }
        // A line that starts without `Name:` continues the register above it even when a paste
        // lost the deeper indentation.
        let name = line.text.prefix { $0 != ":" && $0 != " " && $0 != "\t" }
        if !name.isEmpty, line.text.dropFirst(name.count).first == ":" { register = name }
    }
}

/// Readers for the detail lines lspci prints under the capabilities the wizard uses
/// (`ls-caps.c` `cap_express_dev*`, `ls-ecaps.c` `cap_ari`, `cap_acs`, `cap_sriov`).
enum LspciCapabilityBody {
    /// `Express (v2) Root Port (Slot+), MSI 00`: version (0 when not printed, at -v) and port type.
    static func express(_ name: Substring, offset: UInt16) -> PCIExpressCapability? {
        var rest = LspciFields.trim(name.dropFirst("Express".count))
        var version: UInt8 = 0
        if rest.hasPrefix("(v"), let close = rest.firstIndex(of: ")"),
           let v = LspciFields.decimal(rest[rest.index(rest.startIndex, offsetBy: 2)..<close], as: UInt8.self) {
            version = v
            rest = LspciFields.trim(rest[rest.index(after: close)...])
        }
        guard let type = portType(rest) else { return nil }
        return PCIExpressCapability(offset: offset, version: version, portTypeValue: type)
    }

    static let portTypes: [(String, PCIExpressCapability.PortType)] = [
        ("Endpoint", .endpoint), ("Legacy Endpoint", .legacyEndpoint), ("Root Port", .rootPort),
        ("Upstream Port", .upstreamPort), ("Downstream Port", .downstreamPort),
        ("PCI-Express to PCI/PCI-X Bridge", .pcieToPCIBridge), ("PCI/PCI-X to PCI-Express Bridge", .pciToPCIeBridge),
        ("Root Complex Integrated Endpoint", .rootComplexIntegratedEndpoint),
        ("Root Complex Event Collector", .rootComplexEventCollector),
    ]

    static func portType(_ text: Substring) -> UInt8? {
        let name = text.prefix { $0 != "," && $0 != "(" }
        let trimmed = LspciFields.trim(name)
        if let match = portTypes.first(where: { trimmed == $0.0 }) { return match.1.rawValue }
        if trimmed.hasPrefix("Unknown type ") { return LspciFields.decimal(trimmed.dropFirst(13), as: UInt8.self) }
        return nil
    }

    static func readExpress(_ text: Substring, register: Substring, into express: inout PCIExpressCapability) {
        switch register {
        case "DevCap":
            if let flr = LspciFields.flag("FLReset", in: text) { express.functionLevelReset = flr }
        case "DevCap2":
            if let ari = LspciFields.flag("ARIFwd", in: text) { express.ariForwardingSupported = ari }
        case "DevCtl2":
            if let ari = LspciFields.flag("ARIFwd", in: text) { express.ariForwardingEnabled = ari }
        default:
            break
        }
    }

    /// `ARICap: MFVC- ACS-, Next Function: 1`.
    static func readARI(_ text: Substring, into ari: inout ARICapability) {
        for (key, value) in LspciFields.pairs(text) where key == "Next Function" {
            ari.nextFunction = LspciFields.decimal(value, as: UInt8.self)
        }
    }

    /// `ACSCap: SrcValid+ TransBlk- ...` and `ACSCtl: ...` as the register bits.
    static func readACS(_ text: Substring, into acs: inout ACSCapability) {
        let isCap = text.hasPrefix("ACSCap:"), isCtl = text.hasPrefix("ACSCtl:")
        guard isCap || isCtl else { return }
        var bits: UInt16 = 0
        var seen = false
        for (bit, name) in ACSCapability.flagNames {
            guard let on = LspciFields.flag(name, in: text) else { continue }
            seen = true
            if on { bits |= bit }
        }
        guard seen else { return }
        if isCap { acs.capabilities = bits } else { acs.control = bits }
    }

    /// `IOVCtl:` flags and the `Key: value` lists of `cap_sriov`, which are the same in every
    /// pciutils version since 2008 (only `IOVCap:` changed wording).
    static func readSRIOV(_ text: Substring, into sriov: inout SRIOVCapability) {
        if text.hasPrefix("IOVCtl:") {
            sriov.vfEnable = LspciFields.flag("Enable", in: text) ?? sriov.vfEnable
            sriov.vfMemorySpaceEnable = LspciFields.flag("MSE", in: text) ?? sriov.vfMemorySpaceEnable
            sriov.ariHierarchy = LspciFields.flag("ARIHierarchy", in: text) ?? sriov.ariHierarchy
            return
        }
        for (key, value) in LspciFields.pairs(text) { readSRIOVField(key, value, into: &sriov) }
    }

    static func readSRIOVField(_ key: Substring, _ value: Substring, into sriov: inout SRIOVCapability) {
        switch key {
        case "Initial VFs": sriov.initialVFs = LspciFields.decimal(value)
        case "Total VFs": sriov.totalVFs = LspciFields.decimal(value)
        case "Number of VFs": sriov.numVFs = LspciFields.decimal(value)
        case "Function Dependency Link": sriov.functionDependencyLink = LspciFields.hex(value, maxDigits: 2)
        case "VF offset": sriov.vfOffset = LspciFields.decimal(value)
        case "stride": sriov.vfStride = LspciFields.decimal(value)
        case "Device ID": sriov.vfDeviceID = LspciFields.hex(value, maxDigits: 4)
        case "Supported Page Size": sriov.supportedPageSizes = LspciFields.hex(value, maxDigits: 8)
        case "System Page Size": sriov.systemPageSize = LspciFields.hex(value, maxDigits: 8)
        default: break
        }
    }
}
