import HostAccess

/// Plans `qm set VMID -hostpciN ADDR[,pcie=1]` (qm(1), "hostpci[n]"): the VM must exist, the
/// VF must not be passed to another VM or held by a resource mapping already, N is the first
/// free slot of this VM. `pcie=1` only on q35 (qm(1): "needs the 'q35' machine model"; an
/// i440fx VM with it does not start). `--vf auto` takes the first VF of the PF that no VM
/// or mapping uses. A running VM (`qm list`) sees the device only after a restart.
public enum PassthroughPlanner {
    public static let maxSlots = 16
    public static let auto = "auto"

    /// The VM, its config and which slot is free; shared by the address and mapping forms.
    struct Target {
        var vm: ProxmoxPassthroughConfig.VMConfig
        var config: ProxmoxPassthroughConfig
        var slot: Int
    }

    static func target(vmid: String, context: CheckContext) throws(ActivationError) -> Target {
        guard !vmid.isEmpty, vmid.count <= 9, vmid.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ActivationError(en: "--passthrough \(vmid): a VM id is a number (e.g. 100); `qm list` shows them.",
                                  es: "--passthrough \(vmid): el id de una VM es un número (p. ej. 100); `qm list` los muestra.")
        }
        let configPath = ProxmoxPassthroughConfig.vmDirectory + "/\(vmid).conf"
        guard context.machine.kind(configPath) == .regular else {
            throw ActivationError(en: "VM \(vmid) does not exist here (\(configPath) not found); `qm list` shows the VMs of this node.",
                                  es: "la VM \(vmid) no existe aquí (no se encuentra \(configPath)); `qm list` muestra las VMs de este nodo.")
        }
        let config = ProxmoxPassthroughConfig.read(context.machine)
        let vm = config.vm(vmid) ?? ProxmoxPassthroughConfig.VMConfig(vmid: vmid, file: configPath)
        let taken = Set(config.hostPCI.filter { $0.vmid == vmid }.map(\.slot))
        guard let slot = (0..<maxSlots).first(where: { !taken.contains("hostpci\($0)") }) else {
            throw ActivationError(en: "VM \(vmid) has no free hostpci slot (hostpci0..\(maxSlots - 1) are used).",
                                  es: "la VM \(vmid) no tiene ninguna ranura hostpci libre (hostpci0..\(maxSlots - 1) están en uso).")
        }
        return Target(vm: vm, config: config, slot: slot)
    }

    /// Whether anything (a VM line or a mapping of this node) uses the function.
    static func inUse(_ address: PCIAddress, _ config: ProxmoxPassthroughConfig, node: String?) -> Bool {
        !config.directUses(of: address).isEmpty || !config.mappings(containing: address, node: node).isEmpty
    }

    /// The VFs of a PF that no VM line or mapping of this node uses, in VF order (what
    /// `--vf auto` picks from).
    public static func freeVFs(of pf: PCIFunction, context: CheckContext, config: ProxmoxPassthroughConfig) -> [PCIFunction] {
        let node = node(context.machine)
        return context.vfs(of: pf).filter { !inUse($0.address, config, node: node) }
    }

    static func node(_ machine: Machine) -> String? {
        machine.attribute("/proc/sys/kernel/hostname") ?? machine.attribute("/etc/hostname")
    }

    /// `--vf auto`: the first VF of `device` (or of the only PF with VFs) that nothing uses.
    static func autoVF(device: PCIAddress?, context: CheckContext, config: ProxmoxPassthroughConfig) throws(ActivationError) -> PCIAddress {
        let pfs = context.inventory.functions.filter { $0.role == .pf && !context.vfs(of: $0).isEmpty }
        let pf: PCIFunction
        if let device {
            guard let found = context.inventory.function(device), found.role == .pf else {
                throw ActivationError(en: "--device \(device) is not an SR-IOV PF here (`sriov-wizard devices` lists them).",
                                      es: "--device \(device) no es una PF SR-IOV aquí (`sriov-wizard devices` las lista).")
            }
            pf = found
        } else if pfs.count == 1 {
            pf = pfs[0]
        } else {
            let list = pfs.map(\.address.description).joined(separator: ", ")
            throw ActivationError(en: "--vf auto: give the PF with --device ADDR (\(pfs.isEmpty ? "no PF has VFs" : "PFs with VFs: " + list)).",
                                  es: "--vf auto: indique la PF con --device ADDR (\(pfs.isEmpty ? "ninguna PF tiene VFs" : "PFs con VFs: " + list)).")
        }
        let vfs = context.vfs(of: pf)
        guard !vfs.isEmpty else {
            throw ActivationError(en: "--vf auto: \(pf.address) has no VFs; create them first (--device \(pf.address) --vfs N).",
                                  es: "--vf auto: \(pf.address) no tiene VFs; créelas antes (--device \(pf.address) --vfs N).")
        }
        let node = node(context.machine)
        guard let free = vfs.first(where: { !inUse($0.address, config, node: node) }) else {
            throw ActivationError(en: "--vf auto: every VF of \(pf.address) (\(vfs.count)) is already given to a VM or a resource mapping; create more VFs or free one.",
                                  es: "--vf auto: todas las VFs de \(pf.address) (\(vfs.count)) ya están asignadas a una VM o a un mapeo de recursos; cree más VFs o libere una.")
        }
        return free.address
    }

    public static func plan(vmid: String, vf: String, device: PCIAddress? = nil, context: CheckContext) throws(ActivationError) -> Plan {
        let target = try target(vmid: vmid, context: context)
        let address: PCIAddress
        if vf == auto {
            address = try autoVF(device: device, context: context, config: target.config)
        } else {
            address = try explicitVF(vf, context: context)
        }
        let config = target.config
        var plan = Plan(title: LocalizedText(en: "pass VF \(address) to VM \(vmid)", es: "pasar la VF \(address) a la VM \(vmid)"), stages: [.activation])
        let uses = config.directUses(of: address)
        if let other = uses.first(where: { $0.vmid != vmid }) {
            throw ActivationError(en: "\(address) is already passed to VM \(other.vmid) (\(other.location): \(other.text)); a VF can be given to one running VM only. Pick another VF (or --vf auto).",
                                  es: "\(address) ya está asignada a la VM \(other.vmid) (\(other.location): \(other.text)); una VF solo puede darse a una VM en marcha. Elija otra VF (o --vf auto).")
        }
        if let mine = uses.first {
            plan.alreadyApplied.append(LocalizedText(en: "VM \(vmid) already has \(address) (\(mine.location): \(mine.text))",
                                                     es: "la VM \(vmid) ya tiene \(address) (\(mine.location): \(mine.text))"))
            return plan
        }
        if let mapped = config.mappings(containing: address, node: node(context.machine)).first {
            throw ActivationError(en: "\(address) is in the resource mapping '\(mapped.mapping)' (\(mapped.location)); give the VM the mapping (--passthrough \(vmid) --mapping \(mapped.mapping)) or pick another VF (--vf auto).",
                                  es: "\(address) está en el mapeo de recursos «\(mapped.mapping)» (\(mapped.location)); dé a la VM el mapeo (--passthrough \(vmid) --mapping \(mapped.mapping)) o elija otra VF (--vf auto).")
        }
        return finish(plan, target: target, value: address.description, what: LocalizedText(en: "the VF \(address)", es: "la VF \(address)"), machine: context.machine)
    }

    /// `qm set VMID -hostpciN mapping=NAME[,pcie=1]`: the mapping must exist in pci.cfg.
    public static func plan(vmid: String, mapping: String, createdInThisPlan: Bool = false, context: CheckContext) throws(ActivationError) -> Plan {
        try MappingPlanner.validate(name: mapping)
        let target = try target(vmid: vmid, context: context)
        let plan = Plan(title: LocalizedText(en: "give VM \(vmid) a VF of the resource mapping '\(mapping)'", es: "dar a la VM \(vmid) una VF del mapeo de recursos «\(mapping)»"), stages: [.activation])
        if let mine = target.config.uses(ofMapping: mapping).first(where: { $0.vmid == vmid }) {
            var done = plan
            done.alreadyApplied.append(LocalizedText(en: "VM \(vmid) already uses the mapping '\(mapping)' (\(mine.location): \(mine.text))",
                                                     es: "la VM \(vmid) ya usa el mapeo «\(mapping)» (\(mine.location): \(mine.text))"))
            return done
        }
        // A mapping created in the same apply (--mapping NAME --device PF) is not in pci.cfg yet.
        guard target.config.mapped.contains(where: { $0.mapping == mapping }) || createdInThisPlan else {
            throw ActivationError(en: "the resource mapping '\(mapping)' does not exist (\(ProxmoxPassthroughConfig.mappingFile)); create it with --mapping \(mapping) --device PF.",
                                  es: "el mapeo de recursos «\(mapping)» no existe (\(ProxmoxPassthroughConfig.mappingFile)); créelo con --mapping \(mapping) --device PF.")
        }
        return finish(plan, target: target, value: "mapping=\(mapping)", what: LocalizedText(en: "a VF of the mapping '\(mapping)'", es: "una VF del mapeo «\(mapping)»"), machine: context.machine)
    }

    static func finish(_ plan: Plan, target: Target, value: String, what: LocalizedText, machine: Machine) -> Plan {
        var plan = plan
        let vm = target.vm
        let q35 = vm.machineFamily == .q35
        let argv = ["qm", "set", vm.vmid, "-hostpci\(target.slot)", value + (q35 ? ",pcie=1" : "")]
        if !q35 {
            let line = vm.machine.map { "machine: \($0)" }
            plan.notes.append(LocalizedText(
                en: "\(vm.label) uses the i440fx machine type (\(line ?? "no machine: line")), so the device goes on its PCI bus without pcie=1. To get PCIe, switch it to q35 first (`qm set \(vm.vmid) -machine q35`): the guest then sees a new chipset" + (vm.isWindows ? ", and Windows may re-detect its devices" : "") + ".",
                es: "\(vm.label) usa el tipo de máquina i440fx (\(line ?? "sin línea machine:")), así que el dispositivo va a su bus PCI sin pcie=1. Para tener PCIe, pásela antes a q35 (`qm set \(vm.vmid) -machine q35`): el invitado verá entonces un chipset nuevo" + (vm.isWindows ? ", y Windows puede volver a detectar sus dispositivos" : "") + "."))
        }
        plan.notes.append(LocalizedText(en: "rollback does not undo a qm command; `qm set \(vm.vmid) -delete hostpci\(target.slot)` removes the device again.",
                                        es: "rollback no deshace una orden qm; `qm set \(vm.vmid) -delete hostpci\(target.slot)` vuelve a quitar el dispositivo."))
        if machine.isLive && LiveCommandRunner.resolve("qm") == nil {
            let shown = ShellWords.display(argv)
            plan.manual.append(LocalizedText(en: shown + "   # on the Proxmox host (qm is not installed here)", es: shown + "   # en el equipo Proxmox (qm no está instalado aquí)"))
            return plan
        }
        plan.steps.append(.command(PlannedCommand(argv, reason: LocalizedText(en: "add \(what.en) to the config of \(vm.label) (takes effect at the VM's next start)",
                                                                              es: "añadir \(what.es) a la configuración de \(vm.label) (se aplica en el próximo arranque de la VM)"), timeout: 120)))
        switch vm.state {
        case .running:
            plan.notes.append(LocalizedText(
                en: "\(vm.label) is running: it sees the device only after a restart (`qm shutdown \(vm.vmid) && qm start \(vm.vmid)`; a reboot inside the guest is not enough).",
                es: "\(vm.label) está en marcha: solo ve el dispositivo tras pararla y arrancarla (`qm shutdown \(vm.vmid) && qm start \(vm.vmid)`; reiniciar dentro del invitado no basta)."))
            plan.pending.append(LocalizedText(en: "restart \(vm.label) to give it \(what.en): `qm shutdown \(vm.vmid) && qm start \(vm.vmid)`",
                                              es: "pare y arranque \(vm.label) para darle \(what.es): `qm shutdown \(vm.vmid) && qm start \(vm.vmid)`"))
        case .stopped:
            plan.pending.append(LocalizedText(en: "start \(vm.label) (`qm start \(vm.vmid)`): it gets \(what.en) then",
                                              es: "arranque \(vm.label) (`qm start \(vm.vmid)`): entonces recibe \(what.es)"))
        case .unknown:
            plan.pending.append(LocalizedText(en: "\(what.en) appears in \(vm.label) at its next start (`qm stop \(vm.vmid) && qm start \(vm.vmid)` if it runs)",
                                              es: "\(what.es) aparece en \(vm.label) en su próximo arranque (`qm stop \(vm.vmid) && qm start \(vm.vmid)` si está en marcha)"))
        }
        return plan
    }

    static func explicitVF(_ vf: String, context: CheckContext) throws(ActivationError) -> PCIAddress {
        guard let address = PCIAddress(vf) else {
            // `00:02` / `0000:00:02` (Proxmox "All Functions") names every function of the slot,
            // the PF included: starting the VM would disable every VF.
            if let slot = ProxmoxPassthroughConfig.HostPCIID(vf), slot.function == nil,
               let pf = context.inventory.functions.first(where: { slot.covers($0.address) && $0.role == .pf && !$0.virtfns.isEmpty }) {
                throw ActivationError(en: "--vf \(vf) names every function of the slot (like \"All Functions\" in Proxmox), the PF \(pf.address) included: starting the VM would take the PF from its driver and disable all its VFs. Give one VF, e.g. --vf \(pf.virtfns.first!).",
                                      es: "--vf \(vf) nombra todas las funciones de la ranura (como «All Functions» en Proxmox), incluida la PF \(pf.address): arrancar la VM quitaría la PF a su controlador y desactivaría todas sus VFs. Indique una sola VF, p. ej. --vf \(pf.virtfns.first!).")
            }
            throw ActivationError(en: "--vf \(vf): not a PCI address; use the form 0000:01:10.0 (see `sriov-wizard devices`), or auto.",
                                  es: "--vf \(vf): no es una dirección PCI; use la forma 0000:01:10.0 (vea `sriov-wizard devices`), o auto.")
        }
        guard let function = context.inventory.function(address) else {
            throw ActivationError(en: "--vf \(address): no such PCI function; create the VFs first (--device PF --vfs N).",
                                  es: "--vf \(address): no existe esa función PCI; cree antes las VFs (--device PF --vfs N).")
        }
        guard function.role == .vf else {
            if function.role == .pf, GPUHost.kind(function) != nil {
                let example = function.virtfns.first
                throw ActivationError(
                    en: "--vf \(address) is the PF of an SR-IOV GPU, not a VF: passing it takes it from its driver, which disables every VF (the kernel logs \"Disabled N VFs\"). Give one of its VFs" + (example.map { ", e.g. --vf \($0)" } ?? " (`sriov-wizard devices`)") + ".",
                    es: "--vf \(address) es la PF de una GPU SR-IOV, no una VF: pasarla la quita de su controlador, lo que desactiva todas las VFs (el kernel anota \"Disabled N VFs\"). Indique una de sus VFs" + (example.map { ", p. ej. --vf \($0)" } ?? " (`sriov-wizard devices`)") + ".")
            }
            let isPF = function.role == .pf
            throw ActivationError(en: "--vf \(address) is not a VF" + (isPF ? " but the PF; passing the PF takes the whole NIC from the host. Give one of its VFs (`sriov-wizard devices`)." : "."),
                                  es: "--vf \(address) no es una VF" + (isPF ? " sino la PF; pasar la PF quita al equipo la tarjeta entera. Indique una de sus VFs (`sriov-wizard devices`)." : "."))
        }
        return address
    }

    /// The `qm set` forms this planner makes, exactly (for the journal policy of rollback).
    public static func isPlanned(_ argv: [String]) -> Bool {
        func digits(_ s: some StringProtocol) -> Bool { !s.isEmpty && s.count <= 9 && s.allSatisfy { $0.isASCII && $0.isNumber } }
        guard argv.count == 5, argv[0] == "qm", argv[1] == "set", digits(argv[2]), argv[3].hasPrefix("-hostpci"),
              let n = Int(argv[3].dropFirst("-hostpci".count)), digits(argv[3].dropFirst("-hostpci".count)), n < maxSlots else { return false }
        let value = argv[4].hasSuffix(",pcie=1") ? String(argv[4].dropLast(",pcie=1".count)) : argv[4]
        if value.hasPrefix("mapping=") { return MappingPlanner.isValidName(String(value.dropFirst("mapping=".count))) }
        guard let address = PCIAddress(value) else { return false }
        return "\(address)" == value
    }
}

