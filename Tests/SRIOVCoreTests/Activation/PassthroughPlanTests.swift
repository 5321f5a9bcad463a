import XCTest
import HostAccess
@testable import SRIOVCore

/// `apply --passthrough VMID --vf ADDR|auto [--device PF]`, `--mapping NAME --device PF` and
/// `--passthrough VMID --mapping NAME` on copies of sample-host-vfs (igb 0000:01:00.0 with 7
/// VFs 01:10.0 .. 01:11.4 in IOMMU groups 6..12, node sriov-lab).
final class PassthroughPlanTests: XCTestCase {
    typealias T = VFCheckTrees
    static let pf = PCIAddress("0000:01:00.0")!

    private func host(_ label: String, vms: [String: String] = [:], mappings: String? = nil, qmList: String? = nil) throws -> String {
        let root = try T.copy(T.sampleHostVFs, label: label)
        addTeardownBlock { ScratchTree.remove(root) }
        for (id, text) in vms { try T.write(root, "/etc/pve/qemu-server/\(id).conf", text) }
        if let mappings { try T.write(root, "/etc/pve/mapping/pci.cfg", mappings) }
        if let qmList {
            let base = RecordedCommandRunner.directory + "/" + RecordedCommandRunner.key(for: ["qm", "list"])
            try T.write(root, base + ".stdout", qmList)
            try T.write(root, base + ".stderr", "")
            try T.write(root, base + ".status", "0\n")
        }
        return root
    }

    private func commands(_ plan: Plan) -> [[String]] {
        plan.steps.compactMap { if case .command(let c) = $0 { return c.argv } else { return nil } }
    }

    static let list = """
              VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID
               101 win11                running    8192              64.00 4242
               102 debian               stopped    2048              32.00 0

        """

    func testAutoTakesTheFirstVFNoVMOrMappingUses() throws {
        let root = try host("pt-auto", vms: [
            "101": "machine: pc-q35-8.1\nname: win11\nostype: win11\nhostpci0: 0000:01:10.0,pcie=1\n",
            "102": "machine: q35\nname: debian\nostype: l26\n",
        ], mappings: "igb-vfs\n\tmap id=8086:10ca,iommugroup=7,node=sriov-lab,path=0000:01:10.2\n", qmList: Self.list)
        let plan = try PassthroughPlanner.plan(vmid: "102", vf: "auto", device: Self.pf, context: T.context(root))
        XCTAssertEqual(commands(plan), [["qm", "set", "102", "-hostpci0", "0000:01:10.4,pcie=1"]], "10.0 is VM 101's, 10.2 is mapped")
        XCTAssertTrue(plan.pending.contains { $0.en.contains("start VM 102 'debian' (`qm start 102`)") }, "\(plan.pending)")
        // Without --device: the only PF with VFs.
        XCTAssertEqual(commands(try PassthroughPlanner.plan(vmid: "102", vf: "auto", context: T.context(root))), commands(plan))
    }

    func testI440fxGetsNoPCIeAndARunningVMIsToldToRestart() throws {
        let root = try host("pt-i440fx", vms: ["101": "name: win11\nostype: win11\nmachine: pc-i440fx-8.1\nhostpci0: 0000:02:00.0\n"], qmList: Self.list)
        let plan = try PassthroughPlanner.plan(vmid: "101", vf: "0000:01:10.6", context: T.context(root))
        XCTAssertEqual(commands(plan), [["qm", "set", "101", "-hostpci1", "0000:01:10.6"]])
        XCTAssertTrue(plan.notes.contains { $0.en.contains("i440fx") && $0.en.contains("`qm set 101 -machine q35`") && $0.en.contains("Windows may re-detect") }, "\(plan.notes)")
        XCTAssertTrue(plan.notes.contains { $0.en.contains("VM 101 'win11' is running") }, "\(plan.notes)")
        XCTAssertTrue(plan.pending.contains { $0.en.contains("qm shutdown 101 && qm start 101") }, "\(plan.pending)")
        XCTAssertTrue(plan.notes.contains { $0.en.contains("`qm set 101 -delete hostpci1`") })
        // Without qm list: no claim about the state.
        let unknown = try host("pt-unknown", vms: ["101": "machine: q35\n"])
        let p2 = try PassthroughPlanner.plan(vmid: "101", vf: "0000:01:10.6", context: T.context(unknown))
        XCTAssertEqual(commands(p2), [["qm", "set", "101", "-hostpci0", "0000:01:10.6,pcie=1"]])
        XCTAssertFalse(p2.notes.contains { $0.en.contains("is running") })
        XCTAssertTrue(p2.pending.contains { $0.en.contains("at its next start") })
    }

