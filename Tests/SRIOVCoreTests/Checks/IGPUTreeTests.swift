import Foundation
import XCTest
import HostAccess
import GPUTreeSupport
@testable import SRIOVCore

/// The iGPU states, each as a host tree from real captured values (GPUTreeSupport.IGPUTree):
/// golden `check` verdicts of the device and activation stages, the facts the GPU reader
/// gets, and the snapshot round trip giving the same verdicts.
final class IGPUTreeTests: XCTestCase {
    typealias L = CheckLevel

    /// check id -> level, per state (device + activation stages).
    /// vf-passthrough: VM 100 ('win11', q35) names 0000:00:02.1, so without VFs it cannot start
    /// (fail), and with them the Windows guest needs the graphics driver (warn).
    static let golden: [IGPUTree.State: [String: CheckLevel]] = [
        .stockI915: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .fail,
                     "vfs-enabled": .fail, "vf-driver-bound": .skip, "vfs-persistent": .skip, "vf-iommu-groups": .skip,
                     "vf-mac-addresses": .skip, "vf-passthrough": .fail],
        .dkmsWithoutMaxVFs: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .fail, "driver-support": .warn,
                             "vfs-enabled": .fail, "vf-driver-bound": .skip, "vfs-persistent": .skip, "vf-iommu-groups": .skip,
                             "vf-mac-addresses": .skip, "vf-passthrough": .fail],
        .dkmsNoVFs: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .pass,
                     "vfs-enabled": .fail, "vf-driver-bound": .skip, "vfs-persistent": .skip, "vf-iommu-groups": .skip,
                     "vf-mac-addresses": .skip, "vf-passthrough": .fail],
        .vfsByHand: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .pass,
                     "vfs-enabled": .pass, "vf-driver-bound": .warn, "vfs-persistent": .warn, "vf-iommu-groups": .pass,
                     "vf-mac-addresses": .skip, "vf-passthrough": .warn],
        .vfsPersistent: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .pass,
                         "vfs-enabled": .pass, "vf-driver-bound": .warn, "vfs-persistent": .pass, "vf-iommu-groups": .pass,
                         "vf-mac-addresses": .skip, "vf-passthrough": .warn],
        .vfsOnVFIO: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .pass,
                     "vfs-enabled": .pass, "vf-driver-bound": .pass, "vfs-persistent": .pass, "vf-iommu-groups": .pass,
                     "vf-mac-addresses": .skip, "vf-passthrough": .warn],
        .pfInVM: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .pass,
                  "vfs-enabled": .pass, "vf-driver-bound": .pass, "vfs-persistent": .pass, "vf-iommu-groups": .pass,
                  "vf-mac-addresses": .skip, "vf-passthrough": .fail],
        .adlnXe: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .pass,
                  "vfs-enabled": .pass, "vf-driver-bound": .pass, "vfs-persistent": .pass, "vf-iommu-groups": .pass,
                  "vf-mac-addresses": .skip, "vf-passthrough": .warn],
        .vfBARsUnassigned: ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .fail, "driver-support": .pass,
                            "vfs-enabled": .fail, "vf-driver-bound": .skip, "vfs-persistent": .skip, "vf-iommu-groups": .skip,
                            "vf-mac-addresses": .skip, "vf-passthrough": .fail],
    ]

    static func tree(_ state: IGPUTree.State) throws -> String {
        let root = try ScratchTree.make("igpu-" + state.rawValue)
        try IGPUTree.write(state, to: root)
        return root
    }

    static func levels(_ root: String) throws -> [String: CheckLevel] {
        VFCheckTrees.levels(try VFCheckTrees.context(root))
    }

    static func results(_ root: String, _ check: any Check.Type) throws -> [CheckResult] {
        check.run(try VFCheckTrees.context(root))
    }

    func testGoldenVerdictsForEveryState() throws {
        var report: [String] = []
        for state in IGPUTree.State.allCases {
            let root = try Self.tree(state)
            defer { ScratchTree.remove(root) }
            let levels = try Self.levels(root)
            let expected = try XCTUnwrap(Self.golden[state], "no golden verdicts for \(state)")
            var diffs: [String] = []
            for (id, level) in levels.sorted(by: { $0.key < $1.key }) where expected[id] != level {
                diffs.append("\(id): got \(level), golden \(expected[id].map(\.rawValue) ?? "none")")
            }
            if !diffs.isEmpty {
                let context = try VFCheckTrees.context(root)
                for check in VFCheckTrees.deviceChecks + VFCheckTrees.activationChecks {
                    for r in check.run(context) where diffs.contains(where: { $0.hasPrefix(r.id + ":") }) {
                        report.append("  \(state.rawValue) \(r.id) \(r.level): \(r.summary.en)")
                    }
                }
            }
            XCTAssertEqual(diffs, [], "\(state.rawValue)")
        }
        if !report.isEmpty { print(report.joined(separator: "\n")) }
    }

    func testReaderRecognisesTheIGPU() throws {
        let root = try Self.tree(.vfsOnVFIO)
        defer { ScratchTree.remove(root) }
        let context = try VFCheckTrees.context(root)
        let pf = try XCTUnwrap(context.inventory.function(GPUHost.igpuAddress))
        XCTAssertTrue(GPUHost.isIntelIGPU(pf))
        XCTAssertEqual(pf.express?.portType, .rootComplexIntegratedEndpoint)
        XCTAssertEqual(pf.sriov?.capability?.offset, 0x320)
        XCTAssertEqual(pf.virtfns.map(\.description), (1...7).map { "0000:00:02.\($0)" })
        let gpu = try XCTUnwrap(GPUHost.read(context.machine, pf))
        XCTAssertEqual(gpu.platform?.id, "adl-p")
        XCTAssertEqual(gpu.build, .dkms)
        XCTAssertEqual(gpu.dkmsInstalledForKernel, true)
        XCTAssertEqual(gpu.maxVFsParameter, 7)
        XCTAssertEqual(gpu.secureBoot, false)
        XCTAssertEqual(gpu.unassignedVFBARs, [])
        // The NIC at the lab's sample host is no GPU.
        let nic = try VFCheckTrees.context(VFCheckTrees.sampleHost)
        XCTAssertTrue(nic.inventory.functions.allSatisfy { GPUHost.kind($0) == nil })
    }

    /// `modinfo i915`: the dkms build shows its max_vfs parameter and no signature; the in-tree
    /// one its signer. With Secure Boot on, an unsigned dkms module is named as the reason.
    func testModuleInfoTellsBuildAndSignature() throws {
        let dkms = try Self.tree(.dkmsNoVFs)
        defer { ScratchTree.remove(dkms) }
        var r = try VFCheckTrees.only(Self.results(dkms, DriverSupportCheck.self))
        VFCheckTrees.assertEvidence(r, "modinfo i915: /lib/modules/6.14.11-2-pve/updates/dkms/i915.ko, version 2026.03.05.1, not signed, has parameter max_vfs")
        let stock = try Self.tree(.stockI915)
        defer { ScratchTree.remove(stock) }
        r = try VFCheckTrees.only(Self.results(stock, DriverSupportCheck.self))
        VFCheckTrees.assertEvidence(r, "modinfo i915: /lib/modules/6.14.11-2-pve/kernel/drivers/gpu/drm/i915/i915.ko, signer: Build time autogenerated kernel key")
        // Secure Boot on, the dkms build installed for this kernel but the in-tree i915 loaded,
        // and modinfo shows no signature: the hint names it.
        func record(_ root: String, _ argv: [String], _ stdout: String) throws {
            try VFCheckTrees.write(root, RecordedCommandRunner.directory + "/" + RecordedCommandRunner.key(for: argv) + ".stdout", stdout)
        }
        try record(stock, ["mokutil", "--sb-state"], "SecureBoot enabled\n")
        try record(stock, ["dkms", "status"], "i915-sriov-dkms/2026.03.05.1, 6.14.11-2-pve, x86_64: installed\n")
        try record(stock, ["modinfo", "i915"], "filename:       /lib/modules/6.14.11-2-pve/kernel/drivers/gpu/drm/i915/i915.ko\nlicense:        GPL and additional rights\n")
        r = try VFCheckTrees.only(Self.results(stock, DriverSupportCheck.self))
        VFCheckTrees.assertContains(r.hint.en, "modinfo shows the module is not signed")
        VFCheckTrees.assertContains(r.hint.es, "no está firmado")
        // Without `modinfo -n`, the full record alone tells the dkms build.
        let key = RecordedCommandRunner.directory + "/" + RecordedCommandRunner.key(for: ["modinfo", "-n", "i915"])
        try VFCheckTrees.write(dkms, key + ".status", "1\n")
        try VFCheckTrees.write(dkms, key + ".stdout", "")
        VFCheckTrees.remove(dkms, "/sys/module/i915/parameters/max_vfs")
        let gpu = try XCTUnwrap(GPUHost.read(Machine(root: dkms), try XCTUnwrap(try VFCheckTrees.context(dkms).inventory.function(GPUHost.igpuAddress))))
        XCTAssertEqual(gpu.build, .dkms)
        XCTAssertEqual(gpu.moduleSigned, false)
    }

    func testStockDriverIsNamedAndTheMatchingDKMSReleaseGiven() throws {
        let root = try Self.tree(.stockI915)
        defer { ScratchTree.remove(root) }
        let r = try VFCheckTrees.only(Self.results(root, DriverSupportCheck.self))
        XCTAssertEqual(r.level, .fail)
        VFCheckTrees.assertContains(r.summary.en, "in-tree")
        VFCheckTrees.assertContains(r.summary.en, "Alder Lake-P")
        VFCheckTrees.assertContains(r.hint.en, "i915-sriov-dkms 2026.03.05.1")
        VFCheckTrees.assertContains(r.hint.en, "proxmox-headers-6.14.11-2-pve")
        VFCheckTrees.assertEvidence(r, "modinfo -n i915: /lib/modules/6.14.11-2-pve/kernel/")
        VFCheckTrees.assertEvidence(r, "INTEL_ADLP_IDS")
        XCTAssertFalse(r.summary.en.contains("not in the wizard's knowledge"))
    }

    func testKernelLogSignaturesBecomeEvidenceAndHints() throws {
        let root = try Self.tree(.vfsOnVFIO)
        defer { ScratchTree.remove(root) }
        var r = try VFCheckTrees.only(Self.results(root, DriverSupportCheck.self))
        XCTAssertEqual(r.level, .pass)
        VFCheckTrees.assertEvidence(r, "dmesg: i915 0000:00:02.0: Running in SR-IOV PF mode — ")
        VFCheckTrees.assertEvidence(r, "dmesg: i915 0000:00:02.0: Enabled 7 VFs — The driver created VFs.")
        let dmesg = RecordedCommandRunner.directory + "/dmesg.stdout"
        let old = try Machine(root: root).readText(dmesg)
        try VFCheckTrees.write(root, dmesg, old + "[   90.000000] i915 0000:00:02.0: not enough MMIO resources for SR-IOV\n"
                               + "[   90.000001] i915 0000:00:02.0: [drm] *ERROR* Failed to enable 2 VFs (-ENOMEM)\n")
        r = try VFCheckTrees.only(Self.results(root, DriverSupportCheck.self))
        XCTAssertEqual(r.level, .warn)
        VFCheckTrees.assertContains(r.summary.en, "enabling VFs fails with ENOMEM")
        VFCheckTrees.assertContains(r.hint.en, "pci=realloc")
        VFCheckTrees.assertEvidence(r, "Failed to enable 2 VFs (-ENOMEM)")
    }

    func testBIOSStageNamesTheIGPUItems() throws {
        let root = try Self.tree(.dkmsWithoutMaxVFs)
        defer { ScratchTree.remove(root) }
        let r = try VFCheckTrees.only(SRIOVBIOSSettingCheck.run(try VFCheckTrees.context(root)))
        VFCheckTrees.assertContains(r.hint.en, "keep the iGPU enabled with a discrete GPU")
        // The tree is a Lenovo (DMI LENOVO): Lenovo's words, the generic ones where it has none.
        VFCheckTrees.assertContains(r.hint.en, "Lenovo firmware: ")
        VFCheckTrees.assertContains(r.hint.en, "«Devices» >> «Video Setup» >> «Multi-Monitor Support» = Enabled")
        VFCheckTrees.assertContains(r.hint.en, "«Security» >> «Virtualization» >> «Intel(R) VT-d Feature»")
        VFCheckTrees.assertContains(r.hint.en, "Intel VMD")
        VFCheckTrees.assertContains(r.hint.es, "Firmware de Lenovo: ")
        VFCheckTrees.assertContains(r.hint.es, "mantener el iGPU activo")
        VFCheckTrees.assertEvidence(r, "BIOS menu words for the Intel iGPU: gpu.json Lenovo (lenovo")
        XCTAssertFalse(r.hint.en.contains("ARI"), r.hint.en)
    }

    /// The same iGPU on other boards: each board vendor's own words from DMI, the generic AMI
    /// words on a board no vendor entry matches (a Beelink mini PC reports `AZW`).
    func testBIOSHintUsesTheBoardVendorsWords() throws {
        let root = try Self.tree(.dkmsWithoutMaxVFs)
        defer { ScratchTree.remove(root) }
        let cases: [(vendor: String, en: [String], es: String)] = [
            ("ASUSTeK COMPUTER INC.", ["ASUS firmware: ", "«Advanced» >> «System Agent (SA) Configuration» >> «Graphics Configuration» >> «iGPU Multi-Monitor» = Enabled"], "Firmware de ASUS: "),
            ("Gigabyte Technology Co., Ltd.", ["«Settings» >> «IO Ports» >> «Internal Graphics» = Enabled", "«Settings» >> «Miscellaneous» >> «VT-d»"], "Firmware de Gigabyte: "),
            ("Micro-Star International Co., Ltd.", ["«IGD Multi-Monitor» = Enabled", "«OC» >> «CPU Features» >> «Intel VT-D Tech»"], "Firmware de MSI: "),
            ("ASRock", ["«Advanced» >> «Chipset Configuration» >> «IGPU Multi-Monitor» = Enabled"], "Firmware de ASRock: "),
            ("Dell Inc.", ["«Display» >> «Multi-Display»", "«Virtualization Support» >> «VT for Direct I/O»"], "Firmware de Dell: "),
            ("HP", ["«Advanced» >> «Built-In Device Options» >> «Integrated Video»", "Hybrid Graphics"], "Firmware de HP: "),
            ("Intel Corporation", ["Intel NUC firmware: ", "«Advanced» >> «Security» >> «Security Features» >> «Intel VT for Directed I/O (VT-d)»", "keep the iGPU enabled with a discrete GPU: A NUC's only GPU"], "Firmware de Intel NUC: "),
            ("AZW", ["«Chipset» >> «Graphics Configuration» >> «IGD Multi-Monitor»", "«Chipset» >> «System Agent (SA) Configuration» >> «VT-d»"], "mantener el iGPU activo"),
        ]
        for c in cases {
            for name in ["sys_vendor", "board_vendor"] {
                try VFCheckTrees.write(root, "/sys/class/dmi/id/" + name, c.vendor + "\n")
            }
            let r = try VFCheckTrees.only(SRIOVBIOSSettingCheck.run(try VFCheckTrees.context(root)))
            for text in c.en { VFCheckTrees.assertContains(r.hint.en, text) }
            VFCheckTrees.assertContains(r.hint.es, c.es)
            if c.vendor == "AZW" { XCTAssertFalse(r.hint.en.contains(" firmware: "), r.hint.en) }
        }
    }

    func testZeroTotalVFsWithDKMSIsNotAFirmwareSwitch() throws {
        let root = try Self.tree(.dkmsWithoutMaxVFs)
        defer { ScratchTree.remove(root) }
        let r = try VFCheckTrees.only(Self.results(root, VFCapacityCheck.self))
        XCTAssertEqual(r.level, .fail)
        VFCheckTrees.assertContains(r.summary.en, "max_vfs")
        VFCheckTrees.assertContains(r.summary.en, "not a firmware switch")
        VFCheckTrees.assertContains(r.hint.en, "apply --igpu")
        XCTAssertFalse(r.summary.en.contains("BIOS"))
    }

    func testUnassignedVFBARsNameTheBIOSSettingAndRealloc() throws {
        let root = try Self.tree(.vfBARsUnassigned)
        defer { ScratchTree.remove(root) }
        let r = try VFCheckTrees.only(Self.results(root, VFCapacityCheck.self))
        XCTAssertEqual(r.level, .fail)
        VFCheckTrees.assertContains(r.summary.en, "VF BARs are not assigned")
        VFCheckTrees.assertContains(r.hint.en, "Above 4G Decoding")
        VFCheckTrees.assertContains(r.hint.en, "pci=realloc")
        VFCheckTrees.assertEvidence(r, "VF BAR 2 at address 0 (unassigned)")
        // With TotalVFs still 7 (a driver that does not check), the same BARs warn of ENOMEM.
        let machine = Machine(root: root)
        try VFCheckTrees.write(root, "/sys/bus/pci/devices/0000:00:02.0/sriov_totalvfs", "7\n")
        let again = try VFCheckTrees.only(VFCapacityCheck.run(CheckContext(machine: machine, inventory: try SysfsInventory.load(machine))))
        XCTAssertEqual(again.level, .warn)
        VFCheckTrees.assertContains(again.summary.en, "ENOMEM")
    }

    func testARIPassesWithTheReason() throws {
        let root = try Self.tree(.dkmsNoVFs)
        defer { ScratchTree.remove(root) }
        let r = try VFCheckTrees.only(Self.results(root, ARICapabilityCheck.self))
        XCTAssertEqual(r.level, .pass)
        VFCheckTrees.assertContains(r.summary.en, "Root Complex Integrated Endpoint")
        let forwarding = try VFCheckTrees.only(ARIForwardingCheck.run(try VFCheckTrees.context(root)))
        XCTAssertEqual(forwarding.level, .pass)
    }

    func testMaxVFsOnTheCommandLineIsNotPersistence() throws {
        let root = try Self.tree(.vfsByHand)
        defer { ScratchTree.remove(root) }
        let r = try VFCheckTrees.only(Self.results(root, VFsPersistentCheck.self))
        XCTAssertEqual(r.level, .warn, r.summary.en)
        VFCheckTrees.assertEvidence(r, "i915.max_vfs=7 — this only allows VFs")
        VFCheckTrees.assertContains(r.hint.en, "devices/pci0000:00/0000:00:02.0/sriov_numvfs = 7")
        VFCheckTrees.assertContains(r.hint.en, "apt install sysfsutils")
        let bound = try VFCheckTrees.only(Self.results(root, VFDriverBoundCheck.self))
        XCTAssertEqual(bound.level, .warn)
        VFCheckTrees.assertContains(bound.hint.en, "vfio-pci")
        VFCheckTrees.assertContains(bound.hint.en, #"KERNEL=="0000:00:02.[1-7]""#)
    }

    func testSysfsutilsPersistenceIsVerified() throws {
        let root = try Self.tree(.vfsPersistent)
        defer { ScratchTree.remove(root) }
        XCTAssertEqual(try VFCheckTrees.only(Self.results(root, VFsPersistentCheck.self)).level, .pass)
        // Without the sysfsutils service the line does nothing.
        VFCheckTrees.remove(root, "/usr/lib/systemd/system/sysfsutils.service")
        XCTAssertEqual(try VFCheckTrees.only(Self.results(root, VFsPersistentCheck.self)).level, .note)
    }

    func testPFInAVMConfigFailsNamingTheVM() throws {
        let root = try Self.tree(.pfInVM)
        defer { ScratchTree.remove(root) }
        let r = try VFCheckTrees.only(Self.results(root, VFPassthroughCheck.self), "0000:00:02.0")
        XCTAssertEqual(try Self.results(root, VFPassthroughCheck.self).count, 1, "`00:02` is the PF's fail, not 7 VF uses")
        XCTAssertEqual(r.level, .fail)
        VFCheckTrees.assertContains(r.summary.en, "VM 100")
        VFCheckTrees.assertContains(r.hint.en, "0000:00:02.1,pcie=1")
        VFCheckTrees.assertEvidence(r, "hostpci0")
    }

    func testFreeVFsGetTheGuestNotes() throws {
        let root = try Self.tree(.vfsOnVFIO)
        defer { ScratchTree.remove(root) }
        let r = try VFCheckTrees.only(Self.results(root, VFPassthroughCheck.self), "0000:00:02.0")
        XCTAssertEqual(r.level, .note)
        let windows = try VFCheckTrees.only(Self.results(root, VFPassthroughCheck.self), "0000:00:02.1")
        XCTAssertEqual(windows.level, .warn, "VM 100 is Windows")
        VFCheckTrees.assertContains(windows.hint.en, "In VM 100 'win11' (Windows): ")
        VFCheckTrees.assertContains(windows.hint.en, "32.0.101.6460")
        VFCheckTrees.assertContains(r.hint.en, "32.0.101.6460")
        VFCheckTrees.assertContains(r.hint.en, "CPU type host")
        VFCheckTrees.assertContains(r.hint.en, "romfile")
        VFCheckTrees.assertContains(r.hint.en, "Display none")
        VFCheckTrees.assertContains(r.hint.en, "same i915-sriov-dkms module inside the guest")
    }

    func testSnapshotRoundTripGivesTheSameVerdicts() throws {
        for state in [IGPUTree.State.stockI915, .dkmsWithoutMaxVFs, .vfsOnVFIO, .pfInVM, .adlnXe, .vfBARsUnassigned] {
            let root = try Self.tree(state)
            defer { ScratchTree.remove(root) }
            let copy = try ScratchTree.make("igpu-snap-" + state.rawValue)
            defer { ScratchTree.remove(copy) }
            _ = try Snapshot.take(from: Machine(root: root), to: copy, now: "2026-12-01T23:00:00Z")
            XCTAssertEqual(try Self.levels(copy), try Self.levels(root), "\(state.rawValue): snapshot verdicts differ")
            let a = try Self.results(root, DriverSupportCheck.self), b = try Self.results(copy, DriverSupportCheck.self)
            XCTAssertEqual(a.map(\.summary), b.map(\.summary), state.rawValue)
            // The module record (modinfo: file, signer, max_vfs) the live host showed.
            let modinfo = { (r: [CheckResult]) in r.flatMap { $0.evidence.text(.en) }.filter { $0.hasPrefix("modinfo ") } }
            XCTAssertFalse(modinfo(a).isEmpty, state.rawValue)
            XCTAssertEqual(modinfo(a), modinfo(b), state.rawValue)
        }
    }

    // MARK: - the bundled sample (Resources/sample-host-igpu)

    /// The state the bundled iGPU sample shows: the dkms i915 installed but an old guide's
    /// `i915.enable_guc=7` instead of `enable_guc=3 max_vfs=7` (the most reported problem).
    static let sampleState = IGPUTree.State.dkmsWithoutMaxVFs
    static var sampleHostIGPU: String { CheckTrees.packageDirectory + "/Resources/sample-host-igpu" }

    /// `SRIOV_WIZARD_WRITE_SAMPLE=1 swift test --filter IGPUTreeTests/testBundledSampleIsTheTreeSnapshot`
    /// rewrites it (a snapshot of the tree, as `sriov-wizard snapshot` would take it).
    func testBundledSampleIsTheTreeSnapshot() throws {
        let root = try Self.tree(Self.sampleState)
        defer { ScratchTree.remove(root) }
        if ProcessInfo.processInfo.environment["SRIOV_WIZARD_WRITE_SAMPLE"] == "1" {
            _ = try? Machine(root: "/").run(["rm", "-rf", Self.sampleHostIGPU], timeout: 60)
            _ = try Snapshot.take(from: Machine(root: root), to: Self.sampleHostIGPU, now: "2026-12-01T23:00:00Z")
        }
        XCTAssertTrue(Machine(root: "/").isDirectory(Self.sampleHostIGPU + "/sys/bus/pci/devices/0000:00:02.0"), "sample-host-igpu missing")
        XCTAssertEqual(try Self.levels(Self.sampleHostIGPU), Self.golden[Self.sampleState], "the bundled iGPU sample no longer gives the golden verdicts")
        let copy = try ScratchTree.make("igpu-sample-check")
        defer { ScratchTree.remove(copy) }
        _ = try Snapshot.take(from: Machine(root: root), to: copy, now: "2026-12-01T23:00:00Z")
        let diff = try Machine(root: "/").run(["diff", "-r", "--no-dereference", "-x", "manifest.json", Self.sampleHostIGPU, copy], timeout: 60)
        XCTAssertEqual(diff.status, 0, "sample-host-igpu differs from a fresh snapshot of the tree: \(diff.stdoutText.prefix(2000)) \(diff.stderrText.prefix(500))")
    }
}

