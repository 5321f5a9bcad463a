import XCTest
import HostAccess
import SRIOVCore
import SyntheticTreeSupport
#if canImport(Glibc)
import Glibc
#endif

/// Temporary directories for generated and hostile trees, removed with `rm -rf` (run through
/// the HostAccess seam) so fifos, loops and non-UTF-8 names go too.
enum ScratchTree {
    /// tmpfs when there is one, like sysfs itself: on ext4, creating thousands of inodes right
    /// after deleting thousands is slow (ext4 skips recently deleted inodes), which would make
    /// timings depend on the previous test.
    static var base: String {
        var st = stat()
        if stat("/dev/shm", &st) == 0, st.st_mode & S_IFMT == S_IFDIR, access("/dev/shm", W_OK) == 0 { return "/dev/shm" }
        return "/tmp"
    }

    static func make(_ label: String) throws -> String {
        var template = Array("\(base)/sriov-wizard-\(label)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw HostAccessError.io(path: base, errno: errno)
        }
        return String(cString: made)
    }

    static func remove(_ path: String) {
        guard path.hasPrefix(base + "/sriov-wizard-") else { return }
        _ = try? Machine(root: "/").run(["rm", "-rf", "--", path], timeout: 120)
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        try body()
        clock_gettime(CLOCK_MONOTONIC, &end)
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    }
}

final class SyntheticTreeTests: XCTestCase {
    func testLayoutOf8PFsWith128VFsEachMatchesSRIOVAddressing() throws {
        let layout = try SyntheticTree.layout(pfs: 8, vfsPerPF: 128)
        XCTAssertEqual(layout.pfs.count, 8)
        XCTAssertEqual(layout.vfs.count, 1024)
        XCTAssertEqual(layout.rootPorts.count, 4)
        XCTAssertEqual(layout.count, 1037)  // + host bridge
        XCTAssertEqual(Set(layout.functions.map(\.address)).count, layout.count, "addresses must be unique")
        // 128 VFs at offset 128, stride 2 from functions 0 and 1 span two bus numbers per card.
        XCTAssertEqual(Set(layout.vfs.map(\.bus)), [1, 2, 3, 4, 5, 6, 7, 8])
        for f in layout.functions where f.kind == .pf {
            let expected = SRIOVCapability.vfAddresses(pf: f.address, offset: SyntheticTree.vfOffset,
                                                       stride: SyntheticTree.vfStride, count: 128)
            XCTAssertEqual(f.virtfns, expected, "\(f.address)")
        }
        for f in layout.functions where f.kind == .rootPort {
            let below = layout.functions.filter { $0.card == f.card && $0.kind != .rootPort }
            XCTAssertTrue(below.allSatisfy { (f.secondaryBus!...f.subordinateBus!).contains($0.address.bus) },
                          "every function of card \(f.card) is below root port \(f.address)")
        }
        XCTAssertEqual(layout.functions.first { $0.address.description == "0000:02:0f.7" }?.physfn?.description,
                       "0000:01:00.1", "VF 127 of PF 01:00.1: 0x100 + 1 + 128 + 2 * 127 = 0x27f")
    }

    func testLayoutRefusesWhatCannotExist() {
        XCTAssertThrowsError(try SyntheticTree.layout(pfs: 2, vfsPerPF: 8, totalVFs: 4))
        XCTAssertThrowsError(try SyntheticTree.layout(pfs: 2, vfsPerPF: 8, kernelTotalVFs: 7))
        XCTAssertThrowsError(try SyntheticTree.layout(pfs: 4, vfsPerPF: 32000), "needs more than 255 buses")
    }

    /// Past 240 PFs (120 root ports on bus 0) the tree continues in domain 0001 with its own
    /// host bridge, as the benchmark's 2,000- and 20,000-PF trees need.
    func testMorePFsThanOneDomainHoldsContinueInTheNextDomain() throws {
        let layout = try SyntheticTree.layout(pfs: 250, vfsPerPF: 1)
        XCTAssertEqual(layout.count, 627)
        let bridges = layout.functions.filter { $0.kind == .hostBridge }.map(\.address.description)
        XCTAssertEqual(bridges, ["0000:00:00.0", "0001:00:00.0"])
        let pf240 = try XCTUnwrap(layout.functions.first { $0.kind == .pf && $0.pfIndex == 240 })
        XCTAssertEqual(pf240.address.description, "0001:01:00.0")
        XCTAssertEqual(pf240.netdev, "enP1p1s0f0")
        XCTAssertEqual(pf240.virtfns.map(\.domain), [1])
        XCTAssertEqual(Set(layout.functions.map(\.iommuGroup)).count, layout.count, "every function in its own group")
    }

