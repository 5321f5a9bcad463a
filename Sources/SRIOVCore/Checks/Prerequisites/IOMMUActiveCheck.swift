/// `iommu-active`: an IOMMU is really translating DMA: a unit is registered in
/// /sys/class/iommu and devices sit in /sys/kernel/iommu_groups
/// (Documentation/ABI/testing/sysfs-kernel-iommu_groups). Not read from dmesg wording:
/// `iommu: Default domain type` is printed with no IOMMU at all (../shared/lab/README.md,
/// scenarios igb-noiommu and igb-iommu-off). When it is off, the hint follows the cause:
/// a command-line switch (`intel_iommu=off`), a missing firmware table (BIOS), or neither.
public enum IOMMUActiveCheck: Check {
    public static let id = "iommu-active"
    public static let stage = StageID.prerequisites

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let machine = context.machine
        let sysfs = IOMMUSysfs.read(machine)
        var evidence = [sysfs.unitsEvidence, sysfs.groupsEvidence]

        if sysfs.units == nil && sysfs.groups == nil && !machine.isDirectory("/sys/class") {
            return [result(.skip, LocalizedText(
                en: "This snapshot has no /sys/class or /sys/kernel: whether an IOMMU is active cannot be told.",
                es: "Esta instantánea no tiene /sys/class ni /sys/kernel: no se puede saber si hay una IOMMU activa."),
                evidence: evidence)]
        }
        let units = sysfs.units ?? []
        let groups = sysfs.groups ?? []
        if sysfs.active {
            return [result(.pass, LocalizedText(
                en: "An IOMMU is active: \(units.joined(separator: ", ")) with \(groups.count) IOMMU group\(groups.count == 1 ? "" : "s").",
                es: "Hay una IOMMU activa: \(units.joined(separator: ", ")) con \(groups.count) grupo\(groups.count == 1 ? "" : "s") IOMMU."),
                evidence: evidence)]
        }
        if !units.isEmpty {
            // A unit without groups: the IOMMU was found but no device was attached to it.
            return [result(.warn, LocalizedText(
                en: "An IOMMU unit is registered (\(units.joined(separator: ", "))) but there are no IOMMU groups: no device is isolated, so none can be passed through.",
                es: "Hay una unidad IOMMU registrada (\(units.joined(separator: ", "))) pero no hay grupos IOMMU: ningún dispositivo está aislado, así que no se puede pasar ninguno."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Check `dmesg | grep -i -e DMAR -e AMD-Vi -e iommu` for errors and make sure the kernel command line does not contain `iommu=off`; then reboot.",
                    es: "Revise `dmesg | grep -i -e DMAR -e AMD-Vi -e iommu` en busca de errores y compruebe que la línea de comandos del kernel no contiene `iommu=off`; después reinicie."))]
        }
        if !groups.isEmpty {
            return [result(.warn, LocalizedText(
                en: "There are \(groups.count) IOMMU groups but no IOMMU unit in /sys/class/iommu: the IOMMU state is unclear.",
                es: "Hay \(groups.count) grupos IOMMU pero ninguna unidad IOMMU en /sys/class/iommu: el estado de la IOMMU no está claro."),
                evidence: evidence)]
        }

        // Off: find out why.
        let cpu = CPUInfo.read(machine)
        let cmdline = KernelCommandLine.running(machine)
        let parameters = cmdline.map { IOMMUParameters($0.line) }
        let tables = ACPITables.read(machine)
        if let cmdline { evidence.append(.record("\(KernelCommandLine.procPath): \(cmdline.text)")) }
        if let tables {
            let found = tables.iommuTables.joined(separator: ", ")
            evidence.append(tables.iommuTables.isEmpty ? .fact(ACPITables.path, en: "no DMAR/IVRS table", es: "ninguna tabla DMAR/IVRS")
                                                       : .fact(ACPITables.path, en: found + " present", es: found + " presente"))
        }
        let summary = LocalizedText(
            en: "No IOMMU is active: /sys/class/iommu and /sys/kernel/iommu_groups are empty, so no device can be passed to a VM.",
            es: "No hay ninguna IOMMU activa: /sys/class/iommu y /sys/kernel/iommu_groups están vacíos, así que no se puede pasar ningún dispositivo a una VM.")

