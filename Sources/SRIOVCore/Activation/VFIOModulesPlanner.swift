import HostAccess

/// Plans the vfio modules for boot (modules-load.d(5)), as the Proxmox VE admin guide lists
/// them for PCI passthrough: vfio, vfio_iommu_type1, vfio_pci, and vfio_virqfd before Linux
/// 6.2 (since then it is part of vfio). Modules already listed or built into the kernel are
/// left alone; vfio_iommu_type1 is not needed where iommufd, listed or built in, serves its
/// container interface (CONFIG_IOMMUFD_VFIO_CONTAINER).
public enum VFIOModulesPlanner {
    public static let path = "/etc/modules-load.d/vfio.conf"
    public static let modules = ["vfio", "vfio_iommu_type1", "vfio_pci"]

    /// The modules passthrough needs on this kernel (`vfio-modules` checks the same list).
    public static func required(_ state: KernelModules) -> [String] {
        let merged = state.release.flatMap(KernelModules.version).map { $0 >= (6, 2) } ?? true
        return merged ? modules : modules + ["vfio_virqfd"]
    }

    public static func plan(context: CheckContext) throws(ActivationError) -> Plan {
        let machine = context.machine
        let state = KernelModules.read(machine)
        var plan = Plan(title: LocalizedText(en: "vfio modules at boot (\(path))", es: "módulos vfio al arrancar (\(path))"), stages: [.prerequisites])
        let missing = try self.missing(state, plan: &plan)
        guard !missing.isEmpty else { return plan }
        let old: [UInt8]?
        do { old = try FileEditor(machine: machine).state(of: path).bytes } catch {
            throw .unreadable(path: path, error)
        }
        var text = old.map { String(decoding: $0, as: UTF8.self) } ?? "# Written by sriov-wizard: modules for PCI passthrough (modules-load.d(5)).\n"
        if let last = text.utf8.last, last != 0x0A { text += "\n" }
        text += missing.map { $0 + "\n" }.joined()
        plan.steps.append(.edit(FileEdit(path: path, before: old, after: Array(text.utf8), reason: LocalizedText(en: "load \(missing.joined(separator: ", ")) at boot", es: "cargar \(missing.joined(separator: ", ")) al arrancar"))))
        plan.steps.append(.command(PlannedCommand(["update-initramfs", "-u", "-k", "all"],
            reason: LocalizedText(en: "the initramfs carries the module list", es: "el initramfs lleva la lista de módulos"), rerunOnRollback: true)))
        plan.pending.append(LocalizedText(en: "the vfio modules load at the next boot (or now: `modprobe -a \(missing.joined(separator: " "))`)",
                                           es: "los módulos vfio se cargan en el próximo arranque (o ya: `modprobe -a \(missing.joined(separator: " "))`)"))
        return plan
    }

    /// The remedy of `apply --vfio`, for the `vfio-modules` hint and the wizard's offer.
    public static func remedy(context: CheckContext) throws(ActivationError) -> Remedy {
        let plan = try plan(context: context)
        var written: [String] = []
        for case .edit(let edit) in plan.steps where edit.path == path {
            let before = Set(edit.before.map { Remedy.lines($0) } ?? [])
            written = Remedy.lines(edit.after ?? []).filter { !$0.isEmpty && !$0.hasPrefix("#") && !before.contains($0) }
        }
        let list = written.joined(separator: ", ")
        return Remedy(plan: plan, request: ApplyRequest(vfio: true),
                      explanation: LocalizedText(en: "Load \(list) at every boot", es: "Cargue \(list) en cada arranque"),
                      afterwards: LocalizedText(en: "then reboot (or load \(written.count == 1 ? "it" : "them") now with `modprobe -a \(written.joined(separator: " "))`)",
                                                es: "después reinicie (o \(written.count == 1 ? "cárguelo" : "cárguelos") ya con `modprobe -a \(written.joined(separator: " "))`)"))
    }

    static func missing(_ state: KernelModules, plan: inout Plan) throws(ActivationError) -> [String] {
        var missing: [String] = []
        for module in required(state) {
            if let at = state.configuredAt(module) { plan.alreadyApplied.append(LocalizedText(en: "\(module) is listed at \(at)", es: "\(module) figura en \(at)")) }
            else if state.isBuiltin(module) { plan.alreadyApplied.append(LocalizedText(en: "\(module) is built into the kernel", es: "\(module) está compilado en el kernel")) }
            else if module == "vfio_iommu_type1", let at = state.configuredAt("iommufd") {
                plan.alreadyApplied.append(LocalizedText(en: "iommufd, listed at \(at), serves vfio_iommu_type1's interface", es: "iommufd, que figura en \(at), sirve la interfaz de vfio_iommu_type1"))
            } else if module == "vfio_iommu_type1", state.isBuiltin("iommufd") {
                plan.alreadyApplied.append(LocalizedText(en: "iommufd, built into the kernel, serves vfio_iommu_type1's interface", es: "iommufd, compilado en el kernel, sirve la interfaz de vfio_iommu_type1"))
            }
            else { missing.append(module) }
        }
        return missing
    }
}
