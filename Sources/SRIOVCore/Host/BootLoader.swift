import HostAccess

/// Which boot loader gets the kernel command line on this host, and so where the persistent
/// setting lives (Proxmox VE admin guide, "Editing the Kernel Commandline"):
/// - plain GRUB: `GRUB_CMDLINE_LINUX_DEFAULT` in /etc/default/grub, applied by `update-grub`;
/// - proxmox-boot-tool (ESPs listed in /etc/kernel/proxmox-boot-uuids, e.g. ZFS root):
///   systemd-boot reads /etc/kernel/cmdline, GRUB still reads /etc/default/grub; both are
///   applied by `proxmox-boot-tool refresh`.
public enum BootLoader: Sendable, Equatable {
    public enum ProxmoxMode: String, Sendable, Equatable {
        case systemdBoot = "systemd-boot"
        case grub
        /// proxmox-boot-tool manages the ESPs but its status could not be read.
        case unknown
    }

    case grub
    case proxmoxBootTool(ProxmoxMode)
    case unknown

    public static let proxmoxUUIDsPath = "/etc/kernel/proxmox-boot-uuids"
    public static let kernelCmdlinePath = "/etc/kernel/cmdline"
    public static let efiPath = "/sys/firmware/efi"
    public static let grubConfigPath = "/boot/grub/grub.cfg"

    /// The file that holds the persistent command line for this loader.
    public var cmdlineFile: String? {
        switch self {
        case .grub, .proxmoxBootTool(.grub): return GrubDefaults.path
        case .proxmoxBootTool(.systemdBoot): return BootLoader.kernelCmdlinePath
        case .proxmoxBootTool(.unknown), .unknown: return nil
        }
    }

    /// The command that copies the persistent command line to where the loader reads it.
    public var applyCommand: String? {
        switch self {
        case .grub: return "update-grub"
        case .proxmoxBootTool: return "proxmox-boot-tool refresh"
        case .unknown: return nil
        }
    }

    public var name: String {
        switch self {
        case .grub: return "GRUB"
        case .proxmoxBootTool(let mode): return "proxmox-boot-tool (\(mode == .unknown ? "systemd-boot or GRUB" : mode.rawValue))"
        case .unknown: return "unknown boot loader"
        }
    }

    /// `name` in Spanish.
    public var nameES: String {
        switch self {
        case .grub: return "GRUB"
        case .proxmoxBootTool(let mode): return "proxmox-boot-tool (\(mode == .unknown ? "systemd-boot o GRUB" : mode.rawValue))"
        case .unknown: return "gestor de arranque desconocido"
        }
    }
}

/// The boot loader of a machine and what it was concluded from.
public struct BootLoaderDetection: Sendable, Equatable {
    public var loader: BootLoader
    public var evidence: [Evidence]
    /// Booted through UEFI (/sys/firmware/efi exists).
    public var efi: Bool

    public static func detect(_ machine: Machine) -> BootLoaderDetection {
        var evidence: [Evidence] = []
        let efi = machine.isDirectory(BootLoader.efiPath)
        evidence.append(efi ? .fact(BootLoader.efiPath, en: "present (UEFI boot)", es: "presente (arranque UEFI)")
                            : .fact(BootLoader.efiPath, en: "absent (legacy BIOS boot or not captured)", es: "ausente (arranque BIOS clásico o no capturado)"))

        let uuids = (try? machine.readText(BootLoader.proxmoxUUIDsPath, limit: 64 * 1024)).map { text in
            text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { String($0).trimmedSpace() }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        if let uuids, !uuids.isEmpty {
            evidence.append(.record("\(BootLoader.proxmoxUUIDsPath): \(uuids.count) ESP(s): \(uuids.joined(separator: ", "))"))
            var mode = BootLoader.ProxmoxMode.unknown
            if let status = try? machine.run(["proxmox-boot-tool", "status"], timeout: 30), status.status == 0 {
                // "<UUID> is configured with: uefi (versions: ...)" / "... grub (versions: ...)"
                for line in status.stdoutText.split(whereSeparator: \.isNewline) where line.contains("is configured with:") {
                    let after = line[line.range(of: "is configured with:")!.upperBound...].droppingLeadingBlanks()
                    if after.hasPrefix("uefi") { mode = .systemdBoot }
                    else if after.hasPrefix("grub") { mode = .grub }
                    evidence.append(.record("proxmox-boot-tool status: \(String(line).trimmedSpace())"))
                    break
                }
            } else {
                evidence.append(.fact("proxmox-boot-tool status", en: "not available", es: "no disponible"))
            }
            if mode == .unknown {
                // Without the status: proxmox-boot-tool uses systemd-boot on UEFI hosts with
                // /etc/kernel/cmdline, GRUB on legacy BIOS hosts.
                if efi && machine.exists(BootLoader.kernelCmdlinePath) { mode = .systemdBoot }
                else if !efi && machine.exists(GrubDefaults.path) { mode = .grub }
            }
            return BootLoaderDetection(loader: .proxmoxBootTool(mode), evidence: evidence, efi: efi)
        }
        if machine.exists(GrubDefaults.path) || machine.exists(BootLoader.grubConfigPath) {
            let defaults = machine.exists(GrubDefaults.path), config = machine.exists(BootLoader.grubConfigPath)
            evidence.append(Evidence(
                en: "\(GrubDefaults.path): " + (defaults ? "present" : "absent") + ", \(BootLoader.grubConfigPath): " + (config ? "present" : "absent"),
                es: "\(GrubDefaults.path): " + (defaults ? "presente" : "ausente") + ", \(BootLoader.grubConfigPath): " + (config ? "presente" : "ausente")))
            return BootLoaderDetection(loader: .grub, evidence: evidence, efi: efi)
        }
        evidence.append(Evidence(en: "neither \(BootLoader.proxmoxUUIDsPath) nor \(GrubDefaults.path) found",
                                 es: "no se encontró ni \(BootLoader.proxmoxUUIDsPath) ni \(GrubDefaults.path)"))
        return BootLoaderDetection(loader: .unknown, evidence: evidence, efi: efi)
    }
}

/// The persistent kernel command line of a host: what the next boot will use.
public struct PersistentCommandLine: Sendable, Equatable {
    public var line: KernelCommandLine
    /// Where it was read, e.g. `/etc/default/grub:6 GRUB_CMDLINE_LINUX_DEFAULT="quiet"`.
    public var evidence: [Evidence]
    /// Lines the parser refused (file:line: reason), in both languages.
    public var issues: [LocalizedText]
    /// The file to edit and, for GRUB, the variable to change.
    public var file: String
    public var variable: String?

