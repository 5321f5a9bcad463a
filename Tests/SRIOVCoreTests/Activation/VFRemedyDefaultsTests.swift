import XCTest
import HostAccess
@testable import SRIOVCore

/// Issue 13, stage 4 question 1: what a VF costs (the IOV resources of sysfs `resource`), and
/// the count/method the wizard's VF remedy starts from.
final class VFResourcesTests: XCTestCase {
    func testTheSampleIGBHasTwo16KiBVFBARs() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let context = try ActivationFixtures.context(root)
        let pf = try XCTUnwrap(context.inventory.function(PCIAddress("0000:01:00.0")!))
        // resource lines 7 and 10: 128 KiB windows for the 8 VFs of config space.
        let cost = try XCTUnwrap(VFResources.read(pf, machine: context.machine))
        XCTAssertEqual(cost.barSizes, [16384, 16384])
        XCTAssertEqual(VFResources.size(cost.total), "32 KiB")
    }

    func testMalformedOrShortFilesAreUnknownNotGuessed() {
        let zero = "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        XCTAssertNil(VFResources.parse(String(repeating: zero, count: 5), totalVFs: 8), "fewer lines than the IOV resources")
        XCTAssertNil(VFResources.parse(String(repeating: zero, count: 13), totalVFs: 8), "no IOV BAR at all")
        let bad = String(repeating: zero, count: 7) + "0xfe800000 zz 0x0\n" + String(repeating: zero, count: 5)
        XCTAssertNil(VFResources.parse(bad, totalVFs: 8))
        let one = String(repeating: zero, count: 7) + "0x00000000fe800000 0x00000000fe8fffff 0x000000000014220c\n" + String(repeating: zero, count: 5)
        XCTAssertEqual(VFResources.parse(one, totalVFs: 4)?.barSizes, [262144])
        XCTAssertEqual(VFResources.size(262144), "256 KiB")
        XCTAssertNil(VFResources.parse(one, totalVFs: 0))
    }
}

final class VFRemedyDefaultsTests: XCTestCase {
    /// An applied `--method modprobe` waits for a reboot; the wizard must not offer the sysfs
    /// method as the fix (that would undo the plan just applied).
    func testAnAppliedModuleOptionIsNotOfferedAgainAsTheOtherMethod() throws {
        let root = try ActivationFixtures.sampleHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let address = PCIAddress("0000:01:00.0")!
        var context = try ActivationFixtures.context(root)
        var pf = try XCTUnwrap(context.inventory.function(address))
        XCTAssertEqual(Remedies.vfDefaults(pf, context: context)?.count, 7)
        XCTAssertEqual(Remedies.vfDefaults(pf, context: context)?.method, .auto)
        let outcome = try PlanExecutor(machine: context.machine).apply(try VFPlanner.plan(device: address, count: 5, method: .modprobe, context: context), command: ["test"])
        XCTAssertTrue(outcome.succeeded)
        context = try ActivationFixtures.context(root)
        pf = try XCTUnwrap(context.inventory.function(address))
        let defaults = try XCTUnwrap(Remedies.vfDefaults(pf, context: context))
        XCTAssertEqual(defaults.count, 5)
        XCTAssertEqual(defaults.method, .modprobe)
        let report = Stage.named(.activation).verify(context)
        XCTAssertTrue(Remedies.offered(for: report, context: context).isEmpty, "the module option is in place: nothing to offer")
    }
}
