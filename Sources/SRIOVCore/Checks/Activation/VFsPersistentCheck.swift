import Foundation
import HostAccess

/// `vfs-persistent`: something recreates the VFs at boot, since the kernel forgets
/// `sriov_numvfs` at every reboot. Looked for, with `file:line` for each finding:
/// - the driver's module option (igb/ixgbe `max_vfs`) in modprobe.d(5) files, or as
///   `driver.option=N` on the kernel command line (kmod applies both);
/// - a udev rule (udev(7)) that assigns `ATTR{sriov_numvfs}` or runs a command writing it;
/// - sysfsutils' sysfs.conf(5) (`bus/pci/devices/ADDR/sriov_numvfs = N`);
/// - an enabled systemd service, an ifupdown `post-up` line (interfaces(5)) or /etc/rc.local
///   writing `sriov_numvfs`.
/// The loaded module's parameter (`/sys/module/DRIVER/parameters/max_vfs`) shows what the
/// driver got this time, which is evidence, not persistence.
public enum VFsPersistentCheck: Check {
    public static let id = "vfs-persistent"
    public static let stage = StageID.activation

    /// A place that creates VFs at boot.
    struct Finding {
        var location: ConfigLocation?
        /// What was found, quoted.
        var text: String
        var count: Int?
        /// true: names this PF (or all PFs of its driver); nil: cannot tell; false: another device.
        var applies: Bool?
        /// Why it would not take effect, if known.
        var caveat: LocalizedText?
        /// `text` in Spanish where it is not a quoted line (nil: the same).
        var textES: String? = nil
    }

    /// Everything read once per run.
    struct Sources {
        var modprobe: ModprobeConfig
        var udev: UdevRules
        var sysfsConf: SysfsConf
        var sysfsutilsInstalled: Bool
        var boot: BootCommands
        var cmdline: String?

        static func read(_ machine: Machine) -> Sources {
            Sources(modprobe: ModprobeConfig.read(machine), udev: UdevRules.read(machine), sysfsConf: SysfsConf.read(machine),
                    sysfsutilsInstalled: SysfsConf.serviceInstalled(machine), boot: BootCommands.read(machine),
                    cmdline: machine.attribute("/proc/cmdline"))
        }

