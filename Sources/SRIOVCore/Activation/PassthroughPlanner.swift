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
            throw .invalidVMID(vmid)
        }
        let configPath = ProxmoxPassthroughConfig.vmDirectory + "/\(vmid).conf"
        guard context.machine.kind(configPath) == .regular else {
            throw .noSuchVM(vmid, configPath: configPath)
        }
        let config = ProxmoxPassthroughConfig.read(context.machine)
        let vm = config.vm(vmid) ?? ProxmoxPassthroughConfig.VMConfig(vmid: vmid, file: configPath)
        let taken = Set(config.hostPCI.filter { $0.vmid == vmid }.map(\.slot))
        guard let slot = (0..<maxSlots).first(where: { !taken.contains("hostpci\($0)") }) else {
            throw .noFreeHostPCISlot(vmid, slots: maxSlots)
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
                throw .notAPF(device)
            }
            pf = found
        } else if pfs.count == 1 {
            pf = pfs[0]
        } else {
            throw .autoNeedsDevice(pfsWithVFs: pfs.map(\.address))
        }
        let vfs = context.vfs(of: pf)
        guard !vfs.isEmpty else {
            throw .autoPFHasNoVFs(pf.address)
        }
        let node = node(context.machine)
        guard let free = vfs.first(where: { !inUse($0.address, config, node: node) }) else {
            throw .autoEveryVFInUse(pf.address, vfs: vfs.count)
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
            throw .vfPassedToOtherVM(address, vmid: other.vmid, location: other.location, text: other.text)
        }
        if let mine = uses.first {
            plan.alreadyApplied.append(LocalizedText(en: "VM \(vmid) already has \(address) (\(mine.location): \(mine.text))",
                                                     es: "la VM \(vmid) ya tiene \(address) (\(mine.location): \(mine.text))"))
            return plan
        }
        if let mapped = config.mappings(containing: address, node: node(context.machine)).first {
            throw .vfInMapping(address, mapping: mapped.mapping, location: mapped.location, vmid: vmid)
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
            throw .noSuchMapping(mapping)
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
                throw .wholeSlot(vf, pf: pf.address, example: pf.virtfns[0])
            }
            throw .vfNotAnAddress(vf)
        }
        guard let function = context.inventory.function(address) else {
            throw .noSuchVF(address)
        }
        guard function.role == .vf else {
            if function.role == .pf, GPUHost.kind(function) != nil {
                let example = function.virtfns.first
                throw .gpuPFGivenForVF(address, example: example)
            }
            let isPF = function.role == .pf
            throw .notAVF(address, isPF: isPF)
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
            throw .invalidMappingName(name)
        }
    }

    static func isNodeName(_ s: some StringProtocol) -> Bool {
        !s.isEmpty && s.count <= 63 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    public static func plan(name: String, device: PCIAddress, context: CheckContext) throws(ActivationError) -> Plan {
        try validate(name: name)
        guard let pf = context.inventory.function(device), pf.role == .pf else {
            throw .notAPF(device)
        }
        let vfs = context.vfs(of: pf)
        guard !vfs.isEmpty else {
            throw .nothingToMap(pf.address)
        }
        guard let node = PassthroughPlanner.node(context.machine), isNodeName(node) else {
            throw .noNodeName
        }
        let config = ProxmoxPassthroughConfig.read(context.machine)
        var plan = Plan(title: LocalizedText(en: "resource mapping '\(name)' of the VFs of \(pf.address)", es: "mapeo de recursos «\(name)» de las VFs de \(pf.address)"), stages: [.activation])
        let existing = config.mapped.filter { $0.mapping == name && ($0.node == nil || $0.node == node) }
        if !existing.isEmpty {
            let missing = vfs.filter { vf in !existing.contains { $0.ids.contains { $0.covers(vf.address) } } }
            guard missing.isEmpty else {
                throw .mappingExists(name, location: existing[0].location, missing: missing.map(\.address))
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
                throw .vfIDsUnreadable(vf.address)
            }
            var map = "node=\(node),path=\(vf.address),id=\(hex(vendor, 4)):\(hex(deviceID, 4))"
            if let group = vf.iommuGroup { map += ",iommugroup=\(group)" }
            argv += ["--map", map]
        }
        guard argv.count > 5 else {
            throw .everyVFMapped(pf.address, skipped: skipped)
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
