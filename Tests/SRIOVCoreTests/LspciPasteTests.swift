import XCTest
import SRIOVCore

/// lspci output as people paste it into mail, forums and tickets, built from real captures
/// (the same bytes re-quoted, re-wrapped, re-indented, cut) and from real pastes kept in
/// `Tests/Fixtures/lspci-pastes`: each variant must read as the original does.
final class LspciPasteTests: XCTestCase {
    static let zycoo = "gpu/linuxhw-zycoo-adlp-4626-pf-vvnn-1.txt"
    static let hns3 = "gpu/nic-danny-hns3-127vfs-vv-1.txt"
    static let x550 = "lspci/dpdkplayground-x550t2-ixgbe-1.txt"

    func testQuotingAtAnyDepthNBSPAndStrippedIndentationReadAsTheOriginal() throws {
        for file in [Self.zycoo, Self.hns3, Self.x550] {
            let text = try LspciCorpus.text(file)
            let reference = try LspciTextParser.parse(text)
            XCTAssertTrue(reference.issues.allSatisfy { $0.message.contains("VF BAR") }, "\(file): \(reference.issues)")
            let variants: [(String, String)] = [
                ("> ", Self.quote(text, "> ")),
                (">", Self.quote(text, ">")),
                ("> > ", Self.quote(text, "> > ")),
                (">> ", Self.quote(text, ">> ")),
                ("NBSP x4 per tab", Self.nbspIndent(text)),
                ("indentation stripped", Self.stripIndentation(text)),
                ("quoted, indentation stripped", Self.quote(Self.stripIndentation(text), "> ")),
                ("reply quoting a reply", "On Tue, someone wrote:\n" + Self.quote("Here is the output:\n" + Self.quote(text, "> "), "> ") + "\nThanks.\n"),
            ]
            for (name, variant) in variants {
                let parsed: Inventory
                do { parsed = try LspciTextParser.parse(variant) } catch { XCTFail("\(file) \(name): \(error)"); continue }
                XCTAssertEqual(parsed.functions, reference.functions, "\(file) \(name)")
            }
        }
    }

    /// `format=flowed` (RFC 3676): long lines broken after a space, the space kept at the end
    /// of the line; hard wraps: the same without the space. Both at 72 and 60 columns, also
    /// quoted, also after the indentation was stripped (the wrapped rest then looks like any
    /// other line at the margin).
    func testFlowedAndHardWrappedLinesAreJoined() throws {
        for file in [Self.zycoo, Self.hns3, Self.x550] {
            let text = try LspciCorpus.text(file)
            let reference = try LspciTextParser.parse(text)
            for width in [72, 60] {
                let variants: [(String, String)] = [
                    ("flowed", Self.wrap(text, width: width, keepSpace: true)),
                    ("hard", Self.wrap(text, width: width, keepSpace: false)),
                    ("quoted flowed", Self.quote(Self.wrap(text, width: width, keepSpace: true), "> ")),
                    ("stripped, hard", Self.wrap(Self.stripIndentation(text), width: width, keepSpace: false)),
                ]
                for (name, variant) in variants {
                    XCTAssertNotEqual(variant.split(separator: "\n").count, text.split(separator: "\n").count, "\(name): nothing wrapped")
                    let parsed: Inventory
                    do { parsed = try LspciTextParser.parse(variant) } catch { XCTFail("\(file) \(name) \(width): \(error)"); continue }
                    XCTAssertEqual(parsed.functions.map(\.address), reference.functions.map(\.address), "\(file) \(name) \(width)")
                    for (a, b) in zip(parsed.functions, reference.functions) {
                        XCTAssertEqual(a.sriov, b.sriov, "\(file) \(name) \(width): SR-IOV")
                        XCTAssertEqual(a.capabilities, b.capabilities, "\(file) \(name) \(width): capabilities")
                        XCTAssertEqual(a.express, b.express, "\(file) \(name) \(width): Express")
                        XCTAssertEqual(a.deviceName, b.deviceName, "\(file) \(name) \(width): name")
                        XCTAssertEqual(a.driver, b.driver, "\(file) \(name) \(width): driver")
                        XCTAssertEqual(a.kernelModules, b.kernelModules, "\(file) \(name) \(width): modules")
                        XCTAssertEqual(a.role, b.role, "\(file) \(name) \(width): role")
                    }
                }
            }
        }
    }

