import XCTest
import SRIOVCore

/// LspciTextParser on real captures and on small hand-made outputs for what the corpus lacks.
final class LspciTextParserTests: XCTestCase {
    // MARK: - device lines

    func testDeviceLineForms() throws {
        let text = """
        0000:af:00.0 Ethernet controller [0200]: Intel Corporation Ethernet Controller XL710 for 40GbE QSFP+ [8086:1583] (rev 02)
        00:1f.3 0403: 8086:a348 (rev 10) (prog-if 80)
        09:00.0 Class 0200: Device 8086:10c9 (rev 01)
        01:00.0 Non-Volatile memory controller: Samsung Electronics Co Ltd Device a824 (prog-if 02 [NVM Express])
        00:02.0 VGA compatible controller: Cirrus Logic GD 5446
        """
        let inventory = try LspciTextParser.parse(text)
        XCTAssertEqual(inventory.functions.count, 5)
        let xl710 = try XCTUnwrap(inventory.function("0000:af:00.0"))
        XCTAssertEqual(xl710.vendorID, 0x8086)
        XCTAssertEqual(xl710.deviceID, 0x1583)
        XCTAssertEqual(xl710.className, "Ethernet controller")
        XCTAssertEqual(xl710.revision, 0x02)
        XCTAssertEqual(xl710.deviceName, "Intel Corporation Ethernet Controller XL710 for 40GbE QSFP+")
        let audio = try XCTUnwrap(inventory.function("00:1f.3"))
        XCTAssertEqual(audio.classCode, 0x04_03_80)
        XCTAssertEqual(audio.vendorID, 0x8086)
        XCTAssertEqual(audio.deviceID, 0xa348)
        XCTAssertEqual(audio.revision, 0x10)
        let old = try XCTUnwrap(inventory.function("09:00.0"))
        XCTAssertEqual(old.vendorID, 0x8086)
        XCTAssertEqual(old.deviceID, 0x10c9)
        XCTAssertEqual(old.classCode.map { $0 >> 8 }, 0x0200)
        let nvme = try XCTUnwrap(inventory.function("01:00.0"))
        XCTAssertEqual(nvme.vendorName, "Samsung Electronics Co Ltd")
        XCTAssertEqual(nvme.deviceID, 0xa824)
        XCTAssertNil(nvme.vendorID)
        XCTAssertEqual(nvme.className, "Non-Volatile memory controller")
        let vga = try XCTUnwrap(inventory.function("00:02.0"))
        XCTAssertNil(vga.vendorID)
        XCTAssertEqual(vga.revision, 0, "lspci prints (rev) whenever it is not 0")
        XCTAssertEqual(vga.deviceName, "Cirrus Logic GD 5446")
    }

    func testSubsystemKernelDriverModulesAndIOMMUGroup() throws {
        let x550 = try XCTUnwrap(LspciCorpus.parse("lspci/dpdkplayground-x550t2-ixgbe-1.txt").function("05:00.0"))
        XCTAssertEqual(x550.driver, "ixgbe")
        XCTAssertEqual(x550.kernelModules, ["ixgbe"])
        XCTAssertEqual(x550.iommuGroup, 23)
        let cx4 = try XCTUnwrap(LspciCorpus.parse("lspci/dpdkplayground-connectx4lx-mlx5-1.txt").function("08:00.0"))
        XCTAssertEqual(cx4.driver, "vfio-pci")
        XCTAssertEqual(cx4.kernelModules, ["mlx5_core"])
        // -v prints the group in the Flags line.
        XCTAssertEqual(try LspciCorpus.parse("lspci/dpdkplayground-x550vf-ixgbevf-1.txt").function("05:10.0")?.iommuGroup, 27)
        let vf = try XCTUnwrap(LspciCorpus.parse("lspci/onizuka-i350vf-igbvf-nnk-1.txt").function("06:10.0"))
        XCTAssertEqual(vf.subsystemVendorID, 0x8086)
        XCTAssertEqual(vf.subsystemDeviceID, 0x00a2)
        let numeric = try XCTUnwrap(LspciCorpus.parse("lspci/awsm4-82599vf-ixgbevf-numeric-2.txt").function("00:00.0"))
        XCTAssertEqual(numeric.subsystemVendorID, 0x1af4)
        XCTAssertEqual(numeric.subsystemDeviceID, 0x1100)
    }

