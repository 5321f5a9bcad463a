import Foundation
import HostAccess
import Reports
import SRIOVCore
import XCTest

final class RedactorTests: XCTestCase {
    /// The lab sample: host name sriov-lab and the MACs of the PF and its seven VFs.
    func testNoHostnameOrMACOfTheSampleRemains() throws {
        let root = ReportFixture.trees[1].path
        let machine = Machine(root: root)
        var originals = ["sriov-lab"]
        for dir in try machine.list("/sys/bus/pci/devices") {
            for net in (try? machine.list("/sys/bus/pci/devices/\(dir)/net")) ?? [] {
                if let mac = machine.attribute("/sys/bus/pci/devices/\(dir)/net/\(net)/address") { originals.append(mac) }
            }
        }
        XCTAssertGreaterThanOrEqual(originals.count, 9)
        let plain = try ReportXML.render(try ReportFixture.report(root: root)) + (try ReportHTML.render(try ReportFixture.report(root: root)))
        for value in originals { XCTAssertTrue(plain.lowercased().contains(value.lowercased()), "the unredacted report shows \(value)") }
        let redacted = try ReportFixture.redacted(root: root)
        let output = try ReportXML.render(redacted) + (try ReportHTML.render(redacted))
        for value in originals { XCTAssertFalse(output.lowercased().contains(value.lowercased()), "\(value) remains") }
        XCTAssertEqual(redacted.host.hostname, "host-1")
        XCTAssertTrue(output.contains("redacted=\"true\""))
        // Same value, same placeholder: the PF's MAC in devices and anywhere else.
        let macs = redacted.devices.flatMap { [$0] + $0.vfs }.compactMap { $0.netdevs.first?.mac }
        XCTAssertEqual(Set(macs).count, 8)
        XCTAssertTrue(macs.allSatisfy { $0.hasPrefix("mac-") })
        // Addresses, IDs and versions are not identifying and stay.
        XCTAssertTrue(output.contains("0000:01:00.0"))
        XCTAssertTrue(output.contains("6.12.95+deb12-amd64"))
    }

    /// A hand-made host with IPs, UUIDs, serials and a FQDN in the command line, dmesg and DMI.
    func testHandMadeTreeWithAddressesUUIDsAndSerials() throws {
        let root = try ReportFixture.temporaryDirectory() + "/host"
        let copy = try LiveCommandRunner().run(["cp", "-a", ReportFixture.trees[1].path, root], timeout: 60, outputLimit: 1 << 20)
        XCTAssertEqual(copy.status, 0, copy.stderrText)
        let secrets = [
            "192.168.10.5", "192.168.10.1", "10.0.0.77", "fe80::5054:ff:fe12:3456", "2001:db8:85a3::8a2e:370:7334",
            "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "9B3E2A10-1111-2222-3333-444455556666", "sriov-lab.example.org",
            "00-1b-21-ff-ff-a1-b2-c3", "S3R14L-XYZ-001", "BSN12345678", "52:54:00:aa:bb:cc",
        ]
        try "console=ttyS0 intel_iommu=on iommu=pt root=UUID=3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f ip=192.168.10.5::192.168.10.1:255.255.255.0:sriov-lab.example.org:enp1s0:off\n"
            .write(toFile: root + "/proc/cmdline", atomically: true, encoding: .utf8)
        let dmesg = """
        [    0.000000] Command line: console=ttyS0 intel_iommu=on ip=192.168.10.5::192.168.10.1:255.255.255.0:sriov-lab.example.org:enp1s0:off
        [    0.010000] DMAR: IOMMU enabled on sriov-lab (uuid 9B3E2A10-1111-2222-3333-444455556666)
        [    1.000000] igb 0000:01:00.0: Device Serial Number 00-1b-21-ff-ff-a1-b2-c3
        [    1.100000] igb 0000:01:00.0 enp1s0: MAC 52:54:00:aa:bb:cc, link-local fe80::5054:ff:fe12:3456 SR-IOV
        [    2.000000] vfio-pci 0000:01:10.0: VF reached 10.0.0.77 and 2001:db8:85a3::8a2e:370:7334, SerialNumber: S3R14L-XYZ-001
        [    3.000000] pci 0000:00:02.0: ACS ok, lspci -d ::200 at 15:41:17

        """
        try dmesg.write(toFile: root + "/sriov-wizard/commands/dmesg.stdout", atomically: true, encoding: .utf8)
        try "BSN12345678\n".write(toFile: root + "/sys/class/dmi/id/board_serial", atomically: true, encoding: .utf8)

        let plain = try ReportFixture.report(root: root)
        let plainText = try ReportXML.render(plain)
        for s in ["192.168.10.5", "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "fe80::5054:ff:fe12:3456"] {
            XCTAssertTrue(plainText.contains(s), "the fixture reaches the report: \(s)")
        }
        let redacted = try ReportFixture.redacted(root: root)
        let output = try ReportXML.render(redacted) + (try ReportHTML.render(redacted))
        for s in secrets {
            XCTAssertFalse(output.lowercased().contains(s.lowercased()), "\(s) remains")
        }
        XCTAssertFalse(output.contains("sriov-lab"))
        // Same value -> same placeholder, across the command line and dmesg.
        XCTAssertTrue(redacted.host.cmdline?.contains("ip=ip-1::ip-2:") ?? false, redacted.host.cmdline ?? "")
        let lines = redacted.evidence.first?.lines ?? []
        XCTAssertTrue(lines.contains { $0.contains("ip=ip-1::ip-2:") })
        XCTAssertTrue(lines.contains { $0.contains("Device Serial Number serial-") })
        // Not identifying: PCI addresses, an lspci class filter, a time of day.
        XCTAssertTrue(lines.contains { $0.contains("pci 0000:00:02.0: ACS ok, lspci -d ::200 at 15:41:17") }, "\(lines)")
    }

