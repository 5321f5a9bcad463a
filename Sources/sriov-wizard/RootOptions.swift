import ArgumentParser
import HostAccess
import SRIOVCore

/// `--root`, shared by every command that reads a machine.
struct RootOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Root of the machine to read: / for this host, or a snapshot directory with the same layout.",
        valueName: "DIR"))
    var root: String = "/"

    @Option(name: .customLong("pci-ids"), help: ArgumentHelp(
        "pci.ids database for names (default: /usr/share/misc/pci.ids; without one, IDs are shown without names).",
        valueName: "FILE"))
    var pciIDs: String?

    func validateRoot() throws {
        let machine = Machine(root: "/")
        if root != "/", !machine.isDirectory(root) {
            throw ValidationError("--root \(root): not a directory. Give / for this host or a snapshot directory made by `sriov-wizard snapshot`.")
        }
    }

    var machine: Machine { Machine(root: root) }

    /// pci.ids belongs to the machine the tool runs on, not to the inspected snapshot.
    var names: PCIIDs? { PCIIDs.load(from: Machine(root: "/"), path: pciIDs) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