    // MARK: - capabilities

    func testSRIOVFieldsFromText() throws {
        let pf = try XCTUnwrap(LspciCorpus.parse("lspci/dpdkplayground-x550t2-ixgbe-1.txt").function("05:00.0"))
        let sriov = try XCTUnwrap(pf.sriov)
        XCTAssertEqual(sriov.source, "lspci")
        XCTAssertEqual(sriov.initialVFs, 64)
        XCTAssertEqual(sriov.totalVFs, 64)
        XCTAssertEqual(sriov.numVFs, 0)
        XCTAssertEqual(sriov.vfOffset, 128)
        XCTAssertEqual(sriov.vfStride, 2)
        XCTAssertEqual(sriov.vfDeviceID, 0x1565)
        let capability = try XCTUnwrap(sriov.capability)
        XCTAssertEqual(capability.offset, 0x160)
        XCTAssertEqual(capability.version, 1)
        XCTAssertEqual(capability.vfEnable, false)
        XCTAssertEqual(capability.ariHierarchy, true)
        XCTAssertEqual(capability.functionDependencyLink, 0)
        XCTAssertEqual(capability.supportedPageSizes, 0x553)
        XCTAssertEqual(capability.systemPageSize, 1)
        XCTAssertEqual(pf.ari, ARICapability(offset: 0x150, nextFunction: 1))
        XCTAssertEqual(pf.express?.portType, .endpoint)
        XCTAssertEqual(pf.express?.version, 2)
        XCTAssertEqual(pf.express?.functionLevelReset, true)
        XCTAssertEqual(pf.acs, ACSCapability(offset: 0x1b0, capabilities: 0, control: 0))
        XCTAssertEqual(pf.extendedCapabilitiesKnown, true)
    }

    /// The 2008 format: `Class 0200: Device 8086:10c9`, `[160]` without version at -vvv,
    /// VFs enabled.
    func testOldestPciutilsFormat() throws {
        let pf = try XCTUnwrap(LspciCorpus.parse("hexdump/pciutils-intel82576-igb-2.txt").function("09:00.0"))
        XCTAssertEqual(pf.vendorID, 0x8086)
        XCTAssertEqual(pf.deviceID, 0x10c9)
        XCTAssertEqual(pf.kernelModules, ["ipmi_si"])
        let sriov = try XCTUnwrap(pf.sriov)
        XCTAssertEqual(sriov.numVFs, 4)
        XCTAssertEqual(sriov.vfOffset, 128)
        XCTAssertEqual(sriov.vfStride, 2)
        XCTAssertEqual(sriov.vfDeviceID, 0x10ca)
        XCTAssertEqual(sriov.capability?.vfEnable, true)
        XCTAssertEqual(sriov.capability?.vfMemorySpaceEnable, true)
        XCTAssertEqual(sriov.capability?.version, 1, "not printed in 2008; the hex dump has it")
        XCTAssertEqual(pf.role, .pf)
        XCTAssertEqual(pf.virtfns, [], "the VFs (09:10.0, .2, .4, .6) are not in the output")
    }

