import XCTest
import HostAccess
@testable import SRIOVCore

/// `cpu-virtualization`: vmx/svm in /proc/cpuinfo flags; the hint says where to turn it on.
final class CPUVirtualizationCheckTests: XCTestCase {
    func testVMXAndSVMPass() throws {
        for (vendor, flags, flag) in [("GenuineIntel", "fpu vme vmx ept", "vmx"), ("AuthenticAMD", "fpu svm npt", "svm")] {
            let root = try HandMadeRoot("cpu-\(flag)")
            try root.intelHost(vendor: vendor, flags: flags)
            let r = try XCTUnwrap(StageTrees.single(CPUVirtualizationCheck.self, StageTrees.context(root.path)))
            XCTAssertEqual(r.level, .pass, r.summary.en)
            XCTAssertTrue(r.evidence.text(.en).contains("/proc/cpuinfo: flags contain \(flag)"), "\(r.evidence)")
            XCTAssertTrue(r.hint.isEmpty)
            StageTrees.assertBilingual([r])
        }
    }

    func testMissingFlagFailsWithTheFirmwareSettingOrNestedVirtualization() throws {
        let amd = try HandMadeRoot("cpu-no-svm")
        try amd.intelHost(vendor: "AuthenticAMD", flags: "fpu vme")
        let bare = try XCTUnwrap(StageTrees.single(CPUVirtualizationCheck.self, StageTrees.context(amd.path)))
        XCTAssertEqual(bare.level, .fail)
        XCTAssertTrue(bare.summary.en.contains("no svm flag"), bare.summary.en)
        XCTAssertTrue(bare.hint.en.contains("SVM Mode"), bare.hint.en)
        StageTrees.assertBilingual([bare])

        let vm = try HandMadeRoot("cpu-nested")
        try vm.intelHost(flags: "fpu vme hypervisor")
        let nested = try XCTUnwrap(StageTrees.single(CPUVirtualizationCheck.self, StageTrees.context(vm.path)))
        XCTAssertEqual(nested.level, .fail)
        XCTAssertTrue(nested.summary.en.contains("no vmx flag"), nested.summary.en)
        XCTAssertTrue(nested.evidence.text(.en).contains { $0.contains("this host is itself a VM") }, "\(nested.evidence)")
        XCTAssertTrue(nested.hint.en.contains("nested virtualization"), nested.hint.en)
    }

    func testUnreadableCPUInfoWarns() throws {
        let root = try HandMadeRoot("cpu-none")
        try root.directory("/proc")
        let r = try XCTUnwrap(StageTrees.single(CPUVirtualizationCheck.self, StageTrees.context(root.path)))
        XCTAssertEqual(r.level, .warn)
        XCTAssertEqual(r.evidence.text(.en), ["/proc/cpuinfo: unreadable"])
    }
}
