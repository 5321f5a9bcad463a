import XCTest
import HostAccess
@testable import SRIOVCore

/// `vfs-persistent`: what recreates VFs at boot, on copies of sample-host-vfs.
final class VFsPersistentCheckTests: XCTestCase {
    typealias T = VFCheckTrees

    func testVFsPersistentHintIsWhatApplyWrites() throws {
        let root = try VFCheckTrees.copy(VFCheckTrees.sampleHostVFs, label: "remedy-persistent")
        addTeardownBlock { ScratchTree.remove(root) }
        let context = try VFCheckTrees.context(root)
        let result = try VFCheckTrees.only(VFsPersistentCheck.run(context), "0000:01:00.0")
        XCTAssertEqual(result.level, .warn)
        let pf = try XCTUnwrap(PCIAddress("0000:01:00.0"))
        let rule = try VFPlanner.plan(device: pf, count: 7, method: .auto, context: context)
        let option = try VFPlanner.plan(device: pf, count: 7, method: .modprobe, context: context)
        for hint in [result.hint.en, result.hint.es] {
            RemedyHintTests.assertSays(hint, rule)
            RemedyHintTests.assertSays(hint, option)
            XCTAssertTrue(hint.contains(#"ACTION=="add|bind""#), hint)
            XCTAssertTrue(hint.contains("/etc/udev/rules.d/70-sriov-wizard.rules"), hint)
            XCTAssertTrue(hint.contains("/etc/modprobe.d/sriov-wizard-igb.conf"), hint)
            XCTAssertFalse(hint.contains(#"ACTION=="bind""#), "a bind-only rule misses the coldplug at boot: \(hint)")
            XCTAssertFalse(hint.contains("70-sriov.rules"), hint)
            XCTAssertFalse(hint.contains("/etc/modprobe.d/igb.conf"), hint)
        }
    }

    func testModprobeOptionWithCRLFAndContinuationMakesThemPersistent() throws {
        let root = try vfsHost("persist-modprobe")
        try T.write(root, "/etc/modprobe.d/sriov.conf", "# VFs\r\noptions igb \\\r\n\tmax_vfs=7\r\n")
        let r = try run(VFsPersistentCheck.self, root)
        XCTAssertEqual(r.level, .pass)
        T.assertContains(r.summary.en, "(/etc/modprobe.d/sriov.conf:2)")
        T.assertEvidence(r, "/etc/modprobe.d/sriov.conf:2: options igb max_vfs=7")

        try T.write(root, "/etc/modprobe.d/sriov.conf", "options igb max_vfs=4\n")
        XCTAssertEqual(try run(VFsPersistentCheck.self, root).level, .note, "4 at boot, 7 now")
    }

    func testUdevRuleForThisPFOrAnother() throws {
        let root = try vfsHost("persist-udev")
        try T.write(root, "/etc/udev/rules.d/70-sriov.rules", #"ACTION=="bind", SUBSYSTEM=="pci", KERNEL=="0000:02:00.0", ATTR{sriov_numvfs}="7""# + "\n")
        let other = try run(VFsPersistentCheck.self, root)
        XCTAssertEqual(other.level, .warn)
        T.assertEvidence(other, "(for another device)")

        try T.write(root, "/etc/udev/rules.d/70-sriov.rules", #"ACTION=="add", SUBSYSTEM=="net", ENV{ID_NET_DRIVER}=="igb", RUN+="/bin/sh -c 'echo 7 > /sys/class/net/%k/device/sriov_numvfs'""# + "\n")
        let run1 = try run(VFsPersistentCheck.self, root)
        XCTAssertEqual(run1.level, .pass, "\(run1.evidence)")
        T.assertContains(run1.summary.en, "/etc/udev/rules.d/70-sriov.rules:1")
    }

    func testSysfsutilsAndSystemdUnitAndIfupdown() throws {
        let root = try vfsHost("persist-other")
        try T.write(root, "/etc/sysfs.d/sriov.conf", "bus/pci/devices/0000:01:00.0/sriov_numvfs = 7\n")
        let withoutService = try run(VFsPersistentCheck.self, root)
        XCTAssertEqual(withoutService.level, .note)
        T.assertContains(withoutService.summary.en, "sysfsutils service that applies it was not found")
        try T.write(root, "/etc/init.d/sysfsutils", "#!/bin/sh\n")
        XCTAssertEqual(try run(VFsPersistentCheck.self, root).level, .pass)

        let unit = try vfsHost("persist-unit")
        try T.write(unit, "/etc/systemd/system/sriov-vfs.service",
                    "[Unit]\nDescription=VFs\n\n[Service]\nType=oneshot\nExecStart=/usr/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'\n\n[Install]\nWantedBy=multi-user.target\n")
        try T.link(unit, "/etc/systemd/system/multi-user.target.wants/ssh.service", "/lib/systemd/system/ssh.service")
        let disabled = try run(VFsPersistentCheck.self, unit)
        XCTAssertEqual(disabled.level, .note)
        T.assertContains(disabled.summary.en, "`systemctl enable sriov-vfs.service`")
        try T.link(unit, "/etc/systemd/system/multi-user.target.wants/sriov-vfs.service", "/etc/systemd/system/sriov-vfs.service")
        let enabled = try run(VFsPersistentCheck.self, unit)
        XCTAssertEqual(enabled.level, .pass)
        T.assertContains(enabled.summary.en, "/etc/systemd/system/sriov-vfs.service:6")

        let ifup = try vfsHost("persist-ifup")
        try T.write(ifup, "/etc/network/interfaces", "auto enp1s0\niface enp1s0 inet manual\n    post-up echo 7 > /sys/class/net/enp1s0/device/sriov_numvfs\n")
        XCTAssertEqual(try run(VFsPersistentCheck.self, ifup).level, .pass)
    }
}
