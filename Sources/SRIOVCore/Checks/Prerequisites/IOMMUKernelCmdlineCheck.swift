/// `iommu-kernel-cmdline`: what the running kernel's command line (/proc/cmdline) asks of the
/// IOMMU (`intel_iommu=`, `amd_iommu=`, `iommu=`; Documentation/admin-guide/kernel-parameters.txt),
/// where the persistent command line lives on this host (GRUB's /etc/default/grub +
/// `update-grub`, or /etc/kernel/cmdline + `proxmox-boot-tool refresh`), the exact edit needed,
/// and whether the next boot will differ from this one (a change not yet applied or rebooted).
/// Debian kernels turn VT-d on without `intel_iommu=on` (CONFIG_INTEL_IOMMU_DEFAULT_ON; lab
/// scenario igb-iommu-default) and AMD IOMMUs are on by default, so a missing `intel_iommu=on`
/// with an active IOMMU is only a note.
public enum IOMMUKernelCmdlineCheck: Check {
    public static let id = "iommu-kernel-cmdline"
    public static let stage = StageID.prerequisites

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let machine = context.machine
        guard let running = KernelCommandLine.running(machine) else {
            return [result(.warn, LocalizedText(en: "/proc/cmdline could not be read.", es: "No se pudo leer /proc/cmdline."),
                           evidence: [machine.unreadableReasons(KernelCommandLine.procPath).map { Evidence.fact(KernelCommandLine.procPath, en: $0.en, es: $0.es) }
                                      ?? .unreadable(KernelCommandLine.procPath)])]
        }
        let vendor = CPUInfo.read(machine)?.vendor
        let active = IOMMUSysfs.read(machine).active
        let now = IOMMUParameters(running.line)
        var evidence: [Evidence] = [running.text.isEmpty ? .fact(KernelCommandLine.procPath, en: "(empty)", es: "(vacía)") : .record("\(KernelCommandLine.procPath): \(running.text)")]
        let nowWords = now.relevantWords.joined(separator: " ")
        evidence.append(Evidence(en: "IOMMU parameters now: " + (nowWords.isEmpty ? "none" : nowWords),
                                 es: "parámetros IOMMU ahora: " + (nowWords.isEmpty ? "ninguno" : nowWords)))

        let boot = BootLoaderDetection.detect(machine)
        evidence += boot.evidence
        evidence.append(Evidence(en: "boot loader: \(boot.loader.name)", es: "gestor de arranque: \(boot.loader.nameES)"))
        let persistent = PersistentCommandLine.read(machine, loader: boot.loader)
        let grub = GrubConfiguration.read(machine)
        if let persistent {
            evidence += persistent.evidence
            evidence += persistent.issues.map { Evidence(en: "not understood: \($0.en)", es: "no entendido: \($0.es)") }
        }
        let place = Place(loader: boot.loader, persistent: persistent, grub: grub)

        // The running command line, judged.
        let verdict = judge(now, vendor: vendor, active: active)
        var level = verdict.level
        var summary = verdict.summary
        // The fix is what `apply --iommu` plans for this host (the same inputs: CPU vendor,
        // kernel config, boot loader, the files as they are); words for both places only where
        // it cannot plan (boot loader unknown, file not editable). Planned only where a hint
        // needs it (the plan reads the boot loader's files).
        lazy var remedy = try? KernelCmdlinePlanner.remedy(context: context)
        func fix(adding: [String], removing: [String]) -> LocalizedText {
            if let remedy { return remedy.isEmpty ? .none : remedy.hint }
            return place.instruction(adding: adding, removing: removing)
        }
        var hint: LocalizedText
        if !verdict.remove.isEmpty {
            hint = fix(adding: [], removing: verdict.remove)
        } else if !verdict.add.isEmpty {
            hint = fix(adding: verdict.add, removing: [])
        } else {
            hint = .none
        }

