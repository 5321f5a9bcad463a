import HostAccess

/// Board, system and BIOS names from /sys/class/dmi/id (SMBIOS), for the BIOS hints.
public struct DMIInfo: Sendable, Equatable {
    public var systemVendor: String?
    public var productName: String?
    public var boardVendor: String?
    public var boardName: String?
    public var biosVendor: String?
    public var biosVersion: String?
    public var biosDate: String?

    public static let directory = "/sys/class/dmi/id"

    public static func read(_ machine: Machine) -> DMIInfo {
        func value(_ name: String) -> String? {
            guard let v = machine.attribute(directory + "/" + name), !v.isEmpty,
                  !placeholders.contains(v.lowercased()) else { return nil }
            return v
        }
        return DMIInfo(systemVendor: value("sys_vendor"), productName: value("product_name"),
                       boardVendor: value("board_vendor"), boardName: value("board_name"),
                       biosVendor: value("bios_vendor"), biosVersion: value("bios_version"), biosDate: value("bios_date"))
    }

    /// What firmware writers leave in unset SMBIOS strings.
    static let placeholders: Set<String> = [
        "to be filled by o.e.m.", "default string", "system manufacturer", "system product name", "not specified", "o.e.m.", "none",
    ]

    /// `/sys/class/dmi/id: board_vendor ASUSTeK..., board_name ...` for evidence.
    public var evidence: Evidence {
        let parts: [(String, String?)] = [("sys_vendor", systemVendor), ("product_name", productName), ("board_vendor", boardVendor),
                                          ("board_name", boardName), ("bios_vendor", biosVendor), ("bios_version", biosVersion)]
        let known = parts.compactMap { k, v in v.map { "\(k) \($0)" } }
        return known.isEmpty ? .fact(DMIInfo.directory, en: "no DMI data", es: "sin datos DMI")
            : .record("\(DMIInfo.directory): " + known.joined(separator: ", "))
    }
}

extension DMIInfo {
    public static let reads = HostReads("DMIInfo", paths: ["sys_vendor", "product_name", "board_vendor", "board_name", "bios_vendor", "bios_version", "bios_date"]
        .map { .file(directory + "/" + $0, limit: 4096) })
}
