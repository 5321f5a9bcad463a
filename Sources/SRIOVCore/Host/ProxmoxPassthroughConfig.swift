import HostAccess

/// What Proxmox VE already passes through: `hostpciN:` lines of the VM configs
/// (`/etc/pve/qemu-server/<vmid>.conf`, qm(1) "hostpci[n]") and the PCI resource mappings
/// they may name (`/etc/pve/mapping/pci.cfg`, Datacenter > Resource Mappings), the VMs'
/// name, ostype, machine type and BIOS, and whether they run (`qm list`, when available).
///
/// Formats (qm(1) "Configuration", pve-docs qm.adoc "Resource Mapping"):
/// `/etc/pve/qemu-server/<vmid>.conf` holds `key: value` lines (`name: win11`,
/// `ostype: win11`, `machine: pc-q35-8.1` or `machine: type=q35,viommu=virtio`, absent means
/// i440fx; `bios: ovmf`, absent means seabios; `hostpci0: 0000:01:10.0,pcie=1,rombar=0`);
/// `[name]` sections after them are snapshots or `[PENDING]` changes. pci.cfg has one
/// unindented line per mapping id and indented `map id=8086:10ca,iommugroup=7,node=pve,
/// path=0000:01:10.0[,subsystem-id=...]` lines, one per device and node.
public struct ProxmoxPassthroughConfig: Sendable, Equatable {
    public static let vmDirectory = "/etc/pve/qemu-server"
    public static let mappingFile = "/etc/pve/mapping/pci.cfg"
    /// Recorded in snapshots; tells which VMs run (a new PCI device needs a restart).
    public static let listCommand = ["qm", "list"]

    /// The QEMU machine family a VM boots: `pcie=1` needs q35 (qm(1): "needs the 'q35'
    /// machine model"); without a `machine:` line Proxmox uses i440fx.
    public enum MachineFamily: String, Sendable, Equatable {
        case i440fx, q35
    }

    /// Whether a VM runs, from `qm list`; `unknown` where it could not be run or recorded.
    public enum RunState: String, Sendable, Equatable {
        case running, stopped, unknown

        /// The state in Spanish, for evidence.
        public var spanish: String {
            switch self {
            case .running: return "en marcha"
            case .stopped: return "parada"
            case .unknown: return "desconocido"
            }
        }
    }

    /// One VM config's top section.
    public struct VMConfig: Sendable, Equatable {
        public var vmid: String
        public var file: String
        public var name: String?
        public var ostype: String?
        /// The `machine:` value as written (`q35`, `pc-i440fx-8.1`, `type=q35,viommu=virtio`).
        public var machine: String?
        public var bios: String?
        public var state: RunState = .unknown

        public init(vmid: String, file: String) {
            self.vmid = vmid
            self.file = file
        }

        public var machineFamily: MachineFamily {
            guard let machine else { return .i440fx }
            let type = machine.split(separator: ",").first { !$0.contains("=") || $0.hasPrefix("type=") }
                .map { $0.hasPrefix("type=") ? String($0.dropFirst(5)) : String($0) } ?? ""
            return type.contains("q35") ? .q35 : .i440fx
        }

        /// qm(1) ostype: `wxp w2k w2k3 w2k8 wvista win7 win8 win10 win11` are Windows.
        public var isWindows: Bool { ostype?.hasPrefix("w") ?? false }

        /// `VM 101 'win11'`
        public var label: String { "VM \(vmid)" + (name.map { " '\($0)'" } ?? "") }
    }

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
        /// Every `key=value` option after the address, in order (`pcie=1`, `rombar=0`, ...).
        public var options: [(key: String, value: String)] = []
        public var location: ConfigLocation
        public var text: String

        public init(vmid: String, slot: String, ids: [HostPCIID], mapping: String?, options: [(key: String, value: String)] = [],
                    location: ConfigLocation, text: String) {
            self.vmid = vmid; self.slot = slot; self.ids = ids; self.mapping = mapping; self.options = options
            self.location = location; self.text = text
        }

        public func option(_ key: String) -> String? { options.first { $0.key == key }?.value }
        /// `pcie=1` (also `on`, `yes`, `true`, as the Proxmox boolean format accepts).
        public var pcie: Bool { ["1", "on", "yes", "true"].contains(option("pcie")?.lowercased() ?? "0") }