        // The next boot, compared with this one.
        if let persistent {
            let next = IOMMUParameters(persistent.line)
            let nextWords = next.relevantWords.joined(separator: " ")
            evidence.append(Evidence(en: "IOMMU parameters at next boot (\(persistent.file)): " + (nextWords.isEmpty ? "none" : nextWords),
                                     es: "parámetros IOMMU en el próximo arranque (\(persistent.file)): " + (nextWords.isEmpty ? "ninguno" : nextWords)))
            if case .grub = boot.loader, let generated = GeneratedGrubConfig.firstKernelCommandLine(machine) {
                let written = IOMMUParameters(generated.line)
                let writtenWords = written.relevantWords.joined(separator: " ")
                evidence.append(Evidence(en: "\(BootLoader.grubConfigPath):\(generated.number): IOMMU parameters " + (writtenWords.isEmpty ? "none" : writtenWords),
                                         es: "\(BootLoader.grubConfigPath):\(generated.number): parámetros IOMMU " + (writtenWords.isEmpty ? "ninguno" : writtenWords)))
                if written.state != next.state {
                    evidence.append(Evidence(en: "\(BootLoader.grubConfigPath) does not match \(GrubDefaults.path): `update-grub` has not been run since the last edit",
                                             es: "\(BootLoader.grubConfigPath) no coincide con \(GrubDefaults.path): no se ha ejecutado `update-grub` desde la última edición"))
                }
            }
            if next.state != now.state {
                let nextVerdict = judge(next, vendor: vendor, active: active)
                let apply = boot.loader.applyCommand ?? "update-grub"
                if nextVerdict.level.severity > verdict.level.severity {
                    // The next boot would lose what works now.
                    level = CheckLevel.worst([level, .warn])
                    summary = LocalizedText(
                        en: "The running command line is right, but the persistent one in \(persistent.file) differs (\(words(next)) instead of \(words(now))): the next boot will lose it.",
                        es: "La línea de comandos actual es correcta, pero la persistente en \(persistent.file) es distinta (\(words(next)) en lugar de \(words(now))): el próximo arranque la perderá.")
                    hint = fix(adding: nextVerdict.add, removing: nextVerdict.remove)
                } else if let remedy, !remedy.isEmpty {
                    // The file differs from this boot and still lacks what apply writes.
                    if level != .fail { level = CheckLevel.worst([level, .warn]) }
                    summary = LocalizedText(
                        en: summary.en + " The persistent command line in \(persistent.file) has \(words(next)) instead of \(words(now)): the next boot differs from this one.",
                        es: summary.es + " La línea de comandos persistente en \(persistent.file) tiene \(words(next)) en lugar de \(words(now)): el próximo arranque será distinto de este.")
                    hint = remedy.hint
                } else {
                    // A change made in the file that has not taken effect yet.
                    if level != .fail { level = CheckLevel.worst([level, .warn]) }
                    let pending = LocalizedText(
                        en: " \(persistent.file) already has \(words(next)); it takes effect after `\(apply)` and a reboot.",
                        es: " \(persistent.file) ya tiene \(words(next)); tendrá efecto tras `\(apply)` y un reinicio.")
                    summary = LocalizedText(en: summary.en + pending.en, es: summary.es + pending.es)
                    hint = LocalizedText(
                        en: "Run `\(apply)` (if not done yet) and reboot.",
                        es: "Ejecute `\(apply)` (si no lo ha hecho) y reinicie.")
                }
            }
        } else if verdict.level == .pass || verdict.level == .note {
            evidence.append(Evidence(en: "persistent command line: not found (\(boot.loader.name))",
                                     es: "línea de comandos persistente: no encontrada (\(boot.loader.nameES))"))
        }
        return [result(level, summary, evidence: evidence, hint: hint)]
    }

    static func words(_ p: IOMMUParameters) -> String {
        p.relevantWords.isEmpty ? "no IOMMU parameters" : "`" + p.relevantWords.joined(separator: " ") + "`"
    }

    struct Verdict {
        var level: CheckLevel
        var summary: LocalizedText
        var add: [String] = []
        var remove: [String] = []
    }

    /// How a command line serves passthrough on this CPU.
    static func judge(_ p: IOMMUParameters, vendor: CPUVendor?, active: Bool) -> Verdict {
        let off = p.disablingWords
        if !off.isEmpty {
            let list = off.map { "`\($0)`" }.joined(separator: ", ")
            return Verdict(level: .fail, summary: LocalizedText(
                en: "The kernel command line switches the IOMMU off (\(list)).",
                es: "La línea de comandos del kernel desactiva la IOMMU (\(list))."), remove: off)
        }
        let pt = p.passthrough
        let ptWords = pt ? [] : ["iommu=pt"]
        if vendor == .amd {
            let onIgnored = p.line.lastOption("amd_iommu", among: ["on"]) != nil
            let extra = LocalizedText(
                en: onIgnored ? " (`amd_iommu=on` is not a kernel option and is ignored; it does no harm)" : "",
                es: onIgnored ? " (`amd_iommu=on` no es una opción del kernel y se ignora; no hace daño)" : "")
            if !active {
                return Verdict(level: .note, summary: LocalizedText(
                    en: "AMD: the command line does not switch the IOMMU off" + extra.en + ", yet none is active: the cause is elsewhere (see firmware-iommu-table and iommu-active).",
                    es: "AMD: la línea de comandos no desactiva la IOMMU" + extra.es + ", pero no hay ninguna activa: la causa está en otra parte (vea firmware-iommu-table e iommu-active)."))
            }
            return Verdict(level: .pass, summary: LocalizedText(
                en: "AMD: the IOMMU is on by default and the command line does not switch it off" + (pt ? "; `iommu=pt` is set" : "") + extra.en + ".",
                es: "AMD: la IOMMU está activada por defecto y la línea de comandos no la desactiva" + (pt ? "; `iommu=pt` está puesto" : "") + extra.es + "."))
        }
        if p.intelOn {
            return Verdict(level: pt ? .pass : .note, summary: pt
                ? LocalizedText(en: "The kernel command line has `intel_iommu=on iommu=pt`.",
                                es: "La línea de comandos del kernel tiene `intel_iommu=on iommu=pt`.")
                : LocalizedText(en: "The kernel command line has `intel_iommu=on`; `iommu=pt` (recommended: host devices skip IOMMU translation) is missing.",
                                es: "La línea de comandos del kernel tiene `intel_iommu=on`; falta `iommu=pt` (recomendado: los dispositivos del host evitan la traducción de la IOMMU)."),
                add: ptWords)
        }
        if active {
            return Verdict(level: .note, summary: LocalizedText(
                en: "The IOMMU is active without `intel_iommu=on`: this kernel enables VT-d by default (Debian/Proxmox kernels do). Adding `intel_iommu=on iommu=pt` makes it explicit, as the guide does.",
                es: "La IOMMU está activa sin `intel_iommu=on`: este kernel activa VT-d por defecto (los kernels de Debian/Proxmox lo hacen). Añadir `intel_iommu=on iommu=pt` lo hace explícito, como indica la guía."),
                add: ["intel_iommu=on"] + ptWords)
        }
        return Verdict(level: .warn, summary: LocalizedText(
            en: "The kernel command line lacks `intel_iommu=on` and no IOMMU is active.",
            es: "La línea de comandos del kernel no tiene `intel_iommu=on` y no hay ninguna IOMMU activa."),
            add: ["intel_iommu=on"] + ptWords)
    }

    /// Where the persistent command line is edited on this host, and how.
    struct Place {
        var loader: BootLoader
        var persistent: PersistentCommandLine?
        var grub: GrubConfiguration?

        func instruction(adding: [String], removing: [String]) -> LocalizedText {
            let apply = loader.applyCommand
            let change = adding.joined(separator: " ")
            switch loader {
            case .grub, .proxmoxBootTool(.grub):
                let applyText = apply ?? "update-grub"
                return grubInstruction(adding: adding, removing: removing, apply: applyText)
            case .proxmoxBootTool(.systemdBoot):
                let file = BootLoader.kernelCmdlinePath
                var current = persistent.map { $0.line.parameters.map(\.text) } ?? []
                current.removeAll { word in removing.contains(word) }
                current += adding.filter { !current.contains($0) }
                let newLine = current.joined(separator: " ")
                if !removing.isEmpty {
                    let list = removing.map { "`\($0)`" }.joined(separator: " ")
                    return LocalizedText(
                        en: "Remove \(list) from the single line of \(file) (it becomes `\(newLine)`), then run `proxmox-boot-tool refresh` and reboot.",
                        es: "Quite \(list) de la única línea de \(file) (queda `\(newLine)`), después ejecute `proxmox-boot-tool refresh` y reinicie.")
                }
                return LocalizedText(
                    en: "Append `\(change)` to the single line of \(file) (it becomes `\(newLine)`), then run `proxmox-boot-tool refresh` and reboot.",
                    es: "Añada `\(change)` al final de la única línea de \(file) (queda `\(newLine)`), después ejecute `proxmox-boot-tool refresh` y reinicie.")
            case .proxmoxBootTool(.unknown), .unknown:
                let what = removing.isEmpty ? "add `\(change)` to" : "remove " + removing.map { "`\($0)`" }.joined(separator: " ") + " from"
                let que = removing.isEmpty ? "añada `\(change)` a" : "quite " + removing.map { "`\($0)`" }.joined(separator: " ") + " de"
                let proxmox = loader == .proxmoxBootTool(.unknown) ? " (`proxmox-boot-tool status` tells which this host uses)" : ""
                let proxmoxES = loader == .proxmoxBootTool(.unknown) ? " (`proxmox-boot-tool status` indica cuál usa este host)" : ""
                return LocalizedText(
                    en: "On GRUB hosts \(what) GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub and run `update-grub`; on systemd-boot hosts managed by proxmox-boot-tool \(what) the line in /etc/kernel/cmdline and run `proxmox-boot-tool refresh`\(proxmox). Then reboot.",
                    es: "En hosts con GRUB \(que) GRUB_CMDLINE_LINUX_DEFAULT en /etc/default/grub y ejecute `update-grub`; en hosts con systemd-boot gestionados por proxmox-boot-tool \(que) la línea de /etc/kernel/cmdline y ejecute `proxmox-boot-tool refresh`\(proxmoxES). Después reinicie.")
            }
        }

        func grubInstruction(adding: [String], removing: [String], apply: String) -> LocalizedText {
            let file = GrubDefaults.path
            if !removing.isEmpty {
                // Name each line that holds a word to remove.
                var edits: [String] = []
                for name in ["GRUB_CMDLINE_LINUX_DEFAULT", "GRUB_CMDLINE_LINUX"] {
                    guard let (f, line, a) = grub?.lastAssignment(name) else { continue }
                    let words = KernelCommandLine(a.literalValue).parameters.map(\.text)
                    let kept = words.filter { !removing.contains($0) }
                    guard kept.count != words.count else { continue }
                    if let newLine = line.replacingValue(with: kept) {
                        edits.append("\(f.path):\(line.number): `\(line.text.trimmedSpace())` → `\(newLine.trimmedSpace())`")
                    } else {
                        edits.append("\(f.path):\(line.number): remove it from \(name)")
                    }
                }
                let list = removing.map { "`\($0)`" }.joined(separator: " ")
                if edits.isEmpty {
                    return LocalizedText(
                        en: "\(list) \(removing.count == 1 ? "is" : "are") no longer in \(file): run `\(apply)` (if not done yet) and reboot.",
                        es: "\(list) ya no \(removing.count == 1 ? "está" : "están") en \(file): ejecute `\(apply)` (si no lo ha hecho) y reinicie.")
                }
                return LocalizedText(
                    en: "Remove \(list): \(edits.joined(separator: "; ")); then run `\(apply)` and reboot.",
                    es: "Quite \(list): \(edits.joined(separator: "; ")); después ejecute `\(apply)` y reinicie.")
            }
            let change = adding.joined(separator: " ")
            if let (f, line, a) = grub?.lastAssignment("GRUB_CMDLINE_LINUX_DEFAULT") {
                var words = KernelCommandLine(a.literalValue).parameters.map(\.text)
                words += adding.filter { !words.contains($0) }
                if let newLine = line.replacingValue(with: words) {
                    return LocalizedText(
                        en: "Add `\(change)` to GRUB_CMDLINE_LINUX_DEFAULT in \(f.path) (line \(line.number): `\(line.text.trimmedSpace())` → `\(newLine.trimmedSpace())`), then run `\(apply)` and reboot.",
                        es: "Añada `\(change)` a GRUB_CMDLINE_LINUX_DEFAULT en \(f.path) (línea \(line.number): `\(line.text.trimmedSpace())` → `\(newLine.trimmedSpace())`), después ejecute `\(apply)` y reinicie.")
                }
                return LocalizedText(
                    en: "Add `\(change)` inside the value of GRUB_CMDLINE_LINUX_DEFAULT in \(f.path) (line \(line.number)), then run `\(apply)` and reboot.",
                    es: "Añada `\(change)` dentro del valor de GRUB_CMDLINE_LINUX_DEFAULT en \(f.path) (línea \(line.number)), después ejecute `\(apply)` y reinicie.")
            }
            return LocalizedText(
                en: "Add the line `GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \(change)\"` to \(file), then run `\(apply)` and reboot.",
                es: "Añada la línea `GRUB_CMDLINE_LINUX_DEFAULT=\"quiet \(change)\"` a \(file), después ejecute `\(apply)` y reinicie.")
        }
    }
}
