import XCTest
import HostAccess
@testable import SRIOVCore

/// `sriov-capability` (Checks/Device/SRIOVCapabilityCheck.swift) when there is nothing to look
/// at: no SR-IOV device, an unreadable extended configuration space, a chosen device that is
/// missing or has no SR-IOV capability. The real trees are in DeviceChecksTests.
final class SRIOVCapabilityCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testNoSRIOVDeviceFailsOnceAndTheOthersSkipOnce() throws {
        var nic = PCIFunction(address: PCIAddress("0000:03:00.0")!)
        nic.extendedCapabilitiesKnown = true
        nic.capabilities = [Capability(space: .standard, id: CapabilityID.express, offset: 0xa0)]
        let context = T.context(functions: [nic])
        let sriov = try T.only(SRIOVCapabilityCheck.run(context))
        XCTAssertEqual(sriov.level, .fail)
        XCTAssertEqual(sriov.summary.en, "No SR-IOV capable device found.")
        T.assertContains(sriov.hint.en, "lspci -vv -d ::200 | grep IOV")
        XCTAssertNil(sriov.device)
        for check in T.deviceChecks.dropFirst() + T.activationChecks {
            let results = check.run(context)
            XCTAssertEqual(results.map(\.level), [.skip], check.id)
            XCTAssertNil(results.first?.device, check.id)
        }
        T.assertComplete(T.deviceChecks.flatMap { $0.run(context) } + T.activationChecks.flatMap { $0.run(context) })
    }

    func testUnreadableExtendedConfigWarnsWithRunAsRoot() throws {
        var nic = PCIFunction(address: PCIAddress("0000:03:00.0")!)
        nic.extendedCapabilitiesKnown = false
        let r = try T.only(SRIOVCapabilityCheck.run(T.context(functions: [nic], source: "lspci")))
        XCTAssertEqual(r.level, .warn)
        T.assertContains(r.hint.en, "as root")
        T.assertEvidence(r, "extended configuration space unreadable: 0000:03:00.0")
    }

    func testNonRootPFKnownFromSysfsOnly() throws {
        // 64-byte config reads: the kernel's sysfs still names the PF, offsets stay unknown.
        var pf = T.pf(extendedKnown: false)
        pf.ariEnabled = true
        let context = T.context(functions: [pf])
        let sriov = try T.only(SRIOVCapabilityCheck.run(context))
        XCTAssertEqual(sriov.level, .note)
        T.assertContains(sriov.hint.en, "as root")
        XCTAssertEqual(try T.only(ARICapabilityCheck.run(context)).level, .note, "ari_enabled 1 vouches for ARI")
        pf.ariEnabled = nil
        let unknown = try T.only(ARICapabilityCheck.run(T.context(functions: [pf])))
        XCTAssertEqual(unknown.level, .warn)
        T.assertContains(unknown.hint.en, "as root")
    }

    func testChosenDeviceMissingOrWithoutSRIOV() throws {
        let missing = T.context(functions: [T.pf()], device: "0000:09:00.0")
        let r = try T.only(SRIOVCapabilityCheck.run(missing))
        XCTAssertEqual(r.level, .fail)
        XCTAssertEqual(r.device, PCIAddress("0000:09:00.0"))
        XCTAssertEqual(try T.only(VFCapacityCheck.run(missing)).level, .skip)

        var plain = PCIFunction(address: PCIAddress("0000:05:00.0")!)
        plain.extendedCapabilitiesKnown = true
        plain.capabilities = [Capability(space: .extended, id: CapabilityID.aer, offset: 0x100, version: 1)]
        let chosen = T.context(functions: [T.pf(), plain], device: "0000:05:00.0")
        let none = try T.only(SRIOVCapabilityCheck.run(chosen))
        XCTAssertEqual(none.level, .fail)
        T.assertContains(none.summary.en, "0000:05:00.0 has no SR-IOV capability")
        XCTAssertEqual(try T.only(DriverSupportCheck.run(chosen)).level, .skip)

        // A VF chosen: its PF is checked.
        var vf = PCIFunction(address: PCIAddress("0000:01:10.0")!)
        vf.physfn = PCIAddress("0000:01:00.0")
        let viaVF = T.context(functions: [T.pf(numVFs: 1), vf], device: "0000:01:10.0")
        XCTAssertEqual(try T.only(SRIOVCapabilityCheck.run(viaVF)).device, PCIAddress("0000:01:00.0"))
    }
}
