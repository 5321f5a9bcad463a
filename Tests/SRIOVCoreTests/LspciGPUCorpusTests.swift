import XCTest
import SRIOVCore

/// Every file of the shared GPU corpus (`../shared/corpus/gpu`) against the answer its
/// SOURCES.md gives: roles, VF counts, TotalVFs, VF device ID, ARI yes/no/unknown, PCIe type,
/// driver.
final class LspciGPUCorpusTests: XCTestCase {
    /// What one function must look like; nil members are not checked, `.some(nil)` must be nil.
    struct Expected {
        var address: String
        var role: FunctionRole
        var roleInferredFrom: String?? = .some(nil)
        var physfn: String? = nil
        var virtfns: [String] = []
        var totalVFs: Int?? = .some(nil)
        var numVFs: Int?? = .some(nil)
        var vfDeviceID: UInt16?? = .some(nil)
        var ari: Bool?? = .some(nil)
        var pcieType: PCIExpressCapability.PortType?? = .some(nil)
        var driver: String?? = .some(nil)
    }

    static let igpuVFs = (1...7).map { "00:02.\($0)" }

    static let answers: [String: (functions: Int, expected: [Expected])] = [
        // #1: -vnnk cut with `...`, Markdown list indentation (3 spaces before the device
        // lines); the SR-IOV line has no counts at -v; ARI and the PCIe type were cut.
        "gpu/kubevirtgfx-adls-pf-vf-vnnk-1.txt": (2, [
            Expected(address: "00:02.0", role: .pf, virtfns: ["00:02.1"], driver: "i915"),
            Expected(address: "00:02.1", role: .vf, roleInferredFrom: "layout", physfn: "00:02.0", driver: "vfio-pci"),
        ]),
        // #4: `lspci -nnk | grep -i vga`: no capability lines, no -k lines; 7 VFs from the layout.
        "gpu/issue351-adls-4680-nnk-grep-vga-1.txt": (8, [
            Expected(address: "00:02.0", role: .pf, roleInferredFrom: "layout", virtfns: igpuVFs),
        ] + igpuVFs.map { Expected(address: $0, role: .vf, roleInferredFrom: "layout", physfn: "00:02.0") }),
        // #7: -vvnn, PF with 0 of 7 VFs, no ARI, RCiEP.
        "gpu/linuxhw-zycoo-adlp-4626-pf-vvnn-1.txt": (1, [
            Expected(address: "00:02.0", role: .pf, totalVFs: 7, numVFs: 0, vfDeviceID: 0x4626, ari: false,
                     pcieType: .rootComplexIntegratedEndpoint, driver: "i915"),
        ]),
        // #8: every leading tab stripped by the mail client; one PF (0/7), ARI on the NVMe only.
        "gpu/lkml-iio-yoga9-adlp-46a6-noindent-1.txt": (23, [
            Expected(address: "00:02.0", role: .pf, totalVFs: 7, numVFs: 0, vfDeviceID: 0x46a6, ari: false,
                     pcieType: .rootComplexIntegratedEndpoint, driver: "i915"),
            Expected(address: "01:00.0", role: .none, ari: true, pcieType: .endpoint, driver: "nvme"),
        ]),
        // #13: `lspci | grep Mellanox`: PFs 02:00.0/02:00.1 and four named VFs, all of 02:00.0.
        "gpu/nic-sriovdp-cx4-mlx5-lspci-1.txt": (6, [
            Expected(address: "02:00.0", role: .pf, roleInferredFrom: "layout", virtfns: ["02:00.2", "02:00.3", "02:00.4", "02:00.5"]),
            Expected(address: "02:00.1", role: .pf, roleInferredFrom: "layout"),
        ] + (2...5).map { Expected(address: "02:00.\($0)", role: .vf, roleInferredFrom: "layout", physfn: "02:00.0") }),
        // #15: 127 of 127 VFs enabled (not in the output), ARI, Endpoint, 8-space indentation.
        "gpu/nic-danny-hns3-127vfs-vv-1.txt": (1, [
            Expected(address: "7d:00.0", role: .pf, totalVFs: 127, numVFs: 127, vfDeviceID: 0xa22f, ari: true,
                     pcieType: .endpoint, driver: "hns3"),
        ]),
    ]

