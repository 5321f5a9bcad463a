import XCTest
import HostAccess
@testable import SRIOVCore

/// `GrubDefaults` (Host/GrubDefaults.swift): /etc/default/grub and its drop-ins, evaluated as
/// grub-mkconfig's shell would, or refused with file and line.
final class GrubDefaultsTests: XCTestCase {
    static let debian = """
    # If you change this file, run 'update-grub' afterwards to update
    GRUB_DEFAULT=0
    GRUB_TIMEOUT=5
    GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
    GRUB_CMDLINE_LINUX_DEFAULT="quiet"
    GRUB_CMDLINE_LINUX=""

    """

    func testDebianFileKeepsLinesAndFlagsTheBacktickLine() {
        let grub = GrubDefaults(text: Self.debian, path: "/etc/default/grub")
        XCTAssertEqual(grub.lines.count, 6)
        XCTAssertEqual(grub.text, Self.debian, "byte for byte")
        XCTAssertEqual(grub.issues.map(\.location.line), [4])
        XCTAssertTrue(grub.issues[0].description.hasPrefix("/etc/default/grub:4: "))
        XCTAssertEqual(grub.issues[0].description(.es),
                       "/etc/default/grub:4: la sustitución de órdenes (`...`) no se puede evaluar sin ejecutar un shell",
                       "the reason a line is not understood is in Spanish too (check evidence with --lang es)")
        let (line, a) = grub.lastAssignment("GRUB_CMDLINE_LINUX_DEFAULT")!
        XCTAssertEqual(line.number, 5)
        XCTAssertEqual(a.literalValue, "quiet")
        XCTAssertEqual(a.quoting, .double)
        XCTAssertEqual(line.replacingValue(with: ["quiet", "intel_iommu=on", "iommu=pt"]),
                       "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on iommu=pt\"")
    }

    func testCRLFTabsSingleQuotesExportCommentsAndMixedQuoting() {
        let text = "\tGRUB_CMDLINE_LINUX_DEFAULT='quiet splash'   # keep\r\nexport GRUB_CMDLINE_LINUX=\"a \\\"b\\\"\"'c d'e\r\nGRUB_X=plain\r\n"
        let grub = GrubDefaults(text: text)
        XCTAssertTrue(grub.issues.isEmpty, "\(grub.issues)")
        XCTAssertEqual(grub.lines.map(\.ending), ["\r\n", "\r\n", "\r\n"])
        XCTAssertEqual(grub.text, text)
        let (l1, a1) = grub.lastAssignment("GRUB_CMDLINE_LINUX_DEFAULT")!
        XCTAssertEqual(a1.literalValue, "quiet splash")
        XCTAssertEqual(a1.quoting, .single)
        XCTAssertEqual(a1.trailingComment, "   # keep")
        XCTAssertEqual(l1.replacingValue(with: ["quiet", "splash", "iommu=pt"]), "\tGRUB_CMDLINE_LINUX_DEFAULT='quiet splash iommu=pt'   # keep")
        let (l2, a2) = grub.lastAssignment("GRUB_CMDLINE_LINUX")!
        XCTAssertTrue(a2.exported)
        XCTAssertEqual(a2.literalValue, "a \"b\"c de")
        XCTAssertEqual(a2.quoting, .mixed)
        XCTAssertNil(l2.replacingValue(with: ["x"]), "mixed quoting is not rewritten")
        XCTAssertEqual(grub.lastAssignment("GRUB_X")!.line.replacingValue(with: ["a", "b"]), "GRUB_X=\"a b\"")
    }

    func testRefusesWhatItCannotEvaluateWithFileAndLine() {
        let text = """
        GRUB_A="unterminated
        GRUB_B=$(cat /x)
        GRUB_C=one two
        GRUB_D="ok" ; echo
        if [ -x /x ]; then
        GRUB_E="x \\
        GRUB_F="fine"
        """
        let grub = GrubDefaults(text: text, path: "/etc/default/grub.d/x.cfg")
        XCTAssertEqual(grub.issues.map(\.location.line), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(grub.lastAssignment("GRUB_F")?.assignment.literalValue, "fine")
        XCTAssertNil(grub.lastAssignment("GRUB_C"))
    }

    func testDropInsExpandEarlierValues() {
        let main = GrubDefaults(text: "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nGRUB_CMDLINE_LINUX=\"root=/dev/sda1\"\n")
        let dropIn = GrubDefaults(text: "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on\"\n", path: "/etc/default/grub.d/iommu.cfg")
        let config = GrubConfiguration(files: [main, dropIn])
        XCTAssertEqual(config.environment["GRUB_CMDLINE_LINUX_DEFAULT"], "quiet intel_iommu=on")
        XCTAssertEqual(config.kernelCommandLine.description, "root=/dev/sda1 quiet intel_iommu=on")
        XCTAssertEqual(config.lastAssignment("GRUB_CMDLINE_LINUX_DEFAULT")?.file.path, "/etc/default/grub.d/iommu.cfg")
        XCTAssertEqual(dropIn.lastAssignment("GRUB_CMDLINE_LINUX_DEFAULT")?.assignment.references, ["GRUB_CMDLINE_LINUX_DEFAULT"])
    }
}