        var problems: [ConfigProblem] {
            modprobe.problems + udev.problems + sysfsConf.problems + boot.problems
        }
    }

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let targets = context.targetPFs
        guard !targets.isEmpty else { return [TargetDevice.nothingToCheck(self, context)] }
        let sources = Sources.read(context.machine)
        return targets.map { f in f.role == .pf ? check(f, context, sources) : TargetDevice.notAPF(self, f) }
    }

    static func findings(_ pf: PCIFunction, _ context: CheckContext, _ sources: Sources, evidence: inout [Evidence]) -> [Finding] {
        var found: [Finding] = []
        let known = pf.driver.flatMap { context.knowledge.driver($0) }
        // GPUs: i915.max_vfs / xe.max_vfs only allow VFs (the driver makes none by itself),
        // so they are evidence, never persistence; NVIDIA VFs come from sriov-manage at boot.
        let gpu = GPUHost.kind(pf) != nil
        if gpu, let driver = pf.driver {
            for word in (sources.cmdline ?? "").split(separator: " ") where word.hasPrefix("\(driver).max_vfs=") {
                evidence.append(Evidence(en: "/proc/cmdline: \(word) — this only allows VFs; nothing creates them at boot",
                                         es: "/proc/cmdline: \(word) — esto solo permite VFs; nada las crea al arrancar"))
            }
            for set in sources.modprobe.options(module: driver, name: "max_vfs") {
                evidence.append(Evidence(en: "\(set.location): \(set.text) — this only allows VFs; nothing creates them at boot",
                                         es: "\(set.location): \(set.text) — esto solo permite VFs; nada las crea al arrancar"))
            }
            if driver == "nvidia" { found += nvidiaBootFindings(context.machine, sources) }
        }
        if !gpu, let driver = pf.driver {
            let paramDir = "/sys/module/\(ModprobeConfig.normalise(driver))/parameters"
            // The option that creates VFs: from the knowledge, or a `max_vfs` the loaded module has.
            var option = known?.moduleOption
            if option == nil, known == nil, context.machine.exists(paramDir + "/max_vfs") { option = "max_vfs" }
            if let option {
                if let loaded = context.machine.attribute(paramDir + "/" + option) {
                    evidence.append(Evidence(en: "\(paramDir)/\(option): \(loaded) (what \(driver) was loaded with)",
                                             es: "\(paramDir)/\(option): \(loaded) (con lo que se cargó \(driver))"))
                }
                for set in sources.modprobe.options(module: driver, name: option) {
                    let count = set.value.flatMap { Int($0.split(separator: ",").first ?? "") }
                    found.append(Finding(location: set.location, text: set.text, count: count, applies: true))
                }
                for word in (sources.cmdline ?? "").split(separator: " ") {
                    let prefixes = ["\(driver).\(option)=", "\(ModprobeConfig.normalise(driver)).\(option)="]
                    guard let prefix = prefixes.first(where: { word.hasPrefix($0) }) else { continue }
                    let value = word.dropFirst(prefix.count)
                    found.append(Finding(location: nil, text: "/proc/cmdline: \(word)", count: Int(value.split(separator: ",").first ?? ""), applies: true))
                }
            } else {
                // Options that this driver does not have are ignored by the kernel ("unknown parameter").
                for set in sources.modprobe.options where set.module == ModprobeConfig.normalise(driver) && set.name == "max_vfs" {
                    evidence.append(Evidence(en: "\(set.location): \(set.text) — \(driver) has no max_vfs option (the kernel ignores it); VFs come from sysfs sriov_numvfs",
                                             es: "\(set.location): \(set.text) — \(driver) no tiene la opción max_vfs (el kernel la ignora); las VFs se crean con sysfs sriov_numvfs"))
                }
            }
        }

        for rule in sources.udev.rules {
            let selects = udevApplies(rule, pf)
            for pair in rule.pairs where !pair.isMatch {
                if pair.key == "ATTR", let attribute = pair.attribute, attribute.hasSuffix("sriov_numvfs"), pair.op == "=" {
                    found.append(Finding(location: rule.location, text: rule.text, count: Int(pair.value), applies: selects))
                } else if pair.key == "RUN" || pair.key == "PROGRAM" {
                    for write in NumVFsWrite.find(in: pair.value) {
                        let names = write.names(pf: pf.address, netdevs: pf.netdevs)
                        let applies: Bool? = names == false || selects == false ? false : (names == true || selects == true ? true : nil)
                        found.append(Finding(location: rule.location, text: rule.text, count: write.count, applies: applies))
                    }
                }
            }
        }

        for setting in sources.sysfsConf.settings where setting.directive == nil && setting.path.hasSuffix("sriov_numvfs") {
            let names = setting.path.contains(pf.address.description) || pf.netdevs.contains { setting.path.contains("net/\($0)/") }
            found.append(Finding(location: setting.location, text: "\(setting.path) = \(setting.value)", count: Int(setting.value),
                                 applies: names, caveat: sources.sysfsutilsInstalled ? nil : LocalizedText(en: "the sysfsutils service that applies it was not found",
                                                                                            es: "no se encontró el servicio sysfsutils que lo aplica")))
        }

        for command in sources.boot.commands {
            for write in NumVFsWrite.find(in: command.command) {
                let owner = command.owner.map { " (\(command.origin.rawValue) \($0)" + (command.key.map { " \($0)" } ?? "") + ")" } ?? " (\(command.origin.rawValue))"
                var caveat: LocalizedText?
                if command.enabled == false, let unit = command.owner {
                    caveat = LocalizedText(en: "\(unit) is not enabled (`systemctl enable \(unit)`)", es: "\(unit) no está habilitado (`systemctl enable \(unit)`)")
                }
                found.append(Finding(location: command.location, text: command.command + owner, count: write.count,
                                     applies: write.names(pf: pf.address, netdevs: pf.netdevs), caveat: caveat))
            }
        }
        return found
    }

    /// Whether a udev rule's match keys select this PF: KERNEL(S) against its address and
    /// interface names, DRIVER(S) / ENV{ID_NET_DRIVER} against its driver. Nil when the rule
    /// has no such key (it then applies to whatever its other keys select).
    static func udevApplies(_ rule: UdevRules.Rule, _ pf: PCIFunction) -> Bool? {
        var decided = false
        for pair in rule.pairs where pair.isMatch {
            let candidates: [String]
            switch (pair.key, pair.attribute) {
            case ("KERNEL", _), ("KERNELS", _): candidates = [pf.address.description] + pf.netdevs
            case ("DRIVER", _), ("DRIVERS", _), ("ENV", "ID_NET_DRIVER"): candidates = pf.driver.map { [$0] } ?? []
            case ("ENV", "INTERFACE"), ("NAME", _): candidates = pf.netdevs
            case ("ENV", "PCI_SLOT_NAME"): candidates = [pf.address.description]
            default: continue
            }
            decided = true
            let hit = candidates.contains { UdevRules.glob(pair.value, matches: $0) }
            if hit == (pair.op == "!=") { return false }
        }
        return decided ? true : nil
    }

    static func check(_ pf: PCIFunction, _ context: CheckContext, _ sources: Sources) -> CheckResult {
        let label = TargetDevice.label(pf)
        let numVFs = pf.sriov?.numVFs ?? 0
        var evidence = [TargetDevice.numVFsEvidence(context, pf)]
        let all = findings(pf, context, sources, evidence: &evidence)
        for finding in all {
            let place = finding.location.map { "\($0): " } ?? ""
            let scope: LocalizedText
            switch finding.applies {
            case true?: scope = .none
            case nil: scope = LocalizedText(en: " (cannot tell whether it selects \(pf.address))", es: " (no se sabe si selecciona \(pf.address))")
            case false?: scope = LocalizedText(en: " (for another device)", es: " (para otro dispositivo)")
            }
            evidence.append(Evidence(en: place + finding.text + scope.en + (finding.caveat.map { " — \($0.en)" } ?? ""),
                                     es: place + (finding.textES ?? finding.text) + scope.es + (finding.caveat.map { " — \($0.es)" } ?? "")))
        }
        let places = "\(ModprobeConfig.directories.joined(separator: ", ")), /proc/cmdline, /etc/udev/rules.d, \(SysfsConf.mainFile), \(SysfsConf.directory), \(BootCommands.unitDirectory)/*.service, \(BootCommands.interfacesFile), \(BootCommands.rcLocal)"
        evidence.append(Evidence(en: "searched: " + places, es: "buscado en: " + places))
        for problem in sources.problems.prefix(10) { evidence.append(Evidence(en: "\(problem) (not understood)", es: "\(problem.description(.es)) (no entendido)")) }

        let effective = all.filter { $0.applies == true && $0.caveat == nil }
        let possible = all.filter { $0.applies == nil || ($0.applies == true && $0.caveat != nil) }

        if numVFs == 0 {
            if let first = effective.first {
                return result(.note, LocalizedText(
                    en: "\(label) has no VFs now, but \(first.location.map(\.description) ?? first.text) creates \(first.count.map(String.init) ?? "some") at boot: reboot (after `update-initramfs -u -k all` for a module option) to get them.",
                    es: "\(label) no tiene VFs ahora, pero \(first.location.map(\.description) ?? first.text) crea \(first.count.map(String.init) ?? "algunas") al arrancar: reinicie (tras `update-initramfs -u -k all` si es una opción de módulo) para tenerlas."),
                    evidence: evidence,
                    hint: LocalizedText(en: "Run `update-initramfs -u -k all` and reboot.", es: "Ejecute `update-initramfs -u -k all` y reinicie."),
                    device: pf.address)
            }
            return result(.skip, LocalizedText(
                en: "\(label) has no VFs yet; nothing to make persistent (see vfs-enabled).",
                es: "\(label) todavía no tiene VFs; no hay nada que hacer persistente (vea vfs-enabled)."),
                evidence: evidence, device: pf.address)
        }

        if let first = effective.first {
            let where_ = first.location.map(\.description) ?? first.text
            if let count = first.count, count != numVFs {
                return result(.note, LocalizedText(
                    en: "The VFs of \(label) are recreated at boot (\(where_)), but with \(count) VFs instead of the \(numVFs) there are now.",
                    es: "Las VFs de \(label) se recrean al arrancar (\(where_)), pero con \(count) VFs en lugar de las \(numVFs) actuales."),
                    evidence: evidence,
                    hint: LocalizedText(
                        en: "Change the count at \(where_) to \(numVFs) if the current number is the one you want.",
                        es: "Cambie el número en \(where_) a \(numVFs) si el número actual es el que quiere."),
                    device: pf.address)
            }
            return result(.pass, LocalizedText(
                en: "The \(numVFs) VFs of \(label) are recreated at boot (\(where_)).",
                es: "Las \(numVFs) VFs de \(label) se recrean al arrancar (\(where_))."),
                evidence: evidence, device: pf.address)
        }

        let count = String(numVFs)
        var fixEN: String, fixES: String
        if pf.driver == "nvidia" {
            fixEN = "NVIDIA VFs must be made by NVIDIA's script at every boot: on Proxmox `apt install pve-nvidia-vgpu-helper` and `systemctl enable --now pve-nvidia-sriov@ALL.service`; elsewhere a unit or `@reboot` cron job running `/usr/lib/nvidia/sriov-manage -e ALL`."
            fixES = "Las VFs de NVIDIA las debe crear el script de NVIDIA en cada arranque: en Proxmox `apt install pve-nvidia-vgpu-helper` y `systemctl enable --now pve-nvidia-sriov@ALL.service`; en otros sistemas una unidad o una tarea cron `@reboot` que ejecute `/usr/lib/nvidia/sriov-manage -e ALL`."
        } else if GPUHost.isIntelIGPU(pf), let persistence = context.knowledge.gpu?.persistence {
            // One method for iGPU VFs: sysfsutils, as Proxmox documents it and the dkms
            // project's Proxmox guide uses it; it runs once i915 is loaded and bound.
            let line = persistence.line.replacingOccurrences(of: "{count}", with: count)
            fixEN = "Make them persistent with sysfsutils (as Proxmox documents): `apt install \(persistence.package)` and `echo '\(line)' > \(persistence.file)`. `\(pf.driver ?? "i915").max_vfs` on the command line only allows VFs; it does not create them."
            fixES = "Hágalas persistentes con sysfsutils (como documenta Proxmox): `apt install \(persistence.package)` y `echo '\(line)' > \(persistence.file)`. `\(pf.driver ?? "i915").max_vfs` en la línea de comandos solo permite VFs; no las crea."
        } else {
            // What `apply` writes, from its planner: the udev rule (apply's default), and the
            // module option where the knowledge says the driver has one.
            let fix = remedyHint(pf, numVFs, context)
            fixEN = fix.en
            fixES = fix.es
        }
        if let first = possible.first {
            let where_ = first.location.map(\.description) ?? first.text
            return result(.note, LocalizedText(
                en: "The VFs of \(label) may be recreated at boot by \(where_), but it cannot be told for sure" + (first.caveat.map { ": \($0.en)" } ?? "") + ".",
                es: "Las VFs de \(label) quizá se recreen al arrancar por \(where_), pero no se puede asegurar" + (first.caveat.map { ": \($0.es)" } ?? "") + "."),
                evidence: evidence,
                hint: LocalizedText(en: "Check \(where_). " + fixEN, es: "Revise \(where_). " + fixES),
                device: pf.address)
        }
        return result(.warn, LocalizedText(
            en: "\(label) has \(TargetDevice.count(numVFs, "VF", "VFs")) now, but nothing recreates them at boot: they vanish at the next reboot.",
            es: "\(label) tiene \(TargetDevice.count(numVFs, "VF", "VFs")) ahora, pero nada las recrea al arrancar: desaparecerán en el próximo reinicio."),
            evidence: evidence, hint: LocalizedText(en: fixEN, es: fixES), device: pf.address)
    }

    /// The hint for VFs that nothing recreates: the remedies `apply --device --vfs` plans for
    /// this PF (the udev rule; the module option as the other way, where the driver has one).
    static func remedyHint(_ pf: PCIFunction, _ count: Int, _ context: CheckContext) -> LocalizedText {
        let known = pf.driver.flatMap { context.knowledge.driver($0) }
        guard let rule = try? VFPlanner.remedy(device: pf.address, count: count, context: context), !rule.isEmpty else {
            let command = "sriov-wizard apply --device \(pf.address) --vfs \(count) --dry-run"
            return LocalizedText(en: "`\(command)` shows the change that recreates them at boot.",
                                 es: "`\(command)` muestra el cambio que las recrea al arrancar.")
        }
        if VFCreation.moduleOption(known) != nil,
           let option = try? VFPlanner.remedy(device: pf.address, count: count, method: .modprobe, context: context), !option.isEmpty {
            return Remedy.either(rule, or: option)
        }
        return rule.hint
    }

    /// NVIDIA vGPU: `pve-nvidia-sriov@*.service` enabled, or a boot command running
    /// `sriov-manage -e`.
    static func nvidiaBootFindings(_ machine: Machine, _ sources: Sources) -> [Finding] {
        var found: [Finding] = []
        for dir in ["/etc/systemd/system/multi-user.target.wants", "/etc/systemd/system/sysinit.target.wants"] {
            for name in (try? machine.list(dir)) ?? [] where name.hasPrefix("pve-nvidia-sriov@") {
                found.append(Finding(location: ConfigLocation(file: dir + "/" + name, line: 0), text: "\(name) enabled (runs sriov-manage -e at boot)",
                                     count: nil, applies: name.contains("@ALL") ? true : nil, textES: "\(name) habilitado (ejecuta sriov-manage -e al arrancar)"))
            }
        }
        for command in sources.boot.commands where command.command.contains("sriov-manage") && command.command.contains("-e") {
            found.append(Finding(location: command.location, text: command.command, count: nil,
                                 applies: command.enabled == false ? false : true,
                                 caveat: command.enabled == false ? LocalizedText(en: "\(command.owner ?? "the unit") is not enabled",
                                                                                  es: "\(command.owner ?? "la unidad") no está habilitada") : nil))
        }
        return found
    }
}

extension VFsPersistentCheck {
    public static let reads = HostReads("VFsPersistentCheck", paths: [
        .file("/sys/module/{module}/parameters/*", limit: 64 * 1024), .file(KernelCommandLine.procPath, limit: 8 << 20, quiet: false),
    ])
}