    func testEveryGPUCorpusFileGivesTheAnswerOfSOURCES() throws {
        let files = try LspciCorpus.gpuFiles()
        let refused = "gpu/nvgpuubuntu-a6000-virtfn-sysfs-2.txt"
        XCTAssertEqual(Set(files), Set(Self.answers.keys).union([refused]), "gpu corpus files and the answer table differ")
        for (file, answer) in Self.answers.sorted(by: { $0.key < $1.key }) where files.contains(file) {
            let inventory: Inventory
            do { inventory = try LspciCorpus.parse(file) } catch { XCTFail("\(file): \(error)"); continue }
            XCTAssertEqual(inventory.functions.count, answer.functions, "\(file): functions")
            for e in answer.expected { check(e, in: inventory, file: file) }
            // Only the functions the answer names have a role.
            let named = Set(answer.expected.filter { $0.role != .none }.map(\.address))
            XCTAssertEqual(Set(inventory.functions.filter { $0.role != .none }.map(\.address.shortDescription)), named, "\(file): roles")
        }
    }

    func check(_ e: Expected, in inventory: Inventory, file: String) {
        guard let f = inventory.function(e.address) else { return XCTFail("\(file): \(e.address) missing") }
        let what = "\(file) \(e.address)"
        XCTAssertEqual(f.role, e.role, "\(what): role")
        if let v = e.roleInferredFrom { XCTAssertEqual(f.roleInferredFrom, v, "\(what): roleInferredFrom") }
        XCTAssertEqual(f.physfn?.shortDescription, e.physfn, "\(what): physfn")
        XCTAssertEqual(f.virtfns.map(\.shortDescription), e.virtfns, "\(what): virtfns")
        if let v = e.totalVFs { XCTAssertEqual(f.sriov?.totalVFs, v, "\(what): TotalVFs") }
        if let v = e.numVFs { XCTAssertEqual(f.sriov?.numVFs, v, "\(what): NumVFs") }
        if let v = e.vfDeviceID { XCTAssertEqual(f.sriov?.vfDeviceID, v, "\(what): VF device ID") }
        if let v = e.ari { XCTAssertEqual(f.hasARI, v, "\(what): ARI") }
        if let v = e.pcieType { XCTAssertEqual(f.express?.portType, v, "\(what): PCIe type") }
        if let v = e.driver { XCTAssertEqual(f.driver, v, "\(what): driver") }
    }

