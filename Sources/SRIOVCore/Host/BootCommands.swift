import HostAccess

/// Shell commands that run at every boot and that administrators use to recreate VFs:
/// `Exec*=` lines of local systemd services (systemd.service(5)), `pre-up`/`up`/`post-up`
/// lines of ifupdown stanzas (interfaces(5), what Proxmox VE uses), and /etc/rc.local.
public struct BootCommands: Sendable, Equatable {
    public static let unitDirectory = "/etc/systemd/system"
    public static let interfacesFile = "/etc/network/interfaces"
    public static let interfacesDirectory = "/etc/network/interfaces.d"
    public static let rcLocal = "/etc/rc.local"

    public enum Origin: String, Sendable, Equatable {
        case systemdUnit = "systemd unit"
        case ifupdown = "ifupdown"
        case rcLocal = "rc.local"
    }

    public struct Command: Sendable, Equatable {
        public var origin: Origin
        /// `sriov.service`, or the ifupdown interface name; nil for rc.local.
        public var owner: String?
        /// `ExecStart`, `post-up`, ...
        public var key: String?
        public var command: String
        public var location: ConfigLocation
        /// For systemd units: linked into a `*.wants` directory (enabled). Nil when not known.
        public var enabled: Bool?
    }

    public var commands: [Command] = []
    public var problems: [ConfigProblem] = []

    public init() {}

    public static func read(_ machine: Machine) -> BootCommands {
        var boot = BootCommands()
        boot.readUnits(machine)
        var interfaceFiles: [String] = []
        if machine.kind(interfacesFile) == .regular { interfaceFiles.append(interfacesFile) }
        if let names = try? machine.list(interfacesDirectory) {
            // ifupdown's `source /etc/network/interfaces.d/*`: every regular file.
            interfaceFiles += names.filter { !$0.hasPrefix(".") }.map { interfacesDirectory + "/" + $0 }
                .filter { machine.kind($0) == .regular }
        }
        for path in interfaceFiles {
            guard let text = boot.readText(machine, path) else { continue }
            boot.parseInterfaces(text, file: path)
        }
        if machine.kind(rcLocal) == .regular, let text = boot.readText(machine, rcLocal) {
            boot.parseRCLocal(text, file: rcLocal)
        }
        return boot
    }

    mutating func readText(_ machine: Machine, _ path: String) -> String? {
        do { return try machine.readText(path, limit: ConfigText.fileLimit) } catch {
            problems.append(ConfigProblem(location: ConfigLocation(file: path, line: 0), error: error))
            return nil
        }
    }

    mutating func readUnits(_ machine: Machine) {
        guard let names = try? machine.list(BootCommands.unitDirectory) else { return }
        let wants = names.filter { $0.hasSuffix(".wants") || $0.hasSuffix(".requires") }
        var enabledUnits = Set<String>()
        for dir in wants {
            for unit in (try? machine.list(BootCommands.unitDirectory + "/" + dir)) ?? [] { enabledUnits.insert(unit) }
        }
        for name in names where name.hasSuffix(".service") {
            let path = BootCommands.unitDirectory + "/" + name
            guard machine.kind(path) == .regular, let text = readText(machine, path) else { continue }
            parseUnit(text, file: path, name: name, enabled: wants.isEmpty ? nil : enabledUnits.contains(name))
        }
    }

    mutating func parseUnit(_ text: String, file: String, name: String, enabled: Bool?) {
        var section = ""
        for line in ConfigText.logicalLines(text, file: file) where !line.isBlankOrComment && !line.trimmed.hasPrefix(";") {
            let t = line.trimmed
            if t.hasPrefix("[") { section = t; continue }
            guard section == "[Service]", let eq = t.firstIndex(of: "=") else { continue }
            let key = String(t[..<eq]).trimmedSpace()
            guard key.hasPrefix("ExecStart") else { continue }
            var command = String(t[t.index(after: eq)...]).trimmedSpace()
            // Exec prefixes (systemd.service(5)): @ - : + ! change how, not what, is run.
            while let first = command.first, "@-:+!".contains(first) { command.removeFirst() }
            commands.append(Command(origin: .systemdUnit, owner: name, key: key, command: command, location: line.location, enabled: enabled))
        }
    }

