/// PCI Express Capability (PCI_CAP_ID_EXP, PCIe Base Spec 7.5.3), the parts the wizard uses.
public struct PCIExpressCapability: Sendable, Equatable, Codable {
    /// Device/Port Type (PCI_EXP_FLAGS_TYPE).
    public enum PortType: UInt8, Sendable, Codable {
        case endpoint = 0, legacyEndpoint = 1, rootPort = 4, upstreamPort = 5, downstreamPort = 6,
             pcieToPCIBridge = 7, pciToPCIeBridge = 8, rootComplexIntegratedEndpoint = 9,
             rootComplexEventCollector = 10

        public var name: String {
            switch self {
            case .endpoint: return "Endpoint"
            case .legacyEndpoint: return "Legacy Endpoint"
            case .rootPort: return "Root Port"
            case .upstreamPort: return "Upstream Port"
            case .downstreamPort: return "Downstream Port"
            case .pcieToPCIBridge: return "PCI-Express to PCI/PCI-X Bridge"
            case .pciToPCIeBridge: return "PCI/PCI-X to PCI-Express Bridge"
            case .rootComplexIntegratedEndpoint: return "Root Complex Integrated Endpoint"
            case .rootComplexEventCollector: return "Root Complex Event Collector"
            }
        }

        /// A port that forwards to a link below it (where ARI forwarding matters).
        public var isDownstreamFacing: Bool { self == .rootPort || self == .downstreamPort }
    }

    enum Register {
        static let flags = 0x02            // PCI_EXP_FLAGS
        static let flagsVersionMask: UInt16 = 0x000f
        static let flagsTypeShift: UInt16 = 4
        static let deviceCapabilities = 0x04   // PCI_EXP_DEVCAP
        static let deviceCapabilitiesFLR: UInt32 = 0x1000_0000
        static let deviceCapabilities2 = 0x24  // PCI_EXP_DEVCAP2
        static let deviceControl2 = 0x28       // PCI_EXP_DEVCTL2
        static let ariForwarding: UInt32 = 0x20  // PCI_EXP_DEVCAP2_ARI / PCI_EXP_DEVCTL2_ARI
    }

    public var offset: UInt16
    public var version: UInt8
    /// Raw Device/Port Type value; `portType` is nil for reserved values.
    public var portTypeValue: UInt8
    public var portType: PortType? { PortType(rawValue: portTypeValue) }
    public var functionLevelReset: Bool?
    /// DevCap2 "ARI Forwarding Supported" (only meaningful on downstream ports; version >= 2).
    public var ariForwardingSupported: Bool?
    /// DevCtl2 "ARI Forwarding Enable".
    public var ariForwardingEnabled: Bool?

    public init(offset: UInt16, version: UInt8, portTypeValue: UInt8, functionLevelReset: Bool? = nil,
                ariForwardingSupported: Bool? = nil, ariForwardingEnabled: Bool? = nil) {
        self.offset = offset
        self.version = version
        self.portTypeValue = portTypeValue
        self.functionLevelReset = functionLevelReset
        self.ariForwardingSupported = ariForwardingSupported
        self.ariForwardingEnabled = ariForwardingEnabled
    }

    public init?(config: ConfigSpace, at offset: UInt16) {
        let base = Int(offset)
        guard let flags = config.u16(base + Register.flags) else { return nil }
        self.offset = offset
        version = UInt8(flags & Register.flagsVersionMask)
        portTypeValue = UInt8((flags >> Register.flagsTypeShift) & 0xf)
        functionLevelReset = config.u32(base + Register.deviceCapabilities).map { $0 & Register.deviceCapabilitiesFLR != 0 }
        // DevCap2/DevCtl2 exist only from capability version 2 on (pciutils checks the same).
        if version >= 2 {
            ariForwardingSupported = config.u32(base + Register.deviceCapabilities2).map { $0 & Register.ariForwarding != 0 }
            ariForwardingEnabled = config.u16(base + Register.deviceControl2).map { UInt32($0) & Register.ariForwarding != 0 }
        }
    }
}