    /// Details the table does not hold: IDs and modules, the `...` elision, the VF offset,
    /// the notes that say a role came from the layout.
    func testDetailsOfTheGPUCaptures() throws {
        let kubevirt = try LspciCorpus.parse("gpu/kubevirtgfx-adls-pf-vf-vnnk-1.txt")
        for f in kubevirt.functions {
            XCTAssertEqual(f.vendorID, 0x8086)
            XCTAssertEqual(f.deviceID, 0x4680)
            XCTAssertEqual(f.kernelModules, ["i915"])
            XCTAssertNil(f.extendedCapabilitiesKnown, "\(f.address): the block was cut with `...`")
        }
        XCTAssertEqual(kubevirt.function("00:02.0")?.hasSRIOV, true)
        XCTAssertNil(kubevirt.function("00:02.1")?.hasSRIOV, "cut: SR-IOV unknown, not absent")
        XCTAssertTrue(kubevirt.issues.contains { $0.message.contains("00:02.1 taken as a VF of 00:02.0 from the layout") }, "\(kubevirt.issues)")
        XCTAssertEqual(kubevirt.sriovView.map(\.address.shortDescription), ["00:02.0", "00:02.1"])

        let grep = try LspciCorpus.parse("gpu/issue351-adls-4680-nnk-grep-vga-1.txt")
        XCTAssertEqual(grep.sriovView.count, 8, "the default view shows the PF and its 7 VFs")
        XCTAssertTrue(grep.issues.contains { $0.message.hasPrefix("00:02.1-00:02.7 taken as VFs of 00:02.0 from the layout") }, "\(grep.issues)")
        XCTAssertTrue(grep.issues.contains { $0.isNote && $0.localized?.es.hasPrefix("00:02.1-00:02.7 tomadas como VFs de 00:02.0 por la disposición") == true }, "\(grep.issues)")
        XCTAssertTrue(grep.functions.allSatisfy { $0.revision == 0x0c && $0.classCode == 0x03_00_00 })

        // #7: the VF BAR 2 line reads 0000000000000000 (not assigned): sriov_numvfs would fail.
        let zycoo = try LspciCorpus.parse("gpu/linuxhw-zycoo-adlp-4626-pf-vvnn-1.txt")
        XCTAssertEqual(zycoo.issues.map(\.path), ["line 52"])
        XCTAssertTrue(zycoo.issues.first?.message.hasPrefix("line 52: 00:02.0: VF BAR 2 has no address (Memory at 0000000000000000): creating VFs will most likely fail with ENOMEM") == true, "\(zycoo.issues)")
        let assigned = try LspciTextParser.parse(LspciCorpus.text("gpu/linuxhw-zycoo-adlp-4626-pf-vvnn-1.txt")
            .replacingFirst("Region 2: Memory at 0000000000000000", with: "Region 2: Memory at 0000004000000000"))
        XCTAssertTrue(assigned.issues.isEmpty, "\(assigned.issues)")

        let hns3 = try XCTUnwrap(LspciCorpus.parse("gpu/nic-danny-hns3-127vfs-vv-1.txt").function("7d:00.0"))
        XCTAssertEqual(hns3.sriov?.vfOffset, 8)
        XCTAssertEqual(hns3.sriov?.vfStride, 1)
        XCTAssertEqual(hns3.sriov?.capability?.vfEnable, true)
        XCTAssertEqual(hns3.sriov?.capability?.systemPageSize, 0x10)
        XCTAssertEqual(hns3.kernelModules, ["hclge", "hns3", "hns_roce_hw_v2"])

        let yoga = try LspciCorpus.parse("gpu/lkml-iio-yoga9-adlp-46a6-noindent-1.txt")
        XCTAssertEqual(yoga.function("01:00.0")?.hasSRIOV, false)
        XCTAssertEqual(yoga.function("00:02.0")?.iommuGroup, 1)
        XCTAssertEqual(yoga.function("00:07.0")?.express?.portType, .rootPort)
        XCTAssertTrue(yoga.issues.isEmpty, "every line of the unindented paste is lspci output: \(yoga.issues)")

        let cx4 = try LspciCorpus.parse("gpu/nic-sriovdp-cx4-mlx5-lspci-1.txt")
        XCTAssertEqual(cx4.sriovView.map(\.address.shortDescription), ["02:00.0", "02:00.2", "02:00.3", "02:00.4", "02:00.5", "02:00.1"])
        XCTAssertTrue(cx4.issues.contains { $0.message.contains("02:00.2-02:00.5 (named \"Virtual Function\") taken as VFs of 02:00.0") })
        XCTAssertTrue(cx4.issues.contains { $0.localized?.es.contains("02:00.2-02:00.5 (llamadas \"Virtual Function\") tomadas como VFs de 02:00.0") == true })
    }

    /// #11 is `ls -l .../0000:51:00.0 | grep virtfn`, not lspci output: refused at its first
    /// link line, saying what it is and what to paste instead.
    func testVirtfnLinkListingIsRefusedSayingWhatItIs() throws {
        let text = try LspciCorpus.text("gpu/nvgpuubuntu-a6000-virtfn-sysfs-2.txt")
        XCTAssertThrowsError(try LspciTextParser.parse(text)) { error in
            guard let error = error as? LspciParseError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.line, 3)
            XCTAssertTrue(error.message.contains("sysfs virtfn links"), error.message)
            XCTAssertTrue(error.message.contains("virtfn0 -> ../0000:51:00.4"), error.message)
            XCTAssertTrue(error.message.contains("lspci -vvv -s"), error.message)
        }
    }
}
