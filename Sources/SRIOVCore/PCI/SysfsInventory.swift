import Dispatch
import Foundation
import HostAccess
import Synchronization

/// Something the inventory could not read; the rest of the inventory is still valid.
public struct InventoryIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// The message in every language, for notes people read in `devices` (roles told from
    /// the layout of a paste); `message` is its English text.
    public var localized: LocalizedText?
    /// An explanation of how the inventory was read, not a problem with the input.
    public var isNote: Bool
    public init(path: String, message: String) {
        self.path = path
        self.message = message
        self.localized = nil
        self.isNote = false
    }

    /// A note in every language (`message` = its English text).
    public init(path: String, note: LocalizedText) {
        self.path = path
        self.message = note.en
        self.localized = note
        self.isNote = true
    }
    public var description: String { message }
}

/// The PCI functions of a machine (or of a pasted lspci output), with PF<->VF links resolved.
public struct Inventory: Sendable {
    /// Every change rebuilds `index` (one pass), so lookups stay O(1) and still answer what a
    /// scan of `functions` in order would.
    public var functions: [PCIFunction] { didSet { index = InventoryIndex(functions) } }
    /// Lookups by address, by secondary bus and by vendor:device (built from `functions`).
    public private(set) var index: InventoryIndex
    public var issues: [InventoryIssue]
    /// "sysfs" or "lspci".
    public var source: String
    /// Functions whose address is unknown (lspci lines pasted without their device line);
    /// `functions` holds real addresses only.
    public var unaddressedFunctions: [UnaddressedFunction]

    public init(functions: [PCIFunction], issues: [InventoryIssue] = [], source: String,
                unaddressedFunctions: [UnaddressedFunction] = []) {
        self.functions = functions
        self.index = InventoryIndex(functions)
        self.issues = issues
        self.source = source
        self.unaddressedFunctions = unaddressedFunctions
    }

    /// The first function with this address (`functions.first { $0.address == address }`).
    public func function(_ address: PCIAddress) -> PCIFunction? {
        index.byAddress[address].map { functions[$0] }
    }

    /// The first bridge, in `functions` order, whose secondary bus is `function`'s bus in the
    /// same domain, other than the function itself (as lspci's tree: the first claim wins).
    public func bridge(above function: PCIFunction) -> PCIFunction? {
        guard let claims = index.bySecondaryBus[InventoryIndex.Bus(domain: function.address.domain, bus: function.address.bus)] else { return nil }
        return claims.lazy.map { functions[$0] }.first { $0.address != function.address }
    }

    /// The functions in an IOMMU group, in `functions` order, from their `iommu_group` links.
    public func members(ofIOMMUGroup group: Int) -> [PCIAddress] {
        (index.byIOMMUGroup[group] ?? []).map { functions[$0].address }
    }

