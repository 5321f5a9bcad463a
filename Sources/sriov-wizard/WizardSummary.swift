import HostAccess
import SRIOVCore

/// Stage 4, question 5 of issue 13: the closing summary, one paragraph a person can act on:
/// which VF (netdev, MAC) went to which VM, what to do with the VM, and the guest driver for
/// its `ostype` (Windows: the vendor's VF driver package from Resources/knowledge/drivers.json;
/// Linux: the in-tree VF driver).
extension WizardSession {
    /// `macs`: this session gave the VFs fixed MACs (VFPlanner.vfMAC), so the summary can name it.
    func closingSummary(_ choice: VMChoice, macs: Bool, context: CheckContext) -> LocalizedText {
        let pf = choice.pf
        let known = pf.driver.flatMap { context.knowledge.driver($0) }
        var en: [String] = [], es: [String] = []
        if let vf = choice.vf {
            var details = vf.netdevs.prefix(1).map { $0 }
            // Fixed MACs: chosen in this session, or set by our udev rule for this PF earlier.
            let rules = (try? context.machine.readText(VFPlanner.udevRulesPath, limit: 1 << 20)) ?? ""
            let ruled = rules.split(separator: "\n").contains { $0.contains("KERNEL==\"\(pf.address)\"") && $0.contains(" mac ") }
            if macs || ruled, let index = pf.virtfns.firstIndex(of: vf.address) {
                details.append("MAC " + VFPlanner.vfMAC(pf: pf.address, index: index, machineID: context.machine.attribute("/etc/machine-id")))
            }
            let shown = "VF \(vf.address)" + (details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")")
            let vm = choice.vm.map(\.label) ?? "the VM"
            en.append("\(shown) is passed to \(vm).")
            es.append("La \(shown) está asignada a la \(vm).")
        } else if let mapping = choice.mapping {
            en.append("The resource mapping '\(mapping)' holds the \(choice.freeCount) free VFs of \(pf.address)" + (choice.vm.map { "; \($0.label) gets one of them at its next start." } ?? "."))
            es.append("El mapeo de recursos '\(mapping)' reúne las \(choice.freeCount) VFs libres de \(pf.address)" + (choice.vm.map { "; la \($0.label) recibe una de ellas en su próximo arranque." } ?? "."))
            if choice.vm == nil {
                en.append("Give a VM one with `qm set VMID -hostpci0 mapping=\(mapping),pcie=1` (or Hardware > Add > PCI Device > Mapped Device).")
                es.append("Dé una a una VM con `qm set VMID -hostpci0 mapping=\(mapping),pcie=1` (o Hardware > Añadir > Dispositivo PCI > Dispositivo mapeado).")
            }
        }
        if let vm = choice.vm {
            switch vm.state {
            case .running:
                en.append("Restart the VM (`qm shutdown \(vm.vmid) && qm start \(vm.vmid)`; a reboot inside the guest is not enough);")
                es.append("Reinicie la VM (`qm shutdown \(vm.vmid) && qm start \(vm.vmid)`; reiniciar dentro del invitado no basta);")
            case .stopped:
                en.append("Start the VM (`qm start \(vm.vmid)`);")
                es.append("Arranque la VM (`qm start \(vm.vmid)`);")
            case .unknown:
                en.append("Start the VM, or restart it if it runs (`qm stop \(vm.vmid) && qm start \(vm.vmid)`);")
                es.append("Arranque la VM, o reiníciela si está en marcha (`qm stop \(vm.vmid) && qm start \(vm.vmid)`);")
            }
            if vm.isWindows {
                if let windows = known?.windowsDriver {
                    en.append("inside Windows install \(windows.name)" + (windows.url.map { " from \($0)" } ?? "") + ".")
                    es.append("dentro de Windows instale \(windows.name)" + (windows.url.map { " desde \($0)" } ?? "") + ".")
                    if let note = windows.note { en.append(note.en); es.append(note.es) }
                } else {
                    en.append("inside Windows install the VF driver of the device's vendor (Windows has no in-box driver for most VFs).")
                    es.append("dentro de Windows instale el controlador VF del fabricante del dispositivo (Windows no trae controlador para la mayoría de las VFs).")
                }
            } else if let vfDriver = known?.vfDriver {
                en.append("inside the guest the in-tree Linux driver \(vfDriver) takes the VF (`lspci -k` shows it); nothing to install.")
                es.append("dentro del invitado el controlador \(vfDriver) del kernel Linux toma la VF (`lspci -k` lo muestra); no hay nada que instalar.")
            } else {
                en.append("inside the guest check with `lspci -k` that a driver takes the VF.")
                es.append("dentro del invitado compruebe con `lspci -k` que un controlador toma la VF.")
            }
        }
        if !context.machine.isLive {
            en.append("This is a snapshot: on the host, run the commands marked \"would run on the host\" first.")
            es.append("Esto es una instantánea: en el equipo, ejecute antes las órdenes marcadas \"se ejecutaría en el equipo\".")
        }
        return LocalizedText(en: en.joined(separator: " "), es: es.joined(separator: " "))
    }
}
