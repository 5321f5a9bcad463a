import HostAccess

/// sysfsutils' boot-time sysfs settings (sysfs.conf(5)): `/etc/sysfs.conf` and
/// `/etc/sysfs.d/*.conf`, lines `[mode|owner] PATH = VALUE` with PATH relative to /sys,
/// `#` comments. The `sysfsutils` service writes them at boot.
public struct SysfsConf: Sendable, Equatable {
    public static let mainFile = "/etc/sysfs.conf"
    public static let directory = "/etc/sysfs.d"
    /// Where the sysfsutils package puts the service that applies the files.
    public static let servicePaths = ["/etc/init.d/sysfsutils", "/usr/lib/systemd/system/sysfsutils.service",
                                      "/lib/systemd/system/sysfsutils.service"]

    public struct Setting: Sendable, Equatable {
        /// nil for a value, `mode` or `owner` for those directives.
        public var directive: String?
        /// Path below /sys, as written (`bus/pci/devices/0000:01:00.0/sriov_numvfs`).
        public var path: String
        public var value: String
        public var location: ConfigLocation
    }

    public var files: [String] = []
    public var settings: [Setting] = []
    public var problems: [ConfigProblem] = []

    public init() {}

    public init(files: [(path: String, text: String)]) {
        for file in files { parse(file.text, file: file.path) }
    }

    public static func read(_ machine: Machine) -> SysfsConf {
        var conf = SysfsConf()
        var paths: [String] = []
        if machine.kind(mainFile) == .regular { paths.append(mainFile) }
        paths += ConfigText.configFiles(machine, directories: [directory], suffix: ".conf").files
        for path in paths {
            do {
                conf.parse(try machine.readText(path, limit: ConfigText.fileLimit), file: path)
            } catch {
                conf.files.append(path)
                conf.problems.append(ConfigProblem(location: ConfigLocation(file: path, line: 0), error: error))
            }
        }
        return conf
    }

    /// Whether the service that applies the files is installed (a snapshot made before
    /// these paths were recorded says no; callers treat that as "unknown").
    public static func serviceInstalled(_ machine: Machine) -> Bool {
        servicePaths.contains { machine.exists($0) }
    }

    mutating func parse(_ text: String, file: String) {
        files.append(file)
        for line in ConfigText.logicalLines(text, file: file, continuation: false) where !line.isBlankOrComment {
            let t = line.trimmed
            guard let eq = t.firstIndex(of: "=") else {
                problems.append(ConfigProblem(location: line.location, text: LocalizedText(en: "expected 'PATH = VALUE'", es: "se esperaba 'RUTA = VALOR'")))
                continue
            }
            var left = String(t[..<eq]).trimmedSpace()
            let value = String(t[t.index(after: eq)...]).trimmedSpace()
            var directive: String?
            for word in ["mode", "owner"] where left.hasPrefix(word + " ") || left.hasPrefix(word + "\t") {
                directive = word
                left = String(left.dropFirst(word.count)).trimmedSpace()
            }
            while left.hasPrefix("/") { left.removeFirst() }
            if left.hasPrefix("sys/") { left.removeFirst(4) }  // tolerated: an absolute /sys/... path
            guard !left.isEmpty, !left.contains(" ") else {
                problems.append(ConfigProblem(location: line.location, text: LocalizedText(en: "expected one sysfs path before '='", es: "se esperaba una ruta de sysfs antes de '='")))
                continue
            }
            settings.append(Setting(directive: directive, path: left, value: value, location: line.location))
        }
    }
}

extension SysfsConf {
    public static let reads = HostReads("SysfsConf", paths: [.file(mainFile), .file(directory + "/*.conf", quiet: false)] + servicePaths.map { .file($0) })
}
