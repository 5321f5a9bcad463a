import ArgumentParser
import HostAccess
import SRIOVCore

struct WizardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wizard",
        abstract: tr("Walk through the four stages interactively (the default on a terminal).", "Recorre las cuatro etapas de forma interactiva (lo predeterminado en un terminal)."),
        discussion: tr("""
        Explains each stage in plain words, runs its checks, shows what passed and what to fix, and moves on only when the stage verifies (or you skip it). Progress is saved in /var/lib/sriov-wizard on a live host, so after the reboot that a BIOS or kernel change needs, `sriov-wizard` resumes where it stopped and first re-verifies that stage.

        At stage 4, [a] asks how many VFs (default: what the driver allows, with what each VF costs in MMIO), how they persist (a udev rule for this PF, recommended, or the driver's module option) and whether they get fixed, locally administered MACs; then which VM of this node gets a VF (or a resource mapping, or none now), and it ends with what to do next (start the VM, the guest's VF driver). Each answer has a default ([Enter]) and becomes an `apply` plan shown and confirmed first. On a --root snapshot progress is not saved.

        --walkthrough runs it on the bundled sample host with no prompts (stable output for documentation).

        EXAMPLES:
          sudo sriov-wizard
          sudo sriov-wizard wizard --device 0000:01:00.0 --lang es
          sriov-wizard wizard --walkthrough
          sriov-wizard wizard --walkthrough --sample igpu
        """, """
        Explica cada etapa con palabras sencillas, ejecuta sus comprobaciones, muestra lo que pasó y lo que hay que arreglar, y solo avanza cuando la etapa se verifica (o usted la salta). El progreso se guarda en /var/lib/sriov-wizard en un host en marcha, así que después del reinicio que necesita un cambio de BIOS o de kernel, `sriov-wizard` sigue donde se quedó y primero vuelve a verificar esa etapa.

        En la etapa 4, [a] pregunta cuántas VF (por defecto: lo que permite el controlador, con lo que cuesta cada VF en MMIO), cómo persisten (una regla udev para esta PF, lo recomendado, o la opción del módulo del controlador) y si reciben MAC fijas administradas localmente; después, qué VM de este nodo recibe una VF (o un mapeo de recursos, o ninguna por ahora), y termina con lo que hay que hacer después (arrancar la VM, el controlador de VF del invitado). Cada respuesta tiene un valor por defecto ([Intro]) y se convierte en un plan de `apply` que se muestra y se confirma antes. En una instantánea con --root el progreso no se guarda.

        --walkthrough lo ejecuta sobre el host de ejemplo incluido sin preguntas (salida estable para la documentación).

        EJEMPLOS:
          sudo sriov-wizard
          sudo sriov-wizard wizard --device 0000:01:00.0 --lang es
          sriov-wizard wizard --walkthrough
          sriov-wizard wizard --walkthrough --sample igpu
        """)
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Option(name: .long, help: ArgumentHelp(tr("Only this SR-IOV device (PF address, or one of its VFs).", "Solo este dispositivo SR-IOV (dirección de la PF, o de una de sus VF)."), valueName: "ADDR"))
    var device: String?

    @Flag(name: .long, help: ArgumentHelp(tr("Run on the bundled sample host without prompts (for documentation).", "Se ejecuta sobre el host de ejemplo incluido, sin preguntas (para documentación).")))
    var walkthrough = false

    @Option(name: .long, help: ArgumentHelp(tr("With --walkthrough: which bundled sample host, nic (Intel 82576, the default) or igpu (Alder Lake-P iGPU with i915-sriov-dkms).", "Con --walkthrough: qué host de ejemplo incluido, nic (Intel 82576, por defecto) o igpu (iGPU Alder Lake-P con i915-sriov-dkms)."), valueName: "NAME"))
    var sample: String = "nic"

    @Flag(name: .long, help: ArgumentHelp(tr("Forget saved progress and start at stage 1.", "Olvida el progreso guardado y empieza en la etapa 1.")))
    var restart = false

    @OptionGroup var widthOptions: WidthOptions

    @Option(name: .customLong("upload-config"), help: ArgumentHelp(
        tr("Upload settings; with a url= in it the wizard offers to upload its report at the end (default /etc/sriov-wizard/upload.conf).",
           "Ajustes de envío; si tiene un url=, el asistente ofrece enviar su informe al final (por defecto /etc/sriov-wizard/upload.conf)."),
        valueName: "FILE"))
    var uploadConfig: String = UploadConfig.defaultPath

    @Option(name: .long, help: ArgumentHelp(tr("Queue for reports whose upload failed (default /var/lib/sriov-wizard/outbox).", "Cola de los informes cuyo envío falló (por defecto /var/lib/sriov-wizard/outbox)."), valueName: "DIR"))
    var outbox: String = ReportOutbox.defaultDirectory

    func validate() throws {
        if !walkthrough { try rootOptions.validateRoot() }
        guard SampleHost.directories[sample] != nil else {
            let samples = SampleHost.directories.keys.sorted().joined(separator: ", ")
            throw ValidationError(tr("--sample \(sample): the bundled samples are \(samples).", "--sample \(sample): los ejemplos incluidos son \(samples)."))
        }
        if sample != "nic", !walkthrough { throw ValidationError(tr("--sample applies to --walkthrough only.", "--sample solo se aplica a --walkthrough.")) }
        if !walkthrough && !ThisProcess.isTerminal(0) {
            throw ValidationError(tr("The interactive wizard needs a terminal on standard input. For scripts use `sriov-wizard check` (add --format json), or `sriov-wizard wizard --walkthrough` for the sample run.", "El asistente interactivo necesita un terminal en la entrada estándar. Para scripts use `sriov-wizard check` (añada --format json), o `sriov-wizard wizard --walkthrough` para la ejecución de ejemplo."))
        }
    }

    func run() throws {
        var options = rootOptions
        if walkthrough && options.root == "/" {
            let name = SampleHost.directories[self.sample] ?? "sample-host"
            guard let sample = SampleHost.locate(name) else {
                Console.error(tr("the bundled sample host was not found (looked next to the binary and in ./Resources/\(name)); give one with --root DIR.", "no se encontró el host de ejemplo incluido (se buscó junto al binario y en ./Resources/\(name)); indique uno con --root DIR."))
                throw ExitStatus.unreadableHost
            }
            options.root = sample
        }
        let session = WizardSession(rootOptions: options, device: device, language: languageOptions.resolved,
                                    console: Console(), interactive: !walkthrough, restart: restart,
                                    width: widthOptions.resolved(fixed: walkthrough ? 80 : nil),
                                    uploadConfig: uploadConfig, outbox: outbox)
        try session.run()
    }
}