    /// Issue 11 section 4: every spelling of the host's own values, found in the tree, is
    /// gone from the XML and the HTML, and two runs give the same placeholders.
    func testEverySpellingOfTheMachinesValuesIsGoneAndPlaceholdersAreStable() throws {
        let root = try ReportFixture.temporaryDirectory() + "/host"
        let copy = try LiveCommandRunner().run(["cp", "-a", ReportFixture.trees[1].path, root], timeout: 60, outputLimit: 1 << 20)
        XCTAssertEqual(copy.status, 0, copy.stderrText)
        let mac = try String(contentsOfFile: root + "/sys/bus/pci/devices/0000:01:00.0/net/enp1s0/address", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(mac, "52:54:00:5a:01:00")
        try "pve1\n".write(toFile: root + "/proc/sys/kernel/hostname", atomically: true, encoding: .utf8)
        try "pve1.corp.example.com\n".write(toFile: root + "/etc/hostname", atomically: true, encoding: .utf8)
        try "3F1C2D4E-5A6B-4C7D-8E9F-0A1B2C3D4E5F\n".write(toFile: root + "/sys/class/dmi/id/product_uuid", atomically: true, encoding: .utf8)
        try "SYS-77Q1\n".write(toFile: root + "/sys/class/dmi/id/product_serial", atomically: true, encoding: .utf8)
        try "0123456789abcdef0123456789abcdef\n".write(toFile: root + "/etc/machine-id", atomically: true, encoding: .utf8)
        try "console=ttyS0 intel_iommu=on iommu=pt BOOTIF=01-52-54-00-5a-01-00\n".write(toFile: root + "/proc/cmdline", atomically: true, encoding: .utf8)
        let spellings = [
            "pve1.corp.example.com", "PVE1", "pve1-backup", "corp.example.com", "BOOTIF=01-52-54-00-5a-01-00", "enx5254005a0100",
            "5254.005a.0100", "5254005A0100", "52-54-00-5A-01-00", "3f1c2d4e5a6b4c7d8e9f0a1b2c3d4e5f", "01234567-89ab-cdef-0123-456789abcdef",
            "0123456789ABCDEF0123456789ABCDEF", "sys-77q1", "S/N: AB-12-CD", "sn:QX-55",
        ]
        let dmesg = """
            [    0.000000] Command line: console=ttyS0 intel_iommu=on iommu=pt BOOTIF=01-52-54-00-5a-01-00
            [    0.010000] DMAR: IOMMU enabled on PVE1 (pve1.corp.example.com), backup pve1-backup in corp.example.com
            [    1.000000] igb 0000:01:00.0 enx5254005a0100: renamed, MAC 5254.005a.0100 / 5254005A0100 / 52-54-00-5A-01-00
            [    1.100000] igb 0000:01:00.0: SR-IOV board 3f1c2d4e5a6b4c7d8e9f0a1b2c3d4e5f machine 01234567-89ab-cdef-0123-456789abcdef
            [    1.200000] igb 0000:01:00.0: SR-IOV id 0123456789ABCDEF0123456789ABCDEF serial sys-77q1 S/N: AB-12-CD sn:QX-55

            """
        try dmesg.write(toFile: root + "/sriov-wizard/commands/dmesg.stdout", atomically: true, encoding: .utf8)

        let plain = try ReportXML.render(try ReportFixture.report(root: root))
        for s in spellings { XCTAssertTrue(plain.contains(s), "the fixture reaches the report: \(s)") }
        let first = try ReportFixture.redacted(root: root), second = try ReportFixture.redacted(root: root)
        let output = try ReportXML.render(first) + (try ReportHTML.render(first))
        for s in spellings + [mac, "pve1", "example.com", "5a0100", "3f1c2d4e", "0123456789abcdef", "77q1", "AB-12-CD", "QX-55"] {
            XCTAssertFalse(output.lowercased().contains(s.lowercased()), "\(s) remains")
        }
        XCTAssertEqual(try ReportXML.render(first), try ReportXML.render(second), "placeholders are stable between runs")
        XCTAssertEqual(try ReportHTML.render(first), try ReportHTML.render(second))
        XCTAssertEqual(first.host.hostname, "host-1")
        XCTAssertTrue(first.host.cmdline?.hasSuffix("BOOTIF=01-mac-1") ?? false, first.host.cmdline ?? "")
        let lines = first.evidence.flatMap(\.lines)
        XCTAssertTrue(lines.contains { $0.contains("IOMMU enabled on host-1 (host-1.domain-1), backup host-1-backup in domain-1") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("igb 0000:01:00.0 enxmac-1: renamed, MAC mac-1 / mac-1 / mac-1") }, "\(lines)")
    }

    func testShapes() {
        var r = Redactor(hostnames: ["vm"])
        XCTAssertEqual(r.redact("mac 52:54:00:12:34:56 and 52-54-00-12-34-56"), "mac mac-1 and mac-1")
        XCTAssertEqual(r.redact("0000:01:10.0 [8086:10ca] rev 01"), "0000:01:10.0 [8086:10ca] rev 01")
        XCTAssertEqual(r.redact("kernel 6.12.95 bios 1.16.3-debian-1.16.3-2~bpo12+1"), "kernel 6.12.95 bios 1.16.3-debian-1.16.3-2~bpo12+1")
        XCTAssertEqual(r.redact("addr 10.1.2.3/24, gw 10.1.2.1"), "addr ip-1/24, gw ip-2")
        XCTAssertEqual(r.redact("vm and vmx and kvm"), "host-1 and vmx and kvm")
        XCTAssertEqual(r.redact("pass a VF to a VM"), "pass a VF to a VM", "the word VM is not the host vm")
        XCTAssertEqual(r.redact("PF MAC 00:00:00:00:00:00"), "PF MAC 00:00:00:00:00:00", "no MAC set is not identifying")
        XCTAssertEqual(r.redact("::1 and 12:34:56"), "::1 and 12:34:56")
        XCTAssertEqual(r.redact("serial=ABC123 Serial Number: XYZ-9"), "serial=serial-1 Serial Number: serial-2")
    }
}