/// Each iGPU tree against real pciutils: `lspci -vvv -O sysfs.path=` reads the same files and
/// must agree with our inventory (IDs, capabilities, SR-IOV counts, drivers, IOMMU groups),
/// and prints the captured facts: Root Complex Integrated Endpoint, SR-IOV at [320], VF
/// offset 1 / stride 1 / VF device = PF device, and the VF BAR 2 of the Zycoo tree at 0.
final class IGPUTreeLspciTests: XCTestCase {
    func testEveryIGPUTreeAgreesWithRealLspci() throws {
        guard let lspci = LiveCommandRunner.resolve("lspci") else {
            throw XCTSkip("lspci (pciutils) is not installed; apt-get install pciutils")
        }
        var summary: [String] = []
        for state in IGPUTree.State.allCases {
            let root = try IGPUTreeTests.tree(state)
            defer { ScratchTree.remove(root) }
            let result = try Machine(root: "/").run([lspci, "-A", "linux-sysfs", "-O", "sysfs.path=" + root + "/sys/bus/pci",
                                                     "-D", "-nn", "-k", "-vvv"], timeout: 120)
            XCTAssertEqual(result.status, 0, "\(state.rawValue): \(result.stderrText)")
            let text = result.stdoutText
            let parsed = ObservedLspciText.parse(text)
            XCTAssertEqual(parsed.errors, [], state.rawValue)
            let inventory = try SysfsInventory.load(Machine(root: root))
            let report = LspciDifferential.compare(parsed.functions, inventory, names: true, links: true)
            XCTAssertEqual(report.disagreements, [], "\(state.rawValue): our decoder and lspci disagree")
            XCTAssertEqual(parsed.functions.count, inventory.functions.count, state.rawValue)
            XCTAssertTrue(text.contains("Express (v2) Root Complex Integrated Endpoint, MSI 00"), state.rawValue)
            XCTAssertTrue(text.contains("Capabilities: [320 v1] Single Root I/O Virtualization (SR-IOV)"), state.rawValue)
            XCTAssertTrue(text.contains("Initial VFs: 7, Total VFs: 7"), state.rawValue)
            let id = hex(inventory.function(GPUHost.igpuAddress)!.deviceID!, 4)
            XCTAssertTrue(text.contains("VF offset: 1, stride: 1, Device ID: \(id)"), state.rawValue)
            XCTAssertTrue(text.contains("ARIHierarchy-"), state.rawValue)
            if state == .vfBARsUnassigned {
                XCTAssertTrue(text.contains("Region 2: Memory at 0000000000000000 (64-bit, prefetchable)"), text)
            } else {
                XCTAssertTrue(text.contains("Region 2: Memory at 0000004020000000 (64-bit, prefetchable)"), state.rawValue)
            }
            summary.append("\(state.rawValue): \(report.summary)")
        }
        print("lspci vs IGPUTree:\n  " + summary.joined(separator: "\n  "))
    }
}

