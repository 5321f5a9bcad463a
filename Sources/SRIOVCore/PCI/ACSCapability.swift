/// Access Control Services (PCI_EXT_CAP_ID_ACS, PCIe Base Spec 7.7.8). Its presence and
/// control bits on ports decide how finely the kernel can split IOMMU groups.
public struct ACSCapability: Sendable, Equatable, Codable {
    enum Register {
        static let capability = 0x04  // PCI_ACS_CAP
        static let control = 0x06     // PCI_ACS_CTRL
    }

    /// PCI_ACS_SV/TB/RR/CR/UF/EC/DT bits.
    public static let flagNames: [(UInt16, String)] = [
        (0x01, "SrcValid"), (0x02, "TransBlk"), (0x04, "ReqRedir"), (0x08, "CmpltRedir"),
        (0x10, "UpstreamFwd"), (0x20, "EgressCtrl"), (0x40, "DirectTrans"),
    ]

    public var offset: UInt16
    public var capabilities: UInt16?
    public var control: UInt16?

    public init(offset: UInt16, capabilities: UInt16? = nil, control: UInt16? = nil) {
        self.offset = offset
        self.capabilities = capabilities
        self.control = control
    }

    public init(config: ConfigSpace, at offset: UInt16) {
        self.offset = offset
        capabilities = config.u16(Int(offset) + Register.capability)
        control = config.u16(Int(offset) + Register.control)
    }

    /// Request Redirect and Completion Redirect enabled with Source Validation: what the
    /// kernel's `pci_acs_enabled` wants for isolation.
    public var isolating: Bool? {
        guard let control else { return nil }
        return control & 0x0d == 0x0d
    }
}