    /// The name of the first function with this vendor and device ID that has one.
    public func deviceName(vendorID: UInt16?, deviceID: UInt16) -> String? {
        index.namedDevice[InventoryIndex.Device(vendorID: vendorID, deviceID: deviceID)].flatMap { functions[$0].deviceName }
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

/// Positions in `Inventory.functions`, each the first that matches, so that a lookup gives
/// what a linear `first(where:)` gave (duplicates are possible in pasted lspci text).
public struct InventoryIndex: Sendable {
    struct Bus: Hashable, Sendable { var domain: UInt32; var bus: UInt8 }
    struct Device: Hashable, Sendable { var vendorID: UInt16?; var deviceID: UInt16 }
    var byAddress: [PCIAddress: Int] = [:]
    /// Bridges by (domain, secondary bus), every claimant in order.
    var bySecondaryBus: [Bus: [Int]] = [:]
    /// The first function with a device name, by vendor:device.
    var namedDevice: [Device: Int] = [:]
    /// Functions by IOMMU group number, in order.
    var byIOMMUGroup: [Int: [Int]] = [:]

    init(_ functions: [PCIFunction]) {
        byAddress.reserveCapacity(functions.count)
        for (i, f) in functions.enumerated() {
            if byAddress[f.address] == nil { byAddress[f.address] = i }
            if let secondary = f.secondaryBus {
                bySecondaryBus[Bus(domain: f.address.domain, bus: secondary), default: []].append(i)
            }
            if let group = f.iommuGroup { byIOMMUGroup[group, default: []].append(i) }
            if let device = f.deviceID, f.deviceName != nil {
                let key = Device(vendorID: f.vendorID, deviceID: device)
                if namedDevice[key] == nil { namedDevice[key] = i }
            }
        }
    }
}

/// Builds the inventory from `ROOT/sys/bus/pci/devices` (Documentation/ABI/testing/sysfs-bus-pci).
public enum SysfsInventory {
    public static let devicesPath = "/sys/bus/pci/devices"
    public static let configLimit = PCIRegister.extendedSize

    /// Below this many entries the walk stays on the calling thread (a thread costs more than
    /// reading a small host's few functions).
    public static let parallelThreshold = 64

    /// Reads every function under `devicesPath`. The walk is system-call bound, so with
    /// `threads` above 1 (default: the processors this process may use) and at least
    /// `parallelThreshold` entries, contiguous slices of the directory listing are read on
    /// that many threads and joined in listing order: functions and issues come out exactly
    /// as a single-threaded walk gives them.
    public static func load(_ machine: Machine, threads: Int? = nil) throws(HostAccessError) -> Inventory {
        let names = try machine.list(devicesPath)
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, 16))
        var functions: [PCIFunction]
        var issues: [InventoryIssue]
        if workers > 1 && names.count >= parallelThreshold {
            (functions, issues) = loadConcurrently(names, machine: machine, workers: workers)
        } else {
            (functions, issues) = loadSlice(names[...], machine: machine)
        }
        functions.sort { $0.address < $1.address }
        linkRoles(&functions)
        return Inventory(functions: functions, issues: issues, source: "sysfs")
    }

    /// The functions and issues of these directory entries, in their order.
    static func loadSlice(_ names: ArraySlice<String>, machine: Machine) -> ([PCIFunction], [InventoryIssue]) {
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
        return (functions, issues)
    }

