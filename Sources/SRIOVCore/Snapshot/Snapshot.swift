import HostAccess

/// Copies everything the wizard reads from a machine into a root-layout directory, so that
/// `--root DIR` on the copy gives the same results as on the machine itself. This is what a
/// support engineer asks a user to send.
///
/// What leaves the host: only what a check reads. Files that hold secrets on real hosts are
/// cut to the lines a check needs (`SnapshotFilter`); the PCIe Device Serial Number and the
/// VPD data register are zeroed in every `config` and masked in `lspci -vvv`; ESP UUIDs
/// become `esp-N`. With `redact`, the report's `Redactor` also replaces host and domain
/// names, MACs, serials, UUIDs and IP addresses in every text file and recorded output, and
/// MACs inside interface names (`enx525400abcdef`).
public struct Snapshot {
    /// Per-function sysfs attributes worth keeping (Documentation/ABI/testing/sysfs-bus-pci).
    public static let pciAttributes = [
        "vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision",
        "enable", "irq", "numa_node", "local_cpulist", "modalias", "resource", "reset_method",
        "driver_override", "ari_enabled", "power_state", "d3cold_allowed",
        "current_link_speed", "current_link_width", "max_link_speed", "max_link_width",
        "sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride", "sriov_vf_device",
        "sriov_drivers_autoprobe", "sriov_vf_total_msix",
    ]
    /// Per-function links; kept as links with their stored target.
    public static let pciLinks = ["driver", "iommu_group", "iommu", "physfn", "subsystem", "firmware_node"]
    /// Network interface attributes (MACs: the guide warns VF MACs change at boot).
    public static let netAttributes = ["address", "addr_assign_type", "operstate", "mtu", "ifindex", "phys_port_name", "phys_switch_id"]
    /// DMI facts for BIOS hints. Serial numbers and UUIDs are deliberately left out.
    public static let dmiAttributes = [
        "sys_vendor", "product_name", "product_version", "product_family", "board_vendor", "board_name",
        "board_version", "bios_vendor", "bios_version", "bios_date", "bios_release", "chassis_vendor", "chassis_type",
    ]
    /// ACPI tables copied byte for byte (IOMMU and interrupt-remapping evidence).
    public static let acpiTables = ["DMAR", "IVRS", "VIOT"]
    public static let procFiles = [
        "/proc/cmdline", "/proc/cpuinfo", "/proc/modules", "/proc/version", "/proc/interrupts",
        "/proc/sys/kernel/hostname", "/proc/sys/kernel/osrelease",
    ]
    /// Single configuration files the checks look at.
    public static let etcFiles = [
        "/etc/default/grub", "/etc/kernel/cmdline", "/etc/kernel/proxmox-boot-uuids", "/etc/modules",
        "/etc/os-release", "/usr/lib/os-release", "/etc/debian_version", "/etc/hostname", "/etc/network/interfaces",
        // VF persistence (vfs-persistent) and passthrough (vf-passthrough).
        "/etc/sysfs.conf", "/etc/rc.local", "/etc/init.d/sysfsutils", "/usr/lib/systemd/system/sysfsutils.service",
        "/etc/pve/mapping/pci.cfg",
    ]
    /// Directories whose regular files are copied (one level).
    public static let etcDirectories = [
        // No /etc/systemd/network: no check reads it, and WireGuard .netdev files hold PrivateKey=.
        "/etc/default/grub.d", "/etc/modprobe.d", "/etc/modules-load.d", "/etc/udev/rules.d", "/etc/kernel/cmdline.d",
        // VF persistence (vfs-persistent): packaged modprobe.d files, sysfsutils, local units
        // and the `*.wants` links that enable them, ifupdown snippets; VM configs (vf-passthrough).
        "/lib/modprobe.d", "/usr/lib/modprobe.d", "/etc/sysfs.d", "/etc/systemd/system",
        "/etc/systemd/system/multi-user.target.wants", "/etc/systemd/system/sysinit.target.wants",
        "/etc/network/interfaces.d", "/etc/pve/qemu-server",
    ]
    /// Modules whose parameters matter (plus every driver bound to an SR-IOV function).
    public static let baseModules = ["vfio", "vfio_pci", "vfio_iommu_type1", "vfio_pci_core", "kvm", "kvm_intel", "kvm_amd"]
    /// Commands recorded with their output and status; replayed on the snapshot.
    public static let commands: [[String]] = [
        ["uname", "-a"], ["uname", "-r"], ["lspci", "-vvv"], ["lspci", "-nn"], ["lspci", "-tv"],
        ["dmesg"], ["ip", "-d", "link", "show"], ["ip", "-j", "-d", "link", "show"],
        ProxmoxVersion.command, ["proxmox-boot-tool", "status"],
        ProxmoxPassthroughConfig.listCommand,  // which VMs run (vf-passthrough, apply --passthrough)
    ] + GPUHost.commands  // GPU SR-IOV: dkms status, modinfo -n i915/xe, mokutil --sb-state

