import XCTest
import HostAccess
@testable import SRIOVCore

/// `vf-driver-bound` (Checks/Activation/VFDriverBoundCheck.swift) on copies of the lab-made
/// sample host with seven VFs, changed by hand.
final class VFDriverBoundCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testUnboundVFsWithAndWithoutAutoprobeAndVfioBinding() throws {
        let root = try vfsHost("bound")
        T.remove(root, "/sys/bus/pci/devices/0000:01:10.0/driver")
        try T.link(root, "/sys/bus/pci/devices/0000:01:10.2/driver", "../../../../bus/pci/drivers/vfio-pci")
        let r = try run(VFDriverBoundCheck.self, root)
        XCTAssertEqual(r.level, .warn)
        T.assertContains(r.summary.en, "1 of 7 VFs")
        T.assertContains(r.summary.en, "(5 to igbvf, 1 to vfio-pci (ready for passthrough))")
        T.assertContains(r.hint.en, "`echo igbvf > /sys/bus/pci/devices/0000:01:10.0/driver_override; echo 0000:01:10.0 > /sys/bus/pci/drivers_probe`")

        try T.write(root, "/etc/modprobe.d/blacklist-igbvf.conf", "blacklist igbvf\n")
        T.assertContains(try run(VFDriverBoundCheck.self, root).hint.en, "blacklisted at /etc/modprobe.d/blacklist-igbvf.conf:1")

        try T.write(root, "/sys/bus/pci/devices/0000:01:00.0/sriov_drivers_autoprobe", "0\n")
        let noAutoprobe = try run(VFDriverBoundCheck.self, root)
        T.assertContains(noAutoprobe.summary.en, "sriov_drivers_autoprobe is 0")

        let passthrough = try run(VFPassthroughCheck.self, root)
        XCTAssertFalse(passthrough.hint.en.contains("0000:01:10.0,"), "an unbound VF is not offered")
        T.assertContains(passthrough.hint.en, "0000:01:10.2,pcie=1")
    }
}
