import HostAccess

/// What Proxmox VE already passes through: `hostpciN:` lines of the VM configs
/// (`/etc/pve/qemu-server/<vmid>.conf`, qm(1) "hostpci[n]") and the PCI resource mappings
/// they may name (`/etc/pve/mapping/pci.cfg`, Datacenter > Resource Mappings).
public struct ProxmoxPassthroughConfig: Sendable, Equatable {
    public static let vmDirectory = "/etc/pve/qemu-server"
    public static let mappingFile = "/etc/pve/mapping/pci.cfg"

    /// A host PCI ID as qm accepts it: `[domain:]bus:dev[.func]`; without `.func` it means
    /// every function of the device.
    public struct HostPCIID: Sendable, Equatable {
        public var domain: UInt32
        public var bus: UInt8
        public var device: UInt8
        public var function: UInt8?

        public init?(_ text: some StringProtocol) {
            let t = String(text).trimmedSpace()
            if let full = PCIAddress(t) {
                domain = full.domain; bus = full.bus; device = full.device; function = full.function
                return
            }
            // Without function: `01:10` or `0000:01:10`.
            guard let probe = PCIAddress(t + ".0") else { return nil }
            domain = probe.domain; bus = probe.bus; device = probe.device; function = nil
        }

        public func covers(_ address: PCIAddress) -> Bool {
            address.domain == domain && address.bus == bus && address.device == device
                && (function == nil || function == address.function)
        }
    }

    /// One `hostpciN:` line.
    public struct HostPCI: Sendable, Equatable {
        public var vmid: String
        /// `hostpci0`
        public var slot: String
        public var ids: [HostPCIID]
        public var mapping: String?
        public var location: ConfigLocation
        public var text: String
    }

    /// One `map` line of a resource mapping.
    public struct MappedDevice: Sendable, Equatable {
        public var mapping: String
        public var node: String?
        public var ids: [HostPCIID]
        public var location: ConfigLocation
    }

    public var vmConfigs: [String] = []
    public var hostPCI: [HostPCI] = []
    public var mapped: [MappedDevice] = []
    public var problems: [ConfigProblem] = []

    public init() {}

    public static func read(_ machine: Machine) -> ProxmoxPassthroughConfig {
        var config = ProxmoxPassthroughConfig()
        for name in (try? machine.list(vmDirectory)) ?? [] where name.hasSuffix(".conf") {
            let path = vmDirectory + "/" + name
            guard machine.kind(path) == .regular else { continue }
            do {
                config.parseVM(try machine.readText(path, limit: ConfigText.fileLimit), file: path, vmid: String(name.dropLast(5)))
            } catch {
                config.problems.append(ConfigProblem(location: ConfigLocation(file: path, line: 0), message: error.description))
            }
        }
        if machine.kind(mappingFile) == .regular {
            do {
                config.parseMappings(try machine.readText(mappingFile, limit: ConfigText.fileLimit), file: mappingFile)
            } catch {
                config.problems.append(ConfigProblem(location: ConfigLocation(file: mappingFile, line: 0), message: error.description))
            }
        }
        return config
    }

    public mutating func parseVM(_ text: String, file: String, vmid: String) {
        vmConfigs.append(file)
        for line in ConfigText.logicalLines(text, file: file, continuation: false) where !line.isBlankOrComment {
            let t = line.trimmed
            // `[snapshot]` and `[PENDING]` sections describe other states of the VM.
            if t.hasPrefix("[") { break }
            guard t.hasPrefix("hostpci"), let colon = t.firstIndex(of: ":") else { continue }
            let slot = String(t[..<colon])
            guard Int(slot.dropFirst(7)) != nil else { continue }
            var ids: [HostPCIID] = []
            var mapping: String?
            var understood = true
            for (index, part) in t[t.index(after: colon)...].split(separator: ",").enumerated() {
                let item = String(part).trimmedSpace()
                var value: String?
                if item.hasPrefix("host=") { value = String(item.dropFirst(5)) } else if index == 0, !item.contains("=") { value = item }
                if item.hasPrefix("mapping=") { mapping = String(item.dropFirst(8)) }
                guard let value else { continue }
                for id in value.split(separator: ";") {
                    if let parsed = HostPCIID(id) { ids.append(parsed) } else { understood = false }
                }
            }
            if !understood || (ids.isEmpty && mapping == nil) {
                problems.append(ConfigProblem(location: line.location, message: "\(slot): no host PCI address or mapping understood in '\(t)'"))
            }
            hostPCI.append(HostPCI(vmid: vmid, slot: slot, ids: ids, mapping: mapping, location: line.location, text: t))
        }
    }

    /// pci.cfg: an unindented line names a mapping, indented `map key=value,...` lines list
    /// its devices (`path=0000:01:10.0`, `node=pve`).
    public mutating func parseMappings(_ text: String, file: String) {
        var current: String?
        for line in ConfigText.logicalLines(text, file: file, continuation: false) where !line.isBlankOrComment {
            let indented = line.text.first == " " || line.text.first == "\t"
            let t = line.trimmed
            if !indented {
                current = t.split(whereSeparator: { $0 == " " || $0 == "\t" }).last.map(String.init)
                continue
            }
            guard t.hasPrefix("map "), let current else { continue }
            var node: String?
            var ids: [HostPCIID] = []
            for item in t.dropFirst(4).split(separator: ",") {
                let pair = item.split(separator: "=", maxSplits: 1).map { String($0).trimmedSpace() }
                guard pair.count == 2 else { continue }
                if pair[0] == "node" { node = pair[1] }
                if pair[0] == "path" { ids += pair[1].split(separator: ";").compactMap(HostPCIID.init) }
            }
            if ids.isEmpty {
                problems.append(ConfigProblem(location: line.location, message: "map line without a path=ADDRESS"))
            }
            mapped.append(MappedDevice(mapping: current, node: node, ids: ids, location: line.location))
        }
    }

    /// The `hostpciN` lines that pass this function directly.
    public func directUses(of address: PCIAddress) -> [HostPCI] {
        hostPCI.filter { $0.ids.contains { $0.covers(address) } }
    }

    /// Resource mappings that contain this function (on `node`, when the node is known).
    public func mappings(containing address: PCIAddress, node: String?) -> [MappedDevice] {
        mapped.filter { entry in
            entry.ids.contains { $0.covers(address) } && (node == nil || entry.node == nil || entry.node == node)
        }
    }

    /// VMs whose `hostpciN` names a mapping.
    public func uses(ofMapping name: String) -> [HostPCI] {
        hostPCI.filter { $0.mapping == name }
    }
}