    public struct Result: Sendable {
        public var filesWritten = 0
        public var linksWritten = 0
        public var commandsRecorded: [String] = []
        public var skipped: [InventoryIssue] = []
    }

    let source: Machine
    let output: TreeWriter
    var result = Result()
    /// `snapshot --redact`: the values of `source` to replace everywhere.
    var redactor: Redactor?
    /// /etc/kernel/proxmox-boot-uuids, as `esp-N` names.
    var espNames: [(uuid: String, name: String)] = []

    public init(source: Machine, output: TreeWriter, redactor: Redactor? = nil) {
        self.source = source
        self.output = output
        self.redactor = redactor
        if let text = try? source.readText(BootLoader.proxmoxUUIDsPath, limit: 64 * 1024) {
            espNames = SnapshotFilter.espNames(text)
        }
    }

    /// Takes the snapshot. Unreadable pieces are recorded in the manifest and the result,
    /// never fatal; only a failure to write the output is an error.
    public static func take(from source: Machine, to directory: String, now: String, redact: Bool = false) throws(HostAccessError) -> Result {
        let writer = try TreeWriter(output: directory)
        var snapshot = Snapshot(source: source, output: writer, redactor: redact ? Redactor(Redactor.collect(source)) : nil)
        try snapshot.copyPCI()
        try snapshot.copyIOMMU()
        try snapshot.copyNetClass()
        try snapshot.copyFirmware()
        try snapshot.copyProcAndEtc()
        try snapshot.recordCommands()
        try snapshot.recordHostID()
        try snapshot.markEmptyDirectories("/")
        try snapshot.writeManifest(now: now)
        return snapshot.result
    }

    // MARK: - pieces

    mutating func copyPCI() throws(HostAccessError) {
        let devices = SysfsInventory.devicesPath
        let names: [String]
        do { names = try source.list(devices) } catch { note(error); return }
        try output.makeDirectory(devices)
        var drivers = Set<String>()
        for name in names where PCIAddress(name) != nil {
            let dir = devices + "/" + name
            let entries: [String]
            do { entries = try source.list(dir) } catch { note(error); continue }
            let present = Set(entries)
            try output.makeDirectory(dir)
            if present.contains("config") {
                try copyFile(dir + "/config", limit: PCIRegister.extendedSize, truncate: true)
            }
            for attribute in Snapshot.pciAttributes where present.contains(attribute) {
                try copyFile(dir + "/" + attribute, limit: 64 * 1024)
            }
            // Only real links: on AMD hosts the IOMMU is itself a PCI function whose `iommu`
            // entry is a directory (holding ivhd0), not a link.
            for link in Snapshot.pciLinks + entries.filter({ $0.hasPrefix("virtfn") })
            where present.contains(link) && source.kind(dir + "/" + link, follow: false) != .directory {
                try copyLink(dir + "/" + link)
            }
            if let driver = source.linkName(dir + "/driver") { drivers.insert(driver) }
            if present.contains("net"), let ifaces = try? source.list(dir + "/net") {
                for iface in ifaces {
                    let name = redactedName(iface)
                    try output.makeDirectory(dir + "/net/" + name)
                    for attribute in Snapshot.netAttributes {
                        try copyFile(dir + "/net/" + iface + "/" + attribute, limit: 4096, quiet: true, to: dir + "/net/" + name + "/" + attribute)
                    }
                }
            }
        }
        for module in Set(Snapshot.baseModules).union(drivers).sorted() {
            let params = "/sys/module/" + module + "/parameters"
            guard let files = try? source.list(params) else { continue }
            for file in files { try copyFile(params + "/" + file, limit: 64 * 1024, quiet: true) }
        }
    }

    mutating func copyIOMMU() throws(HostAccessError) {
        if let groups = try? source.list("/sys/kernel/iommu_groups") {
            try output.makeDirectory("/sys/kernel/iommu_groups")
            for group in groups {
                let base = "/sys/kernel/iommu_groups/" + group
                try copyFile(base + "/type", limit: 4096, quiet: true)
                try output.makeDirectory(base + "/devices")
                for device in (try? source.list(base + "/devices")) ?? [] { try copyLink(base + "/devices/" + device) }
            }
        }
        if let units = try? source.list("/sys/class/iommu") {
            try output.makeDirectory("/sys/class/iommu")
            for unit in units { try copyLink("/sys/class/iommu/" + unit) }
        }
    }