    /// A real paste (ACRN commit 58c0a474): indentation stripped, the device line wrapped by
    /// hand with one space before the rest, the commit's prose before it and trailers after.
    func testRealUnindentedWrappedPasteWithProseAround() throws {
        let inventory = try LspciTextParser.parse(LspciPastes.text("acrn-x722-i40e-noindent-wrapped-1.txt"))
        XCTAssertEqual(inventory.functions.count, 1)
        let pf = try XCTUnwrap(inventory.function("67:00.0"))
        XCTAssertEqual(pf.deviceName, "Intel Corporation Ethernet Connection X722 for 10GbE backplane")
        XCTAssertEqual(pf.revision, 0x09, "(rev 09) is on the wrapped line")
        XCTAssertEqual(pf.role, .pf)
        XCTAssertEqual(pf.sriov?.totalVFs, 32)
        XCTAssertEqual(pf.sriov?.numVFs, 0)
        XCTAssertEqual(pf.sriov?.vfOffset, 16)
        XCTAssertEqual(pf.sriov?.vfStride, 1)
        XCTAssertEqual(pf.sriov?.vfDeviceID, 0x37cd)
        XCTAssertEqual(pf.sriov?.capability?.ariHierarchy, true)
        XCTAssertEqual(inventory.issues.map(\.message), ["lines 1-11: not lspci output, skipped", "lines 32-33: not lspci output, skipped"])
    }

    /// Intel VMD puts the devices behind it in domains 10000 and up, printed with 5 digits.
    func testFiveDigitVMDDomain() throws {
        let text = try LspciCorpus.text(Self.hns3).replacingFirst("7d:00.0 ", with: "10000:e1:00.0 ")
        let pf = try XCTUnwrap(LspciTextParser.parse(text).functions.first)
        XCTAssertEqual(pf.address, PCIAddress(domain: 0x10000, bus: 0xe1, device: 0, function: 0))
        XCTAssertEqual(pf.address.description, "10000:e1:00.0")
        XCTAssertEqual(pf.sriov?.totalVFs, 127)
        XCTAssertEqual(pf.role, .pf)
    }