    func testVerboseOnceShowsSRIOVWithoutDetails() throws {
        let pf = try XCTUnwrap(LspciCorpus.parse("lspci/iwl-e823-ice-vnn-1.txt").function("f4:00.0"))
        XCTAssertEqual(pf.role, .pf)
        XCTAssertEqual(pf.hasSRIOV, true)
        XCTAssertNil(pf.sriov?.totalVFs)
        XCTAssertEqual(pf.sriov?.capability?.offset, 0x160)
        XCTAssertEqual(pf.vendorID, 0x8086)
        XCTAssertEqual(pf.deviceID, 0x124c)
        XCTAssertEqual(pf.vendorName, "Intel Corporation")
        XCTAssertEqual(pf.express?.version, 0, "-v does not print the Express version")
    }

    func testUnknownNullAndVendorCapabilitiesAreKept() throws {
        let haswell = try LspciCorpus.parse("lspci/lkml-haswell-cx6dx-cx5-numeric-vn-1.txt")
        let port = try XCTUnwrap(haswell.function("00:01.0"))
        let caps = try XCTUnwrap(port.capabilities)
        XCTAssertTrue(caps.contains(Capability(space: .extended, id: 0x19, offset: 0x250)), "#19")
        XCTAssertTrue(caps.contains(Capability(space: .extended, id: 0x0b, offset: 0x100)), "vendor-specific <?>")
        XCTAssertTrue(caps.contains(Capability(space: .standard, id: 0x0d, offset: 0x40)), "Subsystem capability")
        XCTAssertEqual(port.subsystemVendorID, 0x8086)
        XCTAssertEqual(port.express?.portType, .rootPort)
        let dell = try LspciCorpus.parse("lspci/marcredhat-dell-p100-server-1.txt")
        XCTAssertTrue(dell.functions.contains { $0.capabilities?.contains(Capability(space: .extended, id: 0x04, offset: 0x150, version: 1)) == true },
                      "Power Budgeting <?>")
        let rootPort = try XCTUnwrap(LspciCorpus.parse("lspci/futros940-geminilake-rootports-2.txt").function("00:13.0"))
        let ext = try XCTUnwrap(rootPort.capabilities?.filter { $0.space == .extended })
        XCTAssertEqual(ext, [Capability(space: .extended, id: 0, offset: 0x100, version: 0),
                             Capability(space: .extended, id: 0x0d, offset: 0x140, version: 1),
                             Capability(space: .extended, id: 0, offset: 0x150, version: 0),
                             Capability(space: .extended, id: 0x1e, offset: 0x200, version: 1)])
        XCTAssertTrue(rootPort.hasOnlyRecognisedCapabilities)
    }

    func testRootPortARIForwardingAndACS() throws {
        let inventory = try LspciCorpus.parse("lspci/futros940-geminilake-rootports-2.txt")
        let first = try XCTUnwrap(inventory.function("00:13.0"))
        XCTAssertEqual(first.express?.portType, .rootPort)
        XCTAssertEqual(first.express?.version, 2)
        XCTAssertEqual(first.express?.ariForwardingSupported, true)
        XCTAssertEqual(first.express?.ariForwardingEnabled, true)
        XCTAssertEqual(first.acs, ACSCapability(offset: 0x140, capabilities: 0x0f, control: 0x0d))
        XCTAssertEqual(first.acs?.isolating, true)
        XCTAssertEqual(inventory.function("00:13.1")?.express?.ariForwardingEnabled, false)
    }

    /// ConnectX-3: `[18c v1] #19` is printed before `[108 v1] SR-IOV` (list order).
    func testCapabilitiesOutOfOffsetOrder() throws {
        let f = try XCTUnwrap(LspciCorpus.parse("hexdump/heioy-connectx3-mlx4-vvvx-1.txt").function("82:00.0"))
        XCTAssertEqual(f.capabilities?.map(\.offset), [0x40, 0x48, 0x9c, 0x60, 0xc0, 0x100, 0x148, 0x154, 0x18c, 0x108])
        XCTAssertEqual(f.sriov?.capability?.offset, 0x108)
        XCTAssertEqual(f.sriov?.totalVFs, 63)
        XCTAssertEqual(f.express?.offset, 0x60)
        XCTAssertEqual(f.vendorID, 0x15b3, "from the 64-byte hex dump")
        XCTAssertEqual(f.extendedCapabilitiesKnown, true, "the text showed extended capabilities; -x only dumps 64 bytes")
    }

