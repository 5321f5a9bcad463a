import HostAccess

/// `sriov-bios-setting`: the firmware settings SR-IOV depends on (SR-IOV, ARI, VT-d / AMD-Vi,
/// Above 4G Decoding for the VF BARs), named with this board vendor's menu words from DMI
/// (/sys/class/dmi/id) and Resources/knowledge/bios-vendors.json. The firmware's effect is
/// judged from the kernel: a PF whose sysfs `sriov_totalvfs` is above 0 or that has VFs shows
/// SR-IOV works (Documentation/ABI/testing/sysfs-bus-pci); the firmware blocks it when the
/// kernel could not place the VF BARs or bus numbers: drivers/pci/iov.c prints `not enough MMIO
/// resources for SR-IOV` and `SR-IOV: bus number out of range` (sriov_enable), and
/// drivers/pci/setup-bus.c `VF BAR n ...: can't assign` / `BAR 7: no space` for the IOV BARs.
/// A `sriov_numvfs` write failing with ENOMEM is the same problem seen from user space.
public enum SRIOVBIOSSettingCheck: Check {
    public static let id = "sriov-bios-setting"
    public static let stage = StageID.bios

    /// Kernel messages that say the VF resources were not provided.
    static let resourcePhrases = ["not enough MMIO resources for SR-IOV", "SR-IOV: bus number out of range", "Failed to enable PCI sriov: -12"]

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let machine = context.machine
        let dmi = DMIInfo.read(machine)
        let cpuVendor = CPUInfo.read(machine)?.vendor
        let bios = context.knowledge.biosVendor(dmi)
        var evidence = [dmi.evidence]
        if let bios { evidence.append(Evidence(en: "BIOS menu words: \(bios.name) (\(bios.id))", es: "términos de menú de la BIOS: \(bios.name) (\(bios.id))")) }
        let pfs = context.targetPFs
        // The Intel iGPU has its own firmware items (keep it enabled next to a discrete GPU,
        // VMD, Above 4G for 3.5 GiB of VF BARs): gpu.json's words instead of the NIC menus.
        // gpu.json is decoded only when there is an iGPU PF (it was 5% of `check` elsewhere).
        let hasIGPU = pfs.contains(where: GPUHost.isIntelIGPU)
        let igpuVendor = hasIGPU ? context.knowledge.gpu?.bios.vendor(boardVendor: dmi.boardVendor, systemVendor: dmi.systemVendor) : nil
        let igpuWords = hasIGPU ? context.knowledge.gpu.map { igpuMenuText($0, vendor: igpuVendor) } : nil
        if igpuWords != nil {
            evidence.append(Evidence(
                en: "BIOS menu words for the Intel iGPU: gpu.json " + (igpuVendor.map { "\($0.name) (\($0.id), checked \($0.checked)) over the generic words" } ?? "generic words (no board vendor entry matches DMI)"),
                es: "términos de menú de la BIOS para la iGPU Intel: gpu.json " + (igpuVendor.map { "\($0.name) (\($0.id), revisado \($0.checked)) antes que los términos genéricos" } ?? "términos genéricos (ninguna entrada de fabricante de placa coincide con DMI)")))
        }
        let menus = igpuWords ?? menuText(bios, cpu: cpuVendor)

        let log = KernelLog.read(machine)
        var blocked: [(PCIFunction, [String])] = []
        var working: [PCIFunction] = []
        var uninitialised: [PCIFunction] = []
        for pf in pfs {
            let state = pf.sriov
            let vfsPresent = context.vfs(of: pf).count
            let fromSysfs = state?.source == "sysfs"
            let counts = "sriov_totalvfs \(state?.totalVFs.map(String.init) ?? "?"), sriov_numvfs \(state?.numVFs.map(String.init) ?? "?")"
            evidence.append(.fact(pf.address.description,
                en: (fromSysfs ? counts : "SR-IOV capability in config space, no sriov_totalvfs in sysfs") + ", \(vfsPresent) VF(s) present",
                es: (fromSysfs ? counts : "capacidad SR-IOV en el espacio de configuración, sin sriov_totalvfs en sysfs") + ", \(vfsPresent) VF(s) presentes"))
            var messages: [String] = []
            if case .success(let kernelLog) = log {
                let address = pf.address.description
                messages = kernelLog.lines.filter { line in
                    guard line.containsBytes(address) else { return false }
                    if resourcePhrases.contains(where: { line.containsBytes($0) }) { return true }
                    return isIOVBARFailure(line)
                }
                for m in messages { evidence.append(.record("dmesg: \(m)")) }
            }
            if !messages.isEmpty { blocked.append((pf, messages)) }
            if (fromSysfs && (state?.totalVFs ?? 0) > 0) || vfsPresent > 0 || (state?.numVFs ?? 0) > 0 { working.append(pf) }
            else if !fromSysfs && context.inventory.source == "sysfs" { uninitialised.append(pf) }
        }
        if case .failure(let unavailable) = log { evidence.append(unavailable.evidence) }
        if let note = bios?.notes { evidence.append(.fact(bios!.name, en: note.en, es: note.es)) }

