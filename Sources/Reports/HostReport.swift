import SRIOVCore

/// Everything a report says about one host, in one language. The XML (`report.xsd`), the HTML
/// and the fleet view all render this value; `ReportXML.read` rebuilds it from a saved XML
/// report, so a re-rendered report equals the direct one.
///
/// Texts are stored already in the report's language: a report is a record of what the tool
/// said, and reading it back must not depend on the reader's version of the checks.
public struct HostReport: Sendable, Equatable {
    public var tool: String
    public var toolVersion: String
    public var language: Language
    /// When the report was made (ISO 8601, as given by the caller); nil leaves it out, so
    /// reports of the same host can be diffed and embedded in documentation.
    public var time: String?
    /// True when `Redactor` replaced identifying values with placeholders.
    public var redacted: Bool
    public var host: HostFacts
    public var stages: [ReportStage]
    /// SR-IOV physical functions, each with its VFs (PFs sorted by address).
    public var devices: [ReportDevice]
    public var iommuGroups: [IOMMUGroupEntry]
    public var guestDrivers: [GuestDriverEntry]
    /// Planned and applied changes from the `apply` journal. nil: no journal was given
    /// (nothing is recorded until `apply` exists); renders as "no changes recorded".
    public var changes: [ChangeRecord]?
    /// What the inventory could not read.
    public var issues: [ReportIssue]
    /// Raw text the checks rely on (kernel messages about the IOMMU and SR-IOV), shown folded.
    public var evidence: [RawEvidence]

    public init(tool: String = ToolInfo.name, toolVersion: String = ToolInfo.version, language: Language,
                time: String? = nil, redacted: Bool = false, host: HostFacts, stages: [ReportStage],
                devices: [ReportDevice] = [], iommuGroups: [IOMMUGroupEntry] = [], guestDrivers: [GuestDriverEntry] = [],
                changes: [ChangeRecord]? = nil, issues: [ReportIssue] = [], evidence: [RawEvidence] = []) {
        self.tool = tool
        self.toolVersion = toolVersion
        self.language = language
        self.time = time
        self.redacted = redacted
        self.host = host
        self.stages = stages
        self.devices = devices
        self.iommuGroups = iommuGroups
        self.guestDrivers = guestDrivers
        self.changes = changes
        self.issues = issues
        self.evidence = evidence
    }

    /// The worst stage level.
    public var level: CheckLevel { CheckLevel.worst(stages.map(\.level)) }

    /// What to do next: the failed checks with a hint, then the warnings, in stage order.
    public var nextSteps: [ReportCheck] {
        let all = stages.flatMap(\.checks).filter { !$0.hint.isEmpty }
        return all.filter { $0.level == .fail } + all.filter { $0.level == .warn }
    }

    /// VFs enabled (sriov_numvfs) and possible (sriov_totalvfs) over all PFs.
    public var vfCounts: (enabled: Int, total: Int) {
        devices.reduce((0, 0)) { ($0.0 + ($1.sriov?.numVFs ?? 0), $0.1 + ($1.sriov?.totalVFs ?? 0)) }
    }
}

/// Host facts at the top of the report.
public struct HostFacts: Sendable, Equatable {
    /// `HostIdentity`: a salted SHA-256 of the machine-id (or DMI product UUID), 64 hex digits;
    /// never the raw value. Already a hash, so `Redactor` keeps it: redacted reports of one
    /// host still carry the same id.
    public var hostID: String?
    public var hostname: String?
    public var kernel: String?
    public var cmdline: String?
    /// `PRETTY_NAME` of /etc/os-release.
    public var os: String?
    /// `pveversion` output, when the host is Proxmox VE.
    public var proxmox: String?
    public var bootLoader: BootLoaderKind
    public var cpuVendor: String?
    public var cpuModel: String?
    /// The CPU flags that matter for passthrough and that the CPU has (sorted).
    public var cpuFlags: [String]
    public var dmi: [DMIField]

