/// `vf-passthrough`: ready-to-paste Proxmox commands for the VFs that are free: bound to
/// their VF driver or vfio-pci (`vf-driver-bound`) and named by no VM. Read: every
/// `hostpciN:` line of /etc/pve/qemu-server/*.conf (qm(1): `[host=]ADDR[;ADDR...]` or
/// `mapping=NAME`, options after commas) and the resource mappings in
/// /etc/pve/mapping/pci.cfg. `pcie=1` needs the q35 machine type. Guest drivers: Linux has
/// the VF drivers in-tree (igbvf, ixgbevf, iavf, mlx5_core ...); Windows has no in-box driver
/// for most VFs, so the vendor's is named from the knowledge (Resources/knowledge/drivers.json).
public enum VFPassthroughCheck: Check {
    public static let id = "vf-passthrough"
    public static let stage = StageID.activation

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let targets = context.targetPFs
        guard !targets.isEmpty else { return [TargetDevice.nothingToCheck(self, context)] }
        let proxmox = ProxmoxPassthroughConfig.read(context.machine)
        let node = context.machine.attribute("/proc/sys/kernel/hostname") ?? context.machine.attribute("/etc/hostname")
        return targets.map { f in
            guard f.role == .pf else { return TargetDevice.notAPF(self, f) }
            guard !context.vfs(of: f).isEmpty else { return TargetDevice.noVFs(self, context, f) }
            return check(f, context, proxmox, node: node)
        }
    }

    static func check(_ pf: PCIFunction, _ context: CheckContext, _ proxmox: ProxmoxPassthroughConfig, node: String?) -> CheckResult {
        let label = TargetDevice.label(pf)
        let vfs = context.vfs(of: pf)
        let expected = TargetDevice.vfDriver(context, pf)
        let known = pf.driver.flatMap { context.knowledge.driver($0) }
        var evidence: [String] = []
        // The PF itself in a VM (by address, the `00:02` shorthand or "All Functions"): starting
        // that VM unbinds the PF's driver, which disables every VF ("Disabled 7 VFs").
        let pfUses = proxmox.directUses(of: pf.address)
        let pfMapped = proxmox.mappings(containing: pf.address, node: node)
        if !pfUses.isEmpty || !pfMapped.isEmpty {
            for use in pfUses { evidence.append("\(use.location): \(use.text) (VM \(use.vmid)) passes the PF \(pf.address)") }
            for entry in pfMapped { evidence.append("\(entry.location): resource mapping '\(entry.mapping)' contains the PF \(pf.address)") }
            let vms = Array(Set(pfUses.map(\.vmid) + pfMapped.flatMap { proxmox.uses(ofMapping: $0.mapping).map(\.vmid) })).sorted()
            let vmText = vms.isEmpty ? "a resource mapping" : "VM " + vms.joined(separator: ", VM ")
            let vmTextES = vms.isEmpty ? "un mapeo de recursos" : "la VM " + vms.joined(separator: ", VM ")
            let firstVF = vfs.first.map(\.address.description) ?? "VF"
            return result(.fail, LocalizedText(
                en: "\(vmText) passes the PF \(pf.address) itself while it has \(TargetDevice.count(vfs.count, "VF", "VFs")): starting that VM takes the PF from its driver and disables every VF.",
                es: "\(vmTextES) pasa la propia PF \(pf.address) mientras tiene \(TargetDevice.count(vfs.count, "VF", "VFs")): arrancar esa VM quita la PF a su controlador y desactiva todas las VFs."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Pass a VF instead, never the PF, the `\(hex(pf.address.bus, 2)):\(hex(pf.address.device, 2))` shorthand or \"All Functions\" (they include the PF): edit the hostpci line to `\(firstVF),pcie=1` (e.g. `qm set \(vms.first ?? "VMID") -hostpci0 \(firstVF),pcie=1`), or remove the PF from the resource mapping.",
                    es: "Pase una VF, nunca la PF, la forma abreviada `\(hex(pf.address.bus, 2)):\(hex(pf.address.device, 2))` ni \"All Functions\" (incluyen la PF): cambie la línea hostpci a `\(firstVF),pcie=1` (p. ej. `qm set \(vms.first ?? "VMID") -hostpci0 \(firstVF),pcie=1`), o quite la PF del mapeo de recursos."),
                device: pf.address)
        }
        var free: [PCIFunction] = []
        var used = 0
        var notReady: [PCIAddress] = []
        for vf in vfs {
            let uses = proxmox.directUses(of: vf.address)
            let mapped = proxmox.mappings(containing: vf.address, node: node)
            for use in uses { evidence.append("\(use.location): \(use.text) (VM \(use.vmid))") }
            for entry in mapped {
                let vms = proxmox.uses(ofMapping: entry.mapping).map(\.vmid)
                evidence.append("\(entry.location): \(vf.address) in resource mapping '\(entry.mapping)'" +
                                (vms.isEmpty ? "" : " (used by VM \(vms.joined(separator: ", ")))"))
            }
            if !uses.isEmpty || !mapped.isEmpty { used += 1; continue }
            if vf.iommuGroup == nil, context.inventory.source == "sysfs" {
                // No IOMMU group: vfio cannot take it (IOMMU off, see vf-iommu-groups).
                notReady.append(vf.address)
                evidence.append("\(vf.address): no IOMMU group (see vf-iommu-groups), not offered")
                continue
            }
            switch VFDriverBoundCheck.binding(vf, expected: expected) {
            case .vfDriver, .vfio: free.append(vf)
            case .other(let d): notReady.append(vf.address); evidence.append("\(vf.address): bound to \(d), not offered")
            case .unbound: notReady.append(vf.address); evidence.append("\(vf.address): no driver (see vf-driver-bound), not offered")
            }
        }
        evidence.append("\(ProxmoxPassthroughConfig.vmDirectory): \(proxmox.vmConfigs.count) VM configs, \(proxmox.hostPCI.count) hostpci lines")
        for problem in proxmox.problems.prefix(5) { evidence.append("\(problem) (not understood)") }
        if !free.isEmpty { evidence.append("free VFs: " + free.map { vf in vf.address.description + (vf.driver.map { " (\($0))" } ?? "") }.joined(separator: ", ")) }

        guard !free.isEmpty else {
            if used > 0 && notReady.isEmpty {
                return result(.pass, LocalizedText(
                    en: "All \(vfs.count) VFs of \(label) are already given to VMs or resource mappings.",
                    es: "Las \(vfs.count) VFs de \(label) ya están asignadas a VMs o a mapeos de recursos."),
                    evidence: evidence, device: pf.address)
            }
            return result(.warn, LocalizedText(
                en: "No VF of \(label) is ready to pass to a VM: \(notReady.count) lack an IOMMU group or a binding to \(expected ?? "their VF driver") or vfio-pci" + (used > 0 ? ", \(used) already in use" : "") + ".",
                es: "Ninguna VF de \(label) está lista para pasarla a una VM: a \(notReady.count) les falta un grupo IOMMU o la asociación a \(expected ?? "su controlador de VF") o vfio-pci" + (used > 0 ? ", \(used) ya en uso" : "") + "."),
                evidence: evidence,
                hint: LocalizedText(en: "Fix vf-iommu-groups and vf-driver-bound first.", es: "Corrija antes vf-iommu-groups y vf-driver-bound."),
                device: pf.address)
        }

        let lines = free.prefix(8).map { "qm set VMID -hostpci0 \($0.address),pcie=1" }
        let more = free.count > 8 ? " (and likewise for the other \(free.count - 8))" : ""
        let moreES = free.count > 8 ? " (y lo mismo para las otras \(free.count - 8))" : ""
        let pasted = lines.map { "`\($0)`" }.joined(separator: "; ")
        let linux = expected.map { "the in-tree \($0) driver" } ?? "the in-tree VF driver of the card"
        let linuxES = expected.map { "el controlador \($0) incluido en el kernel" } ?? "el controlador de VF de la tarjeta incluido en el kernel"
        if GPUHost.isIntelIGPU(pf), let guests = context.knowledge.gpu?.guests {
            let drivers = context.knowledge.gpu?.windowsGuestDrivers.filter { $0.status == "works" }.map(\.version).joined(separator: ", ") ?? ""
            return result(.note, LocalizedText(
                en: "\(TargetDevice.count(free.count, "VF", "VFs")) of \(label) \(free.count == 1 ? "is" : "are") free to pass to a VM" + (used > 0 ? " (\(used) already in use)" : "") + ".",
                es: "\(TargetDevice.count(free.count, "VF", "VFs")) de \(label) \(free.count == 1 ? "está libre" : "están libres") para pasar a una VM" + (used > 0 ? " (\(used) ya en uso)" : "") + "."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "One VF per VM, replacing VMID: \(pasted)\(more); never 00:02.0, `00:02` or \"All Functions\". Windows guests: \(guests.windows.en) Versions users report working: \(drivers). Linux guests: \(guests.linux.en)",
                    es: "Una VF por VM, sustituyendo VMID: \(pasted)\(moreES); nunca 00:02.0, `00:02` ni \"All Functions\". Invitados Windows: \(guests.windows.es) Versiones que los usuarios indican como funcionales: \(drivers). Invitados Linux: \(guests.linux.es)"),
                device: pf.address)
        }
        let windows = known?.windowsDriver.map { $0.name + ($0.url.map { " (\($0))" } ?? "") } ?? "the card vendor's VF driver"
        let windowsES = known?.windowsDriver.map { $0.name + ($0.url.map { " (\($0))" } ?? "") } ?? "el controlador de VF del fabricante de la tarjeta"
        return result(.note, LocalizedText(
            en: "\(TargetDevice.count(free.count, "VF", "VFs")) of \(label) \(free.count == 1 ? "is" : "are") free to pass to a VM" + (used > 0 ? " (\(used) already in use)" : "") + ".",
            es: "\(TargetDevice.count(free.count, "VF", "VFs")) de \(label) \(free.count == 1 ? "está libre" : "están libres") para pasar a una VM" + (used > 0 ? " (\(used) ya en uso)" : "") + "."),
            evidence: evidence,
            hint: LocalizedText(
                en: "One VF per VM, replacing VMID: \(pasted)\(more). `pcie=1` needs the q35 machine type (`qm set VMID -machine q35`; drop `,pcie=1` on i440fx). Or create a resource mapping with these VFs in Datacenter > Resource Mappings > PCI Devices and use `qm set VMID -hostpci0 mapping=NAME,pcie=1`, which lets Proxmox pick a free VF and survives address changes. In the guest: Linux uses \(linux); Windows has no in-box driver for most VFs and needs \(windows).",
                es: "Una VF por VM, sustituyendo VMID: \(pasted)\(moreES). `pcie=1` necesita el tipo de máquina q35 (`qm set VMID -machine q35`; quite `,pcie=1` con i440fx). O cree un mapeo de recursos con estas VFs en Centro de datos > Mapeos de recursos > Dispositivos PCI y use `qm set VMID -hostpci0 mapping=NOMBRE,pcie=1`, con lo que Proxmox elige una VF libre y sobrevive a cambios de dirección. En el invitado: Linux usa \(linuxES); Windows no trae controlador para la mayoría de las VFs y necesita \(windowsES)."),
            device: pf.address)
    }
}
