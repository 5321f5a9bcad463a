import XCTest
import SRIOVCore

/// Every file of the shared corpus against what its SOURCES.md says: the SR-IOV PFs with
/// TotalVFs as lspci printed it (nil where `-v` prints no details), and, where the file tells,
/// which functions are VFs and where "no SR-IOV" is known or unknown.
final class LspciCorpusTests: XCTestCase {
    struct Expectation {
        var file: String
        /// Device lines in the file.
        var functions: Int
        /// SR-IOV PF address -> TotalVFs.
        var pfs: [String: Int?]
        var vfs: Set<String> = []
        /// Functions where "no SR-IOV" can be concluded (hasSRIOV == false).
        var noSRIOV: [String] = []
        /// Functions where it cannot (hasSRIOV == nil): 256-byte dumps, `-k` without `-v`.
        var unknown: [String] = []
        /// TotalVFs of functions pasted without their device line.
        var unaddressed: [Int?] = []
    }

    static let i350s = ["01:00.0", "01:00.1", "01:00.2", "01:00.3"]
    static let onizukaVFs = ["06:10.0", "06:10.1", "06:10.4", "06:10.5", "06:11.0", "06:11.1", "06:11.4", "06:11.5"]

    static let expectations: [Expectation] = [
        // lspci/ (text output)
        .init(file: "lspci/dpdkplayground-x550t2-ixgbe-1.txt", functions: 1, pfs: ["05:00.0": 64]),
        .init(file: "lspci/dpdkplayground-connectx4lx-mlx5-1.txt", functions: 1, pfs: ["08:00.0": 8]),
        .init(file: "lspci/dpdkplayground-e810xxv-ice-1.txt", functions: 1, pfs: [:], noSRIOV: ["01:00.0"]),
        .init(file: "lspci/dpdkplayground-x550vf-ixgbevf-1.txt", functions: 1, pfs: [:], vfs: ["05:10.0"], noSRIOV: ["05:10.0"]),
        .init(file: "lspci/awsm4-82599vf-ixgbevf-1.txt", functions: 7, pfs: [:], vfs: ["00:03.0"], noSRIOV: ["00:03.0", "00:01.1"]),
        .init(file: "lspci/awsm4-82599vf-ixgbevf-numeric-2.txt", functions: 7, pfs: [:], noSRIOV: ["00:03.0"]),
        .init(file: "lspci/marcredhat-dell-p100-server-1.txt", functions: 201, pfs: ["83:00.0": 64, "83:00.1": 64],
              noSRIOV: ["03:00.0", "81:00.0", "84:00.0"]),
        .init(file: "lspci/lkml-nxp-ls1028a-enetc-1.txt", functions: 8, pfs: ["00:00.0": 2, "00:00.1": 2], noSRIOV: ["00:00.2", "00:00.6"]),
        .init(file: "lspci/lkml-rcar-samsung-pm173x-nvme-1.txt", functions: 2, pfs: ["01:00.0": 32]),
        .init(file: "lspci/lkml-haswell-cx6dx-cx5-numeric-vn-1.txt", functions: 254,
              pfs: ["04:00.0": nil, "05:00.0": nil, "05:00.1": nil, "82:00.0": nil, "82:00.1": nil]),
        .init(file: "lspci/iwl-e823-ice-vnn-1.txt", functions: 1, pfs: ["f4:00.0": nil]),
        .init(file: "lspci/iwl-82599es-ixgbe-fragment-1.txt", functions: 0, pfs: [:], unaddressed: [64]),
        .init(file: "lspci/magnate3-nxp-enetc-vf-crlf-2.txt", functions: 1, pfs: [:], noSRIOV: ["0000:00:01.0"]),
        .init(file: "lspci/magnate3-xl710q1-i40e-1.txt", functions: 1, pfs: ["af:00.0": 128]),
        .init(file: "lspci/onizuka-i350vf-igbvf-nnk-1.txt", functions: 8, pfs: [:], vfs: Set(onizukaVFs), unknown: onizukaVFs),
        .init(file: "lspci/futros940-rtl8125-r8169-sriov-1.txt", functions: 3, pfs: ["01:00.0": 7], noSRIOV: ["02:00.0", "03:00.0"]),
        .init(file: "lspci/futros940-geminilake-rootports-2.txt", functions: 6, pfs: [:], noSRIOV: ["00:13.0", "00:14.1"]),
        .init(file: "lspci/jackhuang-i350t4-igb-pf-1.txt", functions: 1, pfs: ["04:00.0": 8]),
        .init(file: "lspci/jackhuang-i350vf-igbvf-2.txt", functions: 1, pfs: [:], vfs: ["05:10.0"], noSRIOV: ["05:10.0"]),
        // hexdump/ (configuration space, with or without text)
        .init(file: "hexdump/pciutils-intel82576-igb-1.txt", functions: 1, pfs: ["01:00.0": 8]),
        .init(file: "hexdump/pciutils-intel82576-igb-2.txt", functions: 1, pfs: ["09:00.0": 8]),
        .init(file: "hexdump/pciutils-intel0d93-cxl-1.txt", functions: 2, pfs: ["6b:00.0": 6], noSRIOV: ["7f:00.0"]),
        .init(file: "hexdump/pciutils-aaaa-bbbb-ide-1.txt", functions: 1, pfs: ["e1:00.0": 4]),
        .init(file: "hexdump/pciutils-samsung-pm174x-nvme-1.txt", functions: 1, pfs: ["2e:00.0": 64]),
        .init(file: "hexdump/pciutils-intel-x58-rootport-1.txt", functions: 1, pfs: [:], noSRIOV: ["00:01.0"]),
        .init(file: "hexdump/pciutils-amd-fiji-gpu-1.txt", functions: 1, pfs: [:], noSRIOV: ["09:00.0"]),
        .init(file: "hexdump/pciutils-virtio-net-1.txt", functions: 2, pfs: [:], noSRIOV: ["00:09.0", "00:04.0"]),
        .init(file: "hexdump/pciutils-asus-p6t6-tree-1.txt", functions: 53, pfs: [:], noSRIOV: ["04:00.0", "00:1a.0"]),
        .init(file: "hexdump/pciutils-ati-rs690-broken-ecaps-1.txt", functions: 1, pfs: [:]),
        .init(file: "hexdump/pcitool-i350-machine-1.txt", functions: 23,
              pfs: ["01:00.0": 8, "01:00.1": 8, "01:00.2": 8, "01:00.3": 8]),
        .init(file: "hexdump/pcitool-i350-machine-xxx-2.txt", functions: 23, pfs: [:], unknown: i350s),
        .init(file: "hexdump/pcitool-x550t-i350-noiov-1.txt", functions: 4, pfs: [:],
              noSRIOV: ["18:00.0", "18:00.1", "19:00.0", "19:00.1"]),
        .init(file: "hexdump/pcitool-asus-coffeelake-laptop-1.txt", functions: 25, pfs: [:], noSRIOV: ["00:15.0", "02:00.0"]),
        .init(file: "hexdump/magnate3-hi1822-hinic-xxx-1.txt", functions: 1, pfs: [:], unknown: ["05:00.0"]),
        .init(file: "hexdump/heioy-connectx3-mlx4-vvvx-1.txt", functions: 1, pfs: ["82:00.0": 63]),
    ]

