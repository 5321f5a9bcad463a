import Foundation

/// What the wizard knows beyond the host: BIOS menus per board vendor and SR-IOV drivers.
/// The data lives in `Resources/knowledge/*.json` (each entry with its sources) and is
/// compiled into the binary (`.embedInCode`), so a copied binary still has it.
public struct Knowledge: Sendable {
    public var biosVendors: [BIOSVendor]
    public var drivers: [DriverKnowledge]
    /// The day each file's entries were last checked against their sources (`yyyy-MM-dd`):
    /// BIOS menus and drivers move, so a reader can tell how old the words are.
    public var biosChecked: String
    public var driversChecked: String

    public init(biosVendors: [BIOSVendor], drivers: [DriverKnowledge], biosChecked: String = "", driversChecked: String = "") {
        self.biosVendors = biosVendors
        self.drivers = drivers
        self.biosChecked = biosChecked
        self.driversChecked = driversChecked
    }

    /// The copy compiled into the binary. A broken embedded file is a build defect, caught by
    /// the tests; at run time it degrades to empty knowledge rather than crashing.
    public static let embedded: Knowledge = {
        (try? Knowledge(biosJSON: PackageResources.bios_vendors_json, driversJSON: PackageResources.drivers_json))
            ?? Knowledge(biosVendors: [], drivers: [])
    }()

    /// Decodes both files with `JSONReader` (KnowledgeJSON.swift: a tenth of the time of
    /// `JSONDecoder`, which `init(decodingBIOSJSON:driversJSON:)` still uses for comparison).
    public init(biosJSON: [UInt8], driversJSON: [UInt8]) throws {
        let bios = try Knowledge.root(biosJSON, file: "bios-vendors.json")
        let driverFile = try Knowledge.root(driversJSON, file: "drivers.json")
        biosChecked = try bios.string("checked")
        biosVendors = try Knowledge.biosVendors(bios)
        driversChecked = try driverFile.string("checked")
        drivers = try Knowledge.drivers(driverFile)
    }

    /// The same through `JSONDecoder` and the `Codable` conformances (tests compare the two).
    public init(decodingBIOSJSON biosJSON: [UInt8], driversJSON: [UInt8]) throws {
        let decoder = JSONDecoder()
        let bios = try decoder.decode(BIOSVendorFile.self, from: Data(biosJSON))
        let driverFile = try decoder.decode(DriverFile.self, from: Data(driversJSON))
        biosVendors = bios.vendors
        drivers = driverFile.drivers
        biosChecked = bios.checked
        driversChecked = driverFile.checked
    }

    /// The vendor entry whose `match` strings occur (case-insensitively) in the DMI board or
    /// system vendor; the `generic` entry otherwise.
    public func biosVendor(boardVendor: String?, systemVendor: String?) -> BIOSVendor? {
        let haystacks = [boardVendor, systemVendor].compactMap { $0?.lowercased() }
        for vendor in biosVendors where vendor.id != "generic" {
            if vendor.match.contains(where: { m in haystacks.contains { $0.contains(m.lowercased()) } }) { return vendor }
        }
        return biosVendors.first { $0.id == "generic" }
    }

    /// The vendor entry for this machine's DMI board and system vendor.
    public func biosVendor(_ dmi: DMIInfo) -> BIOSVendor? {
        biosVendor(boardVendor: dmi.boardVendor, systemVendor: dmi.systemVendor)
    }

    /// Knowledge about a kernel driver (PF or VF driver name as in `driver` links).
    public func driver(_ name: String) -> DriverKnowledge? {
        drivers.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// The entry whose VF driver is `name` (e.g. igbvf -> igb).
    public func driverForVF(_ name: String) -> DriverKnowledge? {
        drivers.first { $0.vfDriver == name }
    }
}

/// Text in every language of the product, as stored in the JSON files.
public struct KnowledgeText: Sendable, Codable, Equatable {
    public var en: String
    public var es: String
    public var localized: LocalizedText { LocalizedText(en: en, es: es) }
}

// MARK: - BIOS vendors

struct BIOSVendorFile: Codable { var checked: String; var vendors: [BIOSVendor] }

/// One firmware setting: where it is in the setup menus and what to set it to.
public struct BIOSSetting: Sendable, Codable, Equatable {
    /// Menu paths, most common first (`["Advanced", "PCI Subsystem Settings", "SR-IOV Support"]`).
    public var paths: [[String]]
    /// The value to choose, e.g. "Enabled".
    public var value: String?
    public var note: KnowledgeText?

    /// `«Advanced» >> «PCI Subsystem Settings» >> «SR-IOV Support»`, as the guide writes it.
    public func pathText(_ index: Int = 0) -> String {
        guard paths.indices.contains(index) else { return "" }
        return paths[index].map { "«\($0)»" }.joined(separator: " >> ")
    }
}

/// The settings of one board vendor. Keys of `settings`: `sriov`, `ari`, `iommu`,
/// `virtualization`, `above4g`; a key may have CPU-vendor variants (`iommu.intel`, `iommu.amd`).
public struct BIOSVendor: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    /// Substrings of DMI `board_vendor` / `sys_vendor` that identify the vendor.
    public var match: [String]
    public var settings: [String: BIOSSetting]
    /// e.g. "SR-IOV is enabled by default on most Supermicro server boards".
    public var notes: KnowledgeText?
    public var sources: [String]

    /// The setting for a key, preferring the CPU-vendor variant (`iommu.amd`).
    public func setting(_ key: String, cpu: CPUVendor?) -> BIOSSetting? {
        if let cpu, let specific = settings[key + "." + cpu.rawValue] { return specific }
        return settings[key]
    }
}

// MARK: - drivers

struct DriverFile: Codable { var checked: String; var drivers: [DriverKnowledge] }

/// How VFs are created for a driver.
public enum VFMethod: String, Sendable, Codable {
    /// A module option such as igb's `max_vfs` (deprecated by the kernel but the guide's way).
    case moduleOption
    /// sysfs `sriov_numvfs` (the kernel's standard interface).
    case sysfs
}

/// A VF driver for Windows guests: what to install and where to get it.
public struct WindowsDriver: Sendable, Codable, Equatable {
    public var name: String
    public var url: String?
    public var note: KnowledgeText?
}

/// An SR-IOV capable PF driver and what goes with it.
public struct DriverKnowledge: Sendable, Codable, Equatable {
    public var name: String
    public var aliases: [String]
    public var vendor: String
    public var devices: String?
    public var sriov: Bool
    /// Preferred way to create VFs.
    public var method: VFMethod
    /// Name of the module option that creates VFs at load time, if the driver has one.
    public var moduleOption: String?
    /// The in-tree Linux driver for its VFs (igb -> igbvf, i40e/ice -> iavf).
    public var vfDriver: String?
    /// Largest VF count the driver allows, where it is lower than the hardware's TotalVFs.
    public var driverMaxVFs: Int?
    public var windowsDriver: WindowsDriver?
    /// Firmware prerequisites (mlx5: SRIOV_EN / NUM_OF_VFS through mstconfig).
    public var firmwareNote: KnowledgeText?
    /// What one VF gets of the PF's queues, where the driver's sources say (the wizard's
    /// "how many VFs" question names it next to the MMIO of the VF BARs).
    public var vfQueues: KnowledgeText?
    public var notes: KnowledgeText?
    public var sources: [String]
}