    func testChainLoopedAndAccessDenied() throws {
        let text = """
        00:1c.0 PCI bridge: Intel Corporation Device 9d10 (rev f1)
        \tCapabilities: [40] Express (v2) Root Port (Slot+), MSI 00
        \tCapabilities: [100 v1] Advanced Error Reporting
        \tCapabilities: [100 v1] <chain looped>
        00:1f.0 ISA bridge: Intel Corporation Device 9d4e (rev 21)
        \tControl: I/O+ Mem+ BusMaster+ SpecCycle- MemWINV- VGASnoop- ParErr- Stepping- SERR- FastB2B- DisINTx-
        \tStatus: Cap+ 66MHz- UDF- FastB2B- ParErr- DEVSEL=medium >TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-
        \tCapabilities: <access denied>
        00:1d.0 PCI bridge: Intel Corporation Device 9d18 (rev f1)
        \tCapabilities: [40] Express (v2) Root Port (Slot+), MSI 00
        \tCapabilities: [100 v1] Advanced Error Reporting
        \tCapabilities: [1g0 v1] Single Root I/O Virtualiz
        """
        let inventory = try LspciTextParser.parse(text)
        XCTAssertNil(inventory.function("00:1d.0")?.hasSRIOV, "a damaged capability line may have been SR-IOV")
        XCTAssertEqual(inventory.issues.map(\.path), ["line 12"])
        let port = try XCTUnwrap(inventory.function("00:1c.0"))
        XCTAssertTrue(port.capabilityChainLooped)
        XCTAssertEqual(port.capabilities?.count, 2)
        XCTAssertEqual(port.hasSRIOV, false)
        let bridge = try XCTUnwrap(inventory.function("00:1f.0"))
        XCTAssertNil(bridge.capabilities)
        XCTAssertEqual(bridge.extendedCapabilitiesKnown, false)
        XCTAssertNil(bridge.hasSRIOV)
    }

    /// Express shown, no extended capability printed: "no" only if the capture could read
    /// extended space for some other function.
    func testExpressWithoutExtendedCapabilities() throws {
        let alone = """
        00:05.0 0880: 8086:2f28 (rev 02)
        \tCapabilities: [40] Express Root Complex Integrated Endpoint, MSI 00
        """
        XCTAssertNil(try LspciTextParser.parse(alone).functions.first?.hasSRIOV)
        let withOthers = alone + """

        00:05.1 0880: 8086:2f29 (rev 02)
        \tCapabilities: [40] Express Root Complex Integrated Endpoint, MSI 00
        \tCapabilities: [100] Vendor Specific Information: ID=0006 Rev=1 Len=010 <?>
        """
        XCTAssertEqual(try LspciTextParser.parse(withOthers).function("00:05.0")?.hasSRIOV, false)
    }

    // MARK: - hex dumps

    /// `-v`-style SR-IOV line without details plus the 4 KiB dump: the dump fills TotalVFs.
    func testHexDumpFillsWhatTheTextLacks() throws {
        let text = try LspciCorpus.text("hexdump/pciutils-intel82576-igb-1.txt")
        let stripped = Self.droppingDetails(of: "Single Root I/O Virtualization", in: text)
        XCTAssertFalse(stripped.contains("Total VFs"))
        let pf = try XCTUnwrap(LspciTextParser.parse(stripped).function("01:00.0"))
        XCTAssertEqual(pf.sriov?.totalVFs, 8)
        XCTAssertEqual(pf.sriov?.numVFs, 1)
        XCTAssertEqual(pf.sriov?.vfOffset, 384)
        XCTAssertEqual(pf.sriov?.vfDeviceID, 0x10ca)
        XCTAssertEqual(pf.sriov?.source, "lspci-hex")
        // Where text and dump disagree, the text wins.
        let edited = text.replacingFirst("Total VFs: 8", with: "Total VFs: 7")
        let fromText = try XCTUnwrap(LspciTextParser.parse(edited).function("01:00.0"))
        XCTAssertEqual(fromText.sriov?.totalVFs, 7)
        XCTAssertEqual(fromText.sriov?.source, "lspci")
    }