    mutating func copyNetClass() throws(HostAccessError) {
        guard let ifaces = try? source.list("/sys/class/net") else { return }
        try output.makeDirectory("/sys/class/net")
        for iface in ifaces { try copyLink("/sys/class/net/" + iface, to: "/sys/class/net/" + redactedName(iface)) }
    }

    mutating func copyFirmware() throws(HostAccessError) {
        for attribute in Snapshot.dmiAttributes {
            try copyFile("/sys/class/dmi/id/" + attribute, limit: 4096, quiet: true)
        }
        // IOMMU tables byte for byte; every other table by name only (an empty file), so the
        // list matches the host's. Their bytes are not copied: MSDM holds a Windows product key.
        let tables = "/sys/firmware/acpi/tables"
        for table in (try? source.list(tables)) ?? [] where source.kind(tables + "/" + table) == .regular {
            if Snapshot.acpiTables.contains(table) {
                try copyFile(tables + "/" + table, limit: 1 << 20, quiet: true)
            } else {
                try output.write([UInt8](), to: tables + "/" + table)
            }
        }
        if source.isDirectory("/sys/firmware/efi") {
            try output.makeDirectory("/sys/firmware/efi")
        }
    }

    mutating func copyProcAndEtc() throws(HostAccessError) {
        for file in Snapshot.procFiles { try copyFile(file, limit: 8 << 20, quiet: file != "/proc/cmdline") }
        // Built-in modules of the running kernel (vfio may be built in).
        if let release = source.attribute("/proc/sys/kernel/osrelease"), !release.contains("/") {
            try copyFile("/lib/modules/" + release + "/modules.builtin", limit: 4 << 20, quiet: true)
        }
        for file in Snapshot.etcFiles { try copyFile(file, limit: 1 << 20, quiet: true) }
        for dir in Snapshot.etcDirectories {
            guard let files = try? source.list(dir) else { continue }
            for file in files where source.kind(dir + "/" + file) == .regular && SnapshotFilter.copies(dir + "/" + file) {
                if dir == Snapshot.vmConfigDirectory {
                    try copyVMConfig(dir + "/" + file)
                } else {
                    try copyFile(dir + "/" + file, limit: 1 << 20)
                }
            }
        }
    }

    /// Proxmox VM configs hold secrets (cloud-init `cipassword`, `sshkeys`, notes): only the
    /// lines the passthrough checks need are copied.
    static let vmConfigDirectory = "/etc/pve/qemu-server"
    static let vmConfigKeys: Set<String> = ["machine", "name", "ostype", "bios", "memory", "cores"]

    static func vmConfigLineIsKept(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("[") { return true }  // snapshot sections: [name]
        guard let colon = trimmed.firstIndex(of: ":") else { return false }
        let key = String(trimmed[..<colon])
        return key.hasPrefix("hostpci") || vmConfigKeys.contains(key)
    }