    mutating func parseInterfaces(_ text: String, file: String) {
        var iface: String?
        for line in ConfigText.logicalLines(text, file: file) where !line.isBlankOrComment {
            let words = line.trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let first = String(words[0])
            switch first {
            case "iface":
                iface = words.count > 1 ? String(words[1]) : nil
            case "auto", "allow-hotplug", "mapping", "source", "source-directory", "allow-auto":
                if first != "auto" && first != "allow-hotplug" { iface = nil }
            case "pre-up", "up", "post-up":
                commands.append(Command(origin: .ifupdown, owner: iface, key: first,
                                        command: ModprobeConfig.text(after: 1, in: line.trimmed), location: line.location, enabled: nil))
            default:
                break
            }
        }
    }

    mutating func parseRCLocal(_ text: String, file: String) {
        for line in ConfigText.logicalLines(text, file: file) where !line.isBlankOrComment {
            commands.append(Command(origin: .rcLocal, owner: nil, key: nil, command: line.trimmed, location: line.location, enabled: nil))
        }
    }
}

/// A write to `sriov_numvfs` found in a shell command (`echo 7 > /sys/.../sriov_numvfs`,
/// `echo 7 | tee .../sriov_numvfs`).
public struct NumVFsWrite: Sendable, Equatable {
    /// The number written, when it is a literal.
    public var count: Int?
    /// The path written to, as it appears.
    public var path: String

    /// Every `sriov_numvfs` write in `command`. A command that names `sriov_numvfs` in a way
    /// not understood still yields an entry with the word that contains it and no count.
    public static func find(in command: String) -> [NumVFsWrite] {
        guard command.contains("sriov_numvfs") else { return [] }
        var result: [NumVFsWrite] = []
        // Segments split at command separators; each may hold one echo ... > path.
        let segments = command.split(whereSeparator: { $0 == ";" || $0 == "&" || $0 == "\n" })
        var lastCount: Int?
        for segment in segments {
            let words = segment.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "'" || $0 == "\"" })
                .flatMap { word -> [Substring] in
                    // `>path` and `7>path` written without blanks.
                    guard let gt = word.firstIndex(of: ">"), word.count > 1 else { return [word] }
                    let before = word[..<gt], after = word[word.index(after: gt)...]
                    return [before, ">", after].filter { !$0.isEmpty }
                }
            for (i, word) in words.enumerated() {
                if let n = Int(word), i > 0, words[i - 1] == "echo" || words[i - 1] == "-n" || words[i - 1] == "printf" { lastCount = n }
                if word.contains("sriov_numvfs") {
                    result.append(NumVFsWrite(count: lastCount, path: String(word)))
                }
            }
        }
        return result
    }

    /// Whether the path names this PF: its address or one of its network interfaces
    /// (`/sys/class/net/enp1s0/device/sriov_numvfs`). Paths built from variables are `nil`
    /// (cannot tell).
    public func names(pf address: PCIAddress, netdevs: [String]) -> Bool? {
        if path.contains(address.description) { return true }
        for netdev in netdevs where path.contains("/net/\(netdev)/") { return true }
        if path.contains("$") || path.contains("%") || path.contains("*") { return nil }
        return false
    }
}

extension BootCommands {
    /// ifupdown, rc.local and service units (SnapshotFilter keeps only their `sriov_numvfs`
    /// lines); the `*.wants` / `*.requires` links say which units are enabled.
    public static let reads = HostReads("BootCommands", paths: [
        .file(interfacesFile), .file(interfacesDirectory + "/*", quiet: false), .file(rcLocal),
        .file(unitDirectory + "/*.service", quiet: false),
        .file(unitDirectory + "/*.wants/*.service", quiet: false), .file(unitDirectory + "/*.requires/*.service", quiet: false),
    ])
}
