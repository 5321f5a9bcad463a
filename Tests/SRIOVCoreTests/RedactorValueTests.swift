import HostAccess
import XCTest
@testable import SRIOVCore

/// Redaction by value: every spelling of a value the machine listed gets its one placeholder.
final class RedactorValueTests: XCTestCase {
    func redactor() -> Redactor {
        Redactor(hostnames: ["pve1.corp.example.com"], serials: ["00-1b-21-ff-ff-a1-b2-c3", "ABC12345"],
                 macs: ["52:54:00:ab:cd:ef"],
                 uuids: ["3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "0123456789abcdef0123456789abcdef"])
    }

    func testHostAndDomainNamesInEveryCaseAndVariant() {
        var r = redactor()
        XCTAssertEqual(r.redact("pve1.corp.example.com PVE1 pve1-backup Pve1_old corp.example.com CORP.EXAMPLE.COM"),
                       "host-1.domain-1 host-1 host-1-backup host-1_old domain-1 domain-1")
        XCTAssertEqual(r.redact("mail.corp.example.com and xcorp.example.com"), "mail.domain-1 and xcorp.example.com")
        XCTAssertEqual(r.redact("pve10 and apve1"), "pve10 and apve1", "a longer word is another name")
    }

    func testOneLabelDomainOnlyInsideTheFQDN() {
        var r = Redactor(hostnames: ["pve1.lan"])
        XCTAssertEqual(r.redact("pve1.lan on the lan, PVE1"), "host-1.domain-1 on the lan, host-1")
    }

    func testCommonWordHostNamesOnlyAsWritten() {
        var r = Redactor(hostnames: ["pve"])
        XCTAssertEqual(r.redact("pve-manager/8.2.4 on pve, Proxmox PVE"), "pve-manager/8.2.4 on host-1, Proxmox PVE")
    }

    func testEverySpellingOfAMAC() {
        var r = redactor()
        XCTAssertEqual(r.redact("BOOTIF=01-52-54-00-ab-cd-ef enx525400abcdef 5254.00ab.cdef 525400ABCDEF 52:54:00:AB:CD:EF"),
                       "BOOTIF=01-mac-1 enxmac-1 mac-1 mac-1 mac-1")
    }

    func testMACShapesTheMachineDidNotList() {
        var r = Redactor()
        XCTAssertEqual(r.redact("BOOTIF=01-aa-bb-cc-dd-ee-01 enxaabbccddee02 aabb.ccdd.ee03 aa:bb:cc:dd:ee:01"),
                       "BOOTIF=01-mac-1 enxmac-2 mac-3 mac-1")
        XCTAssertEqual(r.redact("0000:01:00.0 [8086:10c9] 1.16.3-debian"), "0000:01:00.0 [8086:10c9] 1.16.3-debian")
    }

    func testUUIDsAndMachineIDWithAndWithoutDashes() {
        var r = redactor()
        XCTAssertEqual(r.redact("3F1C2D4E5A6B4C7D8E9F0A1B2C3D4E5F 01234567-89ab-cdef-0123-456789abcdef 3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
                       "uuid-1 uuid-2 uuid-1")
        var shapes = Redactor()
        XCTAssertEqual(shapes.redact("machine-id ffeeddccbbaa99887766554433221100"), "machine-id uuid-1")
    }

    func testSerialsFromTheMachineAndWrittenSNOrSerial() {
        var r = redactor()
        XCTAssertEqual(r.redact("S/N: XYZ-77 sn:QQ123 Device Serial Number 00-1b-21-ff-ff-a1-b2-c3 001b21ffffa1b2c3 abc12345 dsn:keep"),
                       "S/N: serial-3 sn:serial-4 Device Serial Number serial-1 serial-1 serial-2 dsn:keep")
    }

    func testPlaceholdersAreStableAcrossRedactors() {
        let text = "pve1 52:54:00:ab:cd:ef ABC12345 3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f 10.1.2.3"
        var a = redactor(), b = redactor()
        XCTAssertEqual(a.redact(text), b.redact(text))
        XCTAssertEqual(a.redact(text), "host-1 mac-1 serial-1 uuid-1 ip-1")
    }

    /// Values are found on the machine: host names (also via /etc/hosts), MACs, serials, UUIDs.
    func testCollectFindsTheValuesOfATree() throws {
        let base = "/var/tmp/sriov-redactor-collect-\(getpid())"
        defer { _ = try? Machine(root: "/").run(["rm", "-rf", base]) }
        let w = try TreeWriter(root: base)
        try w.write("pve1\n", to: "/proc/sys/kernel/hostname")
        try w.write("127.0.0.1 localhost\n192.168.1.5 pve1.corp.example.com pve1 pve1-mgmt\n10.0.0.1 other\n", to: "/etc/hosts")
        try w.write("52:54:00:ab:cd:ef\n", to: "/sys/bus/pci/devices/0000:01:00.0/net/enp1s0/address")
        try w.write("BSN-998877\n", to: "/sys/class/dmi/id/board_serial")
        try w.write("To be filled by O.E.M.\n", to: "/sys/class/dmi/id/chassis_serial")
        try w.write("3F1C2D4E-5A6B-4C7D-8E9F-0A1B2C3D4E5F\n", to: "/sys/class/dmi/id/product_uuid")
        try w.write("0123456789abcdef0123456789abcdef\n", to: "/etc/machine-id")
        try w.write("ABCD-1234\n", to: "/etc/kernel/proxmox-boot-uuids")
        let v = Redactor.collect(Machine(root: base, commands: NoCommands()),
                                 lspci: "\t\tRead-only fields:\n\t\t\t[SN] Serial number: VPD-5566\n",
                                 ipLink: "    vf 0     link/ether 52:54:00:11:22:33 brd ff:ff:ff:ff:ff:ff\n")
        XCTAssertEqual(Set(v.hostnames), ["pve1", "pve1.corp.example.com", "pve1-mgmt"])
        XCTAssertEqual(Set(v.macs), ["52:54:00:ab:cd:ef", "52:54:00:11:22:33", "ff:ff:ff:ff:ff:ff"])
        XCTAssertEqual(Set(v.serials), ["BSN-998877", "To be filled by O.E.M.", "VPD-5566"])
        XCTAssertEqual(Set(v.uuids), ["ABCD-1234", "3F1C2D4E-5A6B-4C7D-8E9F-0A1B2C3D4E5F", "0123456789abcdef0123456789abcdef"])
        var r = Redactor(v)
        XCTAssertEqual(r.redact("To be filled by O.E.M. / ff:ff:ff:ff:ff:ff / VPD-5566 / ABCD1234 / pve1-mgmt"),
                       "To be filled by O.E.M. / ff:ff:ff:ff:ff:ff / serial-1 / uuid-1 / host-1")
    }

    func testDeviceSerialNumberIsReadAndZeroed() {
        let config = Self.configWithDSN()
        XCTAssertEqual(PCIIdentifiers.deviceSerialNumber(ConfigSpace(config)), "00-1b-21-ff-ff-a1-b2-c3")
        let masked = PCIIdentifiers.masked(config)
        XCTAssertNil(PCIIdentifiers.deviceSerialNumber(ConfigSpace(masked)))
        XCTAssertEqual(ConfigSpace(masked).capabilities(), ConfigSpace(config).capabilities(), "the chain is kept")
        let changed = zip(config, masked).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        XCTAssertEqual(changed, Array(0x204..<0x20c).filter { config[$0] != 0 })
    }

    /// A PCIe endpoint with only a DSN extended capability at 0x200 (first at 0x100: AER).
    static func configWithDSN() -> [UInt8] {
        var c = [UInt8](repeating: 0, count: 4096)
        func put32(_ at: Int, _ v: UInt32) { for i in 0..<4 { c[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) } }
        put32(0, 0x10c9_8086)
        c[0x06] = 0x10  // status: capability list
        c[0x34] = 0x40
        c[0x40] = 0x10; c[0x41] = 0x00; c[0x42] = 0x02  // PCI Express, last standard capability
        put32(0x100, 0x2001_0001)  // AER v1, next 0x200
        put32(0x200, 0x0001_0003)  // DSN v1, last
        put32(0x204, 0xffa1_b2c3)
        put32(0x208, 0x001b_21ff)
        return c
    }
}