/// Plans a Proxmox PCI resource mapping of a PF's VFs (pve-docs qm.adoc "Resource Mapping";
/// the API `POST /cluster/mapping/pci` with `id` and one `map` per device:
/// `node=NODE,path=ADDR,id=VVVV:DDDD,iommugroup=G`), written by Proxmox to
/// /etc/pve/mapping/pci.cfg. A VM then takes `hostpciN: mapping=NAME` and Proxmox gives it a
/// free VF of the mapping at start.
public enum MappingPlanner {
    /// Proxmox's `pve-configid` format: a letter, then letters, digits, `-` and `_`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter, name.count >= 2, name.count <= 64 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func validate(name: String) throws(ActivationError) {
        guard isValidName(name) else {
            throw ActivationError(en: "--mapping \(name): a mapping name starts with a letter and has 2 to 64 letters, digits, '-' or '_' (e.g. igb-vfs).",
                                  es: "--mapping \(name): el nombre de un mapeo empieza por una letra y tiene de 2 a 64 letras, dígitos, '-' o '_' (p. ej. igb-vfs).")
        }
    }

    static func isNodeName(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.count <= 63 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    public static func plan(name: String, device: PCIAddress, context: CheckContext) throws(ActivationError) -> Plan {
        try validate(name: name)
        guard let pf = context.inventory.function(device), pf.role == .pf else {
            throw ActivationError(en: "--device \(device) is not an SR-IOV PF here (`sriov-wizard devices` lists them).",
                                      es: "--device \(device) no es una PF SR-IOV aquí (`sriov-wizard devices` las lista).")
        }
        let vfs = context.vfs(of: pf)
        guard !vfs.isEmpty else {
            throw ActivationError(en: "\(pf.address) has no VFs; create them first (--device \(pf.address) --vfs N), then map them.",
                                  es: "\(pf.address) no tiene VFs; créelas antes (--device \(pf.address) --vfs N) y después mapéelas.")
        }
        guard let node = PassthroughPlanner.node(context.machine), isNodeName(node) else {
            throw ActivationError(en: "the node name (/proc/sys/kernel/hostname) is missing or not a plain host name; a mapping entry names its node.",
                                  es: "falta el nombre del nodo (/proc/sys/kernel/hostname) o no es un nombre de equipo simple; cada entrada de un mapeo nombra su nodo.")
        }
        let config = ProxmoxPassthroughConfig.read(context.machine)
        var plan = Plan(title: LocalizedText(en: "resource mapping '\(name)' of the VFs of \(pf.address)", es: "mapeo de recursos «\(name)» de las VFs de \(pf.address)"), stages: [.activation])
        let existing = config.mapped.filter { $0.mapping == name && ($0.node == nil || $0.node == node) }
        if !existing.isEmpty {
            let missing = vfs.filter { vf in !existing.contains { $0.ids.contains { $0.covers(vf.address) } } }
            guard missing.isEmpty else {
                let list = missing.map(\.address.description).joined(separator: ", ")
                throw ActivationError(en: "the resource mapping '\(name)' exists already (\(existing[0].location)) without \(list); pick another name, or edit it in Datacenter > Resource Mappings.",
                                      es: "el mapeo de recursos «\(name)» ya existe (\(existing[0].location)) sin \(list); elija otro nombre, o edítelo en Datacenter > Resource Mappings.")
            }
            plan.alreadyApplied.append(LocalizedText(en: "the mapping '\(name)' holds the \(vfs.count) VFs of \(pf.address) on node \(node) (\(existing[0].location))",
                                                     es: "el mapeo «\(name)» contiene las \(vfs.count) VFs de \(pf.address) en el nodo \(node) (\(existing[0].location))"))
            return plan
        }
        var argv = ["pvesh", "create", "/cluster/mapping/pci", "--id", name]
        var skipped: [String] = []
        for vf in vfs {
            if !config.directUses(of: vf.address).isEmpty || !config.mappings(containing: vf.address, node: node).isEmpty {
                skipped.append(vf.address.description)
                continue
            }
            guard let vendor = vf.vendorID, let deviceID = vf.deviceID else {
                throw ActivationError(en: "\(vf.address): vendor/device ID unreadable; a mapping entry needs id=VVVV:DDDD.",
                                      es: "\(vf.address): no se pueden leer los ID de fabricante y dispositivo; una entrada de mapeo necesita id=VVVV:DDDD.")
            }
            var map = "node=\(node),path=\(vf.address),id=\(hex(vendor, 4)):\(hex(deviceID, 4))"
            if let group = vf.iommuGroup { map += ",iommugroup=\(group)" }
            argv += ["--map", map]
        }
        guard argv.count > 5 else {
            throw ActivationError(en: "every VF of \(pf.address) is already given to a VM or another mapping (\(skipped.joined(separator: ", "))).",
                                  es: "todas las VFs de \(pf.address) ya están asignadas a una VM o a otro mapeo (\(skipped.joined(separator: ", "))).")
        }
        if !skipped.isEmpty {
            let list = skipped.joined(separator: ", ")
            plan.notes.append(LocalizedText(en: "left out, already in use: " + list, es: "se dejan fuera, ya en uso: " + list))
        }
        if vfs.contains(where: { $0.iommuGroup == nil }) {
            plan.notes.append(LocalizedText(
                en: "some VFs have no IOMMU group (IOMMU off?): their entries have no iommugroup=, and VMs cannot use them until the IOMMU is on (see vf-iommu-groups).",
                es: "algunas VFs no tienen grupo IOMMU (¿IOMMU apagado?): sus entradas no llevan iommugroup=, y las VMs no pueden usarlas hasta que el IOMMU esté activo (vea vf-iommu-groups)."))
        }
        plan.notes.append(LocalizedText(en: "rollback does not undo a pvesh command; `pvesh delete /cluster/mapping/pci/\(name)` removes the mapping again.",
                                        es: "rollback no deshace una orden pvesh; `pvesh delete /cluster/mapping/pci/\(name)` vuelve a quitar el mapeo."))
        if context.machine.isLive && LiveCommandRunner.resolve("pvesh") == nil {
            let shown = ShellWords.display(argv)
            plan.manual.append(LocalizedText(en: shown + "   # on the Proxmox host (pvesh is not installed here)", es: shown + "   # en el equipo Proxmox (pvesh no está instalado aquí)"))
            return plan
        }
        let file = ProxmoxPassthroughConfig.mappingFile
        plan.steps.append(.command(PlannedCommand(argv, reason: LocalizedText(
            en: "create the cluster resource mapping '\(name)' (written to \(file)); give a VM one of its VFs with `qm set VMID -hostpci0 mapping=\(name),pcie=1`",
            es: "crear el mapeo de recursos del clúster «\(name)» (se escribe en \(file)); dé a una VM una de sus VFs con `qm set VMID -hostpci0 mapping=\(name),pcie=1`"), timeout: 120)))
        return plan
    }

    /// `pvesh create /cluster/mapping/pci --id NAME --map node=...,path=...,id=...[,iommugroup=G] ...`, exactly.
    public static func isPlanned(_ argv: [String]) -> Bool {
        guard argv.count >= 7, argv.count % 2 == 1, Array(argv[0..<4]) == ["pvesh", "create", "/cluster/mapping/pci", "--id"],
              isValidName(argv[4]) else { return false }
        for i in stride(from: 5, to: argv.count, by: 2) {
            guard argv[i] == "--map" else { return false }
            let fields = argv[i + 1].split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 3 || fields.count == 4,
                  fields[0].hasPrefix("node="), isNodeName(fields[0].dropFirst(5)),
                  fields[1].hasPrefix("path="), let address = PCIAddress(fields[1].dropFirst(5)), "\(address)" == fields[1].dropFirst(5),
                  fields[2].hasPrefix("id=") else { return false }
            let id = fields[2].dropFirst(3).split(separator: ":", omittingEmptySubsequences: false)
            guard id.count == 2, id.allSatisfy({ $0.count == 4 && $0.allSatisfy(\.isHexDigit) }) else { return false }
            if fields.count == 4 {
                guard fields[3].hasPrefix("iommugroup="), !fields[3].dropFirst(11).isEmpty, fields[3].count <= 20,
                      fields[3].dropFirst(11).allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            }
        }
        return true
    }
}
