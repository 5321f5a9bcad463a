import XCTest
import Foundation
import HostAccess
import SRIOVCore
import SyntheticTreeSupport
#if canImport(Glibc)
import Glibc
#endif

/// Trees no kernel would produce, for `SysfsInventory.load` and `Machine`: every case must end
/// in an `InventoryIssue` or `HostAccessError` that names the path, or in a plain nil. Never a
/// crash, never a hang.
final class HostileTreeTests: XCTestCase {
    private var root = ""
    private let devices = SysfsInventory.devicesPath

    override func setUpWithError() throws {
        root = try ScratchTree.make("hostile")
        try CraftedConfig.makeDirectories(root + devices)
    }

    override func tearDown() {
        ScratchTree.remove(root)
    }

    private var machine: Machine { Machine(root: root) }

    private func real(_ hostPath: String) -> String { root + hostPath }

    /// A valid 82599 PF (attributes + config) at `address`; returns its host directory.
    @discardableResult
    private func addFunction(_ address: String, config: [UInt8]? = nil) throws -> String {
        let dir = devices + "/" + address
        try CraftedConfig.writeFunction(real(dir), config: config ?? CraftedConfig.pf())
        return dir
    }

    private func load(timeout: Double = 120) throws -> Inventory {
        let result = try within(timeout) { [machine] in Result { () throws(HostAccessError) in try SysfsInventory.load(machine) } }
        return try XCTUnwrap(result, "SysfsInventory.load did not finish within \(timeout) s").get()
    }

    private func function(_ inventory: Inventory, _ address: String) throws -> PCIFunction {
        try XCTUnwrap(inventory.function(try XCTUnwrap(PCIAddress(address))), "\(address) missing from the inventory")
    }

    // MARK: - symlink loops

    /// `Machine.linkTarget` returns a link's stored target without resolving it (so dangling
    /// links in copied trees work), but a link that loops is a typed error: `driver -> driver`
    /// gives no driver rather than a driver called "driver".
    func testDriverLinkPointingToItself() throws {
        let dir = try addFunction("0000:01:00.0")
        XCTAssertEqual(symlink("driver", real(dir + "/driver")), 0)
        XCTAssertEqual(symlink("iommu_group", real(dir + "/iommu_group")), 0)
        XCTAssertEqual(symlink("net", real(dir + "/net")), 0)
        XCTAssertThrowsError(try machine.read(dir + "/driver")) { error in
            XCTAssertEqual(error as? HostAccessError, .symlinkLoop(path: dir + "/driver"))
        }
        XCTAssertThrowsError(try machine.linkTarget(dir + "/driver")) { error in
            XCTAssertEqual(error as? HostAccessError, .symlinkLoop(path: dir + "/driver"))
        }
        XCTAssertThrowsError(try machine.list(dir + "/net")) { error in
            XCTAssertEqual(error as? HostAccessError, .symlinkLoop(path: dir + "/net"))
        }
        let f = try function(try load(), "0000:01:00.0")
        XCTAssertNil(f.driver, "a looping driver link names no driver")
        XCTAssertNil(f.iommuGroup, "\"iommu_group\" is not a group number")
        XCTAssertEqual(f.netdevs, [], "a looping net directory lists nothing")
        XCTAssertEqual(f.deviceID, 0x10fb, "the rest of the function is still read")
    }

    func testTwoLinksPointingToEachOther() throws {
        let dir = try addFunction("0000:01:00.0")
        XCTAssertEqual(symlink("physfn2", real(dir + "/physfn")), 0)
        XCTAssertEqual(symlink("physfn", real(dir + "/physfn2")), 0)
        XCTAssertThrowsError(try machine.read(dir + "/physfn")) { error in
            XCTAssertEqual(error as? HostAccessError, .symlinkLoop(path: dir + "/physfn"))
        }
        let f = try function(try load(), "0000:01:00.0")
        XCTAssertNil(f.physfn, "\"physfn2\" is not a PCI address")
        XCTAssertEqual(f.role, .pf)
    }