    /// A shell transcript: the lspci output sits between other commands' output, which is
    /// skipped with a note naming the command.
    func testShellTranscriptWithOtherCommands() throws {
        let listing = try LspciCorpus.text("gpu/issue351-adls-4680-nnk-grep-vga-1.txt")
        let detail = try LspciCorpus.text(Self.hns3)
        let transcript = """
        root@pve:~# uname -r
        6.14.11-2-pve
        root@pve:~# lspci -nnk | grep -i vga
        \(listing)root@pve:~# cat /proc/cmdline
        BOOT_IMAGE=/boot/vmlinuz-6.14.11-2-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on i915.enable_guc=3 i915.max_vfs=7
        root@pve:~# dkms status
        i915-sriov-dkms/2025.07.22, 6.14.11-2-pve, x86_64: installed
        [root@kunpeng ~]# lspci -s 0000:7d:00.0 -vv
        \(detail)
        [root@kunpeng ~]# systemctl status sriov-vfs
        ● sriov-vfs.service - Create VFs
             Loaded: loaded (/etc/systemd/system/sriov-vfs.service; enabled; preset: enabled)
             Active: active (exited) since Tue 2025-09-23 10:01:02 CEST; 2 days ago
        $ exit
        """
        let inventory = try LspciTextParser.parse(transcript)
        XCTAssertEqual(inventory.functions.map(\.address.shortDescription), ["00:02.0"] + (1...7).map { "00:02.\($0)" } + ["7d:00.0"])
        XCTAssertEqual(inventory.function("00:02.0")?.virtfns.count, 7)
        XCTAssertEqual(inventory.function("7d:00.0")?.sriov?.numVFs, 127)
        let messages = inventory.issues.map(\.message)
        XCTAssertTrue(messages.contains("line 2: the output of `uname -r`, skipped"), "\(messages)")
        XCTAssertTrue(messages.contains("line 13: the output of `cat /proc/cmdline`, skipped"), "\(messages)")
        XCTAssertTrue(messages.contains("line 15: the output of `dkms status`, skipped"), "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("systemctl status sriov-vfs") }, "\(messages)")
        // Nothing but other commands: refused at the first line that is not lspci output.
        XCTAssertThrowsError(try LspciTextParser.parse("$ uname -r\n6.14.11-2-pve\n$ dkms status\n")) { error in
            XCTAssertEqual((error as? LspciParseError)?.line, 2)
            XCTAssertTrue((error as? LspciParseError)?.message.contains("expected lspci output") == true)
        }
    }

    /// Lines cut out of an `lspci -vvv` without their device line: the SR-IOV figures are
    /// reported for a function whose address is unknown, also when the paste lost its
    /// indentation or was quoted.
    func testSRIOVFragmentWithoutADeviceLine() throws {
        let text = try LspciCorpus.text(Self.zycoo)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try XCTUnwrap(lines.firstIndex { $0.contains("Single Root I/O Virtualization") })
        let end = try XCTUnwrap(lines.firstIndex { $0.contains("VF Migration") })
        let fragment = lines[start...end].joined(separator: "\n") + "\n"
        for (name, variant) in [("tabs", fragment), ("stripped", Self.stripIndentation(fragment)), ("quoted", Self.quote(fragment, "> ")),
                                ("in prose", "The SR-IOV part of lspci -vvv for the iGPU:\n\n" + fragment + "\nAny idea?\n")] {
            let inventory: Inventory
            do { inventory = try LspciTextParser.parse(variant) } catch { XCTFail("\(name): \(error)"); continue }
            XCTAssertTrue(inventory.functions.isEmpty, name)
            let unaddressed = try XCTUnwrap(inventory.unaddressedFunctions.first, name)
            XCTAssertEqual(unaddressed.sriov?.totalVFs, 7, name)
            XCTAssertEqual(unaddressed.sriov?.numVFs, 0, name)
            XCTAssertEqual(unaddressed.sriov?.vfDeviceID, 0x4626, name)
            XCTAssertTrue(inventory.issues.contains { $0.message.contains("TotalVFs 7, NumVFs 0, VF device ID 4626") }, "\(name): \(inventory.issues)")
        }
    }

    /// `...` lines: the author cut lines, so what is not shown is unknown, not absent.
    func testElisionMakesTheMissingUnknown() throws {
        let text = try LspciCorpus.text(Self.x550)
        let reference = try XCTUnwrap(LspciTextParser.parse(text).functions.first)
        XCTAssertEqual(reference.hasARI, true)
        let withoutARI = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("Alternative Routing-ID") && !$0.contains("ARICap") && !$0.contains("ARICtl") }
        let cut = withoutARI.joined(separator: "\n")
        XCTAssertEqual(try LspciTextParser.parse(cut).functions.first?.hasARI, false, "no ARI line and nothing cut: no ARI")
        for marker in ["...", "        ...", "(...)", "[...]", "…", "[snip]"] {
            let elided = cut.replacingFirst("\tCapabilities: [40]", with: marker + "\n\tCapabilities: [40]")
                .replacingFirst("        Capabilities: [40]", with: marker + "\n        Capabilities: [40]")
            let f = try XCTUnwrap(LspciTextParser.parse(elided).functions.first, marker)
            XCTAssertNil(f.hasARI, "\(marker): lines were cut, ARI unknown")
            XCTAssertEqual(f.sriov, reference.sriov, marker)
        }
    }