/// Where the bundled sample snapshot is: installed next to the binary
/// (`../share/sriov-wizard/sample-host`), in a source checkout (`Resources/sample-host`
/// above `.build/<config>/`), or in the current directory.
enum SampleHost {
    /// `--sample NAME` -> directory: the NIC host, and the iGPU host built from real captures
    /// (Tests/Support/GPUTrees, state "dkms without max_vfs").
    static let directories = ["nic": "sample-host", "igpu": "sample-host-igpu"]

    static func locate(_ name: String = "sample-host") -> String? {
        let local = Machine(root: "/")
        var candidates: [String] = []
        if let exe = try? local.linkTarget("/proc/self/exe") {
            var dir = exe
            for _ in 0..<5 {
                guard let slash = dir.lastIndex(of: "/") else { break }
                dir = String(dir[..<slash])
                candidates.append(dir + "/share/sriov-wizard/" + name)
                candidates.append(dir + "/Resources/" + name)
            }
        }
        candidates.append("Resources/" + name)
        return candidates.first { local.isDirectory($0 + "/sys/bus/pci/devices") }
    }
}

/// The interactive (or walkthrough) run over the stages.
struct WizardSession {
    let rootOptions: RootOptions
    let device: String?
    let language: Language
    let console: Console
    let interactive: Bool
    let restart: Bool
    /// Columns to wrap at: the terminal's, or 80 for the walkthrough (reproducible docs).
    let width: Int
    var uploadConfig = UploadConfig.defaultPath
    var outbox = ReportOutbox.defaultDirectory