    func testDeviceDirectoriesThatLoop() throws {
        try addFunction("0000:01:00.0")
        XCTAssertEqual(symlink("0000:02:00.0", real(devices + "/0000:02:00.0")), 0)   // itself
        XCTAssertEqual(symlink("0000:03:00.1", real(devices + "/0000:03:00.0")), 0)   // a pair
        XCTAssertEqual(symlink("0000:03:00.0", real(devices + "/0000:03:00.1")), 0)
        let inventory = try load()
        XCTAssertEqual(inventory.functions.map(\.address.description), ["0000:01:00.0", "0000:02:00.0", "0000:03:00.0", "0000:03:00.1"])
        for name in ["0000:02:00.0", "0000:03:00.0", "0000:03:00.1"] {
            let issue = try XCTUnwrap(inventory.issues.first { $0.path == devices + "/" + name }, name)
            XCTAssertTrue(issue.message.contains(devices + "/" + name) && issue.message.contains("symbolic links"), issue.message)
            XCTAssertNil(try function(inventory, name).vendorID)
        }
    }

    // MARK: - numbers out of range (issue 11, section 2)

    /// Each of these crashed (`9223372036854775807`: SIGSEGV in `vfAddresses`' reserveCapacity;
    /// `4294967296`: a 34 GB allocation) or got through as a value. Now each is an issue that
    /// names the file and shows the bytes, and the field is unknown.
    func testAbsurdSRIOVNumbersAreIssuesNamingTheFileAndTheBytes() throws {
        let cases: [([UInt8], String)] = [
            (Array("9223372036854775807\n".utf8), "\"9223372036854775807\\n\""), (Array("4294967296\n".utf8), "\"4294967296\\n\""),
            (Array("-1\n".utf8), "\"-1\\n\""), (Array("99999999999".utf8), "\"99999999999\""), (Array("7\n\n\n".utf8), "\"7\\n\\n\\n\""),
            (Array("65536\n".utf8), "\"65536\\n\""), ([0x37, 0x00, 0x1b, 0xff], "\"7\\x00\\x1b\\xff\""), (Array(" 7\n".utf8), "\" 7\\n\""),
            (Array("0x7\n".utf8), "\"0x7\\n\""),
        ]
        let dir = try addFunction("0000:01:00.0")
        for name in ["sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride"] {
            for (bytes, shown) in cases {
                try CraftedConfig.writeFunction(real(dir), config: CraftedConfig.pf())
                for attr in ["sriov_totalvfs", "sriov_numvfs", "sriov_offset", "sriov_stride"] { try CraftedConfig.write(real(dir + "/" + attr), Array("7\n".utf8)) }
                try CraftedConfig.write(real(dir + "/" + name), bytes)
                let inventory = try load(timeout: 30)
                let f = try function(inventory, "0000:01:00.0")
                let state = try XCTUnwrap(f.sriov)
                let values = [("sriov_totalvfs", state.totalVFs), ("sriov_numvfs", state.numVFs), ("sriov_offset", state.vfOffset), ("sriov_stride", state.vfStride)]
                for (attr, value) in values { XCTAssertEqual(value, attr == name ? nil : 7, "\(name) = \(shown): \(attr)") }
                XCTAssertEqual(inventory.issues.map(\.path), [dir + "/" + name], shown)
                let message = try XCTUnwrap(inventory.issues.first?.message)
                XCTAssertEqual(message, "\(dir)/\(name): invalid value \(shown) (expected a number 0-65535); ignored")
                XCTAssertEqual(state.invalidValues, ["\(dir)/\(name): invalid value \(shown) (expected a number 0-65535)"])
            }
        }
    }