    /// Enhanced Allocation PFs (Cavium ThunderX, NXP LS1028A) print their BARs `[virtual]`
    /// with pciutils before 3.5.0 (commit 558f736 added `[enhanced]`) or when the kernel does
    /// not flag EA resources. Built from the real LS1028A capture with `[enhanced]` printed the
    /// old way, NumVFs 2 on 00:00.0 and the real ENETC VF capture (magnate3) at its first VF
    /// address 00:01.0: the PFs stay PFs, the EA functions without SR-IOV are no VFs, and the
    /// function at the VF address is a VF.
    func testVirtualBARsOfAnEnhancedAllocationPFDoNotMakeAVF() throws {
        let ls1028a = try LspciCorpus.text("lspci/lkml-nxp-ls1028a-enetc-1.txt")
        let old = ls1028a.replacingAll(" [enhanced]", with: " [virtual]")
            .replacingFirst("Initial VFs: 2, Total VFs: 2, Number of VFs: 0", with: "Initial VFs: 2, Total VFs: 2, Number of VFs: 2")
        XCTAssertTrue(old.contains("[virtual]") && !old.contains("[enhanced]"))
        let vf = try LspciCorpus.text("lspci/magnate3-nxp-enetc-vf-crlf-2.txt").replacingAll(" [enhanced]", with: " [virtual]")
        let inventory = try LspciTextParser.parse(old + "\n" + vf)
        XCTAssertEqual(inventory.function("00:00.0")?.role, .pf, "[virtual] BARs from EA: still a PF")
        XCTAssertEqual(inventory.function("00:00.1")?.role, .pf)
        XCTAssertEqual(inventory.function("00:00.2")?.role, FunctionRole.none, "EA, no SR-IOV: [virtual] BARs do not make a VF")
        XCTAssertEqual(inventory.function("00:00.6")?.role, FunctionRole.none)
        let enetcVF = try XCTUnwrap(inventory.function("0000:00:01.0"))
        XCTAssertEqual(enetcVF.role, .vf, "at 00:00.0's first VF address")
        XCTAssertEqual(enetcVF.physfn?.shortDescription, "00:00.0")
        XCTAssertNil(enetcVF.roleInferredFrom)
        XCTAssertEqual(inventory.function("00:00.0")?.virtfns.map(\.shortDescription), ["00:01.0"])
    }

