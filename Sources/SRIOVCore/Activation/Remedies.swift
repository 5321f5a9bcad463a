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
               let total = pf.sriov?.totalVFs, total > 0 {
                // Keep the VFs there are; none yet: as many as the kernel allows.
                let count = (pf.sriov?.numVFs ?? 0) > 0 ? pf.sriov!.numVFs! : total
                remedies.append(try? VFPlanner.remedy(device: address, count: count, context: context))
            }
        default:
            break
        }
        return remedies.compactMap { $0 }.filter { !$0.isEmpty }
    }
}