    mutating func copyVMConfig(_ path: String) throws(HostAccessError) {
        let text: String
        do { text = try source.readText(path, limit: 1 << 20) } catch { note(error); return }
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter(Snapshot.vmConfigLineIsKept)
        try output.write(redactText(kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")), to: path)
        result.filesWritten += 1
    }

    mutating func recordCommands() throws(HostAccessError) {
        for argv in Snapshot.commands {
            let outcome: CommandResult
            do { outcome = try source.run(argv, timeout: 60) } catch {
                if case .commandNotFound = error { continue }  // e.g. pveversion on plain Debian
                note(error)
                continue
            }
            let base = RecordedCommandRunner.directory + "/" + RecordedCommandRunner.key(for: argv)
            try output.write(recordedOutput(argv, outcome.stdout), to: base + ".stdout")
            try output.write(recordedOutput(argv, outcome.stderr), to: base + ".stderr")
            try output.write(String(outcome.status) + "\n", to: base + ".status")
            result.commandsRecorded.append(ShellWords.display(argv))
        }
    }

    /// The snapshot copies neither /etc/machine-id nor the DMI UUID; it records their salted
    /// hash (`HostIdentity`), so reports made from it name the same host as reports made on it.
    mutating func recordHostID() throws(HostAccessError) {
        guard let identity = HostIdentity.read(source) else { return }
        try output.write(identity.id + "\n", to: HostIdentity.recordPath)
        result.filesWritten += 1
    }

    mutating func writeManifest(now: String) throws(HostAccessError) {
        let manifest = JSONValue.object([
            ("tool", .string(ToolInfo.name)),
            ("version", .string(ToolInfo.version)),
            ("created", .string(now)),
            ("sourceRoot", .string(source.root)),
            ("filesWritten", .int(result.filesWritten)),
            ("linksWritten", .int(result.linksWritten)),
            ("commands", .array(result.commandsRecorded.map { .string($0) })),
            ("skipped", .array(result.skipped.map { .object([("path", .string(redactText($0.path))), ("reason", .string(redactText($0.message)))]) })),
        ] + (redactor == nil ? [] : [("redacted", .bool(true))]))
        try output.write(manifest.serialised() + "\n", to: "/sriov-wizard/manifest.json")
    }

    // MARK: - helpers

    /// An empty directory means something (no IOMMU units, no groups); git would drop it, so
    /// it gets the marker file that `Machine.list` hides.
    func markEmptyDirectories(_ path: String) throws(HostAccessError) {
        let written = Machine(root: output.root, commands: NoCommands())
        guard let names = try? written.list(path) else { return }
        if names.isEmpty {
            if path != "/" { try output.write([UInt8](), to: path + "/" + Machine.emptyDirectoryMarker) }
            return
        }
        for name in names where written.kind((path == "/" ? "" : path) + "/" + name, follow: false) == .directory {
            try markEmptyDirectories((path == "/" ? "" : path) + "/" + name)
        }
    }

    mutating func copyFile(_ path: String, limit: Int, truncate: Bool = false, quiet: Bool = false, to destination: String? = nil) throws(HostAccessError) {
        let bytes: [UInt8]
        do { bytes = try source.read(path, limit: limit, overflow: truncate ? .truncate : .fail) } catch {
            if quiet, Snapshot.notApplicable(error) { return }
            note(error)
            return
        }
        try output.write(leaving(path, bytes), to: destination ?? path)
        result.filesWritten += 1
    }

    mutating func copyLink(_ path: String, to destination: String? = nil) throws(HostAccessError) {
        let target: String
        do { target = try source.linkTarget(path) } catch { note(error); return }
        try output.symlink(redactedName(target), at: destination ?? path)
        result.linksWritten += 1
    }

    // MARK: - what leaves the host

    /// The bytes of `path` as they go into the snapshot: `config` with its serial numbers
    /// zeroed, filtered configuration files, ESP UUIDs renamed, and with `redact` every text
    /// file redacted. Binary files (config space, ACPI tables) are never run through the
    /// text redactor.
    mutating func leaving(_ path: String, _ bytes: [UInt8]) -> [UInt8] {
        if path.hasPrefix(SysfsInventory.devicesPath + "/") && path.hasSuffix("/config") { return PCIIdentifiers.masked(bytes) }
        if path.hasPrefix("/sys/firmware/acpi/tables/") { return bytes }
        guard var text = String(validating: bytes, as: UTF8.self) else { return bytes }
        if path == BootLoader.proxmoxUUIDsPath {
            text = espNames.map(\.name).joined(separator: "\n") + (espNames.isEmpty ? "" : "\n")
        } else if let filter = SnapshotFilter.filter(path) {
            text = filter(text)
        }
        return Array(redactText(text).utf8)
    }

    /// A recorded command's output as it goes into the snapshot (see `leaving`).
    mutating func recordedOutput(_ argv: [String], _ bytes: [UInt8]) -> [UInt8] {
        guard var text = String(validating: bytes, as: UTF8.self) else { return bytes }
        if argv.first == "lspci" { text = PCIIdentifiers.maskedLspci(text) }
        text = SnapshotFilter.replacing(espNames, in: text)
        return Array(redactText(text).utf8)
    }

    mutating func redactText(_ text: String) -> String {
        guard redactor != nil else { return text }
        return redactor!.redact(text)
    }

    /// A file name or link target: only the machine's own values are replaced (a MAC inside
    /// `enx525400abcdef`), never shapes, which would hit PCI addresses.
    mutating func redactedName(_ name: String) -> String {
        guard redactor != nil else { return name }
        return redactor!.redactValues(name)
    }

    /// Errors that mean "this attribute does not apply here", not "could not be read": a
    /// missing optional file, or sysfs answering EOPNOTSUPP/EINVAL/ENODATA (e.g.
    /// `phys_port_name` on igb).
    static func notApplicable(_ error: HostAccessError) -> Bool {
        switch error {
        case .notFound: return true
        case .io(_, let code): return code == 95 || code == 22 || code == 61
        default: return false
        }
    }

    mutating func note(_ error: HostAccessError) {
        result.skipped.append(InventoryIssue(path: error.path ?? "", message: error.description))
    }
}
