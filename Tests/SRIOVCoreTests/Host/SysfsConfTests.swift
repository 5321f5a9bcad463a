import XCTest
import HostAccess
@testable import SRIOVCore

/// `SysfsConf` (Host/SysfsConf.swift): sysfsutils' /etc/sysfs.conf.
final class SysfsConfTests: XCTestCase {
    func testSysfsConf() {
        let conf = SysfsConf(files: [("/etc/sysfs.conf", "# comment\r\nbus/pci/devices/0000:01:00.0/sriov_numvfs = 7\r\nmode class/net/enp1s0/device/sriov_numvfs = 0644\n/sys/class/net/enp1s0/device/sriov_numvfs=3\nnonsense\n")])
        XCTAssertEqual(conf.settings.map(\.path), ["bus/pci/devices/0000:01:00.0/sriov_numvfs", "class/net/enp1s0/device/sriov_numvfs", "class/net/enp1s0/device/sriov_numvfs"])
        XCTAssertEqual(conf.settings.map(\.value), ["7", "0644", "3"])
        XCTAssertEqual(conf.settings[1].directive, "mode")
        XCTAssertEqual(conf.problems.map(\.description), ["/etc/sysfs.conf:5: expected 'PATH = VALUE'"])
    }
}