        if let (pf, _) = blocked.first {
            let addresses = blocked.map { $0.0.address.description }.joined(separator: ", ")
            return [result(.fail, LocalizedText(
                en: "The firmware did not reserve resources for the VFs of \(addresses): the kernel could not place their memory BARs or bus numbers.",
                es: "El firmware no reservó recursos para las VFs de \(addresses): el kernel no pudo ubicar sus BARs de memoria ni sus números de bus."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "In the BIOS/UEFI setup enable Above 4G Decoding and SR-IOV Support: \(menus.en) Save and reboot. If the firmware has no such options, try the kernel parameter `pci=realloc` (see iommu-kernel-cmdline for where to add it).",
                    es: "En la configuración de la BIOS/UEFI active Above 4G Decoding y SR-IOV Support: \(menus.es) Guarde y reinicie. Si el firmware no tiene esas opciones, pruebe el parámetro del kernel `pci=realloc` (iommu-kernel-cmdline indica dónde añadirlo)."),
                device: blocked.count == 1 ? pf.address : nil)]
        }
        if !working.isEmpty {
            let list = working.map { pf -> String in
                let total = pf.sriov?.totalVFs.map { " (up to \($0) VFs)" } ?? ""
                return pf.address.description + total
            }.joined(separator: ", ")
            let listES = working.map { pf -> String in
                let total = pf.sriov?.totalVFs.map { " (hasta \($0) VFs)" } ?? ""
                return pf.address.description + total
            }.joined(separator: ", ")
            return [result(.pass, LocalizedText(
                en: "SR-IOV is usable with this firmware: the kernel offers VFs on \(list).",
                es: "SR-IOV se puede usar con este firmware: el kernel ofrece VFs en \(listES)."),
                evidence: evidence)]
        }
        if !uninitialised.isEmpty {
            let list = uninitialised.map(\.address.description).joined(separator: ", ")
            return [result(.warn, LocalizedText(
                en: uninitialised.count == 1
                    ? "\(list) has the SR-IOV capability, but the kernel did not set SR-IOV up for it (no sriov_totalvfs in sysfs): usually the firmware left no room for the VFs."
                    : "\(list) have the SR-IOV capability, but the kernel did not set SR-IOV up for them (no sriov_totalvfs in sysfs): usually the firmware left no room for the VFs.",
                es: uninitialised.count == 1
                    ? "\(list) tiene la capacidad SR-IOV, pero el kernel no la configuró (no hay sriov_totalvfs en sysfs): normalmente el firmware no dejó sitio para las VFs."
                    : "\(list) tienen la capacidad SR-IOV, pero el kernel no la configuró para ellos (no hay sriov_totalvfs en sysfs): normalmente el firmware no dejó sitio para las VFs."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Check `dmesg | grep -i -e sr-iov -e 'BAR'` for the reason, then in the BIOS/UEFI setup: \(menus.en) Save and reboot.",
                    es: "Busque el motivo en `dmesg | grep -i -e sr-iov -e 'BAR'` y después, en la configuración de la BIOS/UEFI: \(menus.es) Guarde y reinicie."))]
        }
        return [result(.note, pfs.isEmpty
            ? LocalizedText(
                en: "No SR-IOV capable device is visible. If the card supports SR-IOV, the firmware may hide it until SR-IOV is enabled.",
                es: "No se ve ningún dispositivo con SR-IOV. Si la tarjeta lo admite, el firmware puede ocultarlo hasta que se active SR-IOV.")
            : LocalizedText(
                en: "The kernel offers no VFs yet on \(pfs.map(\.address.description).joined(separator: ", ")): the firmware settings below may be needed.",
                es: "El kernel aún no ofrece VFs en \(pfs.map(\.address.description).joined(separator: ", ")): pueden hacer falta los ajustes de firmware siguientes."),
            evidence: evidence,
            hint: LocalizedText(en: "In the BIOS/UEFI setup: \(menus.en) Save and reboot.",
                                es: "En la configuración de la BIOS/UEFI: \(menus.es) Guarde y reinicie."))]
    }

    /// `pci 0000:01:00.0: VF BAR 0 [mem size 0x00020000 64bit]: can't assign; no space` (6.x),
    /// `pci 0000:01:00.0: BAR 7: no space for [mem size ...]` / `BAR 9: failed to assign` (older):
    /// resources 7..12 are the IOV BARs on x86 (PCI_IOV_RESOURCES).
    static func isIOVBARFailure(_ line: String) -> Bool {
        let failure = line.containsBytes("can't assign") || line.containsBytes("failed to assign") || line.containsBytes("no space")
        guard failure else { return false }
        if line.containsBytes("VF BAR") { return true }
        for n in 7...12 where line.containsBytes("BAR \(n):") || line.containsBytes("BAR \(n) ") { return true }
        return false
    }

    /// The menu words for every setting SR-IOV depends on, each with all known paths.
    static func menuText(_ bios: BIOSVendor?, cpu: CPUVendor?) -> LocalizedText {
        let items: [(key: String, en: String, es: String)] = [
            ("sriov", "SR-IOV", "SR-IOV"),
            ("ari", "ARI", "ARI"),
            ("iommu", cpu == .amd ? "IOMMU (AMD-Vi)" : "VT-d / IOMMU", cpu == .amd ? "IOMMU (AMD-Vi)" : "VT-d / IOMMU"),
            ("above4g", "Above 4G Decoding (room for the VF BARs)", "Above 4G Decoding (espacio para los BARs de las VFs)"),
        ]
        var en: [String] = [], es: [String] = []
        for item in items {
            guard let setting = bios?.setting(item.key, cpu: cpu) else {
                en.append("\(item.en): look for an option of that name")
                es.append("\(item.es): busque una opción con ese nombre")
                continue
            }
            let paths = (0..<setting.paths.count).map { setting.pathText($0) }.joined(separator: " or ")
            let pathsES = (0..<setting.paths.count).map { setting.pathText($0) }.joined(separator: " o ")
            let value = setting.value.map { " = \($0)" } ?? ""
            en.append("\(item.en): \(paths)\(value)" + (setting.note.map { " (\($0.en))" } ?? ""))
            es.append("\(item.es): \(pathsES)\(value)" + (setting.note.map { " (\($0.es))" } ?? ""))
        }
        var textEN = en.joined(separator: "; ") + "."
        var textES = es.joined(separator: "; ") + "."
        if let notes = bios?.notes {
            textEN += " " + notes.en
            textES += " " + notes.es
        }
        return LocalizedText(en: textEN, es: textES)
    }

    /// The iGPU's firmware items from gpu.json `bios`: the board vendor's words where it has
    /// the item, the generic (AMI Aptio) words otherwise; every known path of each.
    static func igpuMenuText(_ gpu: GPUKnowledge, vendor: GPUKnowledge.VendorWords? = nil) -> LocalizedText {
        let items: [(key: String, en: String, es: String)] = [
            ("vtd", "VT-d", "VT-d"),
            ("above4g", "Above 4G Decoding (room for the VF BARs)", "Above 4G Decoding (espacio para los BARs de las VFs)"),
            ("igpu", "keep the iGPU enabled with a discrete GPU", "mantener el iGPU activo junto a una GPU dedicada"),
            ("vmd", "Intel VMD", "Intel VMD"),
            ("sriov", "SR-IOV", "SR-IOV"),
        ]
        var en: [String] = [], es: [String] = []
        for item in items {
            guard let setting = vendor?.settings[item.key] ?? gpu.bios.settings[item.key] else { continue }
            let paths = (0..<setting.paths.count).map { setting.pathText($0) }
            if paths.isEmpty {
                // The vendor's firmware has no such item: say why instead of naming a menu.
                guard let note = setting.note else { continue }
                en.append("\(item.en): \(note.en)")
                es.append("\(item.es): \(note.es)")
                continue
            }
            let value = setting.value.map { " = \($0)" } ?? ""
            en.append("\(item.en): \(paths.joined(separator: " or "))\(value)" + (setting.note.map { " (\($0.en))" } ?? ""))
            es.append("\(item.es): \(paths.joined(separator: " o "))\(value)" + (setting.note.map { " (\($0.es))" } ?? ""))
        }
        var textEN = en.joined(separator: "; ") + "."
        var textES = es.joined(separator: "; ") + "."
        if let vendor {
            textEN = "\(vendor.name) firmware: " + textEN + (vendor.notes.map { " " + $0.en } ?? "")
            textES = "Firmware de \(vendor.name): " + textES + (vendor.notes.map { " " + $0.es } ?? "")
        }
        return LocalizedText(en: textEN + " " + gpu.bios.note.en, es: textES + " " + gpu.bios.note.es)
    }
}
