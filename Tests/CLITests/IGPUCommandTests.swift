import Foundation
import HostAccess
import XCTest

/// The iGPU path as a user runs it, on a copy of the bundled iGPU sample host
/// (Resources/sample-host-igpu: dkms i915 with an old `i915.enable_guc=7`).
final class IGPUCommandTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.resource("sample-host-igpu"), toPath: root)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func testApplyIGPUDryRunShowsTheDiffAndChangesNothing() throws {
        let before = FileManager.default.contents(atPath: root + "/etc/default/grub")
        let r = try CLI.run(["apply", "--root", root, "--igpu", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt i915.enable_guc=7\""), r.stdoutText)
        XCTAssertTrue(r.stdoutText.contains("+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe\""), r.stdoutText)
        XCTAssertEqual(FileManager.default.contents(atPath: root + "/etc/default/grub"), before)
    }

    func testApplyIGPUThenRollbackRestoresTheFile() throws {
        let before = FileManager.default.contents(atPath: root + "/etc/default/grub")
        var r = try CLI.run(["apply", "--root", root, "--igpu", "--yes"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        let after = String(decoding: FileManager.default.contents(atPath: root + "/etc/default/grub") ?? Data(), as: UTF8.self)
        XCTAssertTrue(after.contains("i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe"), after)
        r = try CLI.run(["rollback", "--root", root, "--last", "--yes"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertEqual(FileManager.default.contents(atPath: root + "/etc/default/grub"), before)
    }

    func testBadDriverIsRefusedClearly() throws {
        let r = try CLI.run(["apply", "--root", root, "--igpu", "--igpu-driver", "nouveau", "--dry-run"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderrText.contains("use i915 (i915-sriov-dkms) or xe"), r.stderrText)
    }

    func testWalkthroughOnTheIGPUSample() throws {
        let r = try CLI.run(["wizard", "--walkthrough", "--sample", "igpu", "--width", "1000"])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stdoutText.contains("the dkms i915 is loaded on Alder Lake-P, but"), r.stdoutText)
        XCTAssertTrue(r.stdoutText.contains("needs no ARI: it is a Root Complex Integrated Endpoint"), r.stdoutText)
        let bad = try CLI.run(["wizard", "--walkthrough", "--sample", "gpu"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderrText.contains("igpu, nic"), bad.stderrText)
    }
}
