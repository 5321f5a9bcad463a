import Foundation
import XCTest
@testable import HostAccess

final class MachineTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "hostaccess-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/sys/x", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: dir + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func testReadsUnderRootAndNamesHostPathInErrors() throws {
        try write("/sys/x/vendor", "0x8086\n")
        let m = Machine(root: dir)
        XCTAssertEqual(m.attribute("/sys/x/vendor"), "0x8086")
        XCTAssertThrowsError(try m.read("/sys/x/missing")) { error in
            XCTAssertEqual(error as? HostAccessError, .notFound(path: "/sys/x/missing"))
            XCTAssertTrue("\(error)".contains("/sys/x/missing"))
        }
    }

    func testRootIsNormalised() {
        XCTAssertEqual(Machine(root: "/a/./b/../c/").root, "/a/c")
        XCTAssertEqual(Machine(root: "").root, "/")
        XCTAssertTrue(Machine(root: "/").isLive)
        XCTAssertEqual(Machine(root: "/snap").realPath("/proc/cmdline"), "/snap/proc/cmdline")
    }

    func testSizeLimitFailsOrTruncates() throws {
        try write("/big", String(repeating: "a", count: 5000))
        let m = Machine(root: dir)
        XCTAssertThrowsError(try m.read("/big", limit: 4096)) { error in
            XCTAssertEqual(error as? HostAccessError, .tooLarge(path: "/big", limit: 4096))
        }
        XCTAssertEqual(try m.read("/big", limit: 4096, overflow: .truncate).count, 4096)
        XCTAssertEqual(try m.read("/big", limit: 5000).count, 5000)
    }

    func testFifoIsRefusedWithoutBlocking() throws {
        XCTAssertEqual(mkfifo(dir + "/sys/x/config", 0o644), 0)
        let m = Machine(root: dir)
        XCTAssertThrowsError(try m.read("/sys/x/config")) { error in
            XCTAssertEqual(error as? HostAccessError, .notRegularFile(path: "/sys/x/config", kind: "fifo"))
        }
        XCTAssertNil(m.attribute("/sys/x/config"))
    }

    func testDirectoryIsNotAFile() {
        XCTAssertThrowsError(try Machine(root: dir).read("/sys/x")) { error in
            XCTAssertEqual(error as? HostAccessError, .notRegularFile(path: "/sys/x", kind: "directory"))
        }
    }

    func testSymlinksAreReadNotFollowed() throws {
        // A dangling link still gives its target: a copied tree works without the real one.
        XCTAssertEqual(symlink("../../../../bus/pci/drivers/igb", dir + "/sys/x/driver"), 0)
        XCTAssertEqual(symlink("../../../kernel/iommu_groups/12", dir + "/sys/x/iommu_group"), 0)
        let m = Machine(root: dir)
        XCTAssertEqual(try m.linkTarget("/sys/x/driver"), "../../../../bus/pci/drivers/igb")
        XCTAssertEqual(m.linkName("/sys/x/driver"), "igb")
        XCTAssertEqual(m.linkName("/sys/x/iommu_group"), "12")
        XCTAssertNil(m.linkName("/sys/x/physfn"))
    }

    func testFlattenedLinkFilesFromCaptureToolsAreAccepted() throws {
        try write("/sys/x/physfn", "../0000:01:00.0")
        XCTAssertEqual(Machine(root: dir).linkName("/sys/x/physfn"), "0000:01:00.0")
        try write("/sys/x/notalink", "line one\nline two\n")
        XCTAssertThrowsError(try Machine(root: dir).linkTarget("/sys/x/notalink"))
    }

    func testSymlinkLoopIsATypedError() throws {
        XCTAssertEqual(symlink("loop", dir + "/sys/x/loop"), 0)
        let m = Machine(root: dir)
        XCTAssertThrowsError(try m.read("/sys/x/loop")) { error in
            XCTAssertEqual(error as? HostAccessError, .symlinkLoop(path: "/sys/x/loop"))
        }
        XCTAssertThrowsError(try m.linkTarget("/sys/x/loop")) { error in
            XCTAssertEqual(error as? HostAccessError, .symlinkLoop(path: "/sys/x/loop"))
        }
        XCTAssertNil(m.linkName("/sys/x/loop"))
    }

    func testListIsSortedAndSkipsNonUTF8Names() throws {
        try write("/d/b", ""); try write("/d/a", ""); try write("/d/c", "")
        let bad = dir + "/d/" + String(decoding: [0x66], as: UTF8.self)
        _ = bad
        // A name with an invalid UTF-8 byte (0xff).
        let path = Array((dir + "/d/").utf8) + [0x78, 0xff, 0x00]
        let fd = path.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        XCTAssertEqual(try Machine(root: dir).list("/d"), ["a", "b", "c"])
        XCTAssertThrowsError(try Machine(root: dir).list("/nope")) { error in
            XCTAssertEqual(error as? HostAccessError, .notFound(path: "/nope"))
        }
    }
}

final class ProcReadTests: XCTestCase {
    /// procfs files report size 0 and hand out a page per read: the reader must go on to EOF.
    func testProcFilesAreReadToTheEnd() throws {
        let live = Machine(root: "/")
        // /proc/kallsyms is many pages long and stable between two reads.
        let ours = try live.read("/proc/kallsyms", limit: 64 << 20)
        let reference = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/kallsyms")?.readToEnd())
        XCTAssertGreaterThan(reference.count, 3 * 4096)
        XCTAssertEqual(ours.count, reference.count)
        let cpuinfo = try live.readText("/proc/cpuinfo", limit: 16 << 20)
        let processors = cpuinfo.split(separator: "\n").filter { $0.hasPrefix("processor") }.count
        XCTAssertEqual(processors, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), "every CPU in /proc/cpuinfo")
    }
}
