import XCTest
import HostAccess
@testable import SRIOVCore

/// The knowledge data (BIOS menus per board vendor, SR-IOV drivers): the copy compiled into the
/// binary decodes, equals `Resources/knowledge/*.json`, and every entry is complete and sourced.
final class KnowledgeTests: XCTestCase {
    /// `Resources/knowledge` of this checkout, found from this file's path.
    static let resourceDirectory: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // KnowledgeTests.swift, SRIOVCoreTests, Tests
        return parts.joined(separator: "/") + "/Resources/knowledge"
    }()

    static let cpuVariants: Set<String> = ["intel", "amd"]
    static let settingKeys: Set<String> = ["sriov", "ari", "iommu", "virtualization", "above4g"]

    let knowledge = Knowledge.embedded

    // MARK: - decoding

    func testEmbeddedCopyDecodesWithoutError() throws {
        // Knowledge.embedded degrades to empty on a decoding error; decode again to see the error.
        let decoded = try Knowledge(biosJSON: PackageResources.bios_vendors_json, driversJSON: PackageResources.drivers_json)
        XCTAssertFalse(decoded.biosVendors.isEmpty)
        XCTAssertFalse(decoded.drivers.isEmpty)
        XCTAssertFalse(knowledge.biosVendors.isEmpty, "Knowledge.embedded fell back to empty knowledge")
        XCTAssertFalse(knowledge.drivers.isEmpty, "Knowledge.embedded fell back to empty knowledge")
    }

    func testEmbeddedCopyEqualsResourceFiles() throws {
        let machine = Machine(root: "/")
        let bios = try machine.read(Self.resourceDirectory + "/bios-vendors.json")
        let drivers = try machine.read(Self.resourceDirectory + "/drivers.json")
        XCTAssertEqual(bios, PackageResources.bios_vendors_json, "rebuild: the embedded bios-vendors.json is stale")
        XCTAssertEqual(drivers, PackageResources.drivers_json, "rebuild: the embedded drivers.json is stale")
        let fromFiles = try Knowledge(biosJSON: bios, driversJSON: drivers)
        XCTAssertEqual(fromFiles.biosVendors, knowledge.biosVendors)
        XCTAssertEqual(fromFiles.drivers, knowledge.drivers)
    }

    // MARK: - completeness of every entry

    /// Each file says when its entries were last checked against their sources: a real day,
    /// not in the future (an empty or missing date fails to decode or fails here).
    func testEveryFileHasACheckedDate() throws {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyy-MM-dd"
        for (file, checked) in [("bios-vendors.json", knowledge.biosChecked), ("drivers.json", knowledge.driversChecked)] {
            let day = try XCTUnwrap(format.date(from: checked), "\(file): checked is not a yyyy-MM-dd date: '\(checked)'")
            XCTAssertEqual(format.string(from: day), checked, "\(file): checked '\(checked)' is not a real day")
            XCTAssertLessThanOrEqual(day, Date(), "\(file): checked \(checked) is in the future")
        }
        XCTAssertThrowsError(try Knowledge(biosJSON: Array(#"{"vendors": []}"#.utf8), driversJSON: PackageResources.drivers_json),
                             "a BIOS file without a checked date must not decode")
    }

    func testIdsAndNamesAreUnique() {
        let vendorIDs = knowledge.biosVendors.map(\.id)
        XCTAssertEqual(Set(vendorIDs).count, vendorIDs.count, "duplicate vendor id in \(vendorIDs)")
        let driverNames = knowledge.drivers.flatMap { [$0.name] + $0.aliases }
        XCTAssertEqual(Set(driverNames).count, driverNames.count, "duplicate driver name or alias in \(driverNames)")
    }

    func testEveryEntryHasSources() {
        for vendor in knowledge.biosVendors {
            XCTAssertFalse(vendor.sources.isEmpty, "BIOS vendor \(vendor.id) has no source")
            for source in vendor.sources { checkSource(source, owner: "BIOS vendor \(vendor.id)") }
        }
        for driver in knowledge.drivers {
            XCTAssertFalse(driver.sources.isEmpty, "driver \(driver.name) has no source")
            for source in driver.sources { checkSource(source, owner: "driver \(driver.name)") }
            if let url = driver.windowsDriver?.url { checkSource(url, owner: "driver \(driver.name) windowsDriver.url") }
        }
    }

    /// A source is an https URL without spaces, or a title citation (no URL scheme in it).
    private func checkSource(_ source: String, owner: String) {
        XCTAssertFalse(source.trimmingSpaces().isEmpty, "\(owner): empty source")
        if source.contains("://") {
            XCTAssertTrue(source.hasPrefix("https://"), "\(owner): source is not an https URL: \(source)")
            XCTAssertFalse(source.contains(" "), "\(owner): URL with a space: \(source)")
        }
    }

    func testEveryTextHasEnglishAndSpanish() {
        var texts: [(String, KnowledgeText)] = []
        for vendor in knowledge.biosVendors {
            if let notes = vendor.notes { texts.append(("\(vendor.id).notes", notes)) }
            for (key, setting) in vendor.settings {
                if let note = setting.note { texts.append(("\(vendor.id).settings.\(key).note", note)) }
            }
        }
        for driver in knowledge.drivers {
            if let notes = driver.notes { texts.append(("\(driver.name).notes", notes)) }
            if let note = driver.firmwareNote { texts.append(("\(driver.name).firmwareNote", note)) }
            if let note = driver.vfQueues { texts.append(("\(driver.name).vfQueues", note)) }
            if let note = driver.windowsDriver?.note { texts.append(("\(driver.name).windowsDriver.note", note)) }
        }
        XCTAssertGreaterThan(texts.count, 20)
        for (place, text) in texts {
            XCTAssertFalse(text.en.trimmingSpaces().isEmpty, "\(place): empty English text")
            XCTAssertFalse(text.es.trimmingSpaces().isEmpty, "\(place): empty Spanish text")
            XCTAssertNotEqual(text.en, text.es, "\(place): the Spanish text is a copy of the English one")
            XCTAssertEqual(text.localized, LocalizedText(en: text.en, es: text.es))
        }
    }

    func testSettingsAreWellFormed() {
        for vendor in knowledge.biosVendors {
            for (key, setting) in vendor.settings {
                let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                XCTAssertTrue(Self.settingKeys.contains(parts[0]), "\(vendor.id): unknown setting key \(key)")
                XCTAssertLessThanOrEqual(parts.count, 2, "\(vendor.id): malformed key \(key)")
                if parts.count == 2 {
                    XCTAssertTrue(Self.cpuVariants.contains(parts[1]), "\(vendor.id): unknown CPU variant in \(key)")
                }
                XCTAssertFalse(setting.paths.isEmpty, "\(vendor.id).\(key): no menu path")
                for path in setting.paths {
                    XCTAssertGreaterThanOrEqual(path.count, 2, "\(vendor.id).\(key): path too short: \(path)")
                    for step in path { XCTAssertFalse(step.trimmingSpaces().isEmpty, "\(vendor.id).\(key): empty menu step in \(path)") }
                }
                XCTAssertFalse((setting.value ?? "").isEmpty, "\(vendor.id).\(key): no value to choose")
                XCTAssertFalse(setting.pathText().isEmpty)
            }
        }
    }

    func testEveryRealVendorSaysWhereSRIOVAndIOMMUAre() {
        for vendor in knowledge.biosVendors where vendor.id != "virtual" {
            XCTAssertNotNil(vendor.settings["sriov"], "\(vendor.id): no sriov setting")
            for cpu in [CPUVendor.intel, .amd] {
                XCTAssertNotNil(vendor.setting("iommu", cpu: cpu), "\(vendor.id): no iommu setting for \(cpu)")
                XCTAssertNotNil(vendor.setting("virtualization", cpu: cpu), "\(vendor.id): no virtualization setting for \(cpu)")
            }
        }
    }

    // MARK: - BIOS vendors

    func testRequiredVendorsArePresent() {
        let ids = Set(knowledge.biosVendors.map(\.id))
        for id in ["asus", "gigabyte", "asrock", "msi", "supermicro", "dell", "hpe", "lenovo", "generic"] {
            XCTAssertTrue(ids.contains(id), "BIOS vendor \(id) is missing")
        }
        XCTAssertEqual(knowledge.biosVendors.first { $0.id == "generic" }?.match, [], "generic must not match anything")
    }

    func testASUSGivesBothSubsystemSettingsPaths() throws {
        let asus = try XCTUnwrap(knowledge.biosVendors.first { $0.id == "asus" })
        let sriov = try XCTUnwrap(asus.settings["sriov"])
        XCTAssertTrue(sriov.paths.contains(["Advanced", "PCI Subsystem Settings", "SR-IOV Support"]))
        XCTAssertTrue(sriov.paths.contains(["Advanced", "Subsystem Settings", "SR-IOV Support"]))
        let texts = sriov.paths.indices.map { sriov.pathText($0) }
        XCTAssertTrue(texts.contains("«Advanced» >> «Subsystem Settings» >> «SR-IOV Support»"), "\(texts)")
        XCTAssertTrue(texts.contains("«Advanced» >> «PCI Subsystem Settings» >> «SR-IOV Support»"), "\(texts)")
        XCTAssertEqual(sriov.pathText(sriov.paths.count), "")
    }

    func testCPUSpecificSettingsArePreferred() throws {
        let asus = try XCTUnwrap(knowledge.biosVendors.first { $0.id == "asus" })
        XCTAssertEqual(asus.setting("iommu", cpu: .intel)?.paths.first?.last, "VT-d")
        XCTAssertEqual(asus.setting("iommu", cpu: .amd)?.paths.first?.last, "IOMMU")
        XCTAssertEqual(asus.setting("virtualization", cpu: .amd)?.paths.first?.last, "SVM Mode")
        XCTAssertNotNil(asus.setting("above4g", cpu: .amd), "a key without variants serves every CPU")
        let gigabyte = try XCTUnwrap(knowledge.biosVendors.first { $0.id == "gigabyte" })
        XCTAssertEqual(gigabyte.setting("ari", cpu: .intel)?.paths.first?.last, "PCIe ARI Support")
        XCTAssertEqual(gigabyte.setting("ari", cpu: .amd)?.paths.first?.last, "PCIe ARI Support")
        XCTAssertEqual(gigabyte.setting("ari", cpu: nil)?.paths.first?.last, "PCIe ARI Support")
        let dell = try XCTUnwrap(knowledge.biosVendors.first { $0.id == "dell" })
        XCTAssertEqual(dell.setting("sriov", cpu: .intel)?.paths.first?.last, "SR-IOV Global Enable")
        XCTAssertEqual(dell.setting("sriov", cpu: .intel)?.paths.first?.dropLast().last, "Integrated Devices")
    }

    func testDMIMatchingWithRealVendorStrings() {
        func id(board: String?, system: String?) -> String? {
            knowledge.biosVendor(boardVendor: board, systemVendor: system)?.id
        }
        XCTAssertEqual(id(board: "ASUSTeK COMPUTER INC.", system: "System manufacturer"), "asus")
        XCTAssertEqual(id(board: "Dell Inc.", system: "Dell Inc."), "dell")
        XCTAssertEqual(id(board: nil, system: "Dell Inc."), "dell")
        XCTAssertEqual(id(board: "Gigabyte Technology Co., Ltd.", system: "Gigabyte Technology Co., Ltd."), "gigabyte")
        XCTAssertEqual(id(board: "ASRockRack", system: "To Be Filled By O.E.M."), "asrock")
        XCTAssertEqual(id(board: "ASRock", system: "To Be Filled By O.E.M."), "asrock")
        XCTAssertEqual(id(board: "Micro-Star International Co., Ltd.", system: "Micro-Star International Co., Ltd."), "msi")
        XCTAssertEqual(id(board: "Supermicro", system: "Supermicro"), "supermicro")
        XCTAssertEqual(id(board: "HPE", system: "HPE"), "hpe")
        XCTAssertEqual(id(board: nil, system: "Hewlett Packard Enterprise"), "hpe")
        XCTAssertEqual(id(board: "HP", system: "HP"), "hpe")
        XCTAssertEqual(id(board: "LENOVO", system: "LENOVO"), "lenovo")
        // The lab's VM: DMI sys_vendor "QEMU", product "Standard PC (Q35 + ICH9, 2009)".
        XCTAssertEqual(id(board: nil, system: "QEMU"), "virtual")
        XCTAssertEqual(id(board: "Acme Widgets Ltd.", system: "Acme Widgets Ltd."), "generic")
        XCTAssertEqual(id(board: nil, system: nil), "generic")
        XCTAssertEqual(id(board: "", system: ""), "generic")
    }

    func testVirtualMachineEntryExplainsInsteadOfMenus() throws {
        let virtual = try XCTUnwrap(knowledge.biosVendors.first { $0.id == "virtual" })
        XCTAssertTrue(virtual.settings.isEmpty)
        let notes = try XCTUnwrap(virtual.notes)
        XCTAssertTrue(notes.en.contains("virtual machine"))
    }

    // MARK: - drivers

    func testRequiredDriversHaveTheirVFDrivers() {
        let expected: [(String, String)] = [
            ("igb", "igbvf"), ("ixgbe", "ixgbevf"), ("i40e", "iavf"), ("ice", "iavf"),
            ("mlx5_core", "mlx5_core"), ("mlx4_core", "mlx4_core"), ("bnxt_en", "bnxt_en"), ("nvme", "nvme"),
            ("qede", "qede"), ("cxgb4", "cxgb4vf"), ("be2net", "be2net"), ("enic", "enic"),
        ]
        for (pf, vf) in expected {
            guard let driver = knowledge.driver(pf) else { XCTFail("driver \(pf) is missing"); continue }
            XCTAssertTrue(driver.sriov, "\(pf) should support SR-IOV")
            XCTAssertEqual(driver.vfDriver, vf, "VF driver of \(pf)")
        }
        XCTAssertEqual(knowledge.driver("qed")?.name, "qede", "qed is an alias of qede")
    }

    func testDriversWithoutSRIOV() {
        for name in ["igc", "r8169", "e1000e"] {
            guard let driver = knowledge.driver(name) else { XCTFail("driver \(name) is missing"); continue }
            XCTAssertFalse(driver.sriov, "\(name) has no SR-IOV")
            XCTAssertNil(driver.vfDriver, "\(name) has no VF driver")
            XCTAssertNotNil(driver.notes, "\(name) needs a note saying why")
        }
    }

    func testVFMethodsAndLimits() throws {
        let igb = try XCTUnwrap(knowledge.driver("igb"))
        XCTAssertEqual(igb.method, .moduleOption)
        XCTAssertEqual(igb.moduleOption, "max_vfs")
        XCTAssertEqual(igb.driverMaxVFs, 7)
        let ixgbe = try XCTUnwrap(knowledge.driver("ixgbe"))
        XCTAssertEqual(ixgbe.method, .moduleOption)
        XCTAssertEqual(ixgbe.moduleOption, "max_vfs")
        XCTAssertEqual(ixgbe.driverMaxVFs, 63)
        for name in ["i40e", "ice", "mlx5_core", "bnxt_en", "nvme"] {
            XCTAssertEqual(knowledge.driver(name)?.method, .sysfs, "\(name) creates VFs through sysfs")
        }
        XCTAssertNil(knowledge.driver("i40e")?.moduleOption)
        XCTAssertEqual(knowledge.driver("mlx4_core")?.moduleOption, "num_vfs")
        for driver in knowledge.drivers where driver.method == .moduleOption {
            XCTAssertNotNil(driver.moduleOption, "\(driver.name): method moduleOption without an option name")
        }
        for driver in knowledge.drivers where driver.sriov {
            XCTAssertNotNil(driver.vfDriver, "\(driver.name): SR-IOV driver without a VF driver")
        }
    }

    func testFirmwarePrerequisites() throws {
        let mlx5 = try XCTUnwrap(knowledge.driver("mlx5_core")?.firmwareNote)
        XCTAssertTrue(mlx5.en.contains("SRIOV_EN") && mlx5.en.contains("NUM_OF_VFS") && mlx5.en.contains("mstconfig"))
        XCTAssertTrue(mlx5.es.contains("SRIOV_EN") && mlx5.es.contains("NUM_OF_VFS"))
        let nvme = try XCTUnwrap(knowledge.driver("nvme")?.firmwareNote)
        XCTAssertTrue(nvme.en.contains("nvme virt-mgmt"))
    }

    func testWindowsDrivers() {
        for name in ["igb", "ixgbe", "i40e", "ice"] {
            let windows = knowledge.driver(name)?.windowsDriver
            XCTAssertTrue(windows?.name.contains("Intel") ?? false, "\(name): Windows driver should be Intel's")
            XCTAssertNotNil(windows?.url, "\(name): Windows driver download URL")
        }
        XCTAssertTrue(knowledge.driver("mlx5_core")?.windowsDriver?.name.contains("WinOF-2") ?? false)
        XCTAssertNotNil(knowledge.driver("bnxt_en")?.windowsDriver)
        XCTAssertNotNil(knowledge.driver("nvme")?.windowsDriver?.note, "nvme: explain that there is no vendor VF driver")
    }

    func testDriverForVF() {
        XCTAssertEqual(knowledge.driverForVF("igbvf")?.name, "igb")
        XCTAssertEqual(knowledge.driverForVF("ixgbevf")?.name, "ixgbe")
        XCTAssertEqual(knowledge.driverForVF("cxgb4vf")?.name, "cxgb4")
        XCTAssertEqual(knowledge.driverForVF("mlx5_core")?.name, "mlx5_core")
        XCTAssertNotNil(knowledge.driverForVF("iavf"))
        XCTAssertNil(knowledge.driverForVF("vfio-pci"))
        XCTAssertNil(knowledge.driver("no-such-driver"))
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
