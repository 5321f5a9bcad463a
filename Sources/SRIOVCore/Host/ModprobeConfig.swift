import HostAccess

/// The module configuration that modprobe applies when it loads a module, read the way kmod
/// reads it (modprobe.d(5), kmod `libkmod-config.c`): `*.conf` files from the search path,
/// a name in /etc hiding the same name in /usr/lib, processed in file-name order; `#` lines
/// are comments; a trailing `\` continues a line; module names treat `-` and `_` alike.
/// Every option keeps its `file:line`, because a later stage edits exactly that line.
public struct ModprobeConfig: Sendable, Equatable {
    /// modprobe.d(5) search path, highest priority first.
    public static let directories = ["/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                                     "/lib/modprobe.d", "/usr/lib/modprobe.d"]

    /// One `name=value` of an `options MODULE ...` line.
    public struct Option: Sendable, Equatable {
        /// Module name with `-` written as `_`.
        public var module: String
        public var name: String
        /// The value (quotes removed); nil for a bare flag (`options foo debug`).
        public var value: String?
        public var location: ConfigLocation

        /// `options igb max_vfs=7` as it would be written.
        public var text: String { "options \(module) \(name)" + (value.map { "=\($0)" } ?? "") }
    }

    /// Commands other than `options` that matter to a module (`blacklist`, `install`, ...).
    public struct Directive: Sendable, Equatable {
        public var command: String
        public var module: String
        public var arguments: String
        public var location: ConfigLocation
    }

    /// Files read, in the order kmod applies them.
    public var files: [String] = []
    /// Files hidden by a file of the same name in a higher-priority directory.
    public var shadowed: [String] = []
    public var options: [Option] = []
    public var directives: [Directive] = []
    /// Lines that could not be understood (kmod logs and ignores them).
    public var problems: [ConfigProblem] = []

    public init() {}

    /// Parses files given as (host path, text), in the given order.
    public init(files: [(path: String, text: String)]) {
        for file in files { parse(file.text, file: file.path) }
    }

    /// Reads the whole search path through the machine. Unreadable files become problems.
    public static func read(_ machine: Machine, directories: [String] = ModprobeConfig.directories) -> ModprobeConfig {
        var config = ModprobeConfig()
        let found = ConfigText.configFiles(machine, directories: directories, suffix: ".conf")
        config.shadowed = found.shadowed
        for path in found.files {
            do {
                config.parse(try machine.readText(path, limit: ConfigText.fileLimit), file: path)
            } catch {
                config.files.append(path)
                config.problems.append(ConfigProblem(location: ConfigLocation(file: path, line: 0), error: error))
            }
        }
        return config
    }

    /// The module name as kmod compares it.
    public static func normalise(_ module: String) -> String {
        String(module.map { $0 == "-" ? "_" : $0 })
    }

    static let knownCommands: Set<String> = ["alias", "options", "install", "remove", "blacklist", "softdep", "weakdep", "include"]

    mutating func parse(_ text: String, file: String) {
        files.append(file)
        for line in ConfigText.logicalLines(text, file: file) where !line.isBlankOrComment {
            let words = line.trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let command = String(words[0])
            guard ModprobeConfig.knownCommands.contains(command) else {
                problems.append(ConfigProblem(location: line.location, text: LocalizedText(en: "not a modprobe.d command: '\(command)' (ignored by modprobe)", es: "no es una orden de modprobe.d: '\(command)' (modprobe la ignora)")))
                continue
            }
            guard words.count >= 2 else {
                problems.append(ConfigProblem(location: line.location, text: LocalizedText(en: "'\(command)' without a module name (ignored by modprobe)", es: "'\(command)' sin nombre de módulo (modprobe lo ignora)")))
                continue
            }
            let module = ModprobeConfig.normalise(String(words[1]))
            // The rest of the line after the module name, blanks inside quotes kept.
            let rest = ModprobeConfig.text(after: 2, in: line.trimmed)
            guard command == "options" else {
                directives.append(Directive(command: command, module: module, arguments: rest, location: line.location))
                continue
            }
            let parameters = ConfigText.words(rest)
            if parameters.isEmpty {
                problems.append(ConfigProblem(location: line.location, text: LocalizedText(en: "'options \(module)' without any option", es: "'options \(module)' sin ninguna opción")))
            }
            for parameter in parameters {
                if let eq = parameter.firstIndex(of: "=") {
                    let name = String(parameter[..<eq])
                    if name.isEmpty {
                        problems.append(ConfigProblem(location: line.location, text: LocalizedText(en: "option without a name: '\(parameter)'", es: "opción sin nombre: '\(parameter)'")))
                        continue
                    }
                    options.append(Option(module: module, name: name, value: String(parameter[parameter.index(after: eq)...]), location: line.location))
                } else {
                    options.append(Option(module: module, name: parameter, value: nil, location: line.location))
                }
            }
        }
    }

    /// The text after the first `count` blank-separated words.
    static func text(after count: Int, in line: String) -> String {
        var index = line.startIndex
        for _ in 0..<count {
            while index < line.endIndex, line[index] == " " || line[index] == "\t" { index = line.index(after: index) }
            while index < line.endIndex, line[index] != " " && line[index] != "\t" { index = line.index(after: index) }
        }
        return String(line[index...]).trimmedSpace()
    }

    /// Every setting of a module option, in the order applied; the kernel keeps the last.
    public func options(module: String, name: String) -> [Option] {
        let m = ModprobeConfig.normalise(module)
        return options.filter { $0.module == m && $0.name == name }
    }

    /// The setting that takes effect (the last one), if any.
    public func option(module: String, name: String) -> Option? {
        options(module: module, name: name).last
    }

    /// `blacklist MODULE` lines for a module.
    public func blacklist(module: String) -> [Directive] {
        let m = ModprobeConfig.normalise(module)
        return directives.filter { $0.command == "blacklist" && $0.module == m }
    }
}

extension ModprobeConfig {
    public static let reads = HostReads("ModprobeConfig", paths: directories.map { .file($0 + "/*.conf", quiet: false) })
}