    /// Inference from the layout must not touch real multi-function devices.
    func testLayoutInferenceLeavesMultiFunctionDevicesAlone() throws {
        // The ConnectX-4 ports without their VFs: two functions of one device, no SR-IOV shown.
        let cx4 = try LspciCorpus.text("gpu/nic-sriovdp-cx4-mlx5-lspci-1.txt")
        let ports = cx4.split(separator: "\n").filter { !$0.contains("Virtual Function") }.joined(separator: "\n")
        XCTAssertEqual(try LspciTextParser.parse(ports).functions.map(\.role), [FunctionRole.none, .none])
        // The iGPU beside an audio function, or a display function with another device ID.
        let grep = try LspciCorpus.text("gpu/issue351-adls-4680-nnk-grep-vga-1.txt")
        let firstTwo = grep.split(separator: "\n").prefix(2).joined(separator: "\n")
        let audio = firstTwo.replacingFirst("00:02.1 VGA compatible controller [0300]: Intel Corporation AlderLake-S GT1 [8086:4680]",
                                            with: "00:02.1 Audio device [0403]: Intel Corporation Device [8086:51c8]")
        XCTAssertEqual(try LspciTextParser.parse(audio).functions.map(\.role), [FunctionRole.none, .none])
        let otherID = firstTwo.replacingFirst("GT1 [8086:4680] (rev 0c)\n", with: "GT1 [8086:4692] (rev 0c)\n")
        XCTAssertEqual(try LspciTextParser.parse(otherID).functions.map(\.role), [FunctionRole.none, .none])
        // A discrete GPU with its HDMI audio at 01:00.0/01:00.1, and display functions at 00:02
        // from another vendor.
        let discrete = """
        01:00.0 VGA compatible controller [0300]: Advanced Micro Devices, Inc. [AMD/ATI] Navi 23 [Radeon RX 6600/6600 XT/6600M] [1002:73ff] (rev c7)
        01:00.1 Audio device [0403]: Advanced Micro Devices, Inc. [AMD/ATI] Navi 21/23 HDMI/DP Audio Controller [1002:ab28]
        00:02.0 VGA compatible controller [0300]: Red Hat, Inc. QXL paravirtual graphic card [1b36:0100] (rev 05)
        00:02.1 VGA compatible controller [0300]: Red Hat, Inc. QXL paravirtual graphic card [1b36:0100] (rev 05)
        """
        XCTAssertTrue(try LspciTextParser.parse(discrete).functions.allSatisfy { $0.role == .none })
        // Plain `lspci` (names, no IDs): the iGPU VFs are still found by name.
        let plain = grep.replacingAll(" [0300]", with: "").replacingAll(" [8086:4680]", with: "")
        let inventory = try LspciTextParser.parse(plain)
        XCTAssertEqual(inventory.function("00:02.0")?.role, .pf)
        XCTAssertEqual(inventory.functions.filter { $0.role == .vf }.count, 7)
        // When the PF's capability says no VF is enabled, functions beside it are not its VFs.
        let zycoo = try LspciCorpus.text(Self.zycoo)
        let stale = zycoo + "\n" + String(grep.split(separator: "\n")[1]).replacingAll("AlderLake-S GT1 [8086:4680]", with: "Alder Lake-P Integrated Graphics Controller [8086:4626]") + "\n"
        XCTAssertEqual(try LspciTextParser.parse(stale).function("00:02.1")?.role, FunctionRole.none)
    }

    /// `devices --format json` says where a role came from.
    func testJSONSaysTheRoleCameFromTheLayout() throws {
        let inventory = try LspciCorpus.parse("gpu/issue351-adls-4680-nnk-grep-vga-1.txt")
        let json = inventory.json(functions: inventory.sriovView).serialised()
        XCTAssertTrue(json.contains("\"roleInferredFrom\": \"layout\""), json)
        let real = try LspciCorpus.parse(Self.hns3)
        XCTAssertFalse(real.json(functions: real.sriovView).serialised().contains("roleInferredFrom"))
    }

    // MARK: - how pastes are made

    static func quote(_ text: String, _ prefix: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? String(prefix.filter { $0 != " " }) : prefix + $0 }.joined(separator: "\n")
    }

    /// Each leading tab as four NBSPs, each leading space as one, as web pages show indentation.
    static func nbspIndent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let lead = line.prefix { $0 == "\t" || $0 == " " }
            return lead.map { $0 == "\t" ? String(repeating: "\u{a0}", count: 4) : "\u{a0}" }.joined() + line.dropFirst(lead.count)
        }.joined(separator: "\n")
    }

    static func stripIndentation(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.drop { $0 == "\t" || $0 == " " } }.joined(separator: "\n")
    }

    /// Breaks every line longer than `width` characters (a tab counts one, as mail clients
    /// count) at the last space before the limit; `keepSpace` leaves the space at the end of
    /// the line (format=flowed), else it is dropped (a hard wrap).
    static func wrap(_ text: String, width: Int, keepSpace: Bool) -> String {
        var out: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var rest = line
            while rest.count > width {
                let head = rest.prefix(width)
                guard let space = head.dropFirst().lastIndex(of: " ") else { break }
                let cut = rest[rest.startIndex..<space]
                if cut.allSatisfy({ $0 == " " || $0 == "\t" }) { break }
                out.append(keepSpace ? rest[rest.startIndex...space] : cut)
                rest = rest[rest.index(after: space)...]
            }
            out.append(rest)
        }
        return out.joined(separator: "\n")
    }
}