        public static func == (a: HostPCI, b: HostPCI) -> Bool {
            a.vmid == b.vmid && a.slot == b.slot && a.ids == b.ids && a.mapping == b.mapping && a.location == b.location
                && a.text == b.text && a.options.map(\.key) == b.options.map(\.key) && a.options.map(\.value) == b.options.map(\.value)
        }
    }

    /// One `map` line of a resource mapping.
    public struct MappedDevice: Sendable, Equatable {
        public var mapping: String
        public var node: String?
        public var ids: [HostPCIID]
        /// `id=8086:10ca` (vendor:device the mapping expects there).
        public var id: String?
        public var iommuGroup: Int?
        public var location: ConfigLocation

        public init(mapping: String, node: String?, ids: [HostPCIID], id: String? = nil, iommuGroup: Int? = nil, location: ConfigLocation) {
            self.mapping = mapping; self.node = node; self.ids = ids; self.id = id; self.iommuGroup = iommuGroup; self.location = location
        }
    }

    public var vmConfigs: [String] = []
    public var vms: [VMConfig] = []
    /// Whether `qm list` could be read (live, or recorded in the snapshot).
    public var runStateKnown = false
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
                config.problems.append(ConfigProblem(location: ConfigLocation(file: path, line: 0), error: error))
            }
        }
        if machine.kind(mappingFile) == .regular {
            do {
                config.parseMappings(try machine.readText(mappingFile, limit: ConfigText.fileLimit), file: mappingFile)
            } catch {
                config.problems.append(ConfigProblem(location: ConfigLocation(file: mappingFile, line: 0), error: error))
            }
        }
        // Only where there are VMs to ask about (qm list takes a second on a Proxmox host).
        if !config.vms.isEmpty, let listed = try? machine.run(listCommand, timeout: 30), listed.status == 0 {
            config.applyList(listed.stdoutText)
        }
        return config
    }

    /// `qm list`: a header (`VMID NAME STATUS MEM(MB) BOOTDISK(GB) PID`), then one row per VM,
    /// columns separated by spaces (names have none: qm allows DNS names only).
    public mutating func applyList(_ text: String) {
        var states: [String: RunState] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard columns.count >= 3, columns[0].allSatisfy(\.isNumber) else { continue }
            states[columns[0]] = columns[2] == "running" ? .running : columns[2] == "stopped" ? .stopped : .unknown
        }
        runStateKnown = true
        for index in vms.indices { vms[index].state = states[vms[index].vmid] ?? .unknown }
    }

    public func vm(_ vmid: String) -> VMConfig? { vms.first { $0.vmid == vmid } }

    public mutating func parseVM(_ text: String, file: String, vmid: String) {
        vmConfigs.append(file)
        var vm = VMConfig(vmid: vmid, file: file)
        defer { vms.append(vm) }
        for line in ConfigText.logicalLines(text, file: file, continuation: false) where !line.isBlankOrComment {
            let t = line.trimmed
            // `[snapshot]` and `[PENDING]` sections describe other states of the VM.
            if t.hasPrefix("[") { break }
            if let colon = t.firstIndex(of: ":") {
                let value = String(t[t.index(after: colon)...]).trimmedSpace()
                switch t[..<colon] {
                case "name": vm.name = value
                case "ostype": vm.ostype = value
                case "machine": vm.machine = value
                case "bios": vm.bios = value
                default: break
                }
            }
            guard t.hasPrefix("hostpci"), let colon = t.firstIndex(of: ":") else { continue }
            let slot = String(t[..<colon])
            guard Int(slot.dropFirst(7)) != nil else { continue }
            var ids: [HostPCIID] = []
            var mapping: String?
            var options: [(key: String, value: String)] = []
            var understood = true
            for (index, part) in t[t.index(after: colon)...].split(separator: ",").enumerated() {
                let item = String(part).trimmedSpace()
                var value: String?
                if item.hasPrefix("host=") { value = String(item.dropFirst(5)) } else if index == 0, !item.contains("=") { value = item }
                if item.hasPrefix("mapping=") { mapping = String(item.dropFirst(8)) }
                if value == nil, !item.hasPrefix("mapping="), let eq = item.firstIndex(of: "=") {
                    options.append((String(item[..<eq]), String(item[item.index(after: eq)...])))
                }
                guard let value else { continue }
                for id in value.split(separator: ";") {
                    if let parsed = HostPCIID(id) { ids.append(parsed) } else { understood = false }
                }
            }
            if !understood || (ids.isEmpty && mapping == nil) {
                problems.append(ConfigProblem(location: line.location, text: LocalizedText(en: "\(slot): no host PCI address or mapping understood in '\(t)'", es: "\(slot): no se entiende ninguna dirección PCI del equipo ni mapeo en '\(t)'")))
            }
            hostPCI.append(HostPCI(vmid: vmid, slot: slot, ids: ids, mapping: mapping, options: options, location: line.location, text: t))
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
            var id: String?
            var group: Int?
            for item in t.dropFirst(4).split(separator: ",") {
                let pair = item.split(separator: "=", maxSplits: 1).map { String($0).trimmedSpace() }
                guard pair.count == 2 else { continue }
                switch pair[0] {
                case "node": node = pair[1]
                case "path": ids += pair[1].split(separator: ";").compactMap(HostPCIID.init)
                case "id": id = pair[1]
                case "iommugroup": group = Int(pair[1])
                default: break
                }
            }
            if ids.isEmpty {
                problems.append(ConfigProblem(location: line.location, text: LocalizedText(en: "map line without a path=ADDRESS", es: "línea map sin path=DIRECCIÓN")))
            }
            mapped.append(MappedDevice(mapping: current, node: node, ids: ids, id: id, iommuGroup: group, location: line.location))
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

extension ProxmoxPassthroughConfig {
    /// VM configs are cut to the lines the passthrough checks need (`Snapshot.copyVMConfig`).
    public static let reads = HostReads("ProxmoxPassthroughConfig", paths: [.file(vmDirectory + "/*.conf", quiet: false), .file(mappingFile)],
                                        commands: [listCommand])
}
