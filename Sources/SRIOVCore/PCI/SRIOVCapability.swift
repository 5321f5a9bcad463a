/// Single Root I/O Virtualization (PCI_EXT_CAP_ID_SRIOV, PCIe Base Spec 9.3.3), with the
/// register names of `include/uapi/linux/pci_regs.h`.
public struct SRIOVCapability: Sendable, Equatable, Codable {
    enum Register {
        static let capabilities = 0x04        // PCI_SRIOV_CAP
        static let capabilitiesVFM: UInt32 = 0x01
        static let control = 0x08             // PCI_SRIOV_CTRL
        static let controlVFEnable: UInt16 = 0x01   // PCI_SRIOV_CTRL_VFE
        static let controlMSE: UInt16 = 0x08        // PCI_SRIOV_CTRL_MSE
        static let controlARI: UInt16 = 0x10        // PCI_SRIOV_CTRL_ARI
        static let status = 0x0a              // PCI_SRIOV_STATUS
        static let initialVFs = 0x0c          // PCI_SRIOV_INITIAL_VF
        static let totalVFs = 0x0e            // PCI_SRIOV_TOTAL_VF
        static let numVFs = 0x10              // PCI_SRIOV_NUM_VF
        static let functionLink = 0x12        // PCI_SRIOV_FUNC_LINK
        static let vfOffset = 0x14            // PCI_SRIOV_VF_OFFSET
        static let vfStride = 0x16            // PCI_SRIOV_VF_STRIDE
        static let vfDeviceID = 0x1a          // PCI_SRIOV_VF_DID
        static let supportedPageSizes = 0x1c  // PCI_SRIOV_SUP_PGSIZE
        static let systemPageSize = 0x20      // PCI_SRIOV_SYS_PGSIZE
        static let size = 0x40                // PCI_EXT_CAP_SRIOV_SIZEOF
    }

    public var offset: UInt16
    public var version: UInt8?
    public var vfEnable: Bool?
    public var vfMemorySpaceEnable: Bool?
    public var ariHierarchy: Bool?
    public var initialVFs: UInt16?
    public var totalVFs: UInt16?
    public var numVFs: UInt16?
    public var functionDependencyLink: UInt8?
    public var vfOffset: UInt16?
    public var vfStride: UInt16?
    public var vfDeviceID: UInt16?
    public var supportedPageSizes: UInt32?
    public var systemPageSize: UInt32?

    public init(offset: UInt16, version: UInt8? = nil) {
        self.offset = offset
        self.version = version
    }

    public init(config: ConfigSpace, at offset: UInt16, version: UInt8? = nil) {
        let base = Int(offset)
        self.offset = offset
        self.version = version
        let control = config.u16(base + Register.control)
        vfEnable = control.map { $0 & Register.controlVFEnable != 0 }
        vfMemorySpaceEnable = control.map { $0 & Register.controlMSE != 0 }
        ariHierarchy = control.map { $0 & Register.controlARI != 0 }
        initialVFs = config.u16(base + Register.initialVFs)
        totalVFs = config.u16(base + Register.totalVFs)
        numVFs = config.u16(base + Register.numVFs)
        functionDependencyLink = config.u8(base + Register.functionLink)
        vfOffset = config.u16(base + Register.vfOffset)
        vfStride = config.u16(base + Register.vfStride)
        vfDeviceID = config.u16(base + Register.vfDeviceID)
        supportedPageSizes = config.u32(base + Register.supportedPageSizes)
        systemPageSize = config.u32(base + Register.systemPageSize)
    }

    /// Addresses of VFs 0..<count of the PF at `pf`: routing ID = PF + offset + i * stride
    /// (PCIe Base Spec 9.3.3.10; the kernel's `pci_iov_virtfn_bus/devfn`). Nil when offset
    /// or stride is unknown, or a VF would fall past bus 255. TotalVFs is a 16-bit register, so
    /// a larger count (from a crafted tree) is refused before anything is allocated.
    public static func vfAddresses(pf: PCIAddress, offset: UInt16, stride: UInt16, count: Int) -> [PCIAddress]? {
        guard count > 0 else { return [] }
        guard offset != 0, count <= Int(UInt16.max) else { return nil }
        var result: [PCIAddress] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            let rid = Int(pf.routingID) + Int(offset) + i * Int(stride)
            guard rid <= 0xffff else { return nil }
            result.append(PCIAddress(domain: pf.domain, routingID: UInt16(rid)))
        }
        return result
    }
}