    func testHexOnlyDumpsDecodeThroughConfigSpace() throws {
        let machine = try LspciCorpus.parse("hexdump/pcitool-i350-machine-1.txt")
        let pf = try XCTUnwrap(machine.function("01:00.0"))
        XCTAssertEqual(pf.vendorID, 0x8086)
        XCTAssertEqual(pf.deviceID, 0x1521)
        XCTAssertEqual(pf.sriov?.source, "lspci-hex")
        XCTAssertEqual(pf.sriov?.vfOffset, 384)
        XCTAssertEqual(pf.sriov?.vfStride, 4)
        XCTAssertEqual(pf.sriov?.vfDeviceID, 0x1520)
        XCTAssertEqual(machine.functions.filter { $0.extendedCapabilitiesKnown == true }.count, 23)
        // The same machine dumped with -xxx: 256 bytes, so SR-IOV is unknown, not absent.
        let short = try XCTUnwrap(LspciCorpus.parse("hexdump/pcitool-i350-machine-xxx-2.txt").function("01:00.0"))
        XCTAssertEqual(short.extendedCapabilitiesKnown, false)
        XCTAssertNil(short.hasSRIOV)
        XCTAssertEqual(short.express?.portType, .endpoint)
    }

    func testBrokenHexDumpIsCutAndReported() throws {
        let text = """
        00:00.0 Host bridge: Intel Corporation Device 1234
        00: 86 80 34 12 06 00 10 00 00 00 00 06 00 00 00 00
        10: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        30: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        """
        let inventory = try LspciTextParser.parse(text)
        XCTAssertEqual(inventory.functions.first?.vendorID, 0x8086, "the device line had no vendor ID; the dump has")
        XCTAssertEqual(inventory.functions.first?.deviceID, 0x1234)
        XCTAssertEqual(inventory.functions.first?.classCode, 0x06_00_00)
        XCTAssertEqual(inventory.functions.first?.extendedCapabilitiesKnown, false)
        XCTAssertEqual(inventory.issues.map(\.path), ["line 4"])
    }

    // MARK: - roles

    /// The I350 PF (NumVFs 1, offset 384, stride 4) and its VF pasted one after the other.
    func testVFFoundAtTheAddressThePFComputes() throws {
        let text = try LspciCorpus.text("lspci/jackhuang-i350t4-igb-pf-1.txt") + "\n" + LspciCorpus.text("lspci/jackhuang-i350vf-igbvf-2.txt")
        let inventory = try LspciTextParser.parse(text)
        let pf = try XCTUnwrap(inventory.function("04:00.0"))
        let vf = try XCTUnwrap(inventory.function("05:10.0"))
        XCTAssertEqual(pf.role, .pf)
        XCTAssertEqual(pf.virtfns, [vf.address])
        XCTAssertEqual(vf.role, .vf)
        XCTAssertEqual(vf.physfn, pf.address)
        XCTAssertEqual(inventory.sriovView.map(\.address), [pf.address, vf.address])
    }

