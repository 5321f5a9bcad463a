import XCTest
import HostAccess
@testable import SRIOVCore

/// `KernelCommandLine` and `IOMMUParameters` (Host/KernelCommandLine.swift).
final class KernelCommandLineTests: XCTestCase {
    func testSplitsLikeTheKernelWithQuotesAndLastOneWins() {
        let line = KernelCommandLine("BOOT_IMAGE=/vmlinuz root=ZFS=rpool/ROOT/pve-1 \"quoted word\" dyndbg=\"file x.c +p\"\tintel_iommu=off  intel-iommu=on,igfx_off quiet\r\n")
        XCTAssertEqual(line.parameters.map(\.key), ["BOOT_IMAGE", "root", "quoted word", "dyndbg", "intel_iommu", "intel-iommu", "quiet"])
        XCTAssertEqual(line.value("root"), "ZFS=rpool/ROOT/pve-1", "only the first = splits")
        XCTAssertEqual(line.value("dyndbg"), "file x.c +p", "quotes around a value are dropped")
        XCTAssertNil(line.last("quiet")?.value)
        XCTAssertEqual(line.all("intel_iommu").count, 2, "- and _ are the same in names")
        XCTAssertEqual(line.lastOption("intel_iommu", among: ["on", "off"])?.option, "on")
        XCTAssertEqual(line.last("dyndbg")?.text, "dyndbg=\"file x.c +p\"")
    }

    func testDoubleDashEndsKernelParametersAndUnterminatedQuoteRunsToTheEnd() {
        let line = KernelCommandLine("ro -- single intel_iommu=off")
        XCTAssertEqual(line.parameters.map(\.key), ["ro"])
        XCTAssertEqual(line.initArguments, ["single", "intel_iommu=off"])
        XCTAssertFalse(IOMMUParameters(line).intelOff, "words after -- go to init")
        let open = KernelCommandLine("a=\"b c d")
        XCTAssertEqual(open.parameters.count, 1)
        XCTAssertEqual(open.value("a"), "b c d")
    }

    func testIOMMUParameters() {
        let p = IOMMUParameters(KernelCommandLine("quiet intel_iommu=on iommu=pt amd_iommu=off"))
        XCTAssertTrue(p.intelOn)
        XCTAssertTrue(p.passthrough)
        XCTAssertEqual(p.disablingWords, ["amd_iommu=off"])
        XCTAssertEqual(p.relevantWords, ["intel_iommu=on", "iommu=pt", "amd_iommu=off"])
        XCTAssertNotEqual(p.state, IOMMUParameters(KernelCommandLine("intel_iommu=on iommu=pt")).state)
        XCTAssertEqual(IOMMUParameters(KernelCommandLine("iommu=pt intel_iommu=on")).state,
                       IOMMUParameters(KernelCommandLine("quiet intel_iommu=on iommu=pt")).state, "compared by meaning")
        XCTAssertEqual(IOMMUParameters(KernelCommandLine("iommu=off")).disablingWords, ["iommu=off"])
    }
}
