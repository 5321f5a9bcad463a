/// `vf-passthrough`: ready-to-paste Proxmox commands for the VFs that are free: bound to
/// their VF driver or vfio-pci (`vf-driver-bound`) and named by no VM. Read: every
/// `hostpciN:` line of /etc/pve/qemu-server/*.conf (qm(1): `[host=]ADDR[;ADDR...]` or
/// `mapping=NAME`, options after commas) and the resource mappings in
/// /etc/pve/mapping/pci.cfg. `pcie=1` needs the q35 machine type. Guest drivers: Linux has
/// the VF drivers in-tree (igbvf, ixgbevf, iavf, mlx5_core ...); Windows has no in-box driver
/// for most VFs, so the vendor's is named from the knowledge (Resources/knowledge/drivers.json).
///
/// What is configured is verified too, one result per VF a VM or mapping names: pass when
/// exactly one VM (or one mapping) has it; fail when two do, when the line says `pcie=1` on
/// an i440fx VM (no PCIe bus: QEMU refuses to start), when a line or mapping names a function
/// of this PF's bus that does not exist (VFs not recreated: the start fails), or when the PF
/// itself is passed; warn for a Windows VM (`ostype: win*`), naming its VF driver.
public enum VFPassthroughCheck: Check {
    public static let id = "vf-passthrough"
    public static let stage = StageID.activation

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let targets = context.targetPFs
        guard !targets.isEmpty else { return [TargetDevice.nothingToCheck(self, context)] }
        let proxmox = ProxmoxPassthroughConfig.read(context.machine)
        let node = context.machine.attribute("/proc/sys/kernel/hostname") ?? context.machine.attribute("/etc/hostname")
        return targets.flatMap { f -> [CheckResult] in
            guard f.role == .pf else { return [TargetDevice.notAPF(self, f)] }
            let missing = missingAddresses(f, context, proxmox, node: node)
            guard !context.vfs(of: f).isEmpty else { return missing + [TargetDevice.noVFs(self, context, f)] }
            return missing + configured(f, context, proxmox, node: node) + [check(f, context, proxmox, node: node)]
        }
    }

    // MARK: - what is configured, per VF

    /// A use of a VF: a `hostpciN` line naming it, or a resource mapping holding it (with the
    /// lines of the VMs that name the mapping).
    struct Use {
        var line: ProxmoxPassthroughConfig.HostPCI?
        var mapping: ProxmoxPassthroughConfig.MappedDevice?
        var mappingLines: [ProxmoxPassthroughConfig.HostPCI] = []
        var lines: [ProxmoxPassthroughConfig.HostPCI] { line.map { [$0] } ?? mappingLines }
    }

    static func uses(of address: PCIAddress, _ proxmox: ProxmoxPassthroughConfig, node: String?) -> [Use] {
        proxmox.directUses(of: address).map { Use(line: $0) }
            + proxmox.mappings(containing: address, node: node).map { Use(mapping: $0, mappingLines: proxmox.uses(ofMapping: $0.mapping)) }
    }

    static func vmLabel(_ vmid: String, _ proxmox: ProxmoxPassthroughConfig) -> String {
        proxmox.vm(vmid)?.label ?? "VM \(vmid)"
    }

    static func describe(_ use: Use, _ proxmox: ProxmoxPassthroughConfig) -> LocalizedText {
        if let line = use.line {
            let vm = vmLabel(line.vmid, proxmox)
            return LocalizedText(en: "\(vm) (\(line.slot))", es: "la \(vm) (\(line.slot))")
        }
        let name = use.mapping?.mapping ?? "?"
        let vms = use.mappingLines.map { vmLabel($0.vmid, proxmox) }.joined(separator: ", ")
        return LocalizedText(
            en: "resource mapping '\(name)'" + (vms.isEmpty ? " (no VM uses it yet)" : ", used by \(vms)"),
            es: "el mapeo de recursos '\(name)'" + (vms.isEmpty ? " (ninguna VM lo usa aún)" : ", usado por \(vms)"))
    }

    /// The hostpci value with `pcie=1` removed (`0000:01:10.0,rombar=0`), for i440fx.
    static func withoutPCIe(_ line: ProxmoxPassthroughConfig.HostPCI) -> String {
        let value = line.text.drop { $0 != ":" }.dropFirst().trimmingPrefix(" ")
        return value.split(separator: ",").filter { !String($0).trimmedSpace().hasPrefix("pcie=") }.joined(separator: ",")
    }

    /// What a Windows guest of this PF's VFs needs, from the knowledge (drivers.json:
    /// the vendor's VF driver package and link; gpu.json: the iGPU guest settings and the
    /// graphics driver versions users report working).
    static func windowsHint(_ pf: PCIFunction, _ context: CheckContext, vms: String) -> LocalizedText {
        if GPUHost.isIntelIGPU(pf), let gpu = context.knowledge.gpu {
            let versions = gpu.windowsGuestDrivers.filter { $0.status == "works" }.map(\.version).joined(separator: ", ")
            return LocalizedText(
                en: "In \(vms) (Windows): \(gpu.guests.windows.en)" + (versions.isEmpty ? "" : " Versions users report working: \(versions)."),
                es: "En \(vms) (Windows): \(gpu.guests.windows.es)" + (versions.isEmpty ? "" : " Versiones que los usuarios indican como funcionales: \(versions)."))
        }
        if let known = pf.driver.flatMap({ context.knowledge.driver($0) })?.windowsDriver {
            let package = known.name + (known.url.map { " from \($0)" } ?? "")
            let packageES = known.name + (known.url.map { " desde \($0)" } ?? "")
            return LocalizedText(en: "Inside \(vms) install \(package)." + (known.note.map { " " + $0.en } ?? ""),
                                 es: "Dentro de \(vms) instale \(packageES)." + (known.note.map { " " + $0.es } ?? ""))
        }
        return LocalizedText(en: "Inside \(vms) install the card vendor's Windows VF driver.",
                             es: "Dentro de \(vms) instale el controlador de VF para Windows del fabricante de la tarjeta.")
    }

    /// One result per VF that a VM config or a mapping names: pass when exactly one VM (or one
    /// mapping) has it with options its machine type accepts; fail for two users or `pcie=1`
    /// on i440fx; warn for a Windows VM (it needs the vendor's VF driver).
    static func configured(_ pf: PCIFunction, _ context: CheckContext, _ proxmox: ProxmoxPassthroughConfig, node: String?) -> [CheckResult] {
        context.vfs(of: pf).compactMap { vf -> CheckResult? in
            // A line or mapping that holds the PF too (`00:02`, "All Functions") is the PF's
            // own fail below, not a use of this VF.
            let all = uses(of: vf.address, proxmox, node: node).filter { use in
                !(use.line?.ids.contains { $0.covers(pf.address) } ?? false) && !(use.mapping?.ids.contains { $0.covers(pf.address) } ?? false)
            }
            guard !all.isEmpty else { return nil }
            let name = vf.address.description + (vf.netdevs.first.map { " (\($0))" } ?? "")
            var evidence = all.flatMap { use -> [Evidence] in
                if let line = use.line { return [.record("\(line.location): \(line.text) (\(vmLabel(line.vmid, proxmox)))")] }
                guard let m = use.mapping else { return [] }
                return [.fact("\(m.location)", en: "\(vf.address) in resource mapping '\(m.mapping)'", es: "\(vf.address) en el mapeo de recursos '\(m.mapping)'")]
                    + use.mappingLines.map { .record("\($0.location): \($0.text) (\(vmLabel($0.vmid, proxmox)))") }
            }
            for vmid in Set(all.flatMap(\.lines).map(\.vmid)).sorted() {
                guard let vm = proxmox.vm(vmid) else { continue }
                func fields(_ defaultMachine: String, _ state: String) -> String {
                    [vm.name.map { "name \($0)" }, "ostype \(vm.ostype ?? "other")", "machine \(vm.machine ?? defaultMachine)", vm.bios.map { "bios \($0)" },
                     state].compactMap { $0 }.joined(separator: ", ")
                }
                evidence.append(Evidence(en: "\(vm.file): " + fields("(default i440fx)", "state \(vm.state.rawValue)"),
                                         es: "\(vm.file): " + fields("(i440fx por omisión)", "estado \(vm.state.spanish)")))
            }
            if all.count > 1 {
                let who = all.map { describe($0, proxmox) }
                let second = all.dropFirst().first?.line
                let free = context.vfs(of: pf).first { uses(of: $0.address, proxmox, node: node).isEmpty }
                let fix = second.map { line in
                    free.map { "qm set \(line.vmid) -\(line.slot) \($0.address)" + (line.pcie ? ",pcie=1" : "") } ?? "qm set \(line.vmid) -delete \(line.slot)"
                }
                return result(.fail, LocalizedText(
                    en: "VF \(name) is given twice: to " + who.map(\.en).joined(separator: " and to ") + "; only one VM can hold it, so the second one fails to start.",
                    es: "La VF \(name) está asignada dos veces: a " + who.map(\.es).joined(separator: " y a ") + "; solo una VM puede tenerla, así que la segunda no arranca."),
                    evidence: evidence,
                    hint: LocalizedText(
                        en: "Give each VM its own VF" + (fix.map { ": `\($0)`" } ?? ", and keep a VF in one resource mapping only") + " (`sriov-wizard apply --passthrough VMID --vf auto --device \(pf.address)` picks a free one).",
                        es: "Dé a cada VM su propia VF" + (fix.map { ": `\($0)`" } ?? ", y deje cada VF en un solo mapeo de recursos") + " (`sriov-wizard apply --passthrough VMID --vf auto --device \(pf.address)` elige una libre)."),
                    device: vf.address)
            }
            let use = all[0]
            if let line = use.lines.first(where: { $0.pcie && proxmox.vm($0.vmid)?.machineFamily == .i440fx }) {
                let vm = vmLabel(line.vmid, proxmox)
                return result(.fail, LocalizedText(
                    en: "\(vm) passes VF \(name) with pcie=1 (\(line.slot)) but runs the i440fx machine type, which has no PCIe bus: the VM does not start.",
                    es: "La \(vm) pasa la VF \(name) con pcie=1 (\(line.slot)) pero usa el tipo de máquina i440fx, que no tiene bus PCIe: la VM no arranca."),
                    evidence: evidence,
                    hint: LocalizedText(
                        en: "Drop pcie=1: `qm set \(line.vmid) -\(line.slot) \(withoutPCIe(line))`; or switch the VM to q35 (`qm set \(line.vmid) -machine q35`; the guest then sees a new chipset, and Windows may re-detect its devices).",
                        es: "Quite pcie=1: `qm set \(line.vmid) -\(line.slot) \(withoutPCIe(line))`; o cambie la VM a q35 (`qm set \(line.vmid) -machine q35`; el invitado verá un chipset nuevo y Windows puede volver a detectar sus dispositivos)."),
                    device: vf.address)
            }
            let who = describe(use, proxmox)
            let windowsVMs = use.lines.compactMap { proxmox.vm($0.vmid) }.filter(\.isWindows)
            if !windowsVMs.isEmpty {
                let vms = windowsVMs.map(\.label).joined(separator: ", ")
                return result(.warn, LocalizedText(
                    en: "VF \(name) is passed to \(who.en); \(vms) runs Windows, which has no in-box driver for most VFs.",
                    es: "La VF \(name) está pasada a \(who.es); \(vms) usa Windows, que no trae controlador para la mayoría de las VFs."),
                    evidence: evidence,
                    hint: windowsHint(pf, context, vms: vms),
                    device: vf.address)
            }
            return result(.pass, LocalizedText(
                en: "VF \(name) is passed to \(who.en).",
                es: "La VF \(name) está pasada a \(who.es)."),
                evidence: evidence, device: vf.address)
        }
    }

    /// `hostpciN` lines and mappings (of this node) naming a function on this PF's bus that
    /// does not exist: the VM fails to start (typically VFs that were not recreated at boot).
    static func missingAddresses(_ pf: PCIFunction, _ context: CheckContext, _ proxmox: ProxmoxPassthroughConfig, node: String?) -> [CheckResult] {
        let buses = Set([pf.address] + context.vfs(of: pf).map(\.address) + pf.virtfns).map { "\($0.domain):\($0.bus)" }
        var found: [PCIAddress: [Evidence]] = [:]
        func consider(_ id: ProxmoxPassthroughConfig.HostPCIID, _ where: Evidence) {
            guard let function = id.function, buses.contains("\(id.domain):\(id.bus)") else { return }
            let address = PCIAddress(domain: id.domain, bus: id.bus, device: id.device, function: function)
            guard context.inventory.function(address) == nil else { return }
            found[address, default: []].append(`where`)
        }
        for line in proxmox.hostPCI { for id in line.ids { consider(id, .record("\(line.location): \(line.text) (\(vmLabel(line.vmid, proxmox)))")) } }
        for entry in proxmox.mapped where node == nil || entry.node == nil || entry.node == node {
            for id in entry.ids {
                consider(id, .fact("\(entry.location)", en: "resource mapping '\(entry.mapping)'", es: "mapeo de recursos '\(entry.mapping)'"))
            }
        }
        return found.keys.sorted().map { address in
            result(.fail, LocalizedText(
                en: "\(address) is configured for passthrough but does not exist on this host (\(TargetDevice.label(pf)) has \(TargetDevice.count(context.vfs(of: pf).count, "VF", "VFs")) now): the VM that uses it fails to start.",
                es: "\(address) está configurada para passthrough pero no existe en este host (\(TargetDevice.label(pf)) tiene \(TargetDevice.count(context.vfs(of: pf).count, "VF", "VFs")) ahora): la VM que la usa no arranca."),
                evidence: found[address] ?? [],
                hint: LocalizedText(
                    en: "Create the VFs again and make them persistent (see vfs-enabled and vfs-persistent: `sriov-wizard apply --device \(pf.address) --vfs N`), or point the line at an existing VF (`sriov-wizard devices`).",
                    es: "Vuelva a crear las VFs y hágalas persistentes (vea vfs-enabled y vfs-persistent: `sriov-wizard apply --device \(pf.address) --vfs N`), o haga que la línea apunte a una VF que exista (`sriov-wizard devices`)."),
                device: address)
        }
    }

    // MARK: - the PF: free VFs

    static func check(_ pf: PCIFunction, _ context: CheckContext, _ proxmox: ProxmoxPassthroughConfig, node: String?) -> CheckResult {
        let label = TargetDevice.label(pf)
        let vfs = context.vfs(of: pf)
        let expected = TargetDevice.vfDriver(context, pf)
        let known = pf.driver.flatMap { context.knowledge.driver($0) }
        var evidence: [Evidence] = []
        // The PF itself in a VM (by address, the `00:02` shorthand or "All Functions"): starting
        // that VM unbinds the PF's driver, which disables every VF ("Disabled 7 VFs").
        let pfUses = proxmox.directUses(of: pf.address)
        let pfMapped = proxmox.mappings(containing: pf.address, node: node)
        if !pfUses.isEmpty || !pfMapped.isEmpty {
            for use in pfUses {
                let line = "\(use.location): \(use.text) (VM \(use.vmid))"
                evidence.append(Evidence(en: line + " passes the PF \(pf.address)", es: line + " pasa la PF \(pf.address)"))
            }
            for entry in pfMapped {
                evidence.append(.fact("\(entry.location)", en: "resource mapping '\(entry.mapping)' contains the PF \(pf.address)",
                                      es: "el mapeo de recursos '\(entry.mapping)' contiene la PF \(pf.address)"))
            }
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
            for use in uses { evidence.append(.record("\(use.location): \(use.text) (VM \(use.vmid))")) }
            for entry in mapped {
                let vms = proxmox.uses(ofMapping: entry.mapping).map(\.vmid).joined(separator: ", ")
                evidence.append(Evidence(
                    en: "\(entry.location): \(vf.address) in resource mapping '\(entry.mapping)'" + (vms.isEmpty ? "" : " (used by VM \(vms))"),
                    es: "\(entry.location): \(vf.address) en el mapeo de recursos '\(entry.mapping)'" + (vms.isEmpty ? "" : " (usada por la VM \(vms))")))
            }
            if !uses.isEmpty || !mapped.isEmpty { used += 1; continue }
            if vf.iommuGroup == nil, context.inventory.source == "sysfs" {
                // No IOMMU group: vfio cannot take it (IOMMU off, see vf-iommu-groups).
                notReady.append(vf.address)
                evidence.append(.fact(vf.address.description, en: "no IOMMU group (see vf-iommu-groups), not offered", es: "sin grupo IOMMU (vea vf-iommu-groups), no se ofrece"))
                continue
            }
            switch VFDriverBoundCheck.binding(vf, expected: expected) {
            case .vfDriver, .vfio: free.append(vf)
            case .other(let d):
                notReady.append(vf.address)
                evidence.append(.fact(vf.address.description, en: "bound to \(d), not offered", es: "asociada a \(d), no se ofrece"))
            case .unbound:
                notReady.append(vf.address)
                evidence.append(.fact(vf.address.description, en: "no driver (see vf-driver-bound), not offered", es: "sin controlador (vea vf-driver-bound), no se ofrece"))
            }
        }
        evidence.append(.fact(ProxmoxPassthroughConfig.vmDirectory, en: "\(proxmox.vmConfigs.count) VM configs, \(proxmox.hostPCI.count) hostpci lines",
                              es: "\(proxmox.vmConfigs.count) configuraciones de VM, \(proxmox.hostPCI.count) líneas hostpci"))
        for problem in proxmox.problems.prefix(5) { evidence.append(Evidence(en: "\(problem) (not understood)", es: "\(problem.description(.es)) (no entendido)")) }
        if !free.isEmpty {
            let list = free.map { vf in vf.address.description + (vf.driver.map { " (\($0))" } ?? "") }.joined(separator: ", ")
            evidence.append(Evidence(en: "free VFs: " + list, es: "VFs libres: " + list))
        }

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