    func testEveryCorpusFileParsesToTheSRIOVTableOfSOURCES() throws {
        let files = try LspciCorpus.files()
        XCTAssertEqual(Set(files), Set(Self.expectations.map(\.file)), "corpus files and the expectation table differ")
        for expectation in Self.expectations where files.contains(expectation.file) {
            try check(expectation)
        }
    }

    func check(_ e: Expectation) throws {
        let inventory: Inventory
        do { inventory = try LspciCorpus.parse(e.file) } catch {
            return XCTFail("\(e.file): \(error)")
        }
        XCTAssertEqual(inventory.source, "lspci", e.file)
        XCTAssertEqual(inventory.functions.count, e.functions, "\(e.file): functions")
        var pfs: [String: Int?] = [:]
        for f in inventory.functions where f.role == .pf { pfs[key(f.address, like: e.pfs.keys)] = f.sriov?.totalVFs }
        XCTAssertEqual(pfs, e.pfs, "\(e.file): SR-IOV PFs and TotalVFs")
        let vfs = Set(inventory.functions.filter { $0.role == .vf }.map { key($0.address, like: e.vfs) })
        XCTAssertEqual(vfs, e.vfs, "\(e.file): VFs")
        for address in e.noSRIOV {
            XCTAssertEqual(inventory.function(address)?.hasSRIOV, false, "\(e.file): \(address) should have no SR-IOV")
        }
        for address in e.unknown {
            XCTAssertNotNil(inventory.function(address), "\(e.file): \(address) missing")
            XCTAssertNil(inventory.function(address)?.hasSRIOV, "\(e.file): \(address) SR-IOV should be unknown")
        }
        XCTAssertEqual(inventory.unaddressedFunctions.map { $0.sriov?.totalVFs }, e.unaddressed, "\(e.file): unaddressed")
    }

    /// The address as the table writes it (with a domain only where the file has one).
    func key(_ address: PCIAddress, like keys: some Collection<String>) -> String {
        keys.contains(address.description) ? address.description : address.shortDescription
    }

    /// pcitool's sysfs `config` file of a BCM5720 (4096 bytes, binary): the extended list has
    /// AER, DSN, Power Budgeting and VC, and no SR-IOV.
    func testBinaryConfigFileOfBCM5720() throws {
        let bytes = try LspciCorpus.bytes("hexdump/pcitool-bcm5720-sysfs-config-1.bin")
        XCTAssertEqual(bytes.count, 4096)
        let config = ConfigSpace(bytes)
        XCTAssertEqual(config.vendorID, 0x14e4)
        XCTAssertEqual(config.deviceID, 0x165f)
        let list = config.capabilities()
        XCTAssertTrue(list.extendedReadable)
        let extended = list.entries.filter { $0.space == .extended }.map(\.id)
        XCTAssertEqual(Set(extended), [0x0001, 0x0003, 0x0004, 0x0002])
        XCTAssertNil(list.first(.extended, CapabilityID.sriov))
        var function = PCIFunction(address: PCIAddress(bus: 3, device: 0, function: 0))
        function.apply(config: config, source: "config")
        XCTAssertEqual(function.hasSRIOV, false)
    }

    /// 3,248 lines; release builds take a few milliseconds, this bound only catches a
    /// non-linear slip in a debug build.
    func testLargestTextFileParsesQuickly() throws {
        let text = try LspciCorpus.text("lspci/marcredhat-dell-p100-server-1.txt")
        let clock = ContinuousClock()
        let elapsed = try clock.measure { _ = try LspciTextParser.parse(text) }
        XCTAssertLessThan(elapsed, .seconds(2))
        // Ten copies: ten times the lines must not cost a hundred times the time.
        let tenfold = String(repeating: text + "\n", count: 10)
        let elapsedTen = try clock.measure { _ = try LspciTextParser.parse(tenfold) }
        XCTAssertLessThan(elapsedTen, elapsed * 40 + .milliseconds(200))
    }
}