    func testSysfsNumberRanges() {
        XCTAssertEqual(SysfsNumber.parse(Array("65535\n".utf8), .decimal, max: 65535), .value(65535))
        XCTAssertEqual(SysfsNumber.parse(Array("0".utf8), .decimal, max: 65535), .value(0))
        XCTAssertEqual(SysfsNumber.parse(Array("0x8086\n".utf8), .hex, max: 0xffff), .value(0x8086))
        XCTAssertEqual(SysfsNumber.parse(Array("10ED\n".utf8), .hex, max: 0xffff), .value(0x10ed))
        XCTAssertEqual(SysfsNumber.parse(Array("0x020000\n".utf8), .hex, max: 0xff_ffff), .value(0x020000))
        XCTAssertNil(SysfsNumber.parse(Array("0x1000000\n".utf8), .hex, max: 0xff_ffff).value, "class is 24 bits")
        XCTAssertNil(SysfsNumber.parse(Array("0x10000".utf8), .hex, max: 0xffff).value)
        XCTAssertNil(SysfsNumber.parse(Array("0x".utf8), .hex, max: 0xffff).value)
        XCTAssertNil(SysfsNumber.parse(Array("+1".utf8), .decimal, max: 1).value)
        XCTAssertNil(SysfsNumber.parse(Array(String(repeating: "9", count: 300).utf8), .decimal, max: 65535).value, "no overflow trap")
        XCTAssertNil(SysfsNumber.parse(Array("18446744073709551616".utf8), .decimal, max: Int.max).value)
        XCTAssertEqual(SysfsNumber.parse(Array("9223372036854775807".utf8), .decimal, max: Int.max), .value(Int.max))
        let long = SysfsNumber.parse([UInt8](repeating: 0x31, count: 256), .decimal, max: 65535)
        XCTAssertEqual(long, .invalid("invalid value \"" + String(repeating: "1", count: 64) + "\" (256+ bytes, first 64 shown) (expected a number 0-65535)"))
    }

    /// IDs and class have their own widths; a wrong value is an issue and config space (when
    /// readable) supplies the ID instead.
    func testAbsurdIDsAndClassAreIssuesAndConfigSpaceFillsIn() throws {
        let dir = try addFunction("0000:01:00.0")
        try CraftedConfig.write(real(dir + "/vendor"), Array("0x18086\n".utf8))
        try CraftedConfig.write(real(dir + "/class"), Array("0x1020000\n".utf8))
        try CraftedConfig.write(real(dir + "/device"), [0x1b, 0x5d, 0x30, 0x3b, 0x07])
        let inventory = try load()
        let f = try function(inventory, "0000:01:00.0")
        XCTAssertEqual(f.vendorID, 0x8086, "from config space")
        XCTAssertEqual(f.deviceID, 0x10fb, "from config space")
        XCTAssertEqual(f.classCode, 0x020000, "from config space")
        XCTAssertEqual(Set(inventory.issues.map(\.path)), [dir + "/vendor", dir + "/class", dir + "/device"])
        XCTAssertTrue(inventory.issues.contains { $0.message.contains("\"\\x1b]0;\\x07\"") }, "\(inventory.issues)")
    }

    /// `vfAddresses` itself refuses a count no 16-bit register can hold, before allocating.
    func testVFAddressesRefusesCountsBeyondSixteenBits() throws {
        let pf = try XCTUnwrap(PCIAddress("0000:01:00.0"))
        XCTAssertNil(SRIOVCapability.vfAddresses(pf: pf, offset: 128, stride: 2, count: Int.max))
        XCTAssertNil(SRIOVCapability.vfAddresses(pf: pf, offset: 128, stride: 2, count: 1 << 32))
        XCTAssertNil(SRIOVCapability.vfAddresses(pf: pf, offset: 1, stride: 1, count: 65535), "past bus 255")
        XCTAssertEqual(SRIOVCapability.vfAddresses(pf: pf, offset: 128, stride: 2, count: 2)?.map(\.description), ["0000:01:10.0", "0000:01:10.2"])
    }

