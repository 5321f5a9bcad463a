/// `vf-iommu-groups`: each VF sits alone in its IOMMU group, so it can be given to a VM
/// without the other members of its group (Documentation/driver-api/vfio.rst: a group is
/// the unit of ownership). Read from each function's sysfs `iommu_group` link
/// (/sys/kernel/iommu_groups/N). Functions share a group when the path between them lacks
/// ACS isolation (drivers/pci/quirks.c, drivers/iommu/iommu.c `pci_device_group`): the ACS
/// capability (PCI_EXT_CAP_ID_ACS) of the port above and of the PF is shown as the reason.
/// No groups at all means the IOMMU is off: stage 1 (`iommu-active`) has the fix.
public enum VFIOMMUGroupsCheck: Check {
    public static let id = "vf-iommu-groups"
    public static let stage = StageID.activation

    public static let groupsPath = "/sys/kernel/iommu_groups"

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let targets = context.targetPFs
        guard !targets.isEmpty else { return [TargetDevice.nothingToCheck(self, context)] }
        let groupsOnHost = ((try? context.machine.list(groupsPath)) ?? []).count
        let grouped = context.inventory.functions.filter { $0.iommuGroup != nil }.count
        // Without any VF there is nothing to group yet; stage 1 reports an IOMMU that is off.
        let anyVFs = targets.contains { $0.role == .pf && !context.vfs(of: $0).isEmpty }
        if groupsOnHost == 0 && grouped == 0 && anyVFs {
            return [result(.fail, LocalizedText(
                en: "There are no IOMMU groups: the IOMMU is off, so no VF can be passed to a VM.",
                es: "No hay grupos IOMMU: la IOMMU está desactivada, así que no se puede pasar ninguna VF a una VM."),
                evidence: [.fact(groupsPath, en: "empty or missing", es: "vacío o ausente"),
                           Evidence(en: "no PCI function has an iommu_group link", es: "ninguna función PCI tiene un enlace iommu_group")],
                hint: LocalizedText(
                    en: "Turn the IOMMU on first (stage prerequisites: iommu-active, iommu-kernel-cmdline; stage bios: VT-d / AMD-Vi), then re-check.",
                    es: "Active antes la IOMMU (etapa prerequisites: iommu-active, iommu-kernel-cmdline; etapa bios: VT-d / AMD-Vi) y vuelva a comprobar."))]
        }
        return targets.map { f in
            guard f.role == .pf else { return TargetDevice.notAPF(self, f) }
            guard !context.vfs(of: f).isEmpty else { return TargetDevice.noVFs(self, context, f) }
            return check(f, context)
        }
    }

    static func check(_ pf: PCIFunction, _ context: CheckContext) -> CheckResult {
        let label = TargetDevice.label(pf)
        let vfs = context.vfs(of: pf)
        var evidence: [Evidence] = []
        var shared: [(vf: PCIAddress, group: Int, others: [PCIAddress])] = []
        var ungrouped: [PCIAddress] = []
        for vf in vfs {
            guard let group = vf.iommuGroup else {
                ungrouped.append(vf.address)
                evidence.append(.fact(TargetDevice.sysfs(vf.address, "iommu_group"), en: "none", es: "ninguno"))
                continue
            }
            let others = context.inventory.members(ofIOMMUGroup: group).filter { $0 != vf.address }
            let link = "\(TargetDevice.sysfs(vf.address, "iommu_group")) -> \(group)"
            let list = others.map(\.description).joined(separator: ", ")
            evidence.append(Evidence(en: link + (others.isEmpty ? " (alone)" : " (with \(list))"), es: link + (others.isEmpty ? " (sola)" : " (con \(list))")))
            if !others.isEmpty { shared.append((vf.address, group, others)) }
        }
        if ungrouped.isEmpty && shared.isEmpty {
            let groups = vfs.compactMap(\.iommuGroup)
            let range = groups.count > 1 ? "\(groups.min()!)..\(groups.max()!)" : groups.map(String.init).joined()
            return result(.pass, LocalizedText(
                en: "Each of the \(vfs.count) VFs of \(label) has its own IOMMU group (\(range)).",
                es: "Cada una de las \(vfs.count) VFs de \(label) tiene su propio grupo IOMMU (\(range))."),
                evidence: evidence, device: pf.address)
        }
        // Why groups are shared: ACS on the port above and on the PF itself.
        evidence += acsEvidence(pf, context)
        if !ungrouped.isEmpty {
            return result(.warn, LocalizedText(
                en: "\(ungrouped.count) of \(vfs.count) VFs of \(label) have no IOMMU group and cannot be passed to a VM.",
                es: "\(ungrouped.count) de \(vfs.count) VFs de \(label) no tienen grupo IOMMU y no se pueden pasar a una VM."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Check that the IOMMU covers this device (`dmesg | grep -i -e DMAR -e AMD-Vi`, stage prerequisites) and that the kernel command line does not exclude it.",
                    es: "Compruebe que la IOMMU cubre este dispositivo (`dmesg | grep -i -e DMAR -e AMD-Vi`, etapa prerequisites) y que la línea de comandos del kernel no lo excluye."),
                device: pf.address)
        }
        let groupsText = Set(shared.map(\.group)).sorted().map(String.init).joined(separator: ", ")
        return result(.warn, LocalizedText(
            en: "\(shared.count) of \(vfs.count) VFs of \(label) share an IOMMU group (\(groupsText)): a VM must take the whole group, so they cannot go to different VMs.",
            es: "\(shared.count) de \(vfs.count) VFs de \(label) comparten un grupo IOMMU (\(groupsText)): una VM debe llevarse el grupo entero, así que no pueden ir a VMs distintas."),
            evidence: evidence,
            hint: LocalizedText(
                en: "Groups are split only where PCIe ACS isolates devices: put the card in a slot wired to the CPU (not the chipset), enable ACS in the BIOS/UEFI if offered, and update the firmware. The Proxmox kernel's `pcie_acs_override=downstream,multifunction` splits groups without real isolation; use it only if you accept that.",
                es: "Los grupos solo se separan donde PCIe ACS aísla los dispositivos: ponga la tarjeta en una ranura conectada a la CPU (no al chipset), active ACS en la BIOS/UEFI si existe y actualice el firmware. `pcie_acs_override=downstream,multifunction` del kernel de Proxmox separa grupos sin aislamiento real; úselo solo si lo acepta."),
            device: pf.address)
    }

    /// ACS capability and control of the port above the PF and of the PF.
    static func acsEvidence(_ pf: PCIFunction, _ context: CheckContext) -> [Evidence] {
        var lines: [Evidence] = []
        func describe(_ f: PCIFunction, _ role: LocalizedText) -> Evidence {
            let en = "\(role.en) \(f.address): ", es = "\(role.es) \(f.address): "
            guard let acs = f.acs else {
                return f.extendedCapabilitiesKnown == true
                    ? Evidence(en: en + "no ACS capability", es: es + "sin capacidad ACS")
                    : Evidence(en: en + "ACS unknown (extended configuration space not read)", es: es + "ACS desconocido (espacio de configuración extendido no leído)")
            }
            let enabled = ACSCapability.flagNames.filter { (acs.control ?? 0) & $0.0 != 0 }.map(\.1).joined(separator: " ")
            let cap = "ACS [\(hex(acs.offset, 3))] "
            return Evidence(
                en: en + cap + (acs.isolating == true ? "isolating" : "not isolating") + " (enabled: \(enabled.isEmpty ? "none" : enabled))",
                es: es + cap + (acs.isolating == true ? "aísla" : "no aísla") + " (activados: \(enabled.isEmpty ? "ninguno" : enabled))")
        }
        if let port = context.upstreamPort(of: pf) { lines.append(describe(port, LocalizedText(en: "port above", es: "puerto de arriba"))) }
        lines.append(describe(pf, LocalizedText(en: "PF", es: "PF")))
        return lines
    }
}
