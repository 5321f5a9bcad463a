import HostAccess

/// The ACPI tables the firmware handed to the kernel (/sys/firmware/acpi/tables,
/// Documentation/ABI/testing/sysfs-firmware-acpi). The IOMMU is described by DMAR on Intel
/// (VT-d spec ch. 8), IVRS on AMD (AMD IOMMU spec ch. 5) and VIOT for virtio-iommu; a firmware
/// with VT-d / AMD-Vi switched off simply leaves the table out.
public struct ACPITables: Sendable, Equatable {
    public static let path = "/sys/firmware/acpi/tables"
    public static let iommuSignatures = ["DMAR", "IVRS", "VIOT"]

    /// Table names (DMAR, IVRS, APIC, ...), without the sub-directories `data` and `dynamic`.
    public var names: [String]

    /// True when the list comes from a `sriov-wizard snapshot`, which copies only the IOMMU
    /// tables (Snapshot.acpiTables): there, a missing directory means "no such table".
    public var fromSnapshot = false

    /// nil when the directory does not exist or cannot be listed on a live machine (no ACPI)
    /// or in a tree that was not made by `sriov-wizard snapshot`.
    public static func read(_ machine: Machine) -> ACPITables? {
        let snapshot = !machine.isLive && machine.exists(snapshotManifest)
        guard let entries = try? machine.list(path) else {
            return snapshot ? ACPITables(names: [], fromSnapshot: true) : nil
        }
        return ACPITables(names: entries.filter { $0 != "data" && $0 != "dynamic" && !$0.hasPrefix("_") }, fromSnapshot: snapshot)
    }

    static let snapshotManifest = "/sriov-wizard/manifest.json"

    /// The IOMMU tables present (a second table of a kind is named DMAR2 etc.).
    public var iommuTables: [String] {
        names.filter { name in ACPITables.iommuSignatures.contains { name == $0 || (name.hasPrefix($0) && name.dropFirst(4).allSatisfy(\.isNumber)) } }
    }

    public func has(_ signature: String) -> Bool { iommuTables.contains { $0.hasPrefix(signature) } }
}

extension ACPITables {
    /// The IOMMU tables byte for byte; every other table by name only (MSDM holds a Windows
    /// product key).
    public static let reads = HostReads("ACPITables", paths: iommuSignatures.map { .file(path + "/" + $0) } + [
        .nameOnly(path + "/*"),
        .notCopied(snapshotManifest, "written by snapshot itself"),
    ])
}
