import HostAccess

/// What one reader reads from a machine: the paths (files, links, directories it lists or
/// tests) and the commands it runs. Every reader declares its own (`static let reads`), and
/// `HostReads.registry` is the one list of them all: `Snapshot` copies exactly that list, and
/// ReadsCoverageTests runs `check` and `report` through a recording machine and fails on any
/// read the list does not cover, so a new reader cannot be forgotten by `snapshot`.
public struct HostReads: Sendable {
    /// The reader, as a type name (`KernelLog`, `VFsPersistentCheck`).
    public var reader: String
    public var paths: [HostPath]
    /// Commands, as argv arrays; `snapshot` records their output, replayed on the snapshot.
    public var commands: [[String]]

    public init(_ reader: String, paths: [HostPath] = [], commands: [[String]] = []) {
        self.reader = reader
        self.paths = paths
        self.commands = commands
    }
}

/// A path a reader reads, and how a snapshot keeps it.
///
/// The pattern is a host path whose components may be:
/// - `*`: any name; `virtfn*` or `*.conf`: a name with that prefix or suffix;
/// - `{pci}`: a PCI function address (DDDD:BB:DD.F);
/// - `{module}`: a kernel module the snapshot keeps: `HostReads.modules` and every driver bound
///   to a PCI function;
/// - `{release}`: the running kernel's release (`/proc/sys/kernel/osrelease`), alone or inside
///   a name (`config-{release}`).
public struct HostPath: Sendable, Hashable, CustomStringConvertible {
    public var pattern: String
    public var keep: Keep

    public enum Keep: Sendable, Hashable {
        /// The file's bytes, at most `limit` (`truncate`: the first `limit` bytes of a longer
        /// file; else a longer file is skipped with its reason). With `quiet`, a file that does
        /// not apply here (missing, EOPNOTSUPP) is not listed as skipped in the manifest.
        /// Filtered on the way out (`Snapshot.leaving`: serials zeroed, secrets cut).
        case file(limit: Int, truncate: Bool, quiet: Bool)
        /// A symbolic link, kept with its stored target (a directory is not a link: skipped).
        case link
        /// A directory whose existence is read (kept, empty if nothing else is copied into it).
        case directory
        /// Only the name: an empty file (ACPI tables other than the IOMMU ones: MSDM holds a
        /// Windows product key).
        case nameOnly
        /// Read, but never copied, for the reason given: identifying values read only to
        /// redact them, what `snapshot` writes itself, programs looked for on the live host.
        case notCopied(String)
    }

    public init(_ pattern: String, _ keep: Keep) {
        self.pattern = pattern
        self.keep = keep
    }

    public static func file(_ pattern: String, limit: Int = 1 << 20, truncate: Bool = false, quiet: Bool = true) -> HostPath {
        HostPath(pattern, .file(limit: limit, truncate: truncate, quiet: quiet))
    }
    public static func link(_ pattern: String) -> HostPath { HostPath(pattern, .link) }
    public static func directory(_ pattern: String) -> HostPath { HostPath(pattern, .directory) }
    public static func nameOnly(_ pattern: String) -> HostPath { HostPath(pattern, .nameOnly) }
    public static func notCopied(_ pattern: String, _ reason: String) -> HostPath { HostPath(pattern, .notCopied(reason)) }

    public var components: [String] { pattern.split(separator: "/").map(String.init) }

    public var isCopied: Bool {
        if case .notCopied = keep { return false }
        return true
    }

    public var description: String { pattern }

    /// Whether a name matches one component of a pattern.
    public static func matches(_ name: String, _ component: String) -> Bool {
        switch component {
        case "*", "{module}", "{release}": return !name.isEmpty && name != "." && name != ".."
        case "{pci}": return name.utf8.count == 12 && PCIAddress(name) != nil
        default:
            if let marker = component.range(of: "{release}") {
                // A name holding the release (`config-{release}`): its prefix and suffix around one.
                let prefix = component[..<marker.lowerBound], suffix = component[marker.upperBound...]
                return name.count > prefix.count + suffix.count && name.hasPrefix(prefix) && name.hasSuffix(suffix)
            }
            if component.hasSuffix("*") { return name.hasPrefix(component.dropLast()) }
            if component.hasPrefix("*") { return name.hasSuffix(component.dropFirst()) }
            return name == component
        }
    }

    /// Whether `component` stands for names found on the machine rather than one name.
    public static func isWildcard(_ component: String) -> Bool {
        component.contains("*") || component == "{pci}"
    }

