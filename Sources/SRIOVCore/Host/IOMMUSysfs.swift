import HostAccess

/// What sysfs says about IOMMUs: the registered units (/sys/class/iommu, one entry per unit
/// the kernel's IOMMU driver brought up: dmar0, ivhd0, ...) and the groups
/// (/sys/kernel/iommu_groups, Documentation/ABI/testing/sysfs-kernel-iommu_groups). Both are
/// empty when no IOMMU is active, whatever dmesg says (`iommu: Default domain type` is
/// printed even without one; ../shared/lab/README.md).
public struct IOMMUSysfs: Sendable, Equatable {
    public static let classPath = "/sys/class/iommu"
    public static let groupsPath = "/sys/kernel/iommu_groups"

    /// Unit names; nil when the directory could not be listed.
    public var units: [String]?
    /// Group numbers, sorted; nil when the directory could not be listed.
    public var groups: [Int]?

    public var active: Bool { !(units ?? []).isEmpty && !(groups ?? []).isEmpty }

    public static func read(_ machine: Machine) -> IOMMUSysfs {
        // Unit names are kernel device names; capture tools may leave notes (`_links.txt`).
        let units = (try? machine.list(classPath)).map { $0.filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") } }
        let groups = (try? machine.list(groupsPath)).map { $0.compactMap { Int($0) }.sorted() }
        return IOMMUSysfs(units: units, groups: groups)
    }

    public var unitsEvidence: Evidence {
        guard let units else { return .fact(IOMMUSysfs.classPath, en: "missing or unreadable", es: "falta o no se puede leer") }
        if units.isEmpty { return .fact(IOMMUSysfs.classPath, en: "empty (no IOMMU unit registered)", es: "vacío (ninguna unidad IOMMU registrada)") }
        return .record("\(IOMMUSysfs.classPath): " + units.joined(separator: ", "))
    }

    public var groupsEvidence: Evidence {
        guard let groups else { return .fact(IOMMUSysfs.groupsPath, en: "missing or unreadable", es: "falta o no se puede leer") }
        if groups.isEmpty { return .fact(IOMMUSysfs.groupsPath, en: "empty (no IOMMU groups)", es: "vacío (ningún grupo IOMMU)") }
        let range = groups.count > 1 ? " (\(groups.first!)..\(groups.last!))" : " (\(groups[0]))"
        return .fact(IOMMUSysfs.groupsPath, en: "\(groups.count) group\(groups.count == 1 ? "" : "s")\(range)",
                     es: "\(groups.count) grupo\(groups.count == 1 ? "" : "s")\(range)")
    }
}

extension IOMMUSysfs {
    public static let reads = HostReads("IOMMUSysfs", paths: [
        .link(classPath + "/*"), .file(groupsPath + "/*/type", limit: 4096), .directory(groupsPath + "/*/devices"), .link(groupsPath + "/*/devices/*"),
    ])

    /// The members of every IOMMU group (/sys/kernel/iommu_groups/N/devices), by group number;
    /// nil when the directory cannot be listed.
    public static func groupMembers(_ machine: Machine) -> [(group: Int, devices: [String])]? {
        guard let names = try? machine.list(groupsPath) else { return nil }
        return names.compactMap { name -> (Int, [String])? in
            guard let number = Int(name) else { return nil }
            return (number, ((try? machine.list(groupsPath + "/" + name + "/devices")) ?? []).sorted())
        }.sorted { $0.0 < $1.0 }
    }
}