    /// Some root complexes show the PF's SR-IOV capability in their VFs too: a function at a
    /// VF address of a PF before it is a VF all the same.
    func testVFShowingAnSRIOVCapabilityIsStillAVF() throws {
        func block(_ address: String, numVFs: Int) -> String {
            """
            \(address) Ethernet controller: Freescale Semiconductor Inc Device e100 (rev 01)
            \tCapabilities: [40] Express (v2) Root Complex Integrated Endpoint, MSI 00
            \tCapabilities: [140 v1] Single Root I/O Virtualization (SR-IOV)
            \t\tIOVCtl:\tEnable+ Migration- Interrupt- MSE+ ARIHierarchy-
            \t\tInitial VFs: 2, Total VFs: 2, Number of VFs: \(numVFs), Function Dependency Link: 00
            \t\tVF offset: 8, stride: 1, Device ID: ef00

            """
        }
        let text = block("00:00.0", numVFs: 2) + block("00:01.0", numVFs: 0) + block("00:01.1", numVFs: 0) + block("00:02.0", numVFs: 0)
        let inventory = try LspciTextParser.parse(text)
        XCTAssertEqual(inventory.functions.map(\.role), [.pf, .vf, .vf, .pf])
        XCTAssertEqual(inventory.function("00:00.0")?.virtfns.map(\.shortDescription), ["00:01.0", "00:01.1"])
        XCTAssertEqual(inventory.function("00:01.1")?.physfn?.shortDescription, "00:00.0")
        XCTAssertNil(inventory.function("00:02.0")?.physfn)
    }

    func testVFByNameOrVirtualBARs() throws {
        let guest = try LspciCorpus.parse("lspci/awsm4-82599vf-ixgbevf-1.txt")
        XCTAssertEqual(guest.function("00:03.0")?.role, .vf)
        XCTAssertNil(guest.function("00:03.0")?.physfn)
        XCTAssertEqual(guest.function("00:01.1")?.role, FunctionRole.none, "IDE: four [virtual] regions and one real one")
        let vf = try XCTUnwrap(LspciCorpus.parse("lspci/jackhuang-i350vf-igbvf-2.txt").function("05:10.0"))
        XCTAssertEqual(vf.role, .vf)
        let renamed = try LspciCorpus.text("lspci/jackhuang-i350vf-igbvf-2.txt").replacingFirst("Virtual Function (rev 01)", with: "Device 1520 (rev 01)")
        XCTAssertEqual(try LspciTextParser.parse(renamed).functions.first?.role, .vf, "all BARs [virtual] on a PCIe function")
        // An LPSS controller in D3 shows [virtual] on its only BAR, but it is conventional PCI.
        XCTAssertEqual(try LspciCorpus.parse("hexdump/pcitool-asus-coffeelake-laptop-1.txt").function("00:15.0")?.role, FunctionRole.none)
    }

    func testNamesFromPCIIDsMakeANumericVFKnown() throws {
        let ids = "8086  Intel Corporation\n\t10ed  82599 Ethernet Controller Virtual Function\n\t1237  440FX - 82441FX PMC [Natoma]\nC 02  Network controller\n\t00  Ethernet controller\n"
        let inventory = try LspciCorpus.parse("lspci/awsm4-82599vf-ixgbevf-numeric-2.txt", names: PCIIDs(bytes: Array(ids.utf8)))
        let vf = try XCTUnwrap(inventory.function("00:03.0"))
        XCTAssertEqual(vf.vendorName, "Intel Corporation")
        XCTAssertEqual(vf.deviceName, "82599 Ethernet Controller Virtual Function")
        XCTAssertEqual(vf.className, "Ethernet controller")
        XCTAssertEqual(vf.role, .vf)
        XCTAssertEqual(inventory.function("00:00.0")?.deviceName, "440FX - 82441FX PMC [Natoma]")
    }

    // MARK: - paste artefacts