    public init(hostname: String? = nil, kernel: String? = nil, cmdline: String? = nil, os: String? = nil,
                proxmox: String? = nil, bootLoader: BootLoaderKind = .unknown, cpuVendor: String? = nil,
                cpuModel: String? = nil, cpuFlags: [String] = [], dmi: [DMIField] = [], hostID: String? = nil) {
        self.hostID = hostID
        self.hostname = hostname
        self.kernel = kernel
        self.cmdline = cmdline
        self.os = os
        self.proxmox = proxmox
        self.bootLoader = bootLoader
        self.cpuVendor = cpuVendor
        self.cpuModel = cpuModel
        self.cpuFlags = cpuFlags
        self.dmi = dmi
    }
}

/// One SMBIOS string from /sys/class/dmi/id (`board_vendor`, `bios_version`, ...).
public struct DMIField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Which boot loader takes the kernel command line (SRIOVCore's `BootLoaderDetection`),
/// which decides where `apply` writes it.
public enum BootLoaderKind: String, Sendable, CaseIterable {
    /// /etc/default/grub, applied with update-grub.
    case grub
    /// proxmox-boot-tool with systemd-boot: /etc/kernel/cmdline, applied with `proxmox-boot-tool refresh`.
    case proxmoxSystemdBoot = "proxmox-boot-tool/systemd-boot"
    /// proxmox-boot-tool with GRUB: /etc/default/grub, applied with `proxmox-boot-tool refresh`.
    case proxmoxGrub = "proxmox-boot-tool/grub"
    /// proxmox-boot-tool, mode not known.
    case proxmoxBootTool = "proxmox-boot-tool"
    case unknown

    public init(_ loader: BootLoader) {
        switch loader {
        case .grub: self = .grub
        case .proxmoxBootTool(.systemdBoot): self = .proxmoxSystemdBoot
        case .proxmoxBootTool(.grub): self = .proxmoxGrub
        case .proxmoxBootTool(.unknown): self = .proxmoxBootTool
        case .unknown: self = .unknown
        }
    }
}

public struct ReportStage: Sendable, Equatable {
    public var id: StageID
    public var title: String
    public var checks: [ReportCheck]

    public init(id: StageID, title: String, checks: [ReportCheck]) {
        self.id = id
        self.title = title
        self.checks = checks
    }

    /// The worst of its checks; a stage without checks is `skip`.
    public var level: CheckLevel { CheckLevel.worst(checks.map(\.level)) }
}

public struct ReportCheck: Sendable, Equatable {
    public var id: String
    public var level: CheckLevel
    public var device: String?
    public var summary: String
    public var hint: String
    public var evidence: [String]

    public init(id: String, level: CheckLevel, device: String? = nil, summary: String, hint: String = "", evidence: [String] = []) {
        self.id = id
        self.level = level
        self.device = device
        self.summary = summary
        self.hint = hint
        self.evidence = evidence
    }
}

/// A PF (with its VFs) or a VF.
public struct ReportDevice: Sendable, Equatable {
    public var address: String
    public var role: FunctionRole
    public var vendorID: String?
    public var deviceID: String?
    public var vendorName: String?
    public var deviceName: String?
    public var driver: String?
    public var iommuGroup: Int?
    /// Whether the function has the ARI capability (nil: not known from what was read).
    public var ari: Bool?
    /// sysfs `ari_enabled`.
    public var ariEnabled: Bool?
    public var sriov: ReportSRIOV?
    public var netdevs: [ReportNetdev]
    public var vfs: [ReportDevice]

    public init(address: String, role: FunctionRole, vendorID: String? = nil, deviceID: String? = nil,
                vendorName: String? = nil, deviceName: String? = nil, driver: String? = nil, iommuGroup: Int? = nil,
                ari: Bool? = nil, ariEnabled: Bool? = nil, sriov: ReportSRIOV? = nil, netdevs: [ReportNetdev] = [],
                vfs: [ReportDevice] = []) {
        self.address = address
        self.role = role
        self.vendorID = vendorID
        self.deviceID = deviceID
        self.vendorName = vendorName
        self.deviceName = deviceName
        self.driver = driver
        self.iommuGroup = iommuGroup
        self.ari = ari
        self.ariEnabled = ariEnabled
        self.sriov = sriov
        self.netdevs = netdevs
        self.vfs = vfs
    }

    /// "Intel Corporation 82576 Gigabit Network Connection", or the IDs when names are unknown.
    public var displayName: String {
        let names = [vendorName, deviceName].compactMap { $0 }
        if !names.isEmpty { return names.joined(separator: " ") }
        return [vendorID, deviceID].compactMap { $0 }.joined(separator: ":")
    }
}

/// The SR-IOV capability values of a PF (the kernel's sysfs view where it has one).
public struct ReportSRIOV: Sendable, Equatable {
    public var totalVFs: Int?
    public var numVFs: Int?
    public var initialVFs: Int?
    public var vfOffset: Int?
    public var vfStride: Int?
    public var vfDeviceID: String?
    /// TotalVFs in config space, when the driver allows fewer.
    public var configTotalVFs: Int?

    public init(totalVFs: Int? = nil, numVFs: Int? = nil, initialVFs: Int? = nil, vfOffset: Int? = nil,
                vfStride: Int? = nil, vfDeviceID: String? = nil, configTotalVFs: Int? = nil) {
        self.totalVFs = totalVFs
        self.numVFs = numVFs
        self.initialVFs = initialVFs
        self.vfOffset = vfOffset
        self.vfStride = vfStride
        self.vfDeviceID = vfDeviceID
        self.configTotalVFs = configTotalVFs
    }
}

public struct ReportNetdev: Sendable, Equatable {
    public var name: String
    public var mac: String?
    public init(name: String, mac: String? = nil) {
        self.name = name
        self.mac = mac
    }
}

/// One IOMMU group (/sys/kernel/iommu_groups/N/devices).
public struct IOMMUGroupEntry: Sendable, Equatable {
    public var number: Int
    public var devices: [String]
    public init(number: Int, devices: [String]) {
        self.number = number
        self.devices = devices
    }
}

/// What a guest needs to use the VFs of one PF.
public struct GuestDriverEntry: Sendable, Equatable {
    public var device: String
    public var deviceName: String?
    public var pfDriver: String?
    /// The in-tree Linux VF driver (igbvf, iavf...); nil when the knowledge has none.
    public var linuxDriver: String?
    public var windows: WindowsDriverEntry?

    public init(device: String, deviceName: String? = nil, pfDriver: String? = nil, linuxDriver: String? = nil,
                windows: WindowsDriverEntry? = nil) {
        self.device = device
        self.deviceName = deviceName
        self.pfDriver = pfDriver
        self.linuxDriver = linuxDriver
        self.windows = windows
    }
}

public struct WindowsDriverEntry: Sendable, Equatable {
    public var package: String
    public var url: String?
    public var note: String?
    public init(package: String, url: String? = nil, note: String? = nil) {
        self.package = package
        self.url = url
        self.note = note
    }
}

/// A change that `apply` planned or made, from its journal (issue 5). The report only renders
/// these; nothing in the report command creates them.
public struct ChangeRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable { case planned, applied }
    /// The journal's id of the change.
    public var id: String
    public var state: State
    /// ISO 8601 time of the journal entry.
    public var time: String?
    /// The file written (e.g. /etc/modprobe.d/sriov-wizard.conf), if the change is a file edit.
    public var file: String?
    /// The command run (argv joined for reading), if the change is a command.
    public var command: String?
    public var description: String

    public init(id: String, state: State, time: String? = nil, file: String? = nil, command: String? = nil, description: String) {
        self.id = id
        self.state = state
        self.time = time
        self.file = file
        self.command = command
        self.description = description
    }
}

public struct ReportIssue: Sendable, Equatable {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// Raw lines from one source (`dmesg`), folded in the HTML.
public struct RawEvidence: Sendable, Equatable {
    public var source: String
    public var lines: [String]
    public init(source: String, lines: [String]) {
        self.source = source
        self.lines = lines
    }
}
