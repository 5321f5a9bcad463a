import HostAccess

/// Plans the vfio modules for boot (modules-load.d(5)), as the Proxmox VE admin guide lists
/// them for PCI passthrough: vfio, vfio_iommu_type1, vfio_pci (vfio_virqfd is part of vfio
/// since Linux 6.2). Modules already listed or built into the kernel are left alone.
public enum VFIOModulesPlanner {
    public static let path = "/etc/modules-load.d/vfio.conf"
    public static let modules = ["vfio", "vfio_iommu_type1", "vfio_pci"]

    public static func plan(context: CheckContext) throws(ActivationError) -> Plan {
        let machine = context.machine
        let state = KernelModules.read(machine)
        var plan = Plan(title: "vfio modules at boot (\(path))", stages: [.prerequisites])
        var missing: [String] = []
        for module in modules {
            if let at = state.configuredAt(module) { plan.alreadyApplied.append("\(module) is listed at \(at)") }
            else if state.isBuiltin(module) { plan.alreadyApplied.append("\(module) is built into the kernel") }
            else { missing.append(module) }
        }
        guard !missing.isEmpty else { return plan }
        let old: [UInt8]?
        do { old = try FileEditor(machine: machine).state(of: path).bytes } catch {
            throw ActivationError("cannot read \(path): \(error.description)")
        }
        var text = old.map { String(decoding: $0, as: UTF8.self) } ?? "# Written by sriov-wizard: modules for PCI passthrough (modules-load.d(5)).\n"
        if let last = text.utf8.last, last != 0x0A { text += "\n" }
        text += missing.map { $0 + "\n" }.joined()
        plan.steps.append(.edit(FileEdit(path: path, before: old, after: Array(text.utf8), reason: "load \(missing.joined(separator: ", ")) at boot")))
        plan.steps.append(.command(PlannedCommand(["update-initramfs", "-u", "-k", "all"],
            reason: "the initramfs carries the module list", rerunOnRollback: true)))
        plan.pending.append("the vfio modules load at the next boot (or now: `modprobe vfio_pci`)")
        return plan
    }
}
