import XCTest
import HostAccess
@testable import SRIOVCore

/// `driver-support`: the PF driver and what the knowledge says of it.
final class DriverSupportCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testDriverCases() throws {
        let none = try T.only(DriverSupportCheck.run(T.context(functions: [T.pf(driver: nil)])))
        XCTAssertEqual(none.level, .fail)
        T.assertContains(none.hint.en, "modprobe \"$(cat /sys/bus/pci/devices/0000:01:00.0/modalias)\"")

        var withModules = T.pf(driver: nil)
        withModules.kernelModules = ["igb"]
        T.assertContains(try T.only(DriverSupportCheck.run(T.context(functions: [withModules]))).hint.en, "`modprobe igb`")

        let vfio = try T.only(DriverSupportCheck.run(T.context(functions: [T.pf(driver: "vfio-pci")])))
        XCTAssertEqual(vfio.level, .warn)
        T.assertContains(vfio.hint.en, "/sys/bus/pci/drivers/vfio-pci/unbind")

        let unknownNoVFs = try T.only(DriverSupportCheck.run(T.context(functions: [T.pf(driver: "frob", total: 0)])))
        XCTAssertEqual(unknownNoVFs.level, .warn)

        let noSRIOV = try T.knowledge(drivers: #"{"drivers": [{"name": "igc", "aliases": [], "vendor": "Intel", "sriov": false, "method": "sysfs", "sources": []}]}"#)
        let igc = try T.only(DriverSupportCheck.run(T.context(functions: [T.pf(driver: "igc")], knowledge: noSRIOV)))
        XCTAssertEqual(igc.level, .fail)
        T.assertComplete([none, vfio, unknownNoVFs, igc])
    }
}