    // MARK: - terminal text

    func testTerminalTextEscapesControlsAndBidiButKeepsLetters() {
        XCTAssertEqual(TerminalText.visible("pve\u{1B}]0;owned\u{07}\u{1B}[2J"), "pve\\x1b]0;owned\\x07\\x1b[2J")
        XCTAssertEqual(TerminalText.visible("a\u{7F}b\u{9B}c\u{0}d\re\nf"), "a\\x7fb\\x9bc\\x00d\\x0de\\x0af")
        XCTAssertEqual(TerminalText.visible("evil\u{202E}gpj.exe\u{2066}x\u{200F}"), "evil\\u{202e}gpj.exe\\u{2066}x\\u{200f}")
        XCTAssertEqual(TerminalText.visible("configuración\tpaso ünico \\ ok"), "configuración\tpaso ünico \\ ok")
        XCTAssertEqual(TerminalText.visible("a\tb", keepTabs: false), "a\\x09b")
        XCTAssertEqual(TerminalText.visible("café", asciiOnly: true), "caf\\xe9")
    }

    // MARK: - config sizes

    func testEmptyConfig() throws {
        try addFunction("0000:01:00.0", config: [])
        let f = try function(try load(), "0000:01:00.0")
        XCTAssertNil(f.capabilities, "nothing to walk")
        XCTAssertEqual(f.extendedCapabilitiesKnown, false)
        XCTAssertNil(f.hasSRIOV, "unknown, not absent")
        XCTAssertEqual(f.vendorID, 0x8086, "IDs still come from sysfs")
    }

    func testTruncatedConfigs() throws {
        let pf = CraftedConfig.pf()
        try addFunction("0000:01:00.0", config: Array(pf.prefix(100)))
        try addFunction("0000:01:00.1", config: Array(pf.prefix(300)))
        try addFunction("0000:01:00.2", config: Array(pf.prefix(0x161)))  // SR-IOV header cut mid-word
        let inventory = try load()
        XCTAssertEqual(inventory.issues, [])
        let short = try function(inventory, "0000:01:00.0")
        XCTAssertNil(short.capabilities, "100 bytes: the standard header is incomplete")
        XCTAssertNil(short.hasSRIOV)
        let cut = try function(inventory, "0000:01:00.1")
        XCTAssertEqual(cut.capabilities?.map(\.label), ["[40]", "[50]", "[70]", "[a0]", "[100 v2]"])
        XCTAssertEqual(cut.extendedCapabilitiesKnown, false, "the chain runs past byte 300")
        XCTAssertNil(cut.hasSRIOV, "SR-IOV at 0x160 was not captured: unknown, not absent")
        XCTAssertNil(cut.hasARI)
        let midWord = try function(inventory, "0000:01:00.2")
        XCTAssertNotNil(midWord.ari)
        XCTAssertNil(midWord.sriov)
        XCTAssertNil(midWord.hasSRIOV)
    }

    func testFourGiBSparseConfigIsReadOnlyAsFarAsConfigSpaceGoes() throws {
        let dir = try addFunction("0000:01:00.0")
        for name in ["config", "vendor"] {
            let fd = open(real(dir + "/" + name), O_WRONLY)
            XCTAssertGreaterThanOrEqual(fd, 0)
            XCTAssertEqual(ftruncate(fd, 4 << 30), 0, "sparse 4 GiB \(name)")
            close(fd)
        }
        var inventory: Inventory!
        let time = try ScratchTree.seconds { inventory = try load() }
        XCTAssertLessThan(time, 5, "reading 4 GiB would take far longer")
        let f = try function(inventory, "0000:01:00.0")
        XCTAssertEqual(f.capabilities?.count, 7, "the first 4096 bytes are the PF's config space")
        XCTAssertNotNil(f.sriov)
        XCTAssertEqual(f.vendorID, 0x8086, "an oversized vendor attribute is ignored; config space has the ID")
        XCTAssertThrowsError(try machine.read(dir + "/config")) { error in
            XCTAssertEqual(error as? HostAccessError, .tooLarge(path: dir + "/config", limit: Machine.defaultLimit))
        }
        XCTAssertEqual(try machine.read(dir + "/config", limit: 4096, overflow: .truncate).count, 4096)
        XCTAssertNil(machine.attribute(dir + "/vendor"))
    }

