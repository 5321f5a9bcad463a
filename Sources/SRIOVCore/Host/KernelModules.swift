import HostAccess

/// Which kernel modules are loaded (/proc/modules), built in (/lib/modules/<release>/
/// modules.builtin) or listed to load at boot (/etc/modules, modules-load.d(5)). Names are
/// compared with `-` and `_` equal, as kmod does.
public struct KernelModules: Sendable, Equatable {
    public static let procPath = "/proc/modules"
    public static let etcModulesPath = "/etc/modules"
    /// modules-load.d(5) directories, in precedence order.
    public static let loadDirectories = ["/etc/modules-load.d", "/run/modules-load.d", "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d", "/lib/modules-load.d"]

    /// nil when /proc/modules could not be read.
    public var loaded: Set<String>?
    /// nil when modules.builtin could not be read (or the release is unknown).
    public var builtin: Set<String>?
    /// Module name -> `file:line` where it is listed for loading at boot.
    public var configured: [String: String]
    public var release: String?
    public var builtinPath: String?

    public static func normalised(_ name: String) -> String {
        String(name.unicodeScalars.map { $0 == "-" ? "_" : Character($0) })
    }

    /// The running kernel's release: /proc/sys/kernel/osrelease, else `uname -r`.
    public static func kernelRelease(_ machine: Machine) -> String? {
        if let r = machine.attribute("/proc/sys/kernel/osrelease"), !r.isEmpty { return r }
        if let result = try? machine.run(["uname", "-r"], timeout: 10), result.status == 0 {
            let r = result.stdoutText.trimmedSpace()
            if !r.isEmpty { return r }
        }
        return nil
    }

    /// (major, minor) of a release such as `6.12.95+deb12-amd64` or `6.8.12-4-pve`.
    public static func version(_ release: String) -> (Int, Int)? {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }

    public static func read(_ machine: Machine) -> KernelModules {
        var loaded: Set<String>?
        if let text = try? machine.readText(procPath, limit: 4 << 20) {
            loaded = Set(text.split(whereSeparator: \.isNewline).compactMap { line in
                line.split(separator: " ").first.map { normalised(String($0)) }
            })
        }
        let release = kernelRelease(machine)
        var builtin: Set<String>?
        var builtinPath: String?
        if let release {
            for base in ["/lib/modules", "/usr/lib/modules"] {
                let path = "\(base)/\(release)/modules.builtin"
                guard let text = try? machine.readText(path, limit: 4 << 20) else { continue }
                builtinPath = path
                // kernel/drivers/vfio/vfio.ko -> vfio
                builtin = Set(text.split(whereSeparator: \.isNewline).compactMap { line in
                    guard let file = line.split(separator: "/").last else { return nil }
                    var name = String(file).trimmedSpace()
                    for suffix in [".ko.xz", ".ko.zst", ".ko.gz", ".ko"] where name.hasSuffix(suffix) {
                        name.removeLast(suffix.count); break
                    }
                    return normalised(name)
                })
                break
            }
        }
        var configured: [String: String] = [:]
        var files: [String] = []
        if machine.exists(etcModulesPath) { files.append(etcModulesPath) }
        files += ConfigText.configFiles(machine, directories: loadDirectories, suffix: ".conf").files
        for path in files {
            guard let text = try? machine.readText(path, limit: 1 << 20) else { continue }
            var number = 0
            for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
                number += 1
                let line = String(raw).trimmedSpace()
                guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix(";") else { continue }
                // /etc/modules allows parameters after the name.
                guard let name = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first else { continue }
                let key = normalised(String(name))
                if configured[key] == nil { configured[key] = "\(path):\(number)" }
            }
        }
        return KernelModules(loaded: loaded, builtin: builtin, configured: configured, release: release, builtinPath: builtinPath)
    }

    public func isLoaded(_ name: String) -> Bool { loaded?.contains(KernelModules.normalised(name)) ?? false }
    public func isBuiltin(_ name: String) -> Bool { builtin?.contains(KernelModules.normalised(name)) ?? false }
    public func configuredAt(_ name: String) -> String? { configured[KernelModules.normalised(name)] }
}

extension KernelModules {
    public static let reads = HostReads("KernelModules", paths: [
        .file(procPath, limit: 8 << 20), .file(etcModulesPath),
        .file("/lib/modules/{release}/modules.builtin", limit: 4 << 20), .file("/usr/lib/modules/{release}/modules.builtin", limit: 4 << 20),
    ] + loadDirectories.map { .file($0 + "/*.conf", quiet: false) }, commands: [["uname", "-r"]])
}
