/// Everything the lines of one function said, collected while reading; `LspciFunctionBuilder`
/// turns it into a `PCIFunction`.
struct LspciDeviceDraft {
    /// Nil for lines pasted without their device line.
    var header: LspciHeader?
    var firstLine: Int
    var subsystem: LspciIDText?
    var driver: String?
    var modules: [String] = []
    var iommuGroup: Int?
    /// Lines beyond what `lspci -k` prints were seen (so this is -v or more).
    var verbose = false
    /// The `Cap+`/`Cap-` bit of the `Status:` line (-vv).
    var statusCapList: Bool?
    var regionCount = 0
    var virtualRegionCount = 0
    var sawCapabilityLine = false
    /// `Capabilities:` lines that could not be read (a damaged paste): one of them may have
    /// been the SR-IOV capability.
    var unreadableCapabilityLines = 0
    var accessDenied = false
    /// The author cut lines out of this block (`...`): what is not shown may exist.
    var elided = false
    var chainLooped = false
    var capabilities: [Capability] = []
    var express: PCIExpressCapability?
    var ari: ARICapability?
    var acs: ACSCapability?
    var sriov: SRIOVCapability?
    /// IDs from a `Capabilities: [40] Subsystem: 8086:0000` (bridges).
    var capabilitySubsystem: LspciIDText?
    var hexDump = LspciHexDump()
    var open: LspciOpenCapability?
    var notes: [InventoryIssue] = []

    init(header: LspciHeader?, firstLine: Int) {
        self.header = header
        self.firstLine = firstLine
    }

    var hasExtendedCapability: Bool { capabilities.contains { $0.space == .extended } }
    /// Something a function can be built from: a device line, a capability or hex bytes.
    var hasContent: Bool { header != nil || sawCapabilityLine || !hexDump.bytes.isEmpty }

    /// Keys lspci prints at the first indentation level (`show_verbose`, `show_bases`,
    /// `show_htype*`, `show_kernel`): they end an open capability even in a paste that lost
    /// the deeper indentation of capability details.
    static let topLevelKeys = [
        "Subsystem:", "DeviceName:", "Physical Slot:", "Device tree node:", "Control:", "Status:", "Latency:",
        "Interrupt:", "BIST result:", "NUMA node:", "IOMMU group:", "Region ", "Expansion ROM", "Flags:",
        "Memory at ", "I/O ports at ", "Bus:", "I/O behind bridge:", "Memory behind bridge:",
        "Prefetchable memory behind bridge:", "Secondary status:", "BridgeCtl:", "Kernel driver in use:",
        "Kernel modules:",
    ]
    /// Multi-word keys of capability details (single-word ones such as `IOVCtl:` are
    /// recognised by their shape).
    static let detailKeys = ["Initial VFs:", "VF offset:", "Supported Page Size:", "VF Migration:", "Vector table:"]

    /// Whether a line at the left margin is still lspci output: a paste that lost its
    /// indentation keeps the keys, while prose around the output does not look like them.
    static func isKnownDetail(_ text: Substring) -> Bool {
        if text.hasASCIIPrefix(LspciCapabilityLine.prefix) { return true }
        if topLevelKeys.contains(where: { text.hasASCIIPrefix($0) }) || detailKeys.contains(where: { text.hasASCIIPrefix($0) }) { return true }
        // `IOVCap:`, `DevCtl2:`, `UESta:`: one capitalised word, then a colon.
        let word = text.prefix { $0.isLetter || $0.isNumber }
        guard let first = word.first, first.isUppercase, word.count >= 3 else { return false }
        return text.dropFirst(word.count).first == ":"
    }

    static let kernelOnlyKeys = ["Subsystem:", "DeviceName:", "Kernel driver in use:", "Kernel modules:"]

    mutating func consume(_ line: LspciLine) {
        if line.text.hasASCIIPrefix(LspciCapabilityLine.prefix) {
            openCapability(line)
        } else if var capability = open, isDetail(line, of: capability) {
            capability.enter(line)
            readDetail(line.text, of: capability)
            if capability.kind == .sriov { noteUnassignedVFBAR(line) }
            open = capability
        } else {
            open = nil
            readTopLevel(line.text)
        }
    }

    func isDetail(_ line: LspciLine, of capability: LspciOpenCapability) -> Bool {
        line.indent > capability.indent
            || (line.indent == capability.indent && !Self.topLevelKeys.contains { line.text.hasASCIIPrefix($0) })
    }
}

extension LspciDeviceDraft {
    /// `Region 2: Memory at 0000000000000000 (64-bit, prefetchable)` under SR-IOV: the
    /// firmware left that VF BAR without an address, so writing `sriov_numvfs` will most
    /// likely fail with ENOMEM ("not enough MMIO resources", `drivers/pci/iov.c`
    /// `sriov_enable`) until the firmware assigns it or the kernel reallocates (`pci=realloc`).
    mutating func noteUnassignedVFBAR(_ line: LspciLine) {
        let text = line.text
        guard text.hasASCIIPrefix("Region "), let at = text.firstRange(of: "Memory at ") else { return }
        let address = text[at.upperBound...].prefix { $0 != " " }
        guard address == "<unassigned>" || (!address.isEmpty && address.utf8.allSatisfy { $0 == UInt8(ascii: "0") }) else { return }
        let bar = text.dropFirst(7).prefix { $0 != ":" }
        let who = header.map { $0.address.shortDescription + ": " } ?? ""
        notes.append(InventoryIssue(path: "line \(line.number)", message: "line \(line.number): \(who)VF BAR \(bar) has no address (Memory at \(address)): creating VFs will most likely fail with ENOMEM (\"not enough MMIO resources\") until the firmware assigns it (Above 4G Decoding and SR-IOV enabled in the BIOS) or the kernel reallocates it (pci=realloc)"))
    }
}
