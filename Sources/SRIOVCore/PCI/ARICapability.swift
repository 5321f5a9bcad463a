/// Alternative Routing-ID Interpretation (PCI_EXT_CAP_ID_ARI, PCIe Base Spec 7.8.7).
/// SR-IOV devices with more than 8 functions' worth of VFs need ARI on the device and ARI
/// forwarding on the port above it.
public struct ARICapability: Sendable, Equatable, Codable {
    enum Register {
        static let capability = 0x04      // PCI_ARI_CAP
        static let control = 0x06         // PCI_ARI_CTRL
        static let nextFunctionShift: UInt16 = 8
    }

    public var offset: UInt16
    public var nextFunction: UInt8?

    public init(offset: UInt16, nextFunction: UInt8? = nil) {
        self.offset = offset
        self.nextFunction = nextFunction
    }

    public init(config: ConfigSpace, at offset: UInt16) {
        self.offset = offset
        nextFunction = config.u16(Int(offset) + Register.capability).map { UInt8($0 >> Register.nextFunctionShift) }
    }
}
