import XCTest
import HostAccess
@testable import SRIOVCore

final class ARIForwardingCheckTests: XCTestCase {
    static let pfAddress = PCIAddress("0000:01:00.0")!
    static let portAddress = PCIAddress("0000:00:02.0")!

    static func inventory(supported: Bool?, enabled: Bool?, pfHasARI: Bool = true, rciep: Bool = false, portVersion: UInt8 = 2) -> Inventory {
        var port = PCIFunction(address: portAddress)
        port.secondaryBus = 1
        port.express = PCIExpressCapability(offset: 0x40, version: portVersion, portTypeValue: 4,
                                            ariForwardingSupported: supported, ariForwardingEnabled: enabled)
        var pf = PCIFunction(address: rciep ? PCIAddress("0000:00:05.0")! : pfAddress)
        pf.express = PCIExpressCapability(offset: 0xa0, version: 2, portTypeValue: rciep ? 9 : 0)
        pf.extendedCapabilitiesKnown = true
        if pfHasARI { pf.ari = ARICapability(offset: 0x150, nextFunction: 0) }
        pf.sriov = SRIOVState(capability: SRIOVCapability(offset: 0x160), source: "sysfs")
        pf.sriov?.totalVFs = 7
        pf.ariEnabled = pfHasARI && enabled == true
        pf.role = .pf
        return Inventory(functions: [port, pf], source: "sysfs")
    }

    func context(_ inventory: Inventory, root: String) -> CheckContext {
        CheckContext(machine: Machine(root: root), inventory: inventory)
    }

    func testLevels() throws {
        let root = try HandMadeRoot("ari")
        try root.intelHost()
        try root.file("/sys/class/dmi/id/board_vendor", "GIGABYTE\n")
        let pass = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: true, enabled: true), root: root.path)))
        XCTAssertEqual(pass.level, .pass)
        XCTAssertEqual(pass.device, Self.pfAddress)
        XCTAssertTrue(pass.evidence.text(.en).contains { $0.hasPrefix("0000:00:02.0 (Root Port, PCIe cap v2 at 0x40): DevCap2 ARIFwd+, DevCtl2 ARIFwd+") }, "\(pass.evidence)")
        XCTAssertTrue(pass.evidence.text(.en).contains("0000:01:00.0: ARI capability at 0x150"), "\(pass.evidence)")

        let unsupported = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: false, enabled: false), root: root.path)))
        XCTAssertEqual(unsupported.level, .warn)
        XCTAssertTrue(unsupported.hint.en.contains("«PCIe ARI Support»"), "Gigabyte menu words: \(unsupported.hint.en)")

        let off = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: true, enabled: false), root: root.path)))
        XCTAssertEqual(off.level, .warn)

        let noDeviceARI = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: true, enabled: false, pfHasARI: false), root: root.path)))
        XCTAssertEqual(noDeviceARI.level, .note)

        let unreadable = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: nil, enabled: nil, portVersion: 1), root: root.path)))
        XCTAssertEqual(unreadable.level, .note)

        let rciep = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: nil, enabled: nil, rciep: true), root: root.path)))
        XCTAssertEqual(rciep.level, .pass)
        XCTAssertTrue(rciep.summary.en.contains("Root Complex Integrated Endpoint"), rciep.summary.en)
        StageTrees.assertBilingual([pass, unsupported, off, noDeviceARI, unreadable, rciep])
    }

    func testNoPFIsASkipAndPCINoARIIsNamed() throws {
        let root = try HandMadeRoot("ari-none")
        try root.intelHost(cmdline: "ro pci=noari")
        XCTAssertEqual(StageTrees.single(ARIForwardingCheck.self, context(Inventory(functions: [], source: "sysfs"), root: root.path))?.level, .skip)
        let off = try XCTUnwrap(StageTrees.single(ARIForwardingCheck.self, context(Self.inventory(supported: true, enabled: false), root: root.path)))
        XCTAssertTrue(off.hint.en.contains("`pci=noari`"), off.hint.en)
    }
}