    /// Prints the sentence in the session's language, wrapped to the session's width. A text
    /// that starts with blanks (a choice: `  [Enter] ...`) keeps them, and its continuation
    /// lines are indented under the choice.
    func say(_ en: String, _ es: String) {
        var renderer = CheckRenderer(console: console, language: language)
        renderer.width = width
        let text = language == .es ? es : en
        let indent = text.prefix { $0 == " " }.count
        let rest = indent > 0 ? String(repeating: " ", count: indent + 4) : ""
        print(String(repeating: " ", count: indent) + renderer.wrap(text, first: indent, rest: rest))
    }

    func run() throws {
        let persist = interactive && rootOptions.root == "/"
        var start = 0
        var skipped: [StageID] = []
        if persist && restart { WizardState.clear(root: "/") }
        if persist, !restart, let state = WizardState.load(rootOptions.machine),
           let index = Stage.all.firstIndex(where: { $0.id == state.stage }) {
            start = index
            skipped = state.skipped
            say("Resuming at stage \(index + 1) (\(Stage.all[index].title.en)), where the wizard stopped; checking it again first.",
                "Continuando en la etapa \(index + 1) (\(Stage.all[index].title.es)), donde se quedó el asistente; primero se vuelve a comprobar.")
        }
        var renderer = CheckRenderer(console: console, language: language)
        renderer.width = width
        renderer.showEvidence = !interactive
        var host = HostSummary.read(rootOptions.machine)
        // The walkthrough's output is embedded in documentation: no checkout-specific path.
        if !interactive { host.root = "bundled sample host" }
        print(renderer.header(host))
        if !interactive {
            say("Walkthrough on a sample host: no questions are asked; where a stage fails the wizard would stop until it is fixed.",
                "Recorrido sobre un host de ejemplo: no se pregunta nada; donde una etapa falla el asistente se detendría hasta arreglarla.")
        }
        var index = start
        var showDetails = false
        var outcomes: [StageReport] = []
        var askedWhichVM = false
        // Question 2's answer (fixed MACs applied), and question 5's summary once a VF is given.
        var fixedMACs = false
        var closing: LocalizedText?
        while index < Stage.all.count {
            let stage = Stage.all[index]
            print("")
            // One read of the host per pass: the stage's checks and its remedies use the same one.
            let context = try rootOptions.context(device: device)
            let report = stage.verify(context)
            print(renderer.stageTitle(report, number: index + 1))
            print(renderer.wrap(stage.explanation.text(language), first: 0, rest: ""))
            var detailed = renderer
            detailed.showEvidence = renderer.showEvidence || showDetails
            for line in detailed.checks(report) { print(line) }
            if !interactive {
                outcomes.append(report)
                if !report.verified {
                    say("→ The wizard stops here until this stage verifies (re-check), or you skip it.",
                        "→ El asistente se detiene aquí hasta que esta etapa se verifique (volver a comprobar), o la omita.")
                }
                index += 1
                continue
            }
            // The planners' remedies for what is open: the same values the hints are made from.
            let remedies = Remedies.offered(for: report, context: context)
            // Question 3 (which VM) once the VFs are in place (no VF remedy left to offer).
            if report.id == .activation, !askedWhichVM, remedies.isEmpty {
                askedWhichVM = true
                if askAndPassVF(report, context: context, macs: fixedMACs, summary: &closing) { continue }
            }
            let fix = remedies.isEmpty ? nil : remedies.flatMap(\.arguments)
            let request = ApplyRequest.combined(remedies.map(\.request))
            if let fix {
                for remedy in remedies { say("→ " + remedy.explanation.en + ".", "→ " + remedy.explanation.es + ".") }
                say("The wizard can make this change for you: `sriov-wizard apply \(fix.joined(separator: " "))` (shown as a diff first).",
                    "El asistente puede hacer este cambio: `sriov-wizard apply \(fix.joined(separator: " "))` (se muestra antes como diff).")
            }
            let answer = prompt(verified: report.verified, canApply: fix != nil)
            showDetails = false
            switch answer {
            case .apply:
                // Stage 4: questions 1 and 2 make the VF remedy's count, method and MACs.
                if report.id == .activation, let offered = remedies.first(where: { $0.request.vfs != nil }) {
                    if let chosen = askVFRemedy(offered, context: context) {
                        if runApply(chosen.remedy.request) { fixedMACs = chosen.macs }
                    }
                } else if fix != nil {
                    runApply(request)
                }
                continue
            case .next:
                // Leaving stage 4 with the VF remedy not taken: still ask which VM (once).
                if report.id == .activation, !askedWhichVM {
                    askedWhichVM = true
                    if askAndPassVF(report, context: context, macs: fixedMACs, summary: &closing) { continue }
                }
                index += 1
                save(persist, stage: index < Stage.all.count ? Stage.all[index].id : nil, skipped: skipped)
            case .recheck:
                continue
            case .details:
                showDetails = true
                continue
            case .skip:
                skipped.append(stage.id)
                index += 1
                save(persist, stage: index < Stage.all.count ? Stage.all[index].id : nil, skipped: skipped)
            case .quit:
                save(persist, stage: stage.id, skipped: skipped)
                if persist {
                    say("Progress saved. Run `sriov-wizard` again (after the reboot, if one is needed) to continue at stage \(index + 1).",
                        "Progreso guardado. Ejecute `sriov-wizard` de nuevo (tras reiniciar, si hace falta) para seguir en la etapa \(index + 1).")
                } else {
                    // Progress is kept for the live host only (/var/lib/sriov-wizard).
                    say("Progress is not saved for a snapshot (--root \(rootOptions.root)): the next run starts at stage 1. Changes applied to the snapshot stay in it; `sriov-wizard rollback --root \(rootOptions.root)` undoes them.",
                        "El progreso no se guarda para una instantánea (--root \(rootOptions.root)): la próxima ejecución empieza en la etapa 1. Los cambios aplicados a la instantánea se quedan en ella; `sriov-wizard rollback --root \(rootOptions.root)` los deshace.")
                }
                printClosing(closing)
                return
            }
        }
        print("")
        if !interactive {
            print(renderer.verdict(outcomes))
            return
        }
        printClosing(closing)
        if skipped.isEmpty {
            say("All four stages are done.", "Las cuatro etapas están completas.")
        } else {
            let names = skipped.map { Stage.named($0).title.text(language) }.joined(separator: ", ")
            say("Done, with skipped stages: \(names). `sriov-wizard check` shows them again.",
                "Terminado, con etapas omitidas: \(names). `sriov-wizard check` las muestra de nuevo.")
        }
        if persist { WizardState.clear(root: "/") }
        offerUpload()
    }

