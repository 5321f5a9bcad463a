import HostAccess

/// The Proxmox VE version, from `pveversion -v` (pve-manager's package listing): one command,
/// which `snapshot` records and the report reads, so a report made from a snapshot shows the
/// version as one made on the host does.
public enum ProxmoxVersion {
    public static let command = ["pveversion", "-v"]
    static let binary = "/usr/bin/pveversion"

    /// `pve-manager/8.2.7/3e0176e6bb2ade3b (running kernel: 6.8.12-4-pve)`, the line plain
    /// `pveversion` prints, built from the `pve-manager:` and `proxmox-ve:` lines of `-v`;
    /// nil on a host without Proxmox VE.
    public static func read(_ machine: Machine) -> String? {
        guard !machine.isLive || machine.exists(binary),
              let result = try? machine.run(command, timeout: 10, outputLimit: 256 << 10), result.status == 0
        else { return nil }
        return parse(result.stdoutText)
    }

    /// `proxmox-ve: 8.2.0 (running kernel: 6.8.12-4-pve)` and
    /// `pve-manager: 8.2.7 (running version: 8.2.7/3e0176e6bb2ade3b)` -> the plain form; the
    /// first line when those are not there.
    public static func parse(_ text: String) -> String? {
        let lines = text.split(separator: "\n").map { String($0).trimmedSpace() }.filter { !$0.isEmpty }
        func value(_ package: String) -> String? {
            lines.first { $0.hasPrefix(package + ":") }.map { String($0.dropFirst(package.count + 1)).trimmedSpace() }
        }
        func parenthesised(_ text: String, _ key: String) -> String? {
            guard let start = text.range(of: "(" + key + ": ") else { return nil }
            let rest = text[start.upperBound...]
            return rest.firstIndex(of: ")").map { String(rest[..<$0]) }
        }
        if let manager = value("pve-manager") {
            let version = parenthesised(manager, "running version") ?? manager.split(separator: " ").first.map(String.init) ?? manager
            let kernel = value("proxmox-ve").flatMap { parenthesised($0, "running kernel") }
            return "pve-manager/\(version)" + (kernel.map { " (running kernel: \($0))" } ?? "")
        }
        return lines.first
    }
}

extension ProxmoxVersion {
    public static let reads = HostReads("ProxmoxVersion", paths: [.notCopied(binary, "looked for on the live host only")], commands: [command])
}
