import Foundation
import XCTest
import HostAccess
import GPUTreeSupport
@testable import SRIOVCore

/// The Intel Data Center GPU Flex 170 host (GPUTreeSupport.FlexTree, from the bug 216795
/// capture) and the AMD Fiji host (AMDFijiTree, pciutils' real dump): verdicts, the ARI layout
/// behind the on-card switch, and the real `lspci -vvv -O sysfs.path=` as the oracle of our
/// decoding.
final class DataCenterGPUTreeTests: XCTestCase {
    static func flex(_ state: FlexTree.State) throws -> String {
        let root = try ScratchTree.make(state.rawValue)
        try FlexTree.write(state, to: root)
        return root
    }

    static func fiji() throws -> String {
        let root = try ScratchTree.make("amd-fiji")
        try AMDFijiTree.write(to: root)
        return root
    }

    static let golden: [FlexTree.State: [String: CheckLevel]] = [
        .captured: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .note,
                    "vfs-enabled": .fail, "vf-driver-bound": .skip, "vfs-persistent": .skip, "vf-iommu-groups": .skip,
                    "vf-mac-addresses": .skip, "vf-passthrough": .skip],
        .vfsEnabled: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .note,
                      "vfs-enabled": .pass, "vf-driver-bound": .pass, "vfs-persistent": .pass, "vf-iommu-groups": .pass,
                      "vf-mac-addresses": .skip, "vf-passthrough": .note],
    ]

    func testFlexGoldenVerdicts() throws {
        for state in FlexTree.State.allCases {
            let root = try Self.flex(state)
            defer { ScratchTree.remove(root) }
            let levels = VFCheckTrees.levels(try VFCheckTrees.context(root), device: FlexTree.pf.description)
            XCTAssertEqual(levels, Self.golden[state], state.rawValue)
        }
    }

    /// ARI behind the on-card switch: the PF's ARI capability, the switch downstream port's ARI
    /// forwarding, and 31 VFs at routing IDs 1-31 (53:00.1 ... 53:03.7), which only ARI reaches.
    func testFlexARIBehindTheSwitch() throws {
        let root = try Self.flex(.vfsEnabled)
        defer { ScratchTree.remove(root) }
        let context = try VFCheckTrees.context(root)
        let pf = try XCTUnwrap(context.inventory.function(FlexTree.pf))
        XCTAssertEqual(pf.sriov?.capability?.offset, 0x320)
        XCTAssertEqual(pf.sriov?.totalVFs, 31)
        XCTAssertEqual(pf.virtfns.first?.description, "0000:53:00.1")
        XCTAssertEqual(pf.virtfns.last?.description, "0000:53:03.7")
        XCTAssertEqual(pf.virtfns.count, 31)
        let port = try XCTUnwrap(context.upstreamPort(of: pf))
        XCTAssertEqual(port.address, FlexTree.downstreamPort)
        XCTAssertEqual(port.express?.portType, .downstreamPort)
        let forwarding = try VFCheckTrees.only(ARIForwardingCheck.run(context), FlexTree.pf.description)
        XCTAssertEqual(forwarding.level, .pass)
        VFCheckTrees.assertContains(forwarding.summary.en, "0000:52:01.0")
        VFCheckTrees.assertEvidence(forwarding, "0000:52:01.0 (")
        let support = try VFCheckTrees.only(DriverSupportCheck.run(context), FlexTree.pf.description)
        VFCheckTrees.assertContains(support.summary.en, "xpu-smi")
        VFCheckTrees.assertContains(support.summary.en, "Total VFs 31")
        // Without ARI forwarding on the switch port only device 0 (7 VFs) would be reachable.
        var config = try Machine(root: root).read("/sys/bus/pci/devices/0000:52:01.0/config")
        config[0x40 + 0x24] = 0; config[0x40 + 0x28] = 0
        try TreeWriter(root: root).write(config, to: "/sys/bus/pci/devices/0000:52:01.0/config")
        let off = try VFCheckTrees.only(ARIForwardingCheck.run(try VFCheckTrees.context(root)), FlexTree.pf.description)
        XCTAssertEqual(off.level, .warn)
    }

    /// The real lspci reads each tree (and the Fiji's real dump) and must agree with our
    /// decoding; the captured SR-IOV lines come out as the bug report printed them.
    func testTreesAgreeWithRealLspci() throws {
        guard let lspci = LiveCommandRunner.resolve("lspci") else {
            throw XCTSkip("lspci (pciutils) is not installed; apt-get install pciutils")
        }
        var roots: [(String, String)] = []
        for state in FlexTree.State.allCases { roots.append((state.rawValue, try Self.flex(state))) }
        roots.append(("amd-fiji", try Self.fiji()))
        defer { for (_, root) in roots { ScratchTree.remove(root) } }
        var summary: [String] = []
        for (name, root) in roots {
            let result = try Machine(root: "/").run([lspci, "-A", "linux-sysfs", "-O", "sysfs.path=" + root + "/sys/bus/pci",
                                                     "-D", "-nn", "-k", "-vvv"], timeout: 120)
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderrText)")
            let text = result.stdoutText
            let parsed = ObservedLspciText.parse(text)
            XCTAssertEqual(parsed.errors, [], name)
            let inventory = try SysfsInventory.load(Machine(root: root))
            let report = LspciDifferential.compare(parsed.functions, inventory, names: true, links: true)
            XCTAssertEqual(report.disagreements, [], "\(name): our decoder and lspci disagree")
            XCTAssertEqual(parsed.functions.count, inventory.functions.count, name)
            if name == "amd-fiji" {
                XCTAssertTrue(text.contains("Capabilities: [328 v1] Alternative Routing-ID Interpretation (ARI)"), text)
                XCTAssertFalse(text.contains("SR-IOV"), text)
            } else {
                XCTAssertTrue(text.contains("Capabilities: [320 v1] Single Root I/O Virtualization (SR-IOV)"), name)
                XCTAssertTrue(text.contains("Initial VFs: 31, Total VFs: 31"), name)
                XCTAssertTrue(text.contains("VF offset: 1, stride: 1, Device ID: 56c0"), name)
                XCTAssertTrue(text.contains("Supported Page Size: 00000553, System Page Size: 00000001"), name)
                XCTAssertTrue(text.contains("Region 0: Memory at 0000205e00000000 (64-bit, prefetchable)"), name)
                XCTAssertTrue(text.contains("Region 2: Memory at 0000202000000000 (64-bit, prefetchable)"), name)
                XCTAssertTrue(text.contains("Bus: primary=52, secondary=53, subordinate=54"), name)
                XCTAssertTrue(text.contains("Express (v2) Downstream Port"), name)
                XCTAssertTrue(text.contains("ARIHierarchy+"), name)
            }
            summary.append("\(name): \(report.summary)")
        }
        print("lspci vs data-center GPU trees:\n  " + summary.joined(separator: "\n  "))
    }

    func testFijiHasNoSRIOV() throws {
        let root = try Self.fiji()
        defer { ScratchTree.remove(root) }
        let context = try VFCheckTrees.context(root, device: AMDFijiTree.address.description)
        let f = try XCTUnwrap(context.inventory.function(AMDFijiTree.address))
        XCTAssertNil(f.sriov?.capability)
        XCTAssertEqual(f.capabilities?.first { $0.id == 0x0e && $0.space == .extended }?.offset, 0x328, "ARI without SR-IOV")
        let r = try VFCheckTrees.only(SRIOVCapabilityCheck.run(context), AMDFijiTree.address.description)
        XCTAssertEqual(r.level, .fail)
        // A consumer AMD card: what AMD offers (MxGPU, not on Proxmox) and whole-GPU passthrough,
        // not the NIC list.
        VFCheckTrees.assertContains(r.hint.en, "AMD MxGPU")
        VFCheckTrees.assertContains(r.hint.en, "pass the whole GPU")
        VFCheckTrees.assertContains(r.hint.es, "no en Proxmox VE ni Debian")
        XCTAssertFalse(r.hint.en.contains("82576"), r.hint.en)
        // Without --device: nothing with SR-IOV on the host, and the GPU's answer follows.
        let all = try VFCheckTrees.only(SRIOVCapabilityCheck.run(try VFCheckTrees.context(root)))
        XCTAssertEqual(all.level, .fail)
        VFCheckTrees.assertContains(all.hint.en, "GPU 0000:09:00.0: Consumer AMD Radeon cards have no SR-IOV")
        VFCheckTrees.assertEvidence(all, "0000:09:00.0: GPU 1002:7300 without SR-IOV")
    }
}