    /// At the end, when upload.conf names a server: ask, then `report --upload` to it (with
    /// the config's token, CA file and redact=).
    func offerUpload() {
        guard case .success(let config?) = UploadConfig.load(uploadConfig), let url = config.url else { return }
        let redacted = config.redact ? LocalizedText(en: " (redacted)", es: " (anonimizado)") : LocalizedText.none
        say("Upload the report of this host\(redacted.en) to \(url) for the support desk? [y/N]",
            "¿Subir el informe de este equipo\(redacted.es) a \(url) para el soporte? [s/N]")
        print("> ", terminator: "")
        guard let line = readLine(), ["y", "yes", "s", "si", "sí"].contains(line.trimmedSpace().lowercased()) else {
            say("Not uploaded. Later: `sriov-wizard report --upload \(url)`.", "No se ha subido. Más tarde: `sriov-wizard report --upload \(url)`.")
            return
        }
        var arguments = ["--upload", url, "--upload-config", uploadConfig, "--outbox", outbox, "--lang", language.rawValue]
        if rootOptions.root != "/" { arguments += ["--root", rootOptions.root] }
        if let device { arguments += ["--device", device] }
        do {
            var command = try ReportCommand.parse(arguments)
            try command.run()
        } catch {
            let message = ReportCommand.message(for: error)
            if !message.isEmpty { Console.error(message) }
        }
    }

