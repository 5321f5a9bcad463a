import HostAccess

/// What a snapshot keeps of files that hold more than the checks need. The files below carry
/// secrets on real hosts (ifupdown `wpa-psk` and `post-up` tokens, `Environment=` in units,
/// whatever /etc/rc.local runs), and the only check that reads them, `vfs-persistent`, looks
/// for writes to `sriov_numvfs` (BootCommands, SysfsConf, NumVFsWrite). A dropped line becomes
/// an empty line, so every kept line keeps its number and the evidence its `file:line`.
public enum SnapshotFilter {
    /// ifupdown words that open or scope a stanza: BootCommands needs them to name the owner
    /// (`iface enp1s0`) of a kept `post-up` line.
    static let interfacesStructure: Set<String> = ["iface", "auto", "mapping", "source", "source-directory"]

    /// What is kept of `path`, or nil when the file is copied as it is.
    public static func filter(_ path: String) -> ((String) -> String)? {
        let dir = parent(path)
        if path == BootCommands.interfacesFile || dir == BootCommands.interfacesDirectory {
            return { keep($0, file: path) { line in
                guard let first = words(line).first else { return false }
                return interfacesStructure.contains(first) || first.hasPrefix("allow-") || writesNumVFs(line.text)
            } }
        }
        if path == BootCommands.rcLocal {
            return { keep($0, file: path) { $0.location.line == 1 && $0.trimmed.hasPrefix("#!") || writesNumVFs($0.text) } }
        }
        if path == SysfsConf.mainFile || dir == SysfsConf.directory {
            return { keep($0, file: path, continuation: false) { $0.text.contains("sriov_numvfs") } }
        }
        if path == BootLoader.grubConfigPath {
            // GeneratedGrubConfig reads the `linux` lines; the rest may hold password hashes.
            return { keep($0, file: path, continuation: false) { $0.trimmed.hasPrefix("linux") } }
        }
        if dir == "/boot" && path.hasPrefix("/boot/config-") {
            // KernelCmdlinePlanner reads CONFIG_INTEL_IOMMU_DEFAULT_ON; 250 kB of the rest is not read.
            return { keep($0, file: path, continuation: false) { $0.text.contains("IOMMU") } }
        }
        if isUnitFile(path) {
            return { keep($0, file: path) { line in
                let t = line.trimmed
                return t.hasPrefix("[") || (t.hasPrefix("ExecStart") && writesNumVFs(t))
            } }
        }
        return nil
    }

    /// Unit files BootCommands reads: `/etc/systemd/system/*.service` and the enabled ones in
    /// its `*.wants` / `*.requires` directories (only their names matter there).
    public static func isUnitFile(_ path: String) -> Bool {
        let dir = parent(path)
        return (dir == BootCommands.unitDirectory || parent(dir) == BootCommands.unitDirectory) && path.hasSuffix(".service")
    }

    /// Whether a file of a copied directory is copied at all: of /etc/systemd/system only the
    /// service units (timers, mounts, drop-in `.conf` files and credentials are not read).
    public static func copies(_ path: String) -> Bool {
        let dir = parent(path)
        if dir == BootCommands.unitDirectory || parent(dir) == BootCommands.unitDirectory { return path.hasSuffix(".service") }
        return true
    }

    static func writesNumVFs(_ text: String) -> Bool { text.contains("sriov_numvfs") }

    static func words(_ line: LogicalLine) -> [String] {
        line.trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// `text` with the physical lines of every logical line that `keeps` refuses emptied.
    static func keep(_ text: String, file: String, continuation: Bool = true, _ keeps: (LogicalLine) -> Bool) -> String {
        var physical = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        var kept = Set<Int>()
        for line in ConfigText.logicalLines(text, file: file, continuation: continuation)
        where !line.isBlankOrComment || (line.location.line == 1 && line.trimmed.hasPrefix("#!")) {
            if keeps(line) { kept.formUnion(line.location.line...line.lastLine) }
        }
        for i in physical.indices where !kept.contains(i + 1) { physical[i] = "" }
        while physical.count > 1, physical.last == "", physical[physical.count - 2] == "" { physical.removeLast() }
        var result = physical.joined(separator: "\n")
        if result.allSatisfy({ $0 == "\n" }) { result = "" }
        return result
    }

    /// /etc/kernel/proxmox-boot-uuids names the ESPs by file-system UUID; the boot-loader
    /// check (BootLoaderDetection) only counts them and matches them in
    /// `proxmox-boot-tool status`. Each UUID becomes `esp-N`, in both.
    public static func espNames(_ uuidsFile: String) -> [(uuid: String, name: String)] {
        var result: [(String, String)] = []
        for line in uuidsFile.split(whereSeparator: \.isNewline) {
            let t = String(line).trimmedSpace()
            guard !t.isEmpty, !t.hasPrefix("#"), !result.contains(where: { $0.0 == t }) else { continue }
            result.append((t, "esp-\(result.count + 1)"))
        }
        return result
    }

    public static func replacing(_ names: [(uuid: String, name: String)], in text: String) -> String {
        var s = text
        for (uuid, name) in names.sorted(by: { $0.uuid.count > $1.uuid.count }) { s = s.replacingAll(uuid, with: name) }
        return s
    }
}