    func testAutoRefusesWhenEveryVFIsTakenAndAMappedVFIsNotGivenDirectly() throws {
        let lines = ["0000:01:10.0", "0000:01:10.2", "0000:01:10.4", "0000:01:10.6", "0000:01:11.0", "0000:01:11.2"]
            .enumerated().map { "hostpci\($0.offset): \($0.element),pcie=1" }.joined(separator: "\n")
        let root = try host("pt-full", vms: ["101": "machine: q35\n" + lines + "\n", "102": "machine: q35\n"],
                            mappings: "igb-vfs\n\tmap id=8086:10ca,node=sriov-lab,path=0000:01:11.4\n")
        let context = try T.context(root)
        XCTAssertThrowsError(try PassthroughPlanner.plan(vmid: "102", vf: "auto", device: Self.pf, context: context)) { error in
            XCTAssertTrue("\(error)".contains("every VF of 0000:01:00.0 (7) is already given"), "\(error)")
        }
        XCTAssertThrowsError(try PassthroughPlanner.plan(vmid: "102", vf: "0000:01:11.4", context: context)) { error in
            XCTAssertTrue("\(error)".contains("--passthrough 102 --mapping igb-vfs"), "\(error)")
        }
        XCTAssertThrowsError(try PassthroughPlanner.plan(vmid: "102", vf: "auto", device: PCIAddress("0000:01:10.0"), context: context)) { error in
            XCTAssertTrue("\(error)".contains("is not an SR-IOV PF"), "\(error)")
        }
    }

    func testMappingHasOneMapPerFreeVFWithNodeIDAndGroup() throws {
        let root = try host("pt-map", vms: ["101": "machine: q35\nhostpci0: 0000:01:10.0,pcie=1\n"])
        let plan = try MappingPlanner.plan(name: "igb-vfs", device: Self.pf, context: T.context(root))
        let argv = try XCTUnwrap(commands(plan).first)
        XCTAssertEqual(Array(argv.prefix(5)), ["pvesh", "create", "/cluster/mapping/pci", "--id", "igb-vfs"])
        XCTAssertEqual(argv.dropFirst(5).filter { $0 == "--map" }.count, 6, "10.0 is VM 101's")
        XCTAssertEqual(argv[6], "node=sriov-lab,path=0000:01:10.2,id=8086:10ca,iommugroup=7")
        XCTAssertEqual(argv.last, "node=sriov-lab,path=0000:01:11.4,id=8086:10ca,iommugroup=12")
        XCTAssertTrue(plan.notes.contains { $0.en.contains("0000:01:10.0") })
        XCTAssertTrue(MappingPlanner.isPlanned(argv))
        XCTAssertTrue(JournalPolicy.isPlannedCommand(argv), "rollback accepts a journal with it")

        // The VM then takes the mapping, planned in the same run.
        let vm = try PassthroughPlanner.plan(vmid: "101", mapping: "igb-vfs", createdInThisPlan: true, context: T.context(root))
        XCTAssertEqual(commands(vm), [["qm", "set", "101", "-hostpci1", "mapping=igb-vfs,pcie=1"]])
        XCTAssertThrowsError(try PassthroughPlanner.plan(vmid: "101", mapping: "igb-vfs", context: T.context(root))) { error in
            XCTAssertTrue("\(error)".contains("does not exist"), "\(error)")
        }
    }

    func testMappingAlreadyThereIsAppliedAndBadNamesAreRefused() throws {
        let maps = (0..<7).map { i -> String in
            let a = ["10.0", "10.2", "10.4", "10.6", "11.0", "11.2", "11.4"][i]
            return "\tmap id=8086:10ca,iommugroup=\(6 + i),node=sriov-lab,path=0000:01:\(a)"
        }.joined(separator: "\n")
        let root = try host("pt-map-again", mappings: "igb-vfs\n" + maps + "\n")
        let plan = try MappingPlanner.plan(name: "igb-vfs", device: Self.pf, context: T.context(root))
        XCTAssertTrue(plan.isEmpty)
        XCTAssertEqual(plan.alreadyApplied.count, 1)
        XCTAssertThrowsError(try MappingPlanner.plan(name: "other", device: Self.pf, context: T.context(root))) { error in
            XCTAssertTrue("\(error)".contains("already given"), "\(error)")
        }
        for bad in ["1abc", "a", "igb vfs", "igb;rm", "-x", "igb,path=0000:00:00.0"] {
            XCTAssertThrowsError(try MappingPlanner.plan(name: bad, device: Self.pf, context: T.context(root)), bad)
        }
    }

    func testJournalPolicyAcceptsExactlyThePlannedForms() {
        XCTAssertTrue(JournalPolicy.isPlannedCommand(["qm", "set", "100", "-hostpci0", "0000:01:10.0,pcie=1"]))
        XCTAssertTrue(JournalPolicy.isPlannedCommand(["qm", "set", "100", "-hostpci3", "0000:01:10.0"]))
        XCTAssertTrue(JournalPolicy.isPlannedCommand(["qm", "set", "100", "-hostpci1", "mapping=igb-vfs,pcie=1"]))
        XCTAssertFalse(JournalPolicy.isPlannedCommand(["qm", "set", "100", "-hostpci1", "mapping=igb-vfs,romfile=../x"]))
        XCTAssertFalse(JournalPolicy.isPlannedCommand(["qm", "set", "100", "-hostpci99", "0000:01:10.0"]))
        XCTAssertFalse(JournalPolicy.isPlannedCommand(["pvesh", "create", "/cluster/mapping/pci", "--id", "x1", "--map", "node=pve,path=0000:01:10.0,id=8086:10ca,hookscript=x"]))
        XCTAssertFalse(JournalPolicy.isPlannedCommand(["pvesh", "delete", "/cluster/mapping/pci/x1"]))
        XCTAssertTrue(JournalPolicy.isPlannedCommand(["pvesh", "create", "/cluster/mapping/pci", "--id", "x1", "--map", "node=pve,path=0000:01:10.0,id=8086:10ca"]))
    }
}