/// NVIDIA vGPU after sriov-manage: VFs stay on nvidia (expected, not vfio-pci), the boot unit
/// of pve-nvidia-vgpu-helper is the persistence, ARI applies (VFs run past function 7), and
/// driver-support says what only NVIDIA's software can check.
final class NVIDIATreeTests: XCTestCase {
    func testVerdictsAfterSriovManage() throws {
        let root = try ScratchTree.make("nvidia-vgpu")
        defer { ScratchTree.remove(root) }
        try NVIDIATree.write(to: root)
        let context = try VFCheckTrees.context(root)
        let levels = VFCheckTrees.levels(context, device: NVIDIATree.pf.description)
        XCTAssertEqual(levels, ["sriov-capability": .pass, "ari-capability": .pass, "vf-capacity": .pass, "driver-support": .note,
                                "vfs-enabled": .pass, "vf-driver-bound": .pass, "vfs-persistent": .pass, "vf-iommu-groups": .pass,
                                "vf-mac-addresses": .skip, "vf-passthrough": .note])
        let support = try VFCheckTrees.only(DriverSupportCheck.run(context), NVIDIATree.pf.description)
        VFCheckTrees.assertContains(support.summary.en, "sriov-manage -e ALL")
        VFCheckTrees.assertContains(support.summary.en, "Never pass the PF")
        VFCheckTrees.assertContains(support.hint.en, "current_vgpu_type")
        VFCheckTrees.assertContains(support.hint.es, "nunca la PF")
        VFCheckTrees.assertContains(support.summary.es, "Nunca pase la PF")
        VFCheckTrees.assertEvidence(support, "knowledge: gpu.json nvidia")
        let persistent = try VFCheckTrees.only(VFsPersistentCheck.run(context), NVIDIATree.pf.description)
        VFCheckTrees.assertContains(persistent.summary.en, "pve-nvidia-sriov@ALL.service")
        XCTAssertEqual(context.inventory.function(NVIDIATree.pf)?.virtfns.last?.description, "0000:51:04.3")
        // Without the unit nothing recreates them.
        VFCheckTrees.remove(root, "/etc/systemd/system/multi-user.target.wants/pve-nvidia-sriov@ALL.service")
        let gone = try VFCheckTrees.only(VFsPersistentCheck.run(try VFCheckTrees.context(root)), NVIDIATree.pf.description)
        XCTAssertEqual(gone.level, .warn)
        VFCheckTrees.assertContains(gone.hint.en, "pve-nvidia-sriov@ALL.service")
        // nouveau bound instead of NVIDIA's host driver: what to install (gpu.json nvidia.driverMissingHint).
        VFCheckTrees.remove(root, "/sys/bus/pci/devices/" + NVIDIATree.pf.description + "/driver")
        try TreeWriter(root: root).makeDirectory("/sys/bus/pci/drivers/nouveau")
        try VFCheckTrees.link(root, "/sys/bus/pci/devices/" + NVIDIATree.pf.description + "/driver", "../../../../bus/pci/drivers/nouveau")
        let unbound = try VFCheckTrees.only(DriverSupportCheck.run(try VFCheckTrees.context(root)), NVIDIATree.pf.description)
        XCTAssertEqual(unbound.level, .warn)
        VFCheckTrees.assertContains(unbound.hint.en, "pve-nvidia-vgpu-helper setup")
        VFCheckTrees.assertContains(unbound.summary.es, "no está asociado")
    }
}

