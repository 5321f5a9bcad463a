import XCTest
import HostAccess
@testable import SRIOVCore

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

    func testBootLoaderDetection() throws {
        let grubHost = try HandMadeRoot("boot-grub")
        try grubHost.file("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n")
        XCTAssertEqual(BootLoaderDetection.detect(Machine(root: grubHost.path)).loader, .grub)

        let zfs = try HandMadeRoot("boot-pbt")
        try zfs.file("/etc/kernel/proxmox-boot-uuids", "5D4C-1234\n")
        try zfs.file("/etc/kernel/cmdline", "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n")
        try zfs.directory("/sys/firmware/efi")
        try zfs.command(["proxmox-boot-tool", "status"], stdout: "System currently booted with uefi\n5D4C-1234 is configured with: uefi (versions: 6.8.12-4-pve)\n")
        let detected = BootLoaderDetection.detect(Machine(root: zfs.path))
        XCTAssertEqual(detected.loader, .proxmoxBootTool(.systemdBoot))
        XCTAssertTrue(detected.efi)
        XCTAssertEqual(detected.loader.cmdlineFile, "/etc/kernel/cmdline")
        XCTAssertTrue(detected.evidence.text(.en).contains { $0.contains("is configured with: uefi") })

        let legacy = try HandMadeRoot("boot-pbt-grub")
        try legacy.file("/etc/kernel/proxmox-boot-uuids", "# comment\nAAAA-BBBB\n")
        try legacy.file("/etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n")
        try legacy.command(["proxmox-boot-tool", "status"], stdout: "AAAA-BBBB is configured with: grub (versions: 6.8.12-4-pve)\n")
        XCTAssertEqual(BootLoaderDetection.detect(Machine(root: legacy.path)).loader, .proxmoxBootTool(.grub))

        let nothing = try HandMadeRoot("boot-none")
        XCTAssertEqual(BootLoaderDetection.detect(Machine(root: nothing.path)).loader, .unknown)
    }
}
