import XCTest
import HostAccess
@testable import SRIOVCore
import SyntheticTreeSupport

/// `SysfsInventory.load` reads slices of the device listing on several threads (issue 15): the
/// inventory must be the one a single thread reads, functions and issues in the same order,
/// whatever the number of threads and wherever the problems sit in the listing.
final class ParallelInventoryTests: XCTestCase {
    func testEveryThreadCountGivesTheSingleThreadedInventory() throws {
        let dir = try ScratchTree.make("parallel")
        defer { ScratchTree.remove(dir) }
        // 2 PFs x 40 VFs (84 functions with the host bridge and root port): above the threshold for the threaded walk.
        let layout = try SyntheticTree.write(to: dir, pfs: 2, vfsPerPF: 40)
        XCTAssertGreaterThanOrEqual(layout.count, SysfsInventory.parallelThreshold)
        let devices = SysfsInventory.devicesPath
        let writer = try TreeWriter(root: dir)
        // Problems spread over the listing, so every slice has its own issues to keep in order:
        // entries that are no address, and attributes out of range in the first, a middle and
        // the last function.
        for name in ["0000:zz:00.0", "not-a-device", "ffff:ff:1f.7x"] { try writer.makeDirectory(devices + "/" + name) }
        try writer.write("left by a capture tool\n", to: devices + "/NOTES.txt")
        let addresses = layout.functions.map(\.address.description).sorted()
        for (i, name) in [addresses[0], addresses[addresses.count / 3], addresses[addresses.count / 2], addresses[addresses.count - 1]].enumerated() {
            try writer.write("0x1\(i)0000\n", to: devices + "/" + name + "/vendor")
            try writer.write("bad\n", to: devices + "/" + name + "/revision")
        }
        let machine = Machine(root: dir)
        let single = try SysfsInventory.load(machine, threads: 1)
        XCTAssertEqual(single.functions.count, layout.count)
        XCTAssertEqual(single.issues.count, 3 + 8, "\(single.issues.map(\.message))")
        for threads in [2, 3, 4, 7, 16] {
            let threaded = try SysfsInventory.load(machine, threads: threads)
            XCTAssertEqual(threaded.functions, single.functions, "\(threads) threads")
            XCTAssertEqual(threaded.issues, single.issues, "\(threads) threads")
            XCTAssertEqual(threaded.functions.map(\.address), single.functions.map(\.address).sorted())
        }
        // And the default (the processors this process may use) too.
        let byDefault = try SysfsInventory.load(machine)
        XCTAssertEqual(byDefault.functions, single.functions)
        XCTAssertEqual(byDefault.issues, single.issues)
    }

    /// The slices join in listing order: the issues come out in the order of the entries.
    func testIssuesFollowTheListingOrder() throws {
        let dir = try ScratchTree.make("parallel-order")
        defer { ScratchTree.remove(dir) }
        let layout = try SyntheticTree.write(to: dir, pfs: 2, vfsPerPF: 40)
        let devices = SysfsInventory.devicesPath
        let writer = try TreeWriter(root: dir)
        for f in layout.functions { try writer.write("0x100\n", to: devices + "/" + f.address.description + "/revision") }
        let machine = Machine(root: dir)
        let listing = try machine.list(SysfsInventory.devicesPath)
        let expected = listing.map { "\(SysfsInventory.devicesPath)/\($0)/revision" }
        XCTAssertEqual(try SysfsInventory.load(machine, threads: 4).issues.map(\.path), expected)
    }
}
