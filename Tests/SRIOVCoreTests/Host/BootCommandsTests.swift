import XCTest
import HostAccess
@testable import SRIOVCore

/// `BootCommands` and `NumVFsWrite` (Host/BootCommands.swift): sriov_numvfs writes in units,
/// interfaces files and rc.local.
final class BootCommandsTests: XCTestCase {
    func testNumVFsWritesInShellCommands() {
        XCTAssertEqual(NumVFsWrite.find(in: "/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'"),
                       [NumVFsWrite(count: 7, path: "/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs")])
        XCTAssertEqual(NumVFsWrite.find(in: "echo 0 >/sys/class/net/enp1s0/device/sriov_numvfs; echo 4>/sys/class/net/enp1s0/device/sriov_numvfs").map(\.count), [0, 4])
        XCTAssertEqual(NumVFsWrite.find(in: "echo 2 | tee /sys/class/net/enp1s0/device/sriov_numvfs").first?.count, 2)
        XCTAssertEqual(NumVFsWrite.find(in: "ip link set enp1s0 up"), [])
        let pf = PCIAddress("0000:01:00.0")!
        XCTAssertEqual(NumVFsWrite(count: 4, path: "/sys/class/net/enp1s0/device/sriov_numvfs").names(pf: pf, netdevs: ["enp1s0"]), true)
        XCTAssertEqual(NumVFsWrite(count: 4, path: "/sys/bus/pci/devices/0000:02:00.0/sriov_numvfs").names(pf: pf, netdevs: ["enp1s0"]), false)
        XCTAssertNil(NumVFsWrite(count: 4, path: "/sys/bus/pci/devices/$PF/sriov_numvfs").names(pf: pf, netdevs: []))
    }

    func testBootCommandsFromUnitsInterfacesAndRCLocal() throws {
        let root = try ScratchTree.make("boot")
        defer { ScratchTree.remove(root) }
        let w = try TreeWriter(root: root)
        try w.write("[Unit]\nDescription=VFs\n[Service]\nType=oneshot\nExecStart=-/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'\n[Install]\nWantedBy=multi-user.target\n",
                    to: "/etc/systemd/system/sriov.service")
        try w.write("[Service]\nExecStart=/usr/bin/true\n", to: "/etc/systemd/system/other.service")
        try w.symlink("/etc/systemd/system/other.service", at: "/etc/systemd/system/multi-user.target.wants/other.service")
        try w.write("auto enp1s0\niface enp1s0 inet manual\n\tpost-up echo 7 > /sys/class/net/enp1s0/device/sriov_numvfs\n", to: "/etc/network/interfaces")
        try w.write("#!/bin/sh\necho 3 > /sys/bus/pci/devices/0000:02:00.0/sriov_numvfs\nexit 0\n", to: "/etc/rc.local")
        let boot = BootCommands.read(Machine(root: root))
        let unit = try XCTUnwrap(boot.commands.first { $0.owner == "sriov.service" })
        XCTAssertEqual(unit.command, "/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'")
        XCTAssertEqual(unit.location.description, "/etc/systemd/system/sriov.service:5")
        XCTAssertEqual(unit.enabled, false, "not linked in any .wants directory")
        XCTAssertEqual(boot.commands.first { $0.owner == "other.service" }?.enabled, true)
        let ifup = try XCTUnwrap(boot.commands.first { $0.origin == .ifupdown })
        XCTAssertEqual(ifup.owner, "enp1s0")
        XCTAssertEqual(ifup.location.line, 3)
        XCTAssertEqual(boot.commands.filter { $0.origin == .rcLocal }.count, 2)
    }
}
