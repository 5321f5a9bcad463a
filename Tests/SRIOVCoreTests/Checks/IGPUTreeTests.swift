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
        VFCheckTrees.assertContains(r.hint.en, "«iGPU Multi-Monitor»")
        VFCheckTrees.assertContains(r.hint.en, "Intel VMD")
        VFCheckTrees.assertContains(r.hint.es, "mantener el iGPU activo")
        XCTAssertFalse(r.hint.en.contains("ARI"), r.hint.en)
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
        let persistent = try VFCheckTrees.only(VFsPersistentCheck.run(context), NVIDIATree.pf.description)
        VFCheckTrees.assertContains(persistent.summary.en, "pve-nvidia-sriov@ALL.service")
        XCTAssertEqual(context.inventory.function(NVIDIATree.pf)?.virtfns.last?.description, "0000:51:04.3")
        // Without the unit nothing recreates them.
        VFCheckTrees.remove(root, "/etc/systemd/system/multi-user.target.wants/pve-nvidia-sriov@ALL.service")
        let gone = try VFCheckTrees.only(VFsPersistentCheck.run(try VFCheckTrees.context(root)), NVIDIATree.pf.description)
        XCTAssertEqual(gone.level, .warn)
        VFCheckTrees.assertContains(gone.hint.en, "pve-nvidia-sriov@ALL.service")
    }
}