    // MARK: - special files

    func testFifosAreRefusedWithoutBlocking() throws {
        let dir = try addFunction("0000:01:00.0")
        for name in ["config", "vendor", "driver"] {
            unlink(real(dir + "/" + name))
            XCTAssertEqual(mkfifo(real(dir + "/" + name), 0o644), 0)
        }
        let result = try within(10) { [machine] in
            Result { () throws(HostAccessError) in try SysfsInventory.load(machine) }
        }
        guard let result else {
            // Release the blocked reader before failing.
            for name in ["config", "vendor", "driver"] {
                let fd = open(real(dir + "/" + name), O_WRONLY | O_NONBLOCK)
                if fd >= 0 { close(fd) }
            }
            return XCTFail("a fifo blocked SysfsInventory.load")
        }
        let inventory = try result.get()
        let issue = try XCTUnwrap(inventory.issues.first { $0.path == dir + "/config" })
        XCTAssertEqual(issue.message, HostAccessError.notRegularFile(path: dir + "/config", kind: "fifo").description)
        let f = try function(inventory, "0000:01:00.0")
        XCTAssertNil(f.vendorID, "neither the vendor fifo nor the config fifo was read")
        XCTAssertEqual(f.deviceID, 0x10fb)
        XCTAssertNil(f.driver)
        XCTAssertThrowsError(try machine.read(dir + "/vendor")) { error in
            XCTAssertEqual(error as? HostAccessError, .notRegularFile(path: dir + "/vendor", kind: "fifo"))
        }
        XCTAssertThrowsError(try machine.linkTarget(dir + "/driver")) { error in
            XCTAssertEqual(error as? HostAccessError, .notASymlink(path: dir + "/driver"))
        }
        XCTAssertThrowsError(try machine.list(dir + "/config")) { error in
            XCTAssertEqual(error as? HostAccessError, .notADirectory(path: dir + "/config"))
        }
    }

    func testDevicesAndDirectoriesInPlaceOfFiles() throws {
        let dir = try addFunction("0000:01:00.0")
        unlink(real(dir + "/config"))
        XCTAssertEqual(symlink("/dev/zero", real(dir + "/config")), 0)
        unlink(real(dir + "/vendor"))
        XCTAssertEqual(symlink("/dev/urandom", real(dir + "/vendor")), 0)
        unlink(real(dir + "/device"))
        XCTAssertEqual(mkdir(real(dir + "/device"), 0o755), 0)
        let inventory = try load()
        // A link to /dev/zero leads out of the root: read as missing, and said so.
        XCTAssertEqual(inventory.issues, [InventoryIssue(path: dir + "/config",
                                                         message: HostAccessError.outsideRoot(path: dir + "/config", root: root).description)])
        let f = try function(inventory, "0000:01:00.0")
        XCTAssertNil(f.vendorID)
        XCTAssertNil(f.deviceID)
        XCTAssertThrowsError(try machine.read(dir + "/device")) { error in
            XCTAssertEqual(error as? HostAccessError, .notRegularFile(path: dir + "/device", kind: "directory"))
        }
    }

    func testDevicesDirectoryMissingOrNotADirectory() throws {
        let empty = try ScratchTree.make("hostile-empty")
        defer { ScratchTree.remove(empty) }
        XCTAssertThrowsError(try SysfsInventory.load(Machine(root: empty))) { error in
            XCTAssertEqual(error as? HostAccessError, .notFound(path: devices))
        }
        try CraftedConfig.makeDirectories(empty + "/sys/bus/pci")
        XCTAssertEqual(mkfifo(empty + devices, 0o644), 0)
        XCTAssertThrowsError(try SysfsInventory.load(Machine(root: empty))) { error in
            XCTAssertEqual(error as? HostAccessError, .notADirectory(path: devices))
        }
    }

