import HostAccess
import SRIOVCore

/// Stage 4, questions 1 and 2 of issue 13, asked when the user takes `[a]` for the VF remedy:
/// how many VFs and how they persist, then fixed MACs or none. The answers are parameters of
/// the one remedy (`VFPlanner.remedy(count:method:macs:)`): the plan, the diff and the journal
/// stay apply's own.
extension WizardSession {
    /// The VF remedy as the user chose it, and whether it gives the VFs fixed MACs; nil when
    /// `offered` is not a VF remedy or the planner refuses the answers (the reason is printed).
    func askVFRemedy(_ offered: Remedy, context: CheckContext) -> (remedy: Remedy, macs: Bool)? {
        guard let address = offered.request.vfs?.device,
              let pf = context.inventory.function(address),
              let defaults = Remedies.vfDefaults(pf, context: context),
              let total = pf.sriov?.totalVFs
        else { return nil }
        let label = pf.label
        let driver = pf.driver ?? "?"
        let known = pf.driver.flatMap { context.knowledge.driver($0) }

        // 1. How many.
        print("")
        let config = pf.sriov?.configTotalVFs.flatMap { $0 != total ? $0 : nil }
        say("How many VFs on \(label)? The driver allows \(total) (sriov_totalvfs" + (config.map { "; config space says \($0)" } ?? "") + ").",
            "¿Cuántas VFs en \(label)? El controlador admite \(total) (sriov_totalvfs" + (config.map { "; el espacio de configuración dice \($0)" } ?? "") + ").")
        if let cost = VFResources.read(pf, machine: context.machine) {
            let bars = cost.barSizes.map(VFResources.size).joined(separator: " + ")
            say("Each VF takes \(VFResources.size(cost.total)) of MMIO (its VF BARs: \(bars), from the SR-IOV capability; \(VFResources.size(cost.total * UInt64(total))) for \(total)) and one PCI function that gets its own IOMMU group where ACS allows.",
                "Cada VF ocupa \(VFResources.size(cost.total)) de MMIO (sus BAR de VF: \(bars), de la capacidad SR-IOV; \(VFResources.size(cost.total * UInt64(total))) para \(total)) y una función PCI que tiene su propio grupo IOMMU donde ACS lo permite.")
        }
        if let queues = known?.vfQueues {
            say("Queues: \(queues.en) (\(driver), from the knowledge data).", "Colas: \(queues.es) (\(driver), de los datos de conocimiento).")
        }
        let now = pf.sriov?.numVFs ?? 0
        if now > 0 {
            say("  [Enter] \(defaults.count) (recommended: the VFs there are; another count removes them all first, also from running VMs)",
                "  [Intro] \(defaults.count) (recomendado: las VFs que hay; otro número las quita todas antes, también de las VMs en marcha)")
        } else {
            say("  [Enter] \(defaults.count) (recommended: as many as the driver allows; a VF that no VM uses costs only the above)",
                "  [Intro] \(defaults.count) (recomendado: tantas como admite el controlador; una VF que ninguna VM usa solo cuesta lo anterior)")
        }
        say("  or a number from 1 to \(total)", "  o un número de 1 a \(total)")
        guard let count = answer(retry: ("Please give a number from 1 to \(total), or Enter.", "Responda con un número de 1 a \(total), o Intro."), { typed in
            if typed.isEmpty { return defaults.count }
            if let n = Int(typed), n >= 1, n <= total { return n }
            return nil
        }) else { return nil }

        // 1b. How they persist: the udev rule (apply's default) or the driver's module option.
        var method = defaults.method
        let option = known?.moduleOption
        if let option, VFPlanner.isModuleName(driver) {
            print("")
            say("How do the \(count) VFs come back after a reboot?", "¿Cómo vuelven las \(count) VFs tras reiniciar?")
            let udevDefault = defaults.method != .modprobe
            say("  [\(udevDefault ? "Enter" : "u")] a udev rule for this PF that writes sriov_numvfs" + (udevDefault ? " (recommended: only this port, takes effect now, no reboot, and can set fixed MACs)" : ""),
                "  [\(udevDefault ? "Intro" : "u")] una regla udev para este PF que escribe sriov_numvfs" + (udevDefault ? " (recomendado: solo este puerto, efecto inmediato, sin reiniciar, y puede fijar las MACs)" : ""))
            say("  [\(udevDefault ? "m" : "Enter")] the \(driver) module option \(option)=\(count): every \(driver) port gets \(count) VFs when the module loads, after `update-initramfs -u -k all` and a reboot" + (udevDefault ? "" : " (set up already)"),
                "  [\(udevDefault ? "m" : "Intro")] la opción de módulo \(option)=\(count) de \(driver): cada puerto \(driver) recibe \(count) VFs al cargarse el módulo, tras `update-initramfs -u -k all` y un reinicio" + (udevDefault ? "" : " (ya configurada)"))
            guard let chosen = answer(retry: ("Please answer \(udevDefault ? "m" : "u") or Enter.", "Responda \(udevDefault ? "m" : "u") o Intro."), { typed -> VFMethodChoice? in
                switch typed.lowercased() {
                case "": return udevDefault ? .auto : .modprobe
                case "m": return .modprobe
                case "u": return .auto
                default: return nil
                }
            }) else { return nil }
            method = chosen
        } else {
            say("They come back through a udev rule for this PF that writes sriov_numvfs (\(driver) has no module option for VFs).",
                "Vuelven mediante una regla udev para este PF que escribe sriov_numvfs (\(driver) no tiene opción de módulo para VFs).")
        }

        // 2. MAC addresses: only the udev rule sets them, and only a PF with a netdev can.
        var macs = false
        if method != .modprobe, !pf.netdevs.isEmpty {
            print("")
            let forVMs = !ProxmoxPassthroughConfig.read(context.machine).vms.isEmpty || context.machine.isDirectory("/etc/pve")
            say("MAC addresses of the VFs:", "Direcciones MAC de las VFs:")
            say("  [\(forVMs ? "Enter" : "f")] fixed, locally administered MACs (derived from the PF address, the VF number and /etc/machine-id), set now and by the udev rule" + (forVMs ? " (recommended: the VFs go to VMs, and without them the driver gives a VF a random MAC at every boot)" : ""),
                "  [\(forVMs ? "Intro" : "f")] MACs fijas administradas localmente (derivadas de la dirección del PF, el número de VF y /etc/machine-id), puestas ahora y por la regla udev" + (forVMs ? " (recomendado: las VFs van a VMs, y sin ellas el controlador da a cada VF una MAC aleatoria en cada arranque)" : ""))
            say("  [\(forVMs ? "n" : "Enter")] none: leave them to the driver (random at every boot)" + (forVMs ? "" : " (recommended while the VFs serve this host)"),
                "  [\(forVMs ? "n" : "Intro")] ninguna: dejarlas al controlador (aleatorias en cada arranque)" + (forVMs ? "" : " (recomendado mientras las VFs sirvan a este host)"))
            guard let chosen = answer(retry: ("Please answer f, n or Enter.", "Responda f, n o Intro."), { typed -> Bool? in
                let typed = typed.lowercased()
                if typed.isEmpty { return forVMs }
                // A yes (y/yes/s/sí) to "fixed MACs?" is taken as fixed, a no as none.
                if typed == "f" || YesNo.parse(typed) == true { return true }
                if typed == "none" || typed == "ninguna" || YesNo.parse(typed) == false { return false }
                return nil
            }) else { return nil }
            macs = chosen
        }
        if method == .modprobe, !pf.netdevs.isEmpty {
            say("Fixed MACs need the udev rule; with the module option the driver picks them (random at every boot).",
                "Las MACs fijas necesitan la regla udev; con la opción de módulo las elige el controlador (aleatorias en cada arranque).")
        }
        do {
            let remedy = try VFPlanner.remedy(device: address, count: count, method: method, macs: macs, context: context)
            return (remedy, macs)
        } catch {
            Console.error(error.message)
            return nil
        }
    }
}

extension WizardSession {
    /// Reads answers until `pick` accepts one (the line without its surrounding blanks),
    /// repeating `retry` after each other answer; nil at the end of input.
    func answer<T>(retry: (en: String, es: String), _ pick: (String) -> T?) -> T? {
        while true {
            print("> ", terminator: "")
            guard let line = readLine() else { return nil }
            if let value = pick(line.trimmedSpace()) { return value }
            say(retry.en, retry.es)
        }
    }
}

extension PCIFunction {
    /// `0000:01:00.0 (igb, enp1s0)`, as the checks name a PF.
    var label: String {
        let details = [driver].compactMap { $0 } + netdevs
        return details.isEmpty ? address.description : "\(address) (\(details.joined(separator: ", ")))"
    }
}
