import XCTest
import HostAccess
@testable import SRIOVCore

/// `UdevRules` (Host/UdevRules.swift): rule pairs, problems and globs.
final class UdevRulesTests: XCTestCase {
    func testUdevRulePairsAndProblems() {
        let rules = UdevRules(files: [("/etc/udev/rules.d/70-sriov.rules", """
            # VFs
            ACTION=="add", SUBSYSTEM=="net", ENV{ID_NET_DRIVER}=="igb", \\
              ATTR{device/sriov_numvfs}="7"
            ACTION=="bind",KERNEL=="0000:01:00.0",RUN+="/bin/sh -c 'echo 4 > /sys/bus/pci/devices/%k/sriov_numvfs'"
            KERNEL=="broken
            """)])
        XCTAssertEqual(rules.rules.count, 2)
        XCTAssertEqual(rules.rules[0].location.line, 2)
        XCTAssertEqual(rules.rules[0].pairs.last, UdevRules.Pair(key: "ATTR", attribute: "device/sriov_numvfs", op: "=", value: "7"))
        XCTAssertEqual(rules.rules[1].pairs.last?.op, "+=")
        XCTAssertEqual(rules.problems.map(\.location.line), [5])
        XCTAssertEqual(NumVFsWrite.find(in: rules.rules[1].pairs.last!.value), [NumVFsWrite(count: 4, path: "/sys/bus/pci/devices/%k/sriov_numvfs")])
    }

    func testUdevGlob() {
        XCTAssertTrue(UdevRules.glob("0000:01:00.*", matches: "0000:01:00.0"))
        XCTAssertTrue(UdevRules.glob("enp1s0|eth0", matches: "eth0"))
        XCTAssertTrue(UdevRules.glob("enp[0-9]s0", matches: "enp1s0"))
        XCTAssertTrue(UdevRules.glob("e?p*", matches: "enp1s0"))
        XCTAssertFalse(UdevRules.glob("0000:02:*", matches: "0000:01:00.0"))
        XCTAssertFalse(UdevRules.glob("enp[!1]s0", matches: "enp1s0"))
    }
}