    // MARK: - names

    func testNonUTF8AndLongNamesInTheDevicesDirectory() throws {
        try addFunction("0000:01:00.0")
        let invalid: [UInt8] = Array("0000:02:00.".utf8) + [0xff, 0xfe]
        let path = (Array(real(devices).utf8) + [UInt8(ascii: "/")] + invalid).map { CChar(bitPattern: $0) } + [0]
        XCTAssertEqual(mkdir(path, 0o755), 0, "mkdir of a non-UTF-8 name")
        let long = "0000:03:00.0" + String(repeating: "x", count: 255 - 12)
        XCTAssertEqual(long.utf8.count, 255)
        XCTAssertEqual(mkdir(real(devices + "/" + long), 0o755), 0)
        let spaced = "0000:04:00.0 "
        XCTAssertEqual(mkdir(real(devices + "/" + spaced), 0o755), 0)

        let names = try machine.list(devices)
        XCTAssertEqual(names.count, 3, "the non-UTF-8 name is left out: it cannot be a sysfs device name")
        let inventory = try load()
        XCTAssertEqual(inventory.functions.map(\.address.description), ["0000:01:00.0"])
        for name in [long, spaced] {
            let issue = try XCTUnwrap(inventory.issues.first { $0.path == devices + "/" + name })
            XCTAssertTrue(issue.message.contains("not a PCI address"), issue.message)
        }
    }

    // MARK: - permissions

    func testPermissionDeniedFilesAreReportedWithTheirPath() throws {
        if geteuid() == 0 {
            throw XCTSkip("running as root: chmod 000 does not deny root (CAP_DAC_OVERRIDE), so there is nothing to test here; run the tests as a normal user")
        }
        let dir = try addFunction("0000:01:00.0")
        try addFunction("0000:02:00.0")
        XCTAssertEqual(chmod(real(dir + "/config"), 0), 0)
        XCTAssertEqual(chmod(real(dir + "/vendor"), 0), 0)
        XCTAssertEqual(chmod(real(devices + "/0000:02:00.0"), 0), 0)
        defer { chmod(real(devices + "/0000:02:00.0"), 0o755) }
        let inventory = try load()
        XCTAssertTrue(inventory.issues.contains(InventoryIssue(path: dir + "/config",
                                                               message: HostAccessError.permissionDenied(path: dir + "/config").description)))
        XCTAssertTrue(inventory.issues.contains { $0.path == devices + "/0000:02:00.0" })
        XCTAssertNil(try function(inventory, "0000:01:00.0").vendorID)
    }

    // MARK: - capability chains

    func testCapabilityChainsThatLoop() throws {
        var standard = CraftedConfig.pf()
        standard[0xa1] = 0x40                                   // [a0] -> [40]
        var extended = CraftedConfig.pf()
        CraftedConfig.set32(&extended, 0x160, 0x0001_0010 | 0x100 << 20)  // [160] -> [100]
        var selfLoop = CraftedConfig.pf()
        selfLoop[0x41] = 0x40                                   // [40] -> [40]
        CraftedConfig.set32(&selfLoop, 0x100, 0x0002_0001 | 0x100 << 20)
        try addFunction("0000:01:00.0", config: standard)
        try addFunction("0000:01:00.1", config: extended)
        try addFunction("0000:01:00.2", config: selfLoop)
        let inventory = try load()
        let a = try function(inventory, "0000:01:00.0")
        XCTAssertTrue(a.capabilityChainLooped)
        XCTAssertEqual(a.capabilities?.map(\.label), ["[40]", "[50]", "[70]", "[a0]", "[100 v2]", "[150 v1]", "[160 v1]"])
        let b = try function(inventory, "0000:01:00.1")
        XCTAssertTrue(b.capabilityChainLooped)
        XCTAssertEqual(b.capabilities?.count, 7)
        XCTAssertNotNil(b.sriov)
        let c = try function(inventory, "0000:01:00.2")
        XCTAssertTrue(c.capabilityChainLooped)
        XCTAssertEqual(c.capabilities?.map(\.label), ["[40]"], "PM loops to itself before Express: no extended walk")
    }

