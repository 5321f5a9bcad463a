import XCTest
import HostAccess
@testable import SRIOVCore

/// `ModprobeConfig` (Host/ModprobeConfig.swift): modprobe.d files, their search path and option lookups.
final class ModprobeConfigTests: XCTestCase {
    func testModprobeOptionsWithCRLFTabsCommentsContinuationsAndQuotes() {
        let text = "# SR-IOV\r\noptions\tigb max_vfs=7 \\\r\n   debug=2\r\n\r\n  # indented comment\noptions ixgbe max_vfs=\"8,8\" allow_unsupported_sfp\noptions i40e\n"
        let config = ModprobeConfig(files: [("/etc/modprobe.d/sriov.conf", text)])
        let igb = config.option(module: "igb", name: "max_vfs")
        XCTAssertEqual(igb?.value, "7")
        XCTAssertEqual(igb?.location.description, "/etc/modprobe.d/sriov.conf:2")
        XCTAssertEqual(config.option(module: "igb", name: "debug")?.location.line, 2, "a continued line keeps its first line number")
        XCTAssertEqual(config.option(module: "ixgbe", name: "max_vfs")?.value, "8,8")
        XCTAssertNotNil(config.option(module: "ixgbe", name: "allow_unsupported_sfp"))
        XCTAssertNil(config.option(module: "ixgbe", name: "allow_unsupported_sfp")?.value)
        XCTAssertEqual(config.problems.map(\.description), ["/etc/modprobe.d/sriov.conf:7: 'options i40e' without any option"])
    }

    func testModprobeLastSettingWinsAcrossFilesAndDashesMatchUnderscores() {
        let config = ModprobeConfig(files: [
            ("/etc/modprobe.d/a.conf", "options mlx5-core prof_sel=1\noptions igb max_vfs=2\n"),
            ("/etc/modprobe.d/b.conf", "options igb max_vfs=7\nblacklist igbvf\nfrobnicate igb\n"),
        ])
        XCTAssertEqual(config.options(module: "igb", name: "max_vfs").count, 2)
        XCTAssertEqual(config.option(module: "igb", name: "max_vfs")?.location.description, "/etc/modprobe.d/b.conf:1")
        XCTAssertEqual(config.option(module: "mlx5_core", name: "prof_sel")?.value, "1")
        XCTAssertEqual(config.blacklist(module: "igbvf").first?.location.description, "/etc/modprobe.d/b.conf:2")
        XCTAssertEqual(config.problems.first?.location.description, "/etc/modprobe.d/b.conf:3")
    }

    func testModprobeSearchPathEtcHidesUsrLibAndSortsByName() throws {
        let root = try ScratchTree.make("modprobe")
        defer { ScratchTree.remove(root) }
        let w = try TreeWriter(root: root)
        try w.write("options igb max_vfs=1\n", to: "/usr/lib/modprobe.d/igb.conf")
        try w.write("options igb max_vfs=7\n", to: "/etc/modprobe.d/igb.conf")
        try w.write("options igb max_vfs=3\n", to: "/usr/lib/modprobe.d/aa.conf")
        try w.write("options igb max_vfs=9\n", to: "/etc/modprobe.d/notes.txt")
        let config = ModprobeConfig.read(Machine(root: root))
        XCTAssertEqual(config.files, ["/usr/lib/modprobe.d/aa.conf", "/etc/modprobe.d/igb.conf"])
        XCTAssertEqual(config.shadowed, ["/usr/lib/modprobe.d/igb.conf"])
        XCTAssertEqual(config.option(module: "igb", name: "max_vfs")?.value, "7")
    }
}
