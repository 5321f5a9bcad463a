import Foundation
import HostAccess
import XCTest
@testable import SRIOVCore

/// What leaves the host in a snapshot: planted secrets, serials and UUIDs stay behind, the
/// checks give the same verdicts on the copy, and `redact` removes names and MACs too.
final class SnapshotSecretsTests: XCTestCase {
    static let repository: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    var base = ""

    override func setUpWithError() throws {
        base = "/var/tmp/sriov-snapshot-secrets-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    }

    override func tearDown() {
        _ = try? Machine(root: "/").run(["rm", "-rf", base])
    }

    static let secrets = [
        "WGSECRETKEY", "WPAPSKSECRET", "POSTUPTOKEN", "IFDTOKEN", "ENVSECRET", "EXECSECRET", "TIMERSECRET", "RCSECRET",
        "SYSFSSECRET", "192.168.77.5", "ABCD-1234", "EF56-7890", "00-1b-21-ff-ff-a1-b2-c3", "VPD-SN-4455",
    ]
    static let pf = "/sys/bus/pci/devices/0000:01:00.0"

    func write(_ text: String, _ path: String, in root: String) throws {
        let full = root + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }

    /// The lab sample with the files that hold secrets on real hosts, a PCIe Device Serial
    /// Number in the PF's config space and a VPD serial in the recorded lspci -vvv.
    func plantedHost() throws -> String {
        let src = base + "/src"
        let copy = try Machine(root: "/").run(["cp", "-a", Self.repository + "/Resources/sample-host-vfs", src], timeout: 60)
        XCTAssertEqual(copy.status, 0, copy.stderrText)
        try write("[NetDev]\nName=wg0\nKind=wireguard\n[WireGuard]\nPrivateKey=WGSECRETKEY=\nListenPort=51820\n", "/etc/systemd/network/50-wg0.netdev", in: src)
        try write("""
            auto lo
            iface lo inet loopback

            auto enp1s0
            iface enp1s0 inet static
                address 192.168.77.5/24
                wpa-psk WPAPSKSECRET
                post-up curl -H 'Authorization: Bearer POSTUPTOKEN' https://example.invalid/
                post-up echo 7 > /sys/class/net/enp1s0/device/sriov_numvfs

            source /etc/network/interfaces.d/*

            """, "/etc/network/interfaces", in: src)
        try write("iface vmbr1 inet manual\n    pre-up /usr/local/bin/fetch --token IFDTOKEN\n", "/etc/network/interfaces.d/vmbr1", in: src)
        let unit = """
            [Unit]
            Description=VFs
            [Service]
            Type=oneshot
            Environment=API_TOKEN=ENVSECRET
            ExecStart=/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'
            ExecStartPost=/usr/bin/notify --token EXECSECRET
            [Install]
            WantedBy=multi-user.target

            """
        try write(unit, "/etc/systemd/system/sriov-vfs.service", in: src)
        try FileManager.default.createDirectory(atPath: src + "/etc/systemd/system/multi-user.target.wants", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: src + "/etc/systemd/system/multi-user.target.wants/sriov-vfs.service",
                                                   withDestinationPath: "../sriov-vfs.service")
        try write("[Timer]\nOnCalendar=daily\n# TIMERSECRET\n", "/etc/systemd/system/backup.timer", in: src)
        try write("#!/bin/sh -e\nexport PASS=RCSECRET\necho 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs\nexit 0\n", "/etc/rc.local", in: src)
        try write("bus/pci/devices/0000:01:00.0/sriov_numvfs = 7\nclass/net/enp1s0/ifalias = SYSFSSECRET\n", "/etc/sysfs.conf", in: src)
        try write("ABCD-1234\nEF56-7890\n", "/etc/kernel/proxmox-boot-uuids", in: src)
        try write("", "/etc/kernel/cmdline", in: src)
        let status = "/sriov-wizard/commands/" + RecordedCommandRunner.key(for: ["proxmox-boot-tool", "status"])
        try write("System currently booted with uefi\nABCD-1234 is configured with: uefi (versions: 6.8.12-4-pve)\nEF56-7890 is configured with: uefi (versions: 6.8.12-4-pve)\n",
                  status + ".stdout", in: src)
        try write("", status + ".stderr", in: src)
        try write("0\n", status + ".status", in: src)
        let lspci = src + "/sriov-wizard/commands/" + RecordedCommandRunner.key(for: ["lspci", "-vvv"]) + ".stdout"
        var text = try String(contentsOfFile: lspci, encoding: .utf8)
        let marker = "\tCapabilities: [160 v1] Single Root I/O Virtualization (SR-IOV)"
        XCTAssertTrue(text.contains(marker))
        text = text.replacingOccurrences(of: marker, with: "\tCapabilities: [300 v1] Device Serial Number 00-1b-21-ff-ff-a1-b2-c3\n"
                                         + "\tCapabilities: [3c0] Vital Product Data\n\t\tRead-only fields:\n\t\t\t[SN] Serial number: VPD-SN-4455\n" + marker)
        try text.write(toFile: lspci, atomically: false, encoding: .utf8)
        try plantDSN(src + Self.pf + "/config")
        return src
    }

    /// Appends a DSN extended capability at 0x300 to the end of the extended chain.
    func plantDSN(_ path: String) throws {
        var c = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(c.count, 4096)
        guard let last = ConfigSpace(c).capabilities().entries.last(where: { $0.space == .extended }) else { return XCTFail("no extended chain") }
        XCTAssertTrue(c[0x300..<0x30c].allSatisfy { $0 == 0 })
        let at = Int(last.offset)
        var header = UInt32(c[at]) | UInt32(c[at + 1]) << 8 | UInt32(c[at + 2]) << 16 | UInt32(c[at + 3]) << 24
        header = header & 0x000f_ffff | 0x300 << 20
        for i in 0..<4 { c[at + i] = UInt8(truncatingIfNeeded: header >> (8 * UInt32(i))) }
        let dsn: [UInt8] = [0x03, 0x00, 0x01, 0x00, 0xc3, 0xb2, 0xa1, 0xff, 0xff, 0x21, 0x1b, 0x00]
        c.replaceSubrange(0x300..<0x30c, with: dsn)
        try Data(c).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(PCIIdentifiers.deviceSerialNumber(ConfigSpace(c)), "00-1b-21-ff-ff-a1-b2-c3")
    }

    /// Every regular file of a tree: path relative to the root, and its bytes.
    func files(_ root: String) -> [(path: String, bytes: Data)] {
        var result: [(String, Data)] = []
        guard let walk = FileManager.default.enumerator(atPath: root) else { return [] }
        while let relative = walk.nextObject() as? String {
            let full = root + "/" + relative
            var isDir: ObjCBool = false
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) == nil,
                  FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: full) else { continue }
            result.append((relative, data))
        }
        return result
    }

    func verdicts(_ root: String) throws -> [String] {
        let machine = Machine(root: root)
        let context = CheckContext(machine: machine, inventory: try SysfsInventory.load(machine))
        return verifyStages(context).flatMap(\.checks).map { "\($0.id) \($0.device?.description ?? "-") \($0.level)" }
    }

    func details(_ root: String) throws -> [String] {
        let machine = Machine(root: root)
        let context = CheckContext(machine: machine, inventory: try SysfsInventory.load(machine))
        return verifyStages(context).flatMap(\.checks).map { "\($0.id) \($0.level): \($0.summary.en) | \($0.evidence.text(.en).joined(separator: " | "))" }
    }

    func testPlantedSecretsSerialsAndUUIDsAreNotCopied() throws {
        let src = try plantedHost()
        let all = files(src).map { String(decoding: $0.bytes, as: UTF8.self) }.joined()
        for secret in Self.secrets where secret != "00-1b-21-ff-ff-a1-b2-c3" { XCTAssertTrue(all.contains(secret), "planted: \(secret)") }
        let out = base + "/out"
        _ = try Snapshot.take(from: Machine(root: src), to: out, now: "2026-01-01T00:00:00Z")
        for (path, data) in files(out) {
            let text = String(decoding: data, as: UTF8.self)
            for secret in Self.secrets { XCTAssertFalse(text.contains(secret), "\(secret) in \(path)") }
        }
        let copied = Machine(root: out)
        XCTAssertFalse(copied.exists("/etc/systemd/network"), "no check reads it")
        XCTAssertFalse(copied.exists("/etc/systemd/system/backup.timer"))
        // The lines that write sriov_numvfs stay where they were, with the stanza and section lines.
        XCTAssertEqual(try copied.readText("/etc/network/interfaces"),
                       "auto lo\niface lo inet loopback\n\nauto enp1s0\niface enp1s0 inet static\n\n\n\n    post-up echo 7 > /sys/class/net/enp1s0/device/sriov_numvfs\n\nsource /etc/network/interfaces.d/*\n")
        XCTAssertEqual(try copied.readText("/etc/network/interfaces.d/vmbr1"), "iface vmbr1 inet manual\n")
        XCTAssertEqual(try copied.readText("/etc/systemd/system/sriov-vfs.service"),
                       "[Unit]\n\n[Service]\n\n\nExecStart=/bin/sh -c 'echo 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs'\n\n[Install]\n")
        XCTAssertTrue(copied.exists("/etc/systemd/system/multi-user.target.wants/sriov-vfs.service"))
        XCTAssertEqual(try copied.readText("/etc/rc.local"), "#!/bin/sh -e\n\necho 7 > /sys/bus/pci/devices/0000:01:00.0/sriov_numvfs\n")
        XCTAssertEqual(try copied.readText("/etc/sysfs.conf"), "bus/pci/devices/0000:01:00.0/sriov_numvfs = 7\n")
        XCTAssertEqual(try copied.readText("/etc/kernel/proxmox-boot-uuids"), "esp-1\nesp-2\n")
        let status = try copied.run(["proxmox-boot-tool", "status"])
        XCTAssertTrue(status.stdoutText.contains("esp-1 is configured with: uefi"), status.stdoutText)
        // DSN zeroed in config, the capability chain kept; masked the same way in the recorded text.
        let config = try copied.read(Self.pf + "/config", limit: 4096)
        XCTAssertNil(PCIIdentifiers.deviceSerialNumber(ConfigSpace(config)))
        XCTAssertEqual(ConfigSpace(config).capabilities(), ConfigSpace(try Machine(root: src).read(Self.pf + "/config", limit: 4096)).capabilities())
        let lspci = try copied.run(["lspci", "-vvv"]).stdoutText
        XCTAssertTrue(lspci.contains("Device Serial Number 00-00-00-00-00-00-00-00"))
        XCTAssertTrue(lspci.contains("[SN] Serial number: " + PCIIdentifiers.maskedVPDSerial))
    }

    /// The filtered snapshot answers every check as the host does: same levels, summaries and
    /// evidence (ESP UUIDs read as their esp-N names).
    func testChecksGiveIdenticalResultsOnTheFilteredSnapshot() throws {
        let src = try plantedHost()
        let out = base + "/out"
        _ = try Snapshot.take(from: Machine(root: src), to: out, now: "2026-01-01T00:00:00Z")
        let names = SnapshotFilter.espNames(try Machine(root: src).readText("/etc/kernel/proxmox-boot-uuids"))
        let live = try details(src).map { SnapshotFilter.replacing(names, in: $0) }
        let copy = try details(out)
        XCTAssertEqual(live.count, copy.count)
        for (a, b) in zip(live, copy) { XCTAssertEqual(a, b) }
        // The planted persistence is what vfs-persistent found, on both.
        XCTAssertTrue(copy.contains { $0.hasPrefix("vfs-persistent") && $0.contains("/etc/rc.local:3") && $0.contains("/etc/network/interfaces:9")
            && $0.contains("/etc/systemd/system/sriov-vfs.service:6") && $0.contains("/etc/sysfs.conf:1") }, copy.filter { $0.hasPrefix("vfs-persistent") }.joined())
    }

    /// Differential oracle: real lspci reads the masked config space of the snapshot, finds
    /// the same capabilities, and prints the DSN as zeros, as the recorded text says.
    func testRealLspciReadsTheMaskedConfigSpace() throws {
        guard let lspci = LiveCommandRunner.resolve("lspci") else { throw XCTSkip("lspci (pciutils) is not installed; apt-get install pciutils") }
        let src = try plantedHost()
        let out = base + "/out"
        _ = try Snapshot.take(from: Machine(root: src), to: out, now: "2026-01-01T00:00:00Z")
        func run(_ root: String) throws -> [String] {
            let r = try Machine(root: "/").run([lspci, "-A", "linux-sysfs", "-O", "sysfs.path=" + root + "/sys/bus/pci", "-D", "-nn", "-vvv", "-s", "0000:01:00.0"], timeout: 60)
            XCTAssertEqual(r.status, 0, r.stderrText)
            return r.stdoutText.split(separator: "\n").map(String.init)
        }
        let before = try run(src), after = try run(out)
        XCTAssertTrue(before.contains("\tCapabilities: [300 v1] Device Serial Number 00-1b-21-ff-ff-a1-b2-c3"), before.joined(separator: "\n"))
        XCTAssertTrue(after.contains("\tCapabilities: [300 v1] Device Serial Number " + PCIIdentifiers.maskedDSN), after.joined(separator: "\n"))
        XCTAssertEqual(before.filter { $0.contains("Capabilities:") }.map { String($0.prefix(while: { $0 != "]" })) },
                       after.filter { $0.contains("Capabilities:") }.map { String($0.prefix(while: { $0 != "]" })) })
        XCTAssertEqual(before.filter { !$0.contains("Device Serial Number") }, after.filter { !$0.contains("Device Serial Number") })
    }

    func testRedactedSnapshotKeepsNoNameMACOrSerialAndTheSameVerdicts() throws {
        let src = try plantedHost()
        try write("pve1.corp.example.com\n", "/etc/hostname", in: src)
        try write("pve1\n", "/proc/sys/kernel/hostname", in: src)
        try write("BSN-998877\n", "/sys/class/dmi/id/board_serial", in: src)
        try write("console=ttyS0 intel_iommu=on iommu=pt BOOTIF=01-52-54-00-5a-01-00\n", "/proc/cmdline", in: src)
        let machine = Machine(root: src)
        let values = Redactor.collect(machine)
        XCTAssertTrue(values.macs.contains("52:54:00:5a:01:00"))
        XCTAssertGreaterThanOrEqual(values.macs.count, 8, "the PF's and the VFs' MACs")
        let out = base + "/out"
        _ = try Snapshot.take(from: machine, to: out, now: "2026-01-01T00:00:00Z", redact: true)
        var forbidden = Self.secrets + ["pve1", "corp.example.com", "BSN-998877"]
        for mac in values.macs where Redactor.identifiesAnInterface(mac[...]) {
            let hex = mac.filter(\.isHexDigit).lowercased()
            forbidden += Redactor.macSpellings(hex)
        }
        let outFiles = files(out)
        XCTAssertGreaterThan(outFiles.count, 100)
        for (path, data) in outFiles {
            let text = String(decoding: data, as: UTF8.self).lowercased()
            for value in forbidden { XCTAssertFalse(text.contains(value.lowercased()), "\(value) in \(path)") }
            for value in forbidden { XCTAssertFalse(path.lowercased().contains(value.lowercased()), "\(value) in the name \(path)") }
        }
        let copied = Machine(root: out)
        XCTAssertEqual(copied.attribute("/etc/hostname"), "host-1.domain-1")
        XCTAssertEqual(copied.attribute("/proc/cmdline"), "console=ttyS0 intel_iommu=on iommu=pt BOOTIF=01-mac-1")
        XCTAssertEqual(copied.attribute(Self.pf + "/net/enp1s0/address"), "mac-1")
        // check --root on the redacted copy: the same checks, devices and levels.
        XCTAssertEqual(try verdicts(src), try verdicts(out))
    }
}