        if let parameters, !parameters.disablingWords.isEmpty {
            let words = parameters.disablingWords.map { "`\($0)`" }.joined(separator: " ")
            return [result(.fail, summary, evidence: evidence, hint: LocalizedText(
                en: "The kernel command line switches the IOMMU off (\(words)): remove it from the persistent command line (see the check iommu-kernel-cmdline for the file), apply it and reboot.",
                es: "La línea de comandos del kernel desactiva la IOMMU (\(words)): quítelo de la línea de comandos persistente (el control iommu-kernel-cmdline indica el fichero), aplíquela y reinicie."))]
        }
        if let tables, tables.iommuTables.isEmpty {
            let vendor = cpu?.vendor
            let setting = vendor == .amd ? "AMD-Vi / IOMMU" : vendor == .intel ? "Intel VT-d" : "VT-d / AMD-Vi (IOMMU)"
            let dmi = DMIInfo.read(machine)
            let menu = context.knowledge.biosVendor(dmi)?
                .setting("iommu", cpu: vendor)?.pathText()
            let menuText = menu.map { " (\($0))" } ?? ""
            if cpu?.flags.contains("hypervisor") == true {
                return [result(.fail, summary, evidence: evidence, hint: LocalizedText(
                    en: "This host is a virtual machine and its firmware offers no IOMMU (no DMAR/IVRS table): give the VM a virtual IOMMU (QEMU `-device intel-iommu,intremap=on` with `-machine q35,kernel-irqchip=split`; Proxmox: `viommu=intel` in the VM's machine option) or run on bare metal.",
                    es: "Este host es una máquina virtual y su firmware no ofrece IOMMU (sin tabla DMAR/IVRS): dé a la VM una IOMMU virtual (QEMU `-device intel-iommu,intremap=on` con `-machine q35,kernel-irqchip=split`; Proxmox: `viommu=intel` en la opción machine de la VM) o use una máquina física."))]
            }
            return [result(.fail, summary, evidence: evidence, hint: LocalizedText(
                en: "The firmware provides no DMAR/IVRS table: enable \(setting) in the BIOS/UEFI setup\(menuText), save and reboot.",
                es: "El firmware no proporciona tabla DMAR/IVRS: active \(setting) en la configuración de la BIOS/UEFI\(menuText), guarde y reinicie."))]
        }
        if cpu?.vendor != .amd, let parameters, !parameters.intelOn {
            return [result(.fail, summary, evidence: evidence, hint: LocalizedText(
                en: "The firmware table is there but this kernel did not turn VT-d on by itself: add `intel_iommu=on iommu=pt` to the kernel command line (see the check iommu-kernel-cmdline for the file), apply it and reboot.",
                es: "La tabla del firmware está, pero este kernel no activó VT-d por sí mismo: añada `intel_iommu=on iommu=pt` a la línea de comandos del kernel (el control iommu-kernel-cmdline indica el fichero), aplíquela y reinicie."))]
        }
        return [result(.fail, summary, evidence: evidence, hint: LocalizedText(
            en: "Look for the reason in `dmesg | grep -i -e DMAR -e AMD-Vi -e IOMMU` (a kernel without IOMMU support, a firmware bug); check that VT-d / AMD-Vi is enabled in the BIOS/UEFI setup and reboot.",
            es: "Busque el motivo en `dmesg | grep -i -e DMAR -e AMD-Vi -e IOMMU` (un kernel sin soporte de IOMMU, un fallo del firmware); compruebe que VT-d / AMD-Vi está activado en la BIOS/UEFI y reinicie."))]
    }
}
