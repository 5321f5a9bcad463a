import HostAccess

/// Copies everything the wizard reads from a machine into a root-layout directory, so that
/// `--root DIR` on the copy gives the same results as on the machine itself. This is what a
/// support engineer asks a user to send.
///
/// What leaves the host: only what the tool reads, as its readers declare it
/// (`HostReads.registry`), and nothing else. Files that hold secrets on real hosts are
/// cut to the lines a check needs (`SnapshotFilter`); the PCIe Device Serial Number and the
/// VPD data register are zeroed in every `config` and masked in `lspci -vvv`; ESP UUIDs
/// become `esp-N`. With `redact`, the report's `Redactor` also replaces host and domain
/// names, MACs, serials, UUIDs and IP addresses in every text file and recorded output, and
/// MACs inside interface names (`enx525400abcdef`).
public struct Snapshot {
    /// Commands recorded with their output and status; replayed on the snapshot.
    public static var commands: [[String]] { HostReads.allCommands }

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
    /// What `{module}` stands for (found once, when first needed).
    var modules: [String]?

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
        try snapshot.copyDeclared()
        try snapshot.recordCommands()
        try snapshot.recordHostID()
        try snapshot.markEmptyDirectories("/")
        try snapshot.writeManifest(now: now)
        return snapshot.result
    }

    // MARK: - what the readers declare

    /// The declared paths as a tree of pattern components (`/sys/bus/pci/devices/{pci}/vendor`
    /// is sys → bus → pci → devices → {pci} → vendor), without what is never copied.
    final class ReadTree {
        var children: [(component: String, tree: ReadTree)] = []
        var keep: HostPath.Keep?

        func child(_ component: String) -> ReadTree {
            if let found = children.first(where: { $0.component == component }) { return found.tree }
            let tree = ReadTree()
            children.append((component, tree))
            return tree
        }

        static func of(_ paths: [HostPath]) -> ReadTree {
            let root = ReadTree()
            for path in paths where path.isCopied {
                var node = root
                for component in path.components { node = node.child(component) }
                node.keep = ReadTree.stronger(node.keep, path.keep)
            }
            return root
        }

        /// Two readers declaring one path: the bytes win over a link, a directory or a name.
        static func stronger(_ a: HostPath.Keep?, _ b: HostPath.Keep) -> HostPath.Keep {
            guard let a else { return b }
            switch (a, b) {
            case (.file(let l1, let t1, let q1), .file(let l2, let t2, let q2)):
                return .file(limit: max(l1, l2), truncate: t1 || t2, quiet: q1 && q2)
            case (.file, _): return a
            case (_, .file): return b
            case (.link, _): return a
            case (_, .link): return b
            default: return a
            }
        }
    }

    /// Copies every declared path that exists on the source (`HostReads.registry`).
    mutating func copyDeclared() throws(HostAccessError) {
        try copy(ReadTree.of(HostReads.allPaths), at: "", to: "")
    }

    /// The names a `{module}` or `{release}` component stands for on the source.
    mutating func names(for component: String) -> [String] {
        switch component {
        case "{module}":
            if modules == nil {
                var drivers = Set<String>()
                for name in (try? source.list(SysfsInventory.devicesPath)) ?? [] where PCIAddress(name) != nil {
                    if let driver = source.linkName(SysfsInventory.devicesPath + "/" + name + "/driver") { drivers.insert(driver) }
                }
                modules = Set(HostReads.modules).union(drivers).sorted()
            }
            return modules!
        case _ where component.contains("{release}"):
            // `{release}` or a name holding it (`config-{release}`).
            guard let release = source.attribute("/proc/sys/kernel/osrelease"), !release.isEmpty, !release.contains("/") else { return [] }
            return [component.replacing("{release}", with: release)]
        default:
            return [component]
        }
    }

    /// Copies what `tree` declares under the host path `path` (written at `destination`, the
    /// same path with the machine's own values redacted out of its names).
    mutating func copy(_ tree: ReadTree, at path: String, to destination: String) throws(HostAccessError) {
        if let keep = tree.keep {
            try keepPath(keep, at: path, to: destination)
            // A file or a link is all there is; only a directory has declared entries inside.
            if case .directory = keep {} else { return }
        }
        guard !tree.children.isEmpty else { return }
        var literals: [(name: String, tree: ReadTree)] = []
        var wildcards: [(component: String, tree: ReadTree)] = []
        for (component, child) in tree.children {
            if HostPath.isWildcard(component) { wildcards.append((component, child)) } else {
                for name in names(for: component) { literals.append((name, child)) }
            }
        }
        // One name and no pattern: go straight to it (no listing of `/` or `/proc`).
        if wildcards.isEmpty && literals.count == 1 {
            try copy(literals[0].tree, at: path + "/" + literals[0].name, to: destination + "/" + literals[0].name)
            return
        }
        let listed: [String]
        do { listed = try source.list(path.isEmpty ? "/" : path) } catch {
            if case .notADirectory = error { return }
            if !Snapshot.notApplicable(error) { note(error) }
            return
        }
        if !path.isEmpty { try output.makeDirectory(destination) }
        let present = Set(listed)
        for (name, child) in literals where present.contains(name) {
            try copy(child, at: path + "/" + name, to: destination + "/" + name)
        }
        let claimed = Set(literals.map(\.name))
        for name in listed where !claimed.contains(name) {
            for (component, child) in wildcards where HostPath.matches(name, component) {
                try copy(child, at: path + "/" + name, to: destination + "/" + redactedName(name), matched: true)
                break
            }
        }
    }

    /// An entry a pattern matched: only regular files are copied as files or names.
    mutating func copy(_ tree: ReadTree, at path: String, to destination: String, matched: Bool) throws(HostAccessError) {
        switch tree.keep {
        case .file?, .nameOnly?:
            guard source.kind(path) == .regular, SnapshotFilter.copies(path) else { return }
        default: break
        }
        try copy(tree, at: path, to: destination)
    }

    mutating func keepPath(_ keep: HostPath.Keep, at path: String, to destination: String) throws(HostAccessError) {
        switch keep {
        case .file(let limit, let truncate, let quiet):
            if Snapshot.parent(path) == Snapshot.vmConfigDirectory {
                try copyVMConfig(path, to: destination)
            } else {
                try copyFile(path, limit: limit, truncate: truncate, quiet: quiet, to: destination)
            }
        case .link:
            // On AMD hosts the IOMMU is itself a PCI function whose `iommu` entry is a
            // directory (holding ivhd0), not a link.
            guard source.kind(path, follow: false) != .directory else { return }
            try copyLink(path, to: destination)
        case .directory:
            if source.kind(path) == .directory { try output.makeDirectory(destination) }
        case .nameOnly:
            if source.kind(path) == .regular {
                try output.write([UInt8](), to: destination)
                result.filesWritten += 1
            }
        case .notCopied:
            return
        }
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
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

    mutating func copyVMConfig(_ path: String, to destination: String) throws(HostAccessError) {
        let text: String
        do { text = try source.readText(path, limit: 1 << 20) } catch { note(error); return }
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter(Snapshot.vmConfigLineIsKept)
        try output.write(redactText(kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")), to: destination)
        result.filesWritten += 1
    }

    mutating func recordCommands() throws(HostAccessError) {
        for argv in HostReads.allCommands {
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