    func testRandomConfigSpacesNeverTrapAndStayBounded() throws {
        var rng = DeterministicRandom(seed: 0x0bad_c0de)
        for i in 0..<2000 {
            var bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if i % 2 == 0 { bytes[0x06] |= 0x10; bytes[0x0e] = UInt8(i % 3); bytes[0x40] = 0x10 }
            let count = [4096, 256, 64, 300, 0, 17][i % 6]
            let config = ConfigSpace(Array(bytes.prefix(count)))
            let list = config.capabilities()
            let standard = list.entries.filter { $0.space == .standard }
            let extended = list.entries.filter { $0.space == .extended }
            XCTAssertLessThanOrEqual(standard.count, 64, "seed step \(i)")
            XCTAssertLessThanOrEqual(extended.count, 1024, "seed step \(i)")
            XCTAssertEqual(Set(standard.map(\.offset)).count, standard.count, "each standard offset once")
            XCTAssertEqual(Set(extended.map(\.offset)).count, extended.count, "each extended offset once")
            XCTAssertTrue(list.entries.allSatisfy { Int($0.offset) + 4 <= count })
            var f = PCIFunction(address: PCIAddress(bus: 1, device: 0, function: 0))
            f.apply(config: config, source: "config")
            _ = (f.hasARI, f.hasSRIOV, f.sriov?.capability?.totalVFs, f.express?.portType)
        }
        // And through sysfs: 64 random functions in one tree.
        for i in 0..<64 {
            let bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            try addFunction("0000:10:\(hex(i / 8, 2)).\(i % 8)", config: bytes)
        }
        let inventory = try load()
        XCTAssertEqual(inventory.functions.count, 64)
        XCTAssertEqual(inventory.issues, [])
    }

    // MARK: - scale

    func testTenThousandFunctions() throws {
        // 80 PFs x 124 VFs = 10,000 PFs and VFs, plus 40 root ports and the host bridge.
        var layout: SyntheticTree.Layout!
        let writeTime = try ScratchTree.seconds { layout = try SyntheticTree.write(to: root, pfs: 80, vfsPerPF: 124) }
        XCTAssertEqual(layout.pfs.count + layout.vfs.count, 10_000)
        var inventory: Inventory!
        let loadTime = try ScratchTree.seconds { inventory = try load() }
        XCTAssertEqual(inventory.functions.count, layout.count)
        XCTAssertEqual(inventory.issues, [])
        XCTAssertEqual(inventory.functions.filter { $0.role == .vf }.count, 9_920)
        XCTAssertEqual(inventory.sriovView.count, 10_000)
        print("10,041 functions: SyntheticTree.write \(String(format: "%.2f", writeTime)) s, "
              + "SysfsInventory.load \(String(format: "%.2f", loadTime)) s (debug build)")
    }

    // MARK: - helpers

    /// Runs `body` on its own thread; nil when it did not finish in time (it is left running).
    private func within<T>(_ seconds: Double, _ body: @escaping @Sendable () -> T) throws -> T? {
        let box = ThreadOutcome<T>()
        Thread {
            box.value = body()
            box.done.signal()
        }.start()
        return box.done.wait(timeout: .now() + seconds) == .success ? box.value : nil
    }
}

private final class ThreadOutcome<T>: @unchecked Sendable {
    var value: T?
    let done = DispatchSemaphore(value: 0)
}