    func testCRLFNBSPSpaceBeforeTabAndEscapesGiveTheSameResult() throws {
        let text = try LspciCorpus.text("lspci/jackhuang-i350t4-igb-pf-1.txt")
        let reference = try LspciTextParser.parse(text)
        XCTAssertEqual(reference.functions.first?.sriov?.totalVFs, 8)
        let variants = [
            text.replacingAll("\n", with: "\r\n"),
            text.replacingAll("\n\t", with: "\n\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}"),
            text.replacingAll("\n\t", with: "\n \t"),
            text.replacingAll("\n", with: "   \n"),
            "\u{1b}[1m" + text.replacingFirst("\n", with: "\u{1b}[0m\n"),
            "```\n$ sudo lspci -vvv -s 04:00.0\nlspci: Unable to load libkmod resources: error -12\n" + text + "\n```\n",
        ]
        for (i, variant) in variants.enumerated() {
            let parsed = try LspciTextParser.parse(variant)
            XCTAssertEqual(parsed.functions, reference.functions, "variant \(i)")
        }
    }

    /// A mail reply quotes every line with `>`; hw-probe and people hide serial numbers and
    /// addresses behind `...`.
    func testQuotedAndAnonymisedPastes() throws {
        let text = try LspciCorpus.text("lspci/dpdkplayground-x550t2-ixgbe-1.txt")
        let reference = try LspciTextParser.parse(text)
        let quoted = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
        XCTAssertEqual(try LspciTextParser.parse(quoted).functions, reference.functions)
        let anonymised = text.replacingFirst("Device Serial Number 9f-c3-b5-ff-ff-48-00-00", with: "Device Serial Number ...")
            .replacingFirst("Memory at 6004800000", with: "Memory at ...")
            .replacingFirst("Subsystem: Intel Corporation Ethernet Converged Network Adapter X550-T2", with: "Subsystem: ...")
        let parsed = try XCTUnwrap(LspciTextParser.parse(anonymised).functions.first)
        XCTAssertEqual(parsed.capabilities, reference.functions.first?.capabilities)
        XCTAssertTrue(parsed.capabilities?.contains(Capability(space: .extended, id: 0x03, offset: 0x140, version: 1)) == true)
        XCTAssertEqual(parsed.sriov, reference.functions.first?.sriov)
    }

    func testTerminalPaddingAfterALine() throws {
        let f = try XCTUnwrap(LspciCorpus.parse("lspci/lkml-rcar-samsung-pm173x-nvme-1.txt").function("01:00.0"))
        XCTAssertEqual(f.express?.portType, .endpoint)
        XCTAssertEqual(f.express?.offset, 0x70)
    }

    /// `lspci -nnk`: no blank line between devices.
    func testKernelOutputWithoutBlankLines() throws {
        let inventory = try LspciCorpus.parse("lspci/onizuka-i350vf-igbvf-nnk-1.txt")
        XCTAssertEqual(inventory.functions.count, 8)
        for f in inventory.functions {
            XCTAssertEqual(f.vendorID, 0x8086)
            XCTAssertEqual(f.deviceID, 0x1520)
            XCTAssertEqual(f.kernelModules, ["igbvf"])
            XCTAssertNil(f.driver)
            XCTAssertNil(f.capabilities, "-k without -v prints no capabilities")
            XCTAssertEqual(f.role, .vf)
        }
    }

    func testFragmentWithoutDeviceLine() throws {
        let inventory = try LspciCorpus.parse("lspci/iwl-82599es-ixgbe-fragment-1.txt")
        XCTAssertTrue(inventory.functions.isEmpty, "no made-up address")
        let fragment = try XCTUnwrap(inventory.unaddressedFunctions.first)
        XCTAssertEqual(fragment.firstLine, 1)
        XCTAssertEqual(fragment.sriov?.totalVFs, 64)
        XCTAssertEqual(fragment.sriov?.vfDeviceID, 0x10ed)
        XCTAssertEqual(fragment.hasSRIOV, true)
        XCTAssertEqual(inventory.issues.count, 1)
        XCTAssertTrue(inventory.issues.first?.message.contains("address is unknown") == true)
    }

