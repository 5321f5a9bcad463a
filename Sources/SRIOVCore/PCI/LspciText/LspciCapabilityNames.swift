/// Capability names as pciutils prints them (`ls-caps.c` `show_caps`, `ls-ecaps.c`
/// `show_ext_caps`, old and new wordings) mapped back to the IDs of `include/uapi/linux/pci_regs.h`.
enum LspciCapabilityNames {
    /// ID given to a capability whose name is not recognised: no real capability has it (0xffff
    /// is what an absent extended header reads as), so it cannot be mistaken for one.
    static let unrecognized: UInt16 = 0xffff

    static let standard: [(name: String, id: UInt16)] = [
        ("Null", 0x00), ("Power Management", 0x01), ("AGP", 0x02), ("Vital Product Data", 0x03),
        ("Slot ID", 0x04), ("MSI", 0x05), ("Message Signalled Interrupts", 0x05),
        ("CompactPCI hot-swap", 0x06), ("PCI-X", 0x07), ("HyperTransport", 0x08),
        ("Vendor Specific Information", 0x09), ("VirtIO", 0x09), ("Debug port", 0x0a),
        ("CompactPCI central resource control", 0x0b), ("Hot-plug capable", 0x0c), ("Subsystem", 0x0d),
        ("AGP3", 0x0e), ("Secure device", 0x0f), ("Express", 0x10), ("MSI-X", 0x11), ("SATA HBA", 0x12),
        ("PCI Advanced Features", 0x13), ("PCIe advanced features", 0x13), ("Enhanced Allocation", 0x14),
        ("Flattening Portal Bridge", 0x15),
    ]

    static let extended: [(name: String, id: UInt16)] = [
        ("Null", 0x00), ("Advanced Error Reporting", 0x01), ("Virtual Channel", 0x02),
        ("Device Serial Number", 0x03), ("Power Budgeting", 0x04), ("Root Complex Link", 0x05),
        ("Root Complex Internal Link", 0x06), ("Root Complex Event Collector", 0x07),
        ("Multi-Function Virtual Channel", 0x08), ("Root Complex Register Block", 0x0a),
        ("Vendor Specific Information", 0x0b), ("Configuration Access Correlation", 0x0c),
        ("Access Control Services", 0x0d), ("Alternative Routing-ID Interpretation", 0x0e),
        ("Address Translation Service", 0x0f), ("Single Root I/O Virtualization", 0x10),
        ("Multi-Root I/O Virtualization", 0x11), ("Multicast", 0x12), ("Page Request Interface", 0x13),
        ("Resizable BAR", 0x15), ("Physical Resizable BAR", 0x15), ("Dynamic Power Allocation", 0x16),
        ("Transaction Processing Hints", 0x17), ("Latency Tolerance Reporting", 0x18),
        ("Secondary PCI Express", 0x19), ("Protocol Multiplexing", 0x1a),
        ("Process Address Space ID", 0x1b), ("LN Requester", 0x1c), ("Downstream Port Containment", 0x1d),
        ("L1 PM Substates", 0x1e), ("Precision Time Measurement", 0x1f), ("PCI Express over M_PHY", 0x20),
        ("PCI Express over M-PHY", 0x20), ("FRS Queueing", 0x21), ("Readiness Time Reporting", 0x22),
        ("Designated Vendor-Specific", 0x23), ("VF Resizable BAR", 0x24), ("Virtual Resizable BAR", 0x24),
        ("Data Link Feature", 0x25), ("Physical Layer 16.0 GT/s", 0x26),
        ("Lane Margining at the Receiver", 0x27), ("Hierarchy ID", 0x28),
        ("Native PCIe Enclosure Management", 0x29), ("Physical Layer 32.0 GT/s", 0x2a),
        ("Alternate Protocol", 0x2b), ("System Firmware Intermediary", 0x2c), ("Shadow Functions", 0x2d),
        ("Data Object Exchange", 0x2e), ("Device 3", 0x2f), ("Integrity & Data Encryption", 0x30),
        ("Integrity and Data Encryption", 0x30), ("Physical Layer 64.0 GT/s", 0x31), ("Flit Logging", 0x32),
    ]

    /// The ID for the text after `Capabilities: [off] `, or nil when it is not recognised.
    static func id(for text: Substring, space: Capability.Space) -> UInt16? {
        if let id = numericID(text) { return id }
        let table = space == .standard ? standard : extended
        return table.first { startsWithName(text, $0.name) }?.id
    }

    /// Unknown IDs: `#19` and `#15 [0000]` (pciutils before 3.7), `Extended Capability ID 0x19`
    /// and `Capability ID 0x15` (newer).
    static func numericID(_ text: Substring) -> UInt16? {
        if text.hasASCIIPrefix("#") {
            return LspciFields.hex(text.dropFirst().prefix { $0 != " " }, maxDigits: 4, as: UInt16.self)
        }
        for prefix in ["Extended Capability ID 0x", "Capability ID 0x"] where text.hasASCIIPrefix(prefix) {
            return LspciFields.hex(text.dropFirst(prefix.count).prefix { $0 != " " }, maxDigits: 4, as: UInt16.self)
        }
        return nil
    }

    /// `name` followed by the end or a separator, so "MSI" does not match "MSI-X" nor "AGP" "AGP3".
    static func startsWithName(_ text: Substring, _ name: String) -> Bool {
        guard text.hasASCIIPrefix(name) else { return false }
        let rest = text.utf8.dropFirst(name.utf8.count)
        guard let next = rest.first else { return true }
        return next == UInt8(ascii: " ") || next == UInt8(ascii: ":") || next == UInt8(ascii: ",")
            || next == UInt8(ascii: "(") || next == UInt8(ascii: "\t")
    }
}

extension CapabilityID {
    /// PCI_CAP_ID_SSVID: subsystem IDs of bridges, printed as `Subsystem: VVVV:DDDD`.
    static let subsystemVendor: UInt16 = 0x0d
}
