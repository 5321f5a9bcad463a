/// `firmware-iommu-table`: the firmware describes an IOMMU to the OS: the ACPI DMAR table
/// (Intel VT-d spec ch. 8) or IVRS (AMD IOMMU spec ch. 5) in /sys/firmware/acpi/tables
/// (Documentation/ABI/testing/sysfs-firmware-acpi). A BIOS with VT-d / AMD-Vi switched off
/// leaves the table out, and no kernel option can make up for it. The table says nothing
/// about whether the kernel uses it (`intel_iommu=off` keeps it; see iommu-active).
public enum FirmwareIOMMUTableCheck: Check {
    public static let id = "firmware-iommu-table"
    public static let stage = StageID.bios

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let machine = context.machine
        guard let tables = ACPITables.read(machine) else {
            return [result(.skip, LocalizedText(
                en: "\(ACPITables.path) is not available (no ACPI, or not in this snapshot): the firmware's IOMMU table cannot be checked.",
                es: "\(ACPITables.path) no está disponible (sin ACPI, o no está en esta instantánea): no se puede comprobar la tabla IOMMU del firmware."),
                evidence: [.fact(ACPITables.path, en: "missing or unreadable", es: "falta o no se puede leer")])]
        }
        let cpu = CPUInfo.read(machine)
        let vendor = cpu?.vendor
        var evidence: [Evidence] = [tables.names.isEmpty ? .fact(ACPITables.path, en: "no table", es: "ninguna tabla") : .record("\(ACPITables.path): " + tables.names.joined(separator: " "))]
        if let cpu { evidence.append(.fact(CPUInfo.path, en: "vendor_id \(cpu.vendorID ?? "unknown")", es: "vendor_id \(cpu.vendorID ?? "desconocido")")) }

        let found = tables.iommuTables
        if !found.isEmpty {
            let expected = vendor == .amd ? "IVRS" : vendor == .intel ? "DMAR" : nil
            var summary = LocalizedText(
                en: "The firmware describes an IOMMU (ACPI \(found.joined(separator: ", "))).",
                es: "El firmware describe una IOMMU (ACPI \(found.joined(separator: ", "))).")
            if let expected, !tables.has(expected), !tables.has("VIOT") {
                summary = LocalizedText(
                    en: summary.en + " Unusually, this \(vendor == .amd ? "AMD" : "Intel") CPU would normally come with \(expected).",
                    es: summary.es + " Es raro: con esta CPU \(vendor == .amd ? "AMD" : "Intel") lo normal sería \(expected).")
            }
            return [result(.pass, summary, evidence: evidence)]
        }

        let dmi = DMIInfo.read(machine)
        evidence.append(dmi.evidence)
        let bios = context.knowledge.biosVendor(dmi)
        let summary = LocalizedText(
            en: "The firmware describes no IOMMU: there is no DMAR (Intel VT-d) or IVRS (AMD-Vi) ACPI table, so VT-d / AMD-Vi is off or unsupported.",
            es: "El firmware no describe ninguna IOMMU: no hay tabla ACPI DMAR (Intel VT-d) ni IVRS (AMD-Vi), así que VT-d / AMD-Vi está desactivado o no se admite.")
        if cpu?.flags.contains("hypervisor") == true {
            return [result(.fail, summary, evidence: evidence, hint: LocalizedText(
                en: "This host is a virtual machine: give it a virtual IOMMU (QEMU `-device intel-iommu,intremap=on` with `-machine q35,kernel-irqchip=split`, or `-device amd-iommu`; Proxmox: `viommu=intel` in the VM's machine option), then reboot it.",
                es: "Este host es una máquina virtual: dele una IOMMU virtual (QEMU `-device intel-iommu,intremap=on` con `-machine q35,kernel-irqchip=split`, o `-device amd-iommu`; Proxmox: `viommu=intel` en la opción machine de la VM) y reiníciela."))]
        }
        var en: [String] = [], es: [String] = []
        let variants: [CPUVendor] = vendor.map { [$0] } ?? [.intel, .amd]
        for v in variants {
            let name = v == .amd ? "AMD-Vi (IOMMU)" : "Intel VT-d"
            let menu = bios?.setting("iommu", cpu: v)
            let path = menu.map { s in (0..<s.paths.count).map { s.pathText($0) }.joined(separator: " / ") } ?? ""
            let value = menu?.value.map { " = \($0)" } ?? ""
            en.append(path.isEmpty ? "enable \(name)" : "enable \(name): \(path)\(value)")
            es.append(path.isEmpty ? "active \(name)" : "active \(name): \(path)\(value)")
        }
        let vendorName = bios.map { $0.id == "generic" ? "" : " (\($0.name))" } ?? ""
        return [result(.fail, summary, evidence: evidence, hint: LocalizedText(
            en: "In the BIOS/UEFI setup\(vendorName), \(en.joined(separator: "; or ")); save and reboot. If the option is missing, update the firmware: some boards only expose it in newer versions.",
            es: "En la configuración de la BIOS/UEFI\(vendorName), \(es.joined(separator: "; o ")); guarde y reinicie. Si la opción no aparece, actualice el firmware: algunas placas solo la muestran en versiones nuevas."))]
    }
}
