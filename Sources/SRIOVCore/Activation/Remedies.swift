/// Which remedy fixes what a stage found, for the wizard's `[a] apply` offer: the planners'
/// remedies for the open (warn/fail) checks that `apply` can fix: the kernel command line and
/// the vfio modules (stage 1), VFs and their persistence (stage 4). Empty remedies (already in
/// place) and planners that cannot plan for this host are left out.
public enum Remedies {
    public static func offered(for report: StageReport, context: CheckContext) -> [Remedy] {
        let open = report.checks.filter { $0.level == .fail || $0.level == .warn }
        var remedies: [Remedy?] = []
        switch report.id {
        case .prerequisites:
            if open.contains(where: { $0.id == IOMMUKernelCmdlineCheck.id }) { remedies.append(try? KernelCmdlinePlanner.remedy(context: context)) }
            if open.contains(where: { $0.id == VFIOModulesCheck.id }) { remedies.append(try? VFIOModulesPlanner.remedy(context: context)) }
        case .activation:
            if let result = open.first(where: { ($0.id == VFsEnabledCheck.id || $0.id == VFsPersistentCheck.id) && $0.device != nil }),
               let address = result.device, let pf = context.inventory.function(address),
               let defaults = vfDefaults(pf, context: context) {
                remedies.append(try? VFPlanner.remedy(device: address, count: defaults.count, method: defaults.method, context: context))
            }
        default:
            break
        }
        return remedies.compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// The count and method the VF remedy of `pf` starts from: keep the VFs there are (none
    /// yet: as many as the kernel allows, sriov_totalvfs), by the method already set up.
    /// Our module option file (`VFPlanner.modprobePath`) means `--method modprobe` with its
    /// count: that plan is in place and waits for a reboot, and offering the sysfs method
    /// instead would undo it. nil when the PF allows no VFs.
    public static func vfDefaults(_ pf: PCIFunction, context: CheckContext) -> (count: Int, method: VFMethodChoice)? {
        guard let total = pf.sriov?.totalVFs, total > 0 else { return nil }
        if let driver = pf.driver, let option = context.knowledge.driver(driver)?.moduleOption,
           let ours = ModprobeConfig.read(context.machine).options(module: driver, name: option)
               .last(where: { $0.location.file == VFPlanner.modprobePath(driver) }),
           let count = ours.value.flatMap({ Int($0.trimmedSpace()) }), count > 0 {
            return (min(count, total), .modprobe)
        }
        let now = pf.sriov?.numVFs ?? 0
        return (now > 0 ? now : total, .auto)
    }
}
