// sriov-gen-tree: writes SyntheticTree's sysfs PCI tree (Intel 82599 PFs and VFs behind their
// root ports) under DIR/sys, for Scripts/benchmark.sh and by hand. A development tool for
// benchmarks, tests and fuzzing only; not installed with sriov-wizard.
import ArgumentParser
import SyntheticTreeSupport

@main
struct GenTree: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sriov-gen-tree",
        abstract: "Write a synthetic sysfs PCI tree (Intel 82599 PFs and VFs) under DIR/sys and print the number of functions written.",
        discussion: "More than 240 PFs continue in PCI domains 0001, 0002, ... (each with its own host bridge).")

    @Option(help: "Physical functions (2 per card).") var pfs = 8
    @Option(help: "Enabled VFs per PF.") var vfs = 128
    @Option(name: .customLong("total-vfs"), help: "TotalVFs in config space (default: max(vfs, 64)).") var totalVFs: Int?
    @Option(name: .customLong("kernel-total-vfs"), help: "sriov_totalvfs in sysfs (default: total-vfs).") var kernelTotalVFs: Int?
    @Argument(help: "Root directory; the tree goes to DIR/sys.") var dir: String

    func run() throws {
        let layout = try SyntheticTree.write(to: dir, pfs: pfs, vfsPerPF: vfs, totalVFs: totalVFs, kernelTotalVFs: kernelTotalVFs)
        print(layout.count)
    }
}
