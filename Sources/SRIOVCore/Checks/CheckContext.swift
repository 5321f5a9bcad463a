import HostAccess

/// Everything a check may look at: the machine (through the one host seam), its PCI
/// inventory, the embedded knowledge, and which device the user chose, if any.
public struct CheckContext: Sendable {
    public let machine: Machine
    public let inventory: Inventory
    public let knowledge: Knowledge
    /// `--device ADDR`: stage 3 and 4 checks look only at this function.
    public let selectedDevice: PCIAddress?

    public init(machine: Machine, inventory: Inventory, knowledge: Knowledge = .embedded, selectedDevice: PCIAddress? = nil) {
        self.machine = machine
        self.inventory = inventory
        self.knowledge = knowledge
        self.selectedDevice = selectedDevice
    }

    /// The SR-IOV physical functions that device-level checks look at: the chosen one, or
    /// every PF of the inventory.
    public var targetPFs: [PCIFunction] {
        if let selectedDevice {
            guard let f = inventory.function(selectedDevice) else { return [] }
            if f.role == .vf, let pf = f.physfn, let parent = inventory.function(pf) { return [parent] }
            return [f]
        }
        return inventory.functions.filter { $0.role == .pf }
    }

    /// VFs of a PF that are present in the inventory.
    public func vfs(of pf: PCIFunction) -> [PCIFunction] {
        pf.virtfns.compactMap { inventory.function($0) }
    }

    /// The bridge or root port directly above a function: the bridge whose secondary bus is
    /// the function's bus (type 1 header, PCI_SECONDARY_BUS), from the config spaces read.
    public func upstreamPort(of function: PCIFunction) -> PCIFunction? {
        inventory.bridge(above: function)
    }
}