    func testWrittenTreeLoadsAsInventory() throws {
        let dir = try ScratchTree.make("synthetic")
        defer { ScratchTree.remove(dir) }
        var layout: SyntheticTree.Layout!
        let writeTime = try ScratchTree.seconds { layout = try SyntheticTree.write(to: dir, pfs: 8, vfsPerPF: 128) }
        var inventory: Inventory!
        let loadTime = try ScratchTree.seconds { inventory = try SysfsInventory.load(Machine(root: dir)) }
        print("SyntheticTree 8 PFs x 128 VFs: \(layout.count) functions written in \(String(format: "%.2f", writeTime)) s, "
              + "SysfsInventory.load \(String(format: "%.2f", loadTime)) s")
        XCTAssertEqual(inventory.issues, [])
        XCTAssertEqual(inventory.functions.map(\.address), layout.functions.map(\.address).sorted())
        XCTAssertEqual(inventory.functions.filter { $0.role == .pf }.count, 8)
        XCTAssertEqual(inventory.functions.filter { $0.role == .vf }.count, 1024)
        let byAddress = Dictionary(uniqueKeysWithValues: inventory.functions.map { ($0.address, $0) })
        for expected in layout.functions {
            let f = try XCTUnwrap(byAddress[expected.address])
            XCTAssertEqual(f.driver, expected.driver, "\(f.address)")
            XCTAssertEqual(f.iommuGroup, expected.iommuGroup, "\(f.address)")
            XCTAssertEqual(f.netdevs, expected.netdev.map { [$0] } ?? [], "\(f.address)")
            XCTAssertEqual(f.physfn, expected.physfn, "\(f.address)")
            XCTAssertEqual(f.virtfns, expected.virtfns, "\(f.address)")
            XCTAssertEqual(f.extendedCapabilitiesKnown, true, "\(f.address)")
            switch expected.kind {
            case .pf:
                XCTAssertEqual(f.vendorID, 0x8086)
                XCTAssertEqual(f.deviceID, 0x10fb)
                XCTAssertEqual(f.capabilities?.map(\.offset), [0x40, 0x50, 0x70, 0xa0, 0x100, 0x150, 0x160])
                XCTAssertEqual(f.express?.functionLevelReset, true)
                XCTAssertNotNil(f.ari)
                let sriov = try XCTUnwrap(f.sriov)
                XCTAssertEqual(sriov.totalVFs, 128)
                XCTAssertEqual(sriov.numVFs, 128)
                XCTAssertEqual(sriov.vfOffset, 128)
                XCTAssertEqual(sriov.vfStride, 2)
                XCTAssertEqual(sriov.vfDeviceID, 0x10ed)
                XCTAssertEqual(sriov.capability?.ariHierarchy, true)
                XCTAssertNil(sriov.configTotalVFs)
            case .vf:
                // Config space says 0xffff; the IDs come from sysfs as the kernel sets them.
                XCTAssertEqual(f.vendorID, 0x8086)
                XCTAssertEqual(f.deviceID, 0x10ed)
                XCTAssertEqual(f.capabilities?.map(\.offset), [0x70, 0xa0, 0x100, 0x150])
                XCTAssertNil(f.sriov)
                XCTAssertEqual(f.role, .vf)
            case .rootPort:
                XCTAssertEqual(f.express?.portType, .rootPort)
                XCTAssertEqual(f.express?.ariForwardingSupported, true)
                XCTAssertEqual(f.express?.ariForwardingEnabled, true)
                XCTAssertEqual(f.acs?.isolating, true)
            case .hostBridge:
                XCTAssertEqual(f.capabilities, [])
            }
        }
        var functions = inventory.functions
        let ids = try XCTUnwrap(PCIIDs.load(from: Machine(root: "/")), "pci.ids is installed here")
        ids.resolveNames(&functions)
        let pf = try XCTUnwrap(functions.first { $0.role == .pf })
        XCTAssertEqual(pf.deviceName, "82599ES 10-Gigabit SFI/SFP+ Network Connection")
        XCTAssertEqual(functions.first { $0.role == .vf }?.deviceName, "82599 Ethernet Controller Virtual Function")
    }

    func testKernelTotalVFsBelowConfigIsReportedLikeIgb() throws {
        let dir = try ScratchTree.make("synthetic-total")
        defer { ScratchTree.remove(dir) }
        try SyntheticTree.write(to: dir, pfs: 1, vfsPerPF: 7, totalVFs: 8, kernelTotalVFs: 7)
        let inventory = try SysfsInventory.load(Machine(root: dir))
        let pf = try XCTUnwrap(inventory.functions.first { $0.role == .pf })
        XCTAssertEqual(pf.sriov?.totalVFs, 7)
        XCTAssertEqual(pf.sriov?.configTotalVFs, 8)
        XCTAssertEqual(pf.sriov?.capability?.totalVFs, 8)
    }
}