    /// `loadSlice` of consecutive slices on `workers` threads (a few slices per thread, handed
    /// out as threads come free), the results joined in slice order.
    static func loadConcurrently(_ names: [String], machine: Machine, workers: Int) -> ([PCIFunction], [InventoryIssue]) {
        let sliceCount = min(workers * 4, max(1, names.count / 16))
        let bounds = (0...sliceCount).map { names.count * $0 / sliceCount }
        let results = Mutex<[([PCIFunction], [InventoryIssue])?]>(Array(repeating: nil, count: sliceCount))
        DispatchQueue.concurrentPerform(iterations: sliceCount) { slice in
            let result = loadSlice(names[bounds[slice]..<bounds[slice + 1]], machine: machine)
            results.withLock { $0[slice] = result }
        }
        var functions: [PCIFunction] = []
        var issues: [InventoryIssue] = []
        functions.reserveCapacity(names.count)
        results.withLock { slices in
            for case let (f, i)? in slices {
                functions.append(contentsOf: f)
                issues.append(contentsOf: i)
            }
        }
        return (functions, issues)
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
        /// A number attribute in the range of the register behind it; a value outside it (or
        /// not a number at all) is an issue naming the file and the bytes, and counts as unknown.
        func number(_ name: String, _ format: SysfsNumber.Format, max: Int) -> Int? {
            guard entries.contains(name) else { return nil }
            let path = dir + "/" + name
            guard let bytes = try? machine.read(path, limit: SysfsNumber.readLimit, overflow: .truncate) else { return nil }
            switch SysfsNumber.parse(bytes, format, max: max) {
            case .value(let v): return v
            case .invalid(let problem):
                issues.append(InventoryIssue(path: path, message: "\(path): \(problem); ignored"))
                invalid.append("\(path): \(problem)")
                return nil
            }
        }
        var invalid: [String] = []
        let u16 = Int(UInt16.max)

        f.vendorID = number("vendor", .hex, max: u16).map { UInt16($0) }
        f.deviceID = number("device", .hex, max: u16).map { UInt16($0) }
        f.subsystemVendorID = number("subsystem_vendor", .hex, max: u16).map { UInt16($0) }
        f.subsystemDeviceID = number("subsystem_device", .hex, max: u16).map { UInt16($0) }
        f.classCode = number("class", .hex, max: 0xff_ffff).map { UInt32($0) }
        f.revision = number("revision", .hex, max: 0xff).map { UInt8($0) }

        if entries.contains("config") {
            do {
                let bytes = try machine.read(dir + "/config", limit: configLimit, overflow: .truncate)
                f.apply(config: ConfigSpace(bytes), source: "config")
            } catch {
                issues.append(InventoryIssue(path: dir + "/config", message: error.description))
            }
        }
        if entries.contains("driver") { f.driver = machine.linkName(dir + "/driver") }
        if entries.contains("iommu_group") {
            f.iommuGroup = machine.linkName(dir + "/iommu_group").flatMap { SysfsNumber.parse(Array($0.utf8), .decimal, max: Int(Int32.max)).value }
        }
        if entries.contains("net") { f.netdevs = (try? machine.list(dir + "/net")) ?? [] }
        if entries.contains("physfn") { f.physfn = machine.linkName(dir + "/physfn").flatMap { PCIAddress($0) } }
        f.ariEnabled = number("ari_enabled", .decimal, max: 1).map { $0 == 1 }

        var virtfns: [(Int, PCIAddress)] = []
        for entry in entries where entry.hasPrefix("virtfn") {
            guard let index = SysfsNumber.parse(Array(entry.utf8.dropFirst(6)), .decimal, max: u16).value,
                  let target = machine.linkName(dir + "/" + entry), let vf = PCIAddress(target) else { continue }
            virtfns.append((index, vf))
        }
        f.virtfns = virtfns.sorted { $0.0 < $1.0 }.map(\.1)

        // The kernel's view wins over config space (drivers may lower TotalVFs).
        if entries.contains("sriov_totalvfs") {
            var state = f.sriov ?? SRIOVState(capability: nil, source: "sysfs")
            let configTotal = state.capability?.totalVFs.map(Int.init)
            // TotalVFs, NumVFs, First VF Offset and VF Stride are 16-bit registers (PCIe Base
            // Spec 9.3.3.5-9.3.3.10); the kernel prints them with %u (drivers/pci/iov.c).
            if let total = number("sriov_totalvfs", .decimal, max: u16) {
                state.totalVFs = total
                if let configTotal, configTotal != total { state.configTotalVFs = configTotal }
            } else if entries.contains("sriov_totalvfs") {
                state.totalVFs = nil
            }
            state.numVFs = number("sriov_numvfs", .decimal, max: u16) ?? (entries.contains("sriov_numvfs") ? nil : state.numVFs)
            state.vfOffset = number("sriov_offset", .decimal, max: u16) ?? (entries.contains("sriov_offset") ? nil : state.vfOffset)
            state.vfStride = number("sriov_stride", .decimal, max: u16) ?? (entries.contains("sriov_stride") ? nil : state.vfStride)
            if let d = number("sriov_vf_device", .hex, max: u16) { state.vfDeviceID = UInt16(d) }
            if let a = number("sriov_drivers_autoprobe", .decimal, max: 1) { state.driversAutoprobe = a == 1 }
            state.invalidValues = invalid.filter { $0.contains("/sriov_") }
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

/// A number read from a sysfs attribute, e.g. `sriov_totalvfs` ("7\n", printed with %u) or
/// `vendor` ("0x8086\n", printed with 0x%04x; Documentation/ABI/testing/sysfs-bus-pci).
/// Only what the kernel prints is a value: digits (hex with an optional `0x`), one optional
/// trailing newline, at most `max` (the width of the register behind it). Anything else is
/// invalid, and its bytes are kept, escaped, for the message: a copied or crafted tree may hold
/// `9223372036854775807`, `-1`, `7\n\n\n` or binary.
public enum SysfsNumber {
    public enum Format: Sendable { case decimal, hex }
    public enum Parsed: Sendable, Equatable {
        case value(Int)
        /// What is wrong, with the bytes seen.
        case invalid(String)
        public var value: Int? { if case .value(let v) = self { return v } else { return nil } }
    }
    /// Longer attributes are invalid anyway; this much is read so the message can show them.
    public static let readLimit = 256
    /// Bytes shown in a message.
    static let shownLimit = 64

    public static func parse(_ bytes: [UInt8], _ format: Format, max: Int) -> Parsed {
        var digits = bytes[...]
        if digits.last == 0x0a { digits = digits.dropLast() }
        if format == .hex, digits.count > 2, digits[digits.startIndex] == 0x30,
           digits[digits.startIndex + 1] | 0x20 == 0x78 { digits = digits.dropFirst(2) }
        let expected = format == .hex ? "a hexadecimal number 0x0-0x\(String(max, radix: 16))" : "a number 0-\(max)"
        var value = 0
        var ok = !digits.isEmpty && digits.count <= 20
        for b in digits where ok {
            let d: Int
            switch b {
            case 0x30...0x39: d = Int(b - 0x30)
            case 0x61...0x66 where format == .hex: d = Int(b - 0x61 + 10)
            case 0x41...0x46 where format == .hex: d = Int(b - 0x41 + 10)
            default: ok = false; continue
            }
            let (m, o1) = value.multipliedReportingOverflow(by: format == .hex ? 16 : 10)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 || a > max { ok = false } else { value = a }
        }
        if ok { return .value(value) }
        return .invalid("invalid value \(shown(bytes)) (expected \(expected))")
    }

    /// The bytes as a quoted string with control and non-ASCII bytes as `\xNN`, cut at
    /// `shownLimit` bytes.
    public static func shown(_ bytes: [UInt8]) -> String {
        var out = "\""
        for b in bytes.prefix(shownLimit) {
            switch b {
            case 0x0a: out += "\\n"
            case 0x22: out += "\\\""
            case 0x5c: out += "\\\\"
            case 0x20..<0x7f: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "\\x" + (b < 0x10 ? "0" : "") + String(b, radix: 16)
            }
        }
        out += "\""
        if bytes.count > shownLimit { out += bytes.count >= readLimit ? " (\(readLimit)+ bytes, first \(shownLimit) shown)" : " (\(bytes.count) bytes, first \(shownLimit) shown)" }
        return out
    }
}

extension SysfsInventory {
    /// The functions (Documentation/ABI/testing/sysfs-bus-pci): config space, the IDs and
    /// SR-IOV attributes, the driver, IOMMU group, PF and VF links, the netdevs and their MACs.
    public static let attributes = ["vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision", "ari_enabled",
                                    "sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride", "sriov_vf_device", "sriov_drivers_autoprobe"]
    static var readPaths: [HostPath] {
        let function = devicesPath + "/{pci}/"
        var paths: [HostPath] = [.file(function + "config", limit: configLimit, truncate: true, quiet: false)]
        paths += attributes.map { HostPath.file(function + $0, limit: 64 * 1024, quiet: false) }
        paths += ["driver", "iommu_group", "physfn", "virtfn*"].map { HostPath.link(function + $0) }
        paths += ["address", "addr_assign_type"].map { HostPath.file(function + "net/*/" + $0, limit: 4096) }
        paths.append(.notCopied(devicesPath + "/*", "names that are not PCI addresses (notes of capture tools) are skipped, not read"))
        return paths
    }
    public static let reads = HostReads("SysfsInventory", paths: readPaths)

    /// The MAC address of one of a function's netdevs (`net/NAME/address`), nil when unreadable.
    public static func macAddress(_ machine: Machine, _ function: PCIFunction, netdev: String) -> String? {
        machine.attribute(devicesPath + "/" + function.address.description + "/net/" + netdev + "/address")
    }
}