    enum Answer { case next, recheck, details, skip, quit, apply }

    /// Applies `request` as `apply` does, with the same root and language (it shows the diff
    /// and asks before changing anything). The wizard re-checks the stage itself, so the
    /// session does not. True when the plan was applied or already in place.
    @discardableResult
    func runApply(_ request: ApplyRequest) -> Bool {
        do {
            try rootOptions.validateWritableRoot(language: language)
            var session = ApplySession(request: request, machine: rootOptions.machine, language: language)
            session.locks = ThisProcess.isTerminal(0)
            session.verifies = false
            session.command = CommandLine.arguments
            try ApplyConsole(language: language).run(session, root: rootOptions.root) { [rootOptions] in
                try rootOptions.context(device: request.device?.description)
            }
            return true
        } catch {
            let status = ApplyCommand.exitCode(for: error)
            if status != .success {
                let message = ApplyCommand.message(for: error)
                let stopped = language == .es ? "apply se detuvo (estado \(status.rawValue))" : "apply stopped (status \(status.rawValue))"
                if !message.isEmpty { Console.error(message) }
                else if status != ExitStatus.notConfirmed { Console.error(stopped) }
            }
            return status == .success
        }
    }

    /// Question 3, its apply, and question 5's summary. True when a plan was run (the stage
    /// is then checked again).
    func askAndPassVF(_ report: StageReport, context: CheckContext, macs: Bool, summary: inout LocalizedText?) -> Bool {
        guard let choice = askWhichVM(report, context: context) else { return false }
        if runApply(choice.request) { summary = closingSummary(choice, macs: macs, context: context) }
        return true
    }

    func printClosing(_ summary: LocalizedText?) {
        guard let summary else { return }
        print("")
        say(summary.en, summary.es)
    }

    func prompt(verified: Bool, canApply: Bool = false) -> Answer {
        while true {
            if verified {
                say("Stage verified. [Enter] continue  " + (canApply ? "[a] apply the fix for the warnings  " : "") + "[d] details  [r] re-check  [q] quit",
                    "Etapa verificada. [Intro] continuar  " + (canApply ? "[a] aplicar la solución de los avisos  " : "") + "[d] detalles  [r] comprobar de nuevo  [q] salir")
            } else {
                say("Fix what is marked above, then re-check. " + (canApply ? "[a] apply the fix  " : "") + "[r] re-check  [d] details  [s] skip this stage  [q] quit",
                    "Corrija lo marcado arriba y vuelva a comprobar. " + (canApply ? "[a] aplicar la solución  " : "") + "[r] comprobar  [d] detalles  [o] omitir esta etapa  [q] salir")
            }
            print("> ", terminator: "")
            guard let line = readLine() else { return .quit }
            let typed = line.trimmedSpace().lowercased()
            // In Spanish "s" is "sí", never "skip": there the skip key is [o] (omitir).
            if language == .es, typed == "s" || typed == "sí" || typed == "si" || typed == "skip" {
                say("", "«s» no es una opción aquí: para omitir la etapa escriba «o».")
                continue
            }
            if language == .en, typed == "o" {
                say("Please answer with one of the letters in brackets.", "")
                continue
            }
            switch typed {
            case "" where verified, "c", "continue", "continuar": if verified { return .next }
            case "a", "apply", "aplicar": if canApply { return .apply }
            case "r", "re-check", "recheck": return .recheck
            case "d", "details", "detalles": return .details
            case "s", "o", "skip", "omitir": if !verified { return .skip }
            case "q", "quit", "salir": return .quit
            default: break
            }
            say("Please answer with one of the letters in brackets.", "Responda con una de las letras entre corchetes.")
        }
    }

    func save(_ persist: Bool, stage: StageID?, skipped: [StageID]) {
        guard persist else { return }
        guard let stage else { WizardState.clear(root: "/"); return }
        do { try WizardState(stage: stage, skipped: skipped).save(root: "/") } catch {
            Console.warning(tr("progress could not be saved: \(error.description)", "no se pudo guardar el progreso: \(error.spanishDescription)"))
        }
    }
}