    /// Reads it for a loader; nil when the loader is unknown or its file is missing.
    public static func read(_ machine: Machine, loader: BootLoader) -> PersistentCommandLine? {
        switch loader {
        case .grub, .proxmoxBootTool(.grub):
            guard let grub = GrubConfiguration.read(machine) else { return nil }
            var evidence: [Evidence] = []
            for name in ["GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_CMDLINE_LINUX"] {
                if let (file, line, _) = grub.lastAssignment(name) {
                    evidence.append(.record("\(file.path):\(line.number): \(line.text.trimmedSpace())"))
                } else {
                    evidence.append(.fact(GrubDefaults.path, en: "\(name) not set", es: "\(name) sin valor"))
                }
            }
            return PersistentCommandLine(line: grub.kernelCommandLine, evidence: evidence,
                                         issues: grub.issues.map(\.localizedDescription) + grub.unreadable,
                                         file: GrubDefaults.path, variable: "GRUB_CMDLINE_LINUX_DEFAULT")
        case .proxmoxBootTool(.systemdBoot):
            guard let text = try? machine.readText(BootLoader.kernelCmdlinePath, limit: 64 * 1024) else { return nil }
            // proxmox-boot-tool uses the first line; comments are not allowed there.
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0).trimmedSpace() }
            let first = lines.first ?? ""
            var issues: [LocalizedText] = []
            if lines.dropFirst().contains(where: { !$0.isEmpty }) {
                issues.append(LocalizedText(en: "\(BootLoader.kernelCmdlinePath):2: only the first line is used; the others are ignored",
                                            es: "\(BootLoader.kernelCmdlinePath):2: solo se usa la primera línea; las demás se ignoran"))
            }
            return PersistentCommandLine(line: KernelCommandLine(first), evidence: [.record("\(BootLoader.kernelCmdlinePath):1: \(first)")],
                                         issues: issues, file: BootLoader.kernelCmdlinePath, variable: nil)
        case .proxmoxBootTool(.unknown), .unknown:
            return nil
        }
    }
}

/// The `linux` lines of the generated /boot/grub/grub.cfg: what `update-grub` last wrote.
public enum GeneratedGrubConfig {
    /// The command line of the first `linux` entry (the default entry on Debian), or nil.
    public static func firstKernelCommandLine(_ machine: Machine) -> (line: KernelCommandLine, number: Int)? {
        guard let text = try? machine.readText(BootLoader.grubConfigPath, limit: 4 << 20) else { return nil }
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            let line = String(raw).trimmedSpace()
            guard line.hasPrefix("linux ") || line.hasPrefix("linux\t") || line.hasPrefix("linuxefi ") else { continue }
            // linux <path> root=... ro <cmdline>
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst(2)
            return (KernelCommandLine(words.joined(separator: " ")), number)
        }
        return nil
    }
}

extension Substring {
    func droppingLeadingBlanks() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        return s
    }
}

extension BootLoaderDetection {
    public static let reads = HostReads("BootLoaderDetection", paths: [
        .directory(BootLoader.efiPath), .file(BootLoader.proxmoxUUIDsPath), .file(BootLoader.kernelCmdlinePath),
        // Only its `linux` lines are kept (SnapshotFilter): the rest may hold password hashes.
        .file(BootLoader.grubConfigPath, limit: 4 << 20),
    ], commands: [["proxmox-boot-tool", "status"]])
}
