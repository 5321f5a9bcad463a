import HostAccess
import SRIOVCore

/// Stage 4, question 3 of issue 13: which VM of this node gets a VF. The answer becomes the
/// request `apply --passthrough VMID --vf auto --device PF` (or `--mapping NAME --device PF
/// [--passthrough VMID]`) makes, run by the same `ApplySession`, so the plan, the diff, the
/// question and the journal are apply's own (PassthroughPlanner, MappingPlanner).
extension WizardSession {
    /// What the user chose: the request to apply, and what the closing summary names.
    struct VMChoice {
        var request: ApplyRequest
        var pf: PCIFunction
        var vm: ProxmoxPassthroughConfig.VMConfig?
        /// The VF `--vf auto` takes (the first free one), for the address form.
        var vf: PCIFunction?
        var mapping: String?
        var freeCount: Int
    }

    /// nil: not asked (not stage 4, no VM configs, no free VF) or answered "none now".
    func askWhichVM(_ report: StageReport, context: CheckContext) -> VMChoice? {
        guard report.id == .activation else { return nil }
        let config = ProxmoxPassthroughConfig.read(context.machine)
        guard !config.vms.isEmpty else { return nil }
        guard let pf = context.targetPFs.first(where: { !PassthroughPlanner.freeVFs(of: $0, context: context, config: config).isEmpty }) else {
            // A count written to a snapshot makes no VFs (only the host's kernel does): say
            // where the question comes instead of leaving it out silently.
            if !context.machine.isLive, let pf = context.targetPFs.first(where: { ($0.sriov?.numVFs ?? 0) > 0 && context.vfs(of: $0).isEmpty }) {
                print("")
                say("Which VM gets a VF of \(pf.address) is asked on the host: its VFs are not in this snapshot. Run `sriov-wizard` there once they exist.",
                    "Qué VM recibe una VF de \(pf.address) se pregunta en el host: sus VFs no están en esta instantánea. Ejecute `sriov-wizard` allí cuando existan.")
            }
            return nil
        }
        let free = PassthroughPlanner.freeVFs(of: pf, context: context, config: config)
        let vms = config.vms.sorted { (Int($0.vmid) ?? 0, $0.vmid) < (Int($1.vmid) ?? 0, $1.vmid) }
        let mapping = MappingPlanner.isValidName((pf.driver ?? "sriov") + "-vfs") ? (pf.driver ?? "sriov") + "-vfs" : "sriov-vfs"
        print("")
        say("Which VM gets a VF of \(pf.address)? \(free.count) free, the first is \(free[0].address) (VMs of this node, from \(ProxmoxPassthroughConfig.vmDirectory)):",
            "¿Qué VM recibe una VF de \(pf.address)? \(free.count) libres, la primera es \(free[0].address) (VMs de este nodo, de \(ProxmoxPassthroughConfig.vmDirectory)):")
        for (i, vm) in vms.enumerated() {
            let os = vm.ostype.map { $0 + (vm.isWindows ? " (Windows)" : "") } ?? "other"
            let bios = (vm.bios ?? "seabios").uppercased() == "OVMF" ? "OVMF (UEFI)" : "SeaBIOS"
            let state = LocalizedText(en: vm.state == .unknown ? "state unknown" : vm.state.rawValue,
                                      es: vm.state == .running ? "en marcha" : vm.state == .stopped ? "parada" : "estado desconocido")
            say("  [\(i + 1)] \(vm.label): ostype \(os), \(vm.machineFamily.rawValue), \(bios), \(state.en)",
                "  [\(i + 1)] \(vm.label): ostype \(os), \(vm.machineFamily.rawValue), \(bios), \(state.es)")
        }
        say("  [m] a resource mapping '\(mapping)' of its free VFs for the cluster (Proxmox gives each VM that uses it a free VF)",
            "  [m] un mapeo de recursos '\(mapping)' de sus VFs libres para el clúster (Proxmox da a cada VM que lo use una VF libre)")
        say("  [Enter] none now (recommended until you know which VM needs it)",
            "  [Intro] ninguna por ahora (recomendado mientras no sepa qué VM la necesita)")
        while true {
            print("> ", terminator: "")
            guard let line = readLine() else { return nil }
            let typed = line.trimmedSpace().lowercased()
            if typed.isEmpty || typed == "n" || typed == "none" || typed == "ninguna" { return nil }
            if let n = Int(typed), n >= 1, n <= vms.count {
                let request = ApplyRequest(passthrough: .init(vmid: vms[n - 1].vmid, source: .vf(PassthroughPlanner.auto, device: pf.address)))
                return VMChoice(request: request,
                                pf: pf, vm: vms[n - 1], vf: free[0], freeCount: free.count)
            }
            if typed == "m" {
                say("Give a VM a VF of '\(mapping)' now? Its number, or [Enter] for none.",
                    "¿Dar ya a una VM una VF de '\(mapping)'? Su número, o [Intro] para ninguna.")
                print("> ", terminator: "")
                let answer = (readLine() ?? "").trimmedSpace()
                var request = ApplyRequest(mapping: .init(name: mapping, device: pf.address))
                var vm: ProxmoxPassthroughConfig.VMConfig?
                if let n = Int(answer), n >= 1, n <= vms.count {
                    request.passthrough = .init(vmid: vms[n - 1].vmid, source: .mapping(mapping))
                    vm = vms[n - 1]
                }
                return VMChoice(request: request, pf: pf, vm: vm, mapping: mapping, freeCount: free.count)
            }
            say("Please answer with a VM's number, m or Enter.", "Responda con el número de una VM, m o Intro.")
        }
    }
}