    /// Whether `path` is this pattern (`exact`) or a directory on the way to it.
    public func covers(_ path: String) -> (exact: Bool, ancestor: Bool) {
        let parts = path.split(separator: "/").map(String.init)
        let mine = components
        guard parts.count <= mine.count else { return (false, false) }
        for (name, component) in zip(parts, mine) where !HostPath.matches(name, component) { return (false, false) }
        return (parts.count == mine.count, parts.count < mine.count)
    }
}

extension HostReads {
    /// Modules whose `/sys/module` entry and parameters a snapshot keeps (`{module}`), besides
    /// every driver bound to a PCI function: vfio (VFIOModulesCheck, InterruptRemappingCheck)
    /// and kvm.
    public static let modules = ["vfio", "vfio_pci", "vfio_iommu_type1", "vfio_pci_core", "iommufd", "kvm", "kvm_intel", "kvm_amd"]

    /// Every reader, in the order `snapshot` records their commands.
    public static let registry: [HostReads] = [
        SupportFacts.reads,
        SysfsInventory.reads, VFResources.reads, IOMMUSysfs.reads,
        DMIInfo.reads, ACPITables.reads, CPUInfo.reads, HostSummary.reads, OSRelease.reads, KernelCommandLine.reads,
        KernelLog.reads, KernelModules.reads, ModprobeConfig.reads, UdevRules.reads, SysfsConf.reads, BootCommands.reads,
        BootLoaderDetection.reads, GrubDefaults.reads, IPLinkVFInfo.reads, ProxmoxVersion.reads,
        ProxmoxPassthroughConfig.reads, GPUHost.reads,
        InterruptRemappingCheck.reads, VFIOModulesCheck.reads, VFsEnabledCheck.reads,
        VFsPersistentCheck.reads, VFMACAddressesCheck.reads, VFDriverBoundCheck.reads, GPUDriverSupport.reads,
        KernelCmdlinePlanner.reads, VFPlanner.reads,
        HostIdentity.reads, Redactor.reads,
    ]

    /// Every declared path, in registry order.
    public static var allPaths: [HostPath] { registry.flatMap(\.paths) }

    /// Every declared command, each once, in registry order.
    public static var allCommands: [[String]] {
        var seen = Set<[String]>()
        return registry.flatMap(\.commands).filter { seen.insert($0).inserted }
    }

    /// The declared paths that cover `path`: as itself, or as a directory on the way to one.
    public static func declarations(covering path: String) -> [HostPath] {
        allPaths.filter { let c = $0.covers(path); return c.exact || c.ancestor }
    }
}

/// What `snapshot` keeps for the support engineer who reads it by hand, though no check reads
/// it: the kernel and lspci views a bug report asks for, and the function attributes next to
/// the ones the inventory reads.
public enum SupportFacts {
    static let functionAttributes = ["irq", "numa_node", "local_cpulist", "modalias", "reset_method", "driver_override", "power_state",
                                     "d3cold_allowed", "current_link_speed", "current_link_width", "max_link_speed", "max_link_width",
                                     "enable", "sriov_vf_total_msix"]
    static let functionLinks = ["subsystem", "firmware_node", "iommu"]
    static let netdevAttributes = ["operstate", "mtu", "ifindex", "phys_port_name", "phys_switch_id"]
    static let dmiAttributes = ["product_version", "product_family", "board_version", "bios_release", "chassis_vendor", "chassis_type"]

    static var paths: [HostPath] {
        let function = SysfsInventory.devicesPath + "/{pci}/"
        var paths: [HostPath] = [.file("/proc/version", limit: 8 << 20), .file("/etc/debian_version")]
        paths += functionAttributes.map { HostPath.file(function + $0, limit: 64 * 1024, quiet: false) }
        paths += functionLinks.map { HostPath.link(function + $0) }
        paths += netdevAttributes.map { HostPath.file(function + "net/*/" + $0, limit: 4096) }
        paths += dmiAttributes.map { HostPath.file(DMIInfo.directory + "/" + $0, limit: 4096) }
        return paths
    }

    public static let reads = HostReads("SupportFacts", paths: paths, commands: [
        ["uname", "-a"], ["uname", "-r"], ["lspci", "-vvv"], ["lspci", "-nn"], ["lspci", "-tv"],
        ["dmesg"], ["ip", "-d", "link", "show"], ["ip", "-j", "-d", "link", "show"],
    ])
}