/// vfs-enabled on the iGPU: what makes VFs there (a sriov_numvfs write under the real device
/// path), what must come first when the write would fail, and that max_vfs is no persistence.
final class IGPUVFsEnabledHintTests: XCTestCase {
    func hint(_ state: IGPUTree.State) throws -> CheckResult {
        let root = try IGPUTreeTests.tree(state)
        defer { ScratchTree.remove(root) }
        return try VFCheckTrees.only(IGPUTreeTests.results(root, VFsEnabledCheck.self))
    }

    func testStockDriverNeedsTheDKMSModuleFirst() throws {
        let r = try hint(.stockI915)
        XCTAssertEqual(r.level, .fail)
        VFCheckTrees.assertContains(r.hint.en, "driver does not support SR-IOV configuration via sysfs")
        VFCheckTrees.assertContains(r.hint.en, "i915-sriov-dkms")
        VFCheckTrees.assertContains(r.hint.es, "Instale primero el módulo i915-sriov-dkms")
    }

    func testZeroTotalVFsNamesMaxVFsOrTheVFBARs() throws {
        let missing = try hint(.dkmsWithoutMaxVFs)
        VFCheckTrees.assertContains(missing.hint.en, "`i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe`")
        XCTAssertFalse(missing.hint.en.contains("echo 0 >"), missing.hint.en)
        let bars = try hint(.vfBARsUnassigned)
        VFCheckTrees.assertContains(bars.hint.en, "although i915.max_vfs is 7")
        VFCheckTrees.assertContains(bars.hint.en, "pci=realloc")
        VFCheckTrees.assertContains(bars.hint.es, "BARs de las VFs sin asignar")
        XCTAssertFalse(bars.hint.en.contains("echo 0 >"), bars.hint.en)
    }

    func testReadyDriverGetsTheWriteAndRealPersistence() throws {
        let r = try hint(.dkmsNoVFs)
        VFCheckTrees.assertContains(r.hint.en, "`echo 7 > /sys/devices/pci0000:00/0000:00:02.0/sriov_numvfs`")
        VFCheckTrees.assertContains(r.hint.en, "Enabled 7 VFs")
        VFCheckTrees.assertContains(r.hint.en, "only allows VFs")
        VFCheckTrees.assertContains(r.hint.en, "`devices/pci0000:00/0000:00:02.0/sriov_numvfs = 7`")
        VFCheckTrees.assertContains(r.hint.es, "solo permite las VFs")
    }
}