    func testHexDumpWithoutDeviceLine() throws {
        let text = try LspciCorpus.text("hexdump/magnate3-hi1822-hinic-xxx-1.txt")
        let dumpOnly = text.split(separator: "\n").dropFirst().joined(separator: "\n")
        let inventory = try LspciTextParser.parse(dumpOnly)
        XCTAssertTrue(inventory.functions.isEmpty)
        let fragment = try XCTUnwrap(inventory.unaddressedFunctions.first)
        XCTAssertEqual(fragment.vendorID, 0x19e5)
        XCTAssertEqual(fragment.deviceID, 0x0200)
        XCTAssertEqual(fragment.extendedCapabilitiesKnown, false)
        XCTAssertNil(fragment.hasSRIOV)
    }

    func testStderrLinesInTheMiddle() throws {
        let inventory = try LspciCorpus.parse("lspci/futros940-rtl8125-r8169-sriov-1.txt")
        XCTAssertEqual(inventory.functions.map(\.address.shortDescription), ["01:00.0", "02:00.0", "03:00.0"])
        XCTAssertTrue(inventory.issues.isEmpty)
    }

    // MARK: - refusals

    func testInputThatIsNotLspciOutput() {
        var jpeg: [UInt8] = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00]
        for i in 0..<2000 { jpeg.append(UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7)) }
        let cases: [(String, Int, String)] = [
            ("", 1, "empty"),
            ("\n  \n\t\n", 1, "empty"),
            ("hello world", 1, "expected lspci output"),
            ("{\"devices\": [{\"address\": \"0000:00:00.0\"}]}\n", 1, "expected lspci output"),
            (String(decoding: jpeg, as: UTF8.self), 1, "expected lspci output"),
            ("lspci: Unable to load libkmod resources: error -12\n", 1, "no PCI device found"),
            ("\n\nSlot:\t00:00.0\nClass:\tHost bridge\n", 3, "expected lspci output"),
            ("00:00.0 \"Host bridge\" \"Intel Corporation\" \"Device 1237\" -r02 \"\" \"\"\n", 1, "lspci -m"),
        ]
        for (input, line, words) in cases {
            XCTAssertThrowsError(try LspciTextParser.parse(input), input.debugDescription.prefix(40) + "") { error in
                guard let error = error as? LspciParseError else { return XCTFail("not a LspciParseError: \(error)") }
                XCTAssertEqual(error.line, line, error.description)
                XCTAssertTrue(error.message.contains(words), error.description)
                XCTAssertTrue(error.description.hasPrefix("line \(line): "))
            }
        }
    }

    /// Prose after the output is skipped with a note naming its line; the function is the
    /// same as without it. Input with no lspci output at all is still refused.
    func testProseAfterTheOutputIsSkippedWithItsLine() throws {
        let text = try LspciCorpus.text("lspci/dpdkplayground-x550vf-ixgbevf-1.txt")
        let reference = try LspciTextParser.parse(text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        let parsed = try LspciTextParser.parse(text + "Then I rebooted the host and ran it again, same result.\n")
        XCTAssertEqual(parsed.functions, reference.functions)
        XCTAssertEqual(parsed.issues.map(\.message), ["line \(lines): not lspci output, skipped"])
        XCTAssertThrowsError(try LspciTextParser.parse("        some indented words without a key\n")) { error in
            XCTAssertEqual((error as? LspciParseError)?.line, 1)
        }
    }

    // MARK: - helpers

    /// The text without the detail lines under the capability named `name`.
    static func droppingDetails(of name: String, in text: String) -> String {
        var dropping = false
        var kept: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.contains("Capabilities:") { dropping = line.contains(name) } else if dropping, line.hasPrefix("\t\t") { continue } else { dropping = false }
            kept.append(line)
        }
        return kept.joined(separator: "\n")
    }
}

extension PCIFunction {
    /// No capability entry carries the "name not recognised" ID.
    var hasOnlyRecognisedCapabilities: Bool { !(capabilities ?? []).contains { $0.id == 0xffff } }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }

    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return self[startIndex..<range.lowerBound] + replacement + self[range.upperBound...]
    }
}
