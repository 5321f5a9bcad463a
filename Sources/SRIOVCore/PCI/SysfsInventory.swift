import HostAccess

/// Something the inventory could not read; the rest of the inventory is still valid.
public struct InventoryIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { message }
}

/// The PCI functions of a machine (or of a pasted lspci output), with PF<->VF links resolved.
public struct Inventory: Sendable {
    public var functions: [PCIFunction]
    public var issues: [InventoryIssue]
    /// "sysfs" or "lspci".
    public var source: String
    /// Functions whose address is unknown (lspci lines pasted without their device line);
    /// `functions` holds real addresses only.
    public var unaddressedFunctions: [UnaddressedFunction]

    public init(functions: [PCIFunction], issues: [InventoryIssue] = [], source: String,
                unaddressedFunctions: [UnaddressedFunction] = []) {
        self.functions = functions
        self.issues = issues
        self.source = source
        self.unaddressedFunctions = unaddressedFunctions
    }

    public func function(_ address: PCIAddress) -> PCIFunction? {
        functions.first { $0.address == address }
    }

    /// SR-IOV PFs followed, each, by its VFs (the default view of `devices`).
    public var sriovView: [PCIFunction] {
        var result: [PCIFunction] = []
        let byAddress = Dictionary(functions.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        var shown = Set<PCIAddress>()
        for pf in functions where pf.role == .pf {
            result.append(pf)
            shown.insert(pf.address)
            for vf in pf.virtfns { if let f = byAddress[vf], shown.insert(vf).inserted { result.append(f) } }
        }
        // VFs whose PF is not in the inventory (e.g. a pasted VF alone).
        for f in functions where f.role == .vf && !shown.contains(f.address) { result.append(f) }
        return result
    }
}

/// Builds the inventory from `ROOT/sys/bus/pci/devices` (Documentation/ABI/testing/sysfs-bus-pci).
public enum SysfsInventory {
    public static let devicesPath = "/sys/bus/pci/devices"
    public static let configLimit = PCIRegister.extendedSize

    public static func load(_ machine: Machine) throws(HostAccessError) -> Inventory {
        let names = try machine.list(devicesPath)
        var issues: [InventoryIssue] = []
        var functions: [PCIFunction] = []
        functions.reserveCapacity(names.count)
        for name in names {
            guard let address = PCIAddress(name), name.count == 12 else {
                // Stray regular files (notes left by capture tools) are not devices.
                if machine.kind(devicesPath + "/" + name, follow: false) == .regular { continue }
                issues.append(InventoryIssue(path: devicesPath + "/" + name,
                                             message: "\(devicesPath)/\(name): not a PCI address (DDDD:BB:DD.F); skipped"))
                continue
            }
            functions.append(loadFunction(address, dir: devicesPath + "/" + name, machine: machine, issues: &issues))
        }
        functions.sort { $0.address < $1.address }
        linkRoles(&functions)
        return Inventory(functions: functions, issues: issues, source: "sysfs")
    }

    static func loadFunction(_ address: PCIAddress, dir: String, machine: Machine, issues: inout [InventoryIssue]) -> PCIFunction {
        var f = PCIFunction(address: address)
        let entries: Set<String>
        do { entries = Set(try machine.list(dir)) } catch {
            issues.append(InventoryIssue(path: dir, message: error.description))
            return f
        }
        func attr(_ name: String) -> String? {
            entries.contains(name) ? machine.attribute(dir + "/" + name) : nil
        }
        func hexAttr(_ name: String) -> UInt32? {
            guard let text = attr(name) else { return nil }
            let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? text.dropFirst(2) : Substring(text)
            return UInt32(digits, radix: 16)
        }
        func intAttr(_ name: String) -> Int? { attr(name).flatMap { Int($0) } }

        f.vendorID = hexAttr("vendor").map { UInt16(truncatingIfNeeded: $0) }
        f.deviceID = hexAttr("device").map { UInt16(truncatingIfNeeded: $0) }
        f.subsystemVendorID = hexAttr("subsystem_vendor").map { UInt16(truncatingIfNeeded: $0) }
        f.subsystemDeviceID = hexAttr("subsystem_device").map { UInt16(truncatingIfNeeded: $0) }
        f.classCode = hexAttr("class").map { $0 & 0xff_ffff }
        f.revision = hexAttr("revision").map { UInt8(truncatingIfNeeded: $0) }

        if entries.contains("config") {
            do {
                let bytes = try machine.read(dir + "/config", limit: configLimit, overflow: .truncate)
                f.apply(config: ConfigSpace(bytes), source: "config")
            } catch {
                issues.append(InventoryIssue(path: dir + "/config", message: error.description))
            }
        }
        if entries.contains("driver") { f.driver = machine.linkName(dir + "/driver") }
        if entries.contains("iommu_group") { f.iommuGroup = machine.linkName(dir + "/iommu_group").flatMap { Int($0) } }
        if entries.contains("net") { f.netdevs = (try? machine.list(dir + "/net")) ?? [] }
        if entries.contains("physfn") { f.physfn = machine.linkName(dir + "/physfn").flatMap { PCIAddress($0) } }
        f.ariEnabled = attr("ari_enabled").map { $0 == "1" }

        var virtfns: [(Int, PCIAddress)] = []
        for entry in entries where entry.hasPrefix("virtfn") {
            guard let index = Int(entry.dropFirst(6)),
                  let target = machine.linkName(dir + "/" + entry), let vf = PCIAddress(target) else { continue }
            virtfns.append((index, vf))
        }
        f.virtfns = virtfns.sorted { $0.0 < $1.0 }.map(\.1)

        // The kernel's view wins over config space (drivers may lower TotalVFs).
        if entries.contains("sriov_totalvfs") {
            var state = f.sriov ?? SRIOVState(capability: nil, source: "sysfs")
            let configTotal = state.capability?.totalVFs.map(Int.init)
            if let total = intAttr("sriov_totalvfs") {
                state.totalVFs = total
                if let configTotal, configTotal != total { state.configTotalVFs = configTotal }
            }
            if let n = intAttr("sriov_numvfs") { state.numVFs = n }
            if let o = intAttr("sriov_offset") { state.vfOffset = o }
            if let s = intAttr("sriov_stride") { state.vfStride = s }
            if let d = hexAttr("sriov_vf_device") { state.vfDeviceID = UInt16(truncatingIfNeeded: d) }
            if let a = attr("sriov_drivers_autoprobe") { state.driversAutoprobe = a == "1" }
            state.source = "sysfs"
            f.sriov = state
        }
        return f
    }

    /// Decides roles and fills PF<->VF links in both directions (a copied tree may carry
    /// only one side).
    public static func linkRoles(_ functions: inout [PCIFunction]) {
        var index: [PCIAddress: Int] = [:]
        for (i, f) in functions.enumerated() { index[f.address] = i }
        for i in functions.indices {
            if functions[i].physfn != nil { functions[i].role = .vf }
            else if functions[i].sriov != nil { functions[i].role = .pf }
            else { functions[i].role = .none }
        }
        for i in functions.indices where functions[i].role == .pf {
            for vf in functions[i].virtfns {
                if let j = index[vf], functions[j].physfn == nil {
                    functions[j].physfn = functions[i].address
                    functions[j].role = .vf
                }
            }
        }
        for i in functions.indices where functions[i].role == .vf {
            if let pf = functions[i].physfn, let j = index[pf], !functions[j].virtfns.contains(functions[i].address) {
                functions[j].virtfns.append(functions[i].address)
                functions[j].virtfns.sort()
            }
        }
        // A VF never counts as a PF, even if it (wrongly) shows an SR-IOV capability.
    }
}
