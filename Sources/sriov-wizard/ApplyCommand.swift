import ArgumentParser
import HostAccess
import SRIOVCore

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: tr("Make the changes a stage needs: plan, show the diff, confirm, apply with a journal, verify.", "Hace los cambios que necesita una etapa: planifica, muestra el diff, confirma, aplica con diario y verifica."),
        discussion: tr("""
        Every change is planned first and shown as a one-line explanation (the same words the hints of `check` and the wizard use), then a unified diff plus the sysfs writes and commands it runs. On a terminal you confirm it (--yes skips the question; without a terminal --yes is required). Files are replaced atomically (temporary file, fsync, rename, fsync of the directory) after their old bytes, mode and owner are saved in a journal under /var/lib/sriov-wizard/journal (under --root for a snapshot); `sriov-wizard rollback` restores them byte for byte. Running the same apply again changes nothing.

        With --root DIR (a snapshot), files under DIR are edited and the sysfs writes and commands are listed as what would run on the host.

        Proxmox VE: --passthrough VMID --vf ADDR runs `qm set VMID -hostpciN ADDR,pcie=1` (the first free N; no pcie=1 on an i440fx VM; a running VM is told to restart). --vf auto takes the first VF of --device PF that no VM or resource mapping uses. --mapping NAME --device PF runs `pvesh create /cluster/mapping/pci --id NAME --map node=NODE,path=ADDR,id=VVVV:DDDD,iommugroup=G` with one --map per free VF; with --passthrough VMID the VM then gets `mapping=NAME` (Proxmox gives it a free VF of the mapping at start). rollback does not undo qm or pvesh; the plan says which command does.

        EXAMPLES:
          sudo sriov-wizard apply --device 0000:01:00.0 --vfs 4
          sudo sriov-wizard apply --device 0000:01:00.0 --vfs 7 --method modprobe --yes
          sudo sriov-wizard apply --iommu --vfio --dry-run
          sudo sriov-wizard apply --iommu --igpu --dry-run
          sudo sriov-wizard apply --passthrough 100 --vf 0000:01:10.0
          sudo sriov-wizard apply --passthrough 100 --vf auto --device 0000:01:00.0
          sudo sriov-wizard apply --mapping igb-vfs --device 0000:01:00.0
          sudo sriov-wizard apply --mapping igb-vfs --device 0000:01:00.0 --passthrough 101
          sriov-wizard apply --root ./snapshot --device 0000:01:00.0 --vfs 4 --yes

        EXIT STATUS:
          0   applied, or already applied (nothing to change), or --dry-run
          1   a step failed (the message says which; `sriov-wizard rollback --last` undoes what was done) or the plan cannot be made
          3   the machine could not be read
          5   not confirmed (answered no, or no terminal and no --yes)
          64  usage error
          75  another apply or rollback is running (lock)
          77  changing this host needs root
        """, """
        Cada cambio se planifica primero y se muestra con una explicación de una línea (las mismas palabras que usan las pistas de `check` y el asistente), y después un diff unificado más las escrituras en sysfs y las órdenes que ejecuta. En un terminal usted lo confirma (--yes se salta la pregunta; sin terminal --yes es obligatorio). Los archivos se sustituyen de forma atómica (archivo temporal, fsync, rename, fsync del directorio) después de guardar sus bytes, modo y dueño anteriores en un diario en /var/lib/sriov-wizard/journal (bajo --root para una instantánea); `sriov-wizard rollback` los restaura byte a byte. Repetir el mismo apply no cambia nada.

        Con --root DIR (una instantánea) se editan los archivos bajo DIR y las escrituras en sysfs y las órdenes se listan como lo que se ejecutaría en el host.

        Proxmox VE: --passthrough VMID --vf ADDR ejecuta `qm set VMID -hostpciN ADDR,pcie=1` (el primer N libre; sin pcie=1 en una VM i440fx; a una VM en marcha se le avisa de que debe reiniciarse). --vf auto toma la primera VF de --device PF que no usa ninguna VM ni mapeo de recursos. --mapping NAME --device PF ejecuta `pvesh create /cluster/mapping/pci --id NAME --map node=NODE,path=ADDR,id=VVVV:DDDD,iommugroup=G` con un --map por VF libre; con --passthrough VMID la VM recibe después `mapping=NAME` (Proxmox le da una VF libre del mapeo al arrancar). rollback no deshace qm ni pvesh; el plan dice qué orden lo hace.

        EJEMPLOS:
          sudo sriov-wizard apply --device 0000:01:00.0 --vfs 4
          sudo sriov-wizard apply --device 0000:01:00.0 --vfs 7 --method modprobe --yes
          sudo sriov-wizard apply --iommu --vfio --dry-run
          sudo sriov-wizard apply --iommu --igpu --dry-run
          sudo sriov-wizard apply --passthrough 100 --vf 0000:01:10.0
          sudo sriov-wizard apply --passthrough 100 --vf auto --device 0000:01:00.0
          sudo sriov-wizard apply --mapping igb-vfs --device 0000:01:00.0
          sudo sriov-wizard apply --mapping igb-vfs --device 0000:01:00.0 --passthrough 101
          sriov-wizard apply --root ./snapshot --device 0000:01:00.0 --vfs 4 --yes

        ESTADO DE SALIDA:
          0   aplicado, o ya aplicado (nada que cambiar), o --dry-run
          1   un paso falló (el mensaje dice cuál; `sriov-wizard rollback --last` deshace lo hecho) o no se puede hacer el plan
          3   no se pudo leer la máquina
          5   sin confirmar (respuesta no, o sin terminal y sin --yes)
          64  error de uso
          75  otro apply o rollback está en curso (bloqueo)
          77  cambiar este host requiere root
        """)
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Option(name: .long, help: ArgumentHelp(tr("The SR-IOV PF to create VFs on (with --vfs), to take a free VF of (--vf auto) or to map (--mapping).", "La PF SR-IOV en la que crear VF (con --vfs), de la que tomar una VF libre (--vf auto) o que mapear (--mapping)."), valueName: "ADDR"))
    var device: String?

    @Option(name: .long, help: ArgumentHelp(tr("Number of VFs (0 removes them); at most sriov_totalvfs.", "Número de VF (0 las quita); como mucho sriov_totalvfs."), valueName: "N"))
    var vfs: Int?

    @Option(name: .long, help: ArgumentHelp(tr("How to create and persist VFs: auto (= sysfs), sysfs (sriov_numvfs + udev rule for this PF) or modprobe (driver option such as igb max_vfs, every port).", "Cómo crear las VF y hacerlas persistentes: auto (= sysfs), sysfs (sriov_numvfs + regla udev para esta PF) o modprobe (opción del controlador como igb max_vfs, en todos los puertos).")))
    var method: VFMethodChoice = .auto

    @Option(name: .customLong("vf-mac"), help: ArgumentHelp(tr("auto: give the VFs stable, locally administered MACs (derived from the PF address, VF index and /etc/machine-id), set now and by the udev rule; none: leave them to the driver.", "auto: da a las VF MAC estables y administradas localmente (derivadas de la dirección de la PF, el índice de la VF y /etc/machine-id), puestas ahora y por la regla udev; none: las deja al controlador.")))
    var vfMAC: VFMACChoice = .none

    @Flag(name: .long, help: ArgumentHelp(tr("Turn the IOMMU on in the persistent kernel command line (GRUB or /etc/kernel/cmdline).", "Activa el IOMMU en la línea de comandos persistente del kernel (GRUB o /etc/kernel/cmdline).")))
    var iommu = false

    @Flag(name: .long, help: ArgumentHelp(tr("Intel iGPU SR-IOV: put the bound driver's parameters on the persistent kernel command line (i915-sriov-dkms: i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe, replacing an old enable_guc=7; xe: xe.max_vfs=7 xe.force_probe=ID module_blacklist=i915), and say which dkms release to install when it is missing (nothing is downloaded).", "SR-IOV de la iGPU Intel: pone los parámetros del controlador enlazado en la línea de comandos persistente del kernel (i915-sriov-dkms: i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe, en lugar de un antiguo enable_guc=7; xe: xe.max_vfs=7 xe.force_probe=ID module_blacklist=i915) y dice qué versión de dkms instalar cuando falta (no se descarga nada).")))
    var igpu = false

    @Option(name: .customLong("igpu-driver"), help: ArgumentHelp(tr("With --igpu: plan for this driver (i915 or xe) instead of the one bound to 0000:00:02.0.", "Con --igpu: planifica para este controlador (i915 o xe) en vez del enlazado a 0000:00:02.0."), valueName: "NAME"))
    var igpuDriver: String?

    @Flag(name: .long, help: ArgumentHelp(tr("Load the vfio modules at boot (/etc/modules-load.d/vfio.conf).", "Carga los módulos vfio al arrancar (/etc/modules-load.d/vfio.conf).")))
    var vfio = false

    @Option(name: .long, help: ArgumentHelp(tr("Pass a VF to this Proxmox VM (with --vf, or --mapping NAME).", "Pasa una VF a esta VM de Proxmox (con --vf, o --mapping NAME)."), valueName: "VMID"))
    var passthrough: String?

    @Option(name: .long, help: ArgumentHelp(tr("The VF to pass through (with --passthrough): its address, or auto (the first VF of --device PF that no VM or mapping uses).", "La VF a pasar (con --passthrough): su dirección, o auto (la primera VF de --device PF que no usa ninguna VM ni mapeo)."), valueName: "ADDR|auto"))
    var vf: String?

    @Option(name: .long, help: ArgumentHelp(tr("A Proxmox PCI resource mapping: with --device PF, create it from the PF's free VFs (pvesh); with --passthrough VMID, give the VM a VF of it (hostpciN: mapping=NAME).", "Un mapeo de recursos PCI de Proxmox: con --device PF, lo crea con las VF libres de la PF (pvesh); con --passthrough VMID, da a la VM una de sus VF (hostpciN: mapping=NAME)."), valueName: "NAME"))
    var mapping: String?

    @Flag(name: .long, help: ArgumentHelp(tr("Print the plan and change nothing.", "Imprime el plan y no cambia nada.")))
    var dryRun = false

    @Flag(name: .long, help: ArgumentHelp(tr("Apply without asking (required when standard input is not a terminal).", "Aplica sin preguntar (obligatorio cuando la entrada estándar no es un terminal).")))
    var yes = false

    func validate() throws {
        let say = ApplyWords(language: languageOptions.resolved)
        try rootOptions.validateWritableRoot(language: say.language)
        func refuse(_ en: String, _ es: String) -> ValidationError { ValidationError(say.t(en, es)) }
        if vfs != nil, device == nil {
            throw refuse("--vfs goes with --device: --device ADDR --vfs N.", "--vfs va con --device: --device ADDR --vfs N.")
        }
        if let device, PCIAddress(device) == nil {
            throw refuse("--device \(device): not a PCI address; use the form 0000:01:00.0 (see `sriov-wizard devices`).",
                         "--device \(device): no es una dirección PCI; use la forma 0000:01:00.0 (vea `sriov-wizard devices`).")
        }
        if device != nil, vfs == nil, vf != PassthroughPlanner.auto, mapping == nil {
            throw refuse("--device ADDR goes with --vfs N, --vf auto or --mapping NAME.", "--device ADDR va con --vfs N, --vf auto o --mapping NAME.")
        }
        if vf != nil, passthrough == nil {
            throw refuse("--vf goes with --passthrough: --passthrough VMID --vf ADDR|auto.", "--vf va con --passthrough: --passthrough VMID --vf ADDR|auto.")
        }
        if passthrough != nil, (vf == nil) == (mapping == nil) {
            throw refuse("--passthrough VMID takes either --vf ADDR|auto or --mapping NAME.", "--passthrough VMID lleva o bien --vf ADDR|auto o bien --mapping NAME.")
        }
        if mapping != nil, device == nil, passthrough == nil {
            throw refuse("--mapping NAME goes with --device PF (create it) and/or --passthrough VMID (give the VM a VF of it).",
                         "--mapping NAME va con --device PF (crearlo) y/o --passthrough VMID (dar a la VM una de sus VFs).")
        }
        if let vfs, vfs < 0 { throw refuse("--vfs \(vfs): give 0 or more.", "--vfs \(vfs): indique 0 o más.") }
        if device == nil, !iommu, !igpu, !vfio, passthrough == nil {
            throw refuse("Nothing to apply: give --device ADDR --vfs N, --iommu, --igpu, --vfio, --passthrough VMID --vf ADDR|auto and/or --mapping NAME --device PF.",
                         "Nada que aplicar: indique --device ADDR --vfs N, --iommu, --igpu, --vfio, --passthrough VMID --vf ADDR|auto y/o --mapping NAME --device PF.")
        }
        if igpuDriver != nil, !igpu { throw refuse("--igpu-driver applies to --igpu only.", "--igpu-driver solo se aplica a --igpu.") }
        if method != .auto, vfs == nil { throw refuse("--method applies to --device/--vfs only.", "--method solo se aplica a --device/--vfs.") }
        if vfMAC == .auto, vfs == nil { throw refuse("--vf-mac applies to --device/--vfs only.", "--vf-mac solo se aplica a --device/--vfs.") }
    }

    /// What the flags ask for (validated: the addresses parse, the combinations make sense).
    var request: ApplyRequest {
        let address = device.flatMap { PCIAddress($0) }
        var request = ApplyRequest(iommu: iommu, igpu: igpu, igpuDriver: igpuDriver, vfio: vfio)
        if let address, let vfs { request.vfs = .init(device: address, count: vfs, method: method, macs: vfMAC == .auto) }
        if let mapping, let address { request.mapping = .init(name: mapping, device: address) }
        if let passthrough, let vf {
            request.passthrough = .init(vmid: passthrough, source: .vf(vf, device: address))
        } else if let passthrough, let mapping {
            request.passthrough = .init(vmid: passthrough, source: .mapping(mapping))
        }
        return request
    }

    func run() throws {
        let language = languageOptions.resolved
        var session = ApplySession(request: request, machine: rootOptions.machine, language: language)
        session.dryRun = dryRun
        // Without --yes and without a terminal the run only shows the plan and refuses: no lock.
        session.locks = yes || ThisProcess.isTerminal(0)
        session.command = CommandLine.arguments
        try ApplyConsole(language: language, yes: yes).run(session, root: rootOptions.root) { [rootOptions, device] in
            try rootOptions.context(device: device)
        }
    }
}

/// `apply`'s side of an `ApplySession` on the console, for `apply` and the wizard alike: the
/// plan and its diff, the question, the progress, the outcome and the exit status.
struct ApplyConsole: ApplyConversation {
    let language: Language
    /// --yes: apply without asking.
    var yes = false
    let console = Console()

    var say: ApplyWords { ApplyWords(language: language) }

    func present(_ proposal: ApplyProposal) {
        for remedy in proposal.remedies { print(remedy.explanation.text(language) + ".") }
        print(PlanRendering.render(proposal.plan, console: console, live: proposal.live, language: language))
        for command in proposal.plan.manual { print(say.runYourself + command.text(language)) }
    }

    func confirm(_ proposal: ApplyProposal) -> Bool {
        if yes { return true }
        guard ThisProcess.isTerminal(0) else {
            Console.error(say.noTerminal)
            return false
        }
        print(say.question + " " + YesNo.choices(language) + " ", terminator: "")
        guard YesNo.parse(readLine() ?? "") == true else {
            print(say.unchanged)
            return false
        }
        return true
    }

    var progress: (any PlanProgress)? { ProgressDisplay(language: language) }

    /// Runs the session and prints how it ended; throws apply's exit statuses (see `apply --help`).
    func run(_ session: ApplySession, root: String, readContext: () throws -> CheckContext) throws {
        if root == "/" && !session.dryRun && !ThisProcess.isRoot {
            Console.error(say.needsRoot)
            throw ExitStatus.needsRoot
        }
        let outcome: ApplyOutcome
        do { outcome = try session.run(readContext: readContext, conversation: self) } catch {
            switch error {
            case .lock(let failure): throw ActivationLocking.refuse(failure, language: language)
            case .unreadable(let error): throw error
            case .plan(let error):
                Console.error(error.message(language))
                throw ExitCode.failure
            case .journal(let error):
                Console.error(say.journalUnwritable(error.description))
                throw ExitCode.failure
            }
        }
        switch outcome {
        case .alreadyApplied(let proposal):
            print(console.paint(proposal.plan.manual.isEmpty ? say.alreadyApplied : say.nothingHere, .green))
        case .dryRun:
            print(say.dryRun)
        case .notConfirmed:
            throw ExitStatus.notConfirmed
        case .stepFailed(_, let outcome):
            print(PlanRendering.outcome(outcome, console: console, language: language))
            Console.error(outcome.failure ?? say.stepFailed)
            Console.error(say.undo(outcome.journalID, root: root))
            throw ExitCode.failure
        case .applied(let proposal, let outcome, let verified):
            print(PlanRendering.outcome(outcome, console: console, language: language))
            var renderer = CheckRenderer(console: console, language: language)
            renderer.showEvidence = false
            for report in verified {
                let number = (Stage.all.firstIndex { $0.id == report.id } ?? 0) + 1
                print("")
                print(renderer.stage(report, number: number))
            }
            if !proposal.plan.pending.isEmpty {
                print("")
                print(console.paint(say.stillToDo, .bold))
                for item in proposal.plan.pending { print("  - " + item.text(language)) }
            }
        }
    }
}

/// Sentences that apply and rollback share, in the user's language.
protocol ChangeWords {
    var language: Language { get }
}

extension ChangeWords {
    func t(_ en: String, _ es: String) -> String { language == .es ? es : en }
    var dryRun: String { t("Dry run: nothing was changed.", "Simulación: no se cambió nada.") }
    var unchanged: String { t("Nothing was changed.", "No se cambió nada.") }
    var wouldRun: String { t("  (would run on the host)", "  (se ejecutaría en el equipo)") }
}

/// The apply command's own sentences, in the user's language.
struct ApplyWords: ChangeWords {
    let language: Language

    var needsRoot: String {
        t("changing this host needs root: run it with sudo (or add --dry-run to see the plan; --root DIR applies to a snapshot).",
          "cambiar este equipo requiere root: ejecútelo con sudo (o añada --dry-run para ver el plan; --root DIR aplica a una instantánea).")
    }
    var runYourself: String { t("  run yourself: ", "  ejecute usted: ") }
    var alreadyApplied: String { t("Already applied: nothing to change.", "Ya aplicado: nada que cambiar.") }
    var nothingHere: String { t("Nothing to change here.", "Nada que cambiar aquí.") }
    var noTerminal: String {
        t("refusing to change the machine without confirmation: standard input is not a terminal. Add --yes to apply, or --dry-run to only see the plan.",
          "no se cambia la máquina sin confirmación: la entrada estándar no es un terminal. Añada --yes para aplicar, o --dry-run para ver solo el plan.")
    }
    var question: String { t("Apply these changes?", "¿Aplicar estos cambios?") }
    func journalUnwritable(_ error: String) -> String {
        t("cannot write the journal, so nothing was changed: \(error)", "no se puede escribir el diario, así que no se cambió nada: \(error)")
    }
    var stepFailed: String { t("a step failed", "un paso falló") }
    func undo(_ id: String, root: String) -> String {
        let command = "`sriov-wizard rollback --id \(id)`" + (root == "/" ? "" : " --root \(root)")
        return t("the journal \(id) records what was done; undo it with \(command).", "el diario \(id) registra lo hecho; deshágalo con \(command).")
    }
    var stillToDo: String { t("Still to do:", "Queda por hacer:") }
}

enum VFMACChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, none
}

/// `--method`: the planner's own choices are the option's values.
extension VFMethodChoice: ExpressibleByArgument {}

enum ActivationLocking {
    static func acquire(_ machine: Machine, language: Language) throws -> ExclusiveLock {
        do { return try ExclusiveLock.acquire(machine) } catch { throw refuse(error, language: language) }
    }

    /// Prints why the lock was not taken; the exit status to end with (75 when another run holds it).
    static func refuse(_ error: ExclusiveLock.Failure, language: Language) -> ExitCode {
        switch error {
        case .held(let path, let holder) where language == .es:
            Console.error("otro apply o rollback de sriov-wizard está en curso (bloqueo \(path)" + (holder.map { ", del pid \($0)" } ?? "") + "); espere a que termine")
        case .access(let e) where language == .es:
            Console.error("no se puede tomar el bloqueo: \(e.spanishDescription)")
        default:
            Console.error(error.description)
        }
        if case .held = error { return ExitStatus.locked }
        return ExitCode.failure
    }
}

/// Text for plans and their outcome.
enum PlanRendering {
    static func render(_ plan: Plan, console: Console, live: Bool, language: Language) -> String {
        let say = ApplyWords(language: language)
        var out = [console.paint(say.t("Plan: ", "Plan: ") + plan.title.text(language), .bold)]
        for item in plan.alreadyApplied { out.append(say.t("  already in place: ", "  ya en su sitio: ") + item.text(language)) }
        for (i, step) in plan.steps.enumerated() {
            var line = "  \(i + 1). \(step.summary.text(language))"
            if !live, case .command = step { line += say.wouldRun }
            if !live, case .sysfs = step { line += say.t("  (recorded in the snapshot)", "  (anotado en la instantánea)") }
            out.append(line)
            out.append("     " + console.paint(step.reason.text(language), .dim))
            if case .edit(let edit) = step {
                for diffLine in PlanRendering.lines(edit.diff) {
                    let text = PlanRendering.visible(diffLine)
                    let styled = text.hasPrefix("+") && !text.hasPrefix("+++") ? console.paint(text, .green)
                        : text.hasPrefix("-") && !text.hasPrefix("---") ? console.paint(text, .red) : text
                    out.append("     " + styled)
                }
            }
        }
        for note in plan.notes { out.append(console.paint(say.t("  note: ", "  nota: "), .yellow) + note.text(language)) }
        return out.joined(separator: "\n")
    }

    /// A diff line for the terminal: a CR of a CRLF line shown as `^M` (as `cat -A` does),
    /// since a raw CR would make the terminal overwrite the line.
    /// Splits on LF only (a Swift Character "\r\n" is one grapheme, so a plain split on
    /// "\n" would glue a CRLF line to the next one).
    static func lines(_ text: String) -> [String] {
        var result: [String] = []
        var current = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if u == "\n" { result.append(String(current)); current = String.UnicodeScalarView() } else { current.append(u) }
        }
        if !current.isEmpty { result.append(String(current)) }
        return result
    }

    static func visible(_ line: String) -> String {
        line.hasSuffix("\r") ? String(line.dropLast()) + "^M" : line
    }

    static func outcome(_ outcome: PlanExecutor.Outcome, console: Console, language: Language) -> String {
        let say = ApplyWords(language: language)
        var out: [String] = []
        for step in outcome.manifest.steps {
            let mark: String
            switch step.state {
            case .done: mark = console.paint(say.t("done   ", "hecho  "), .green)
            case .failed: mark = console.paint(say.t("FAILED ", "FALLÓ  "), .red)
            case .notRun: mark = console.paint(say.t("would run on the host", "se ejecutaría en el equipo"), .yellow) + ":"
            case .pending: mark = say.t("not done", "sin hacer")
            case .started: mark = say.t("started", "empezado")
            case .rolledBack: mark = say.t("rolled back", "deshecho")
            }
            let file = step.kind == .file ? say.t("file ", "fichero ") : ""
            out.append("  \(mark) \(JournalText.describe(step).text(language))" + (step.outcome.map { " (\(file)\(JournalText.outcome($0).text(language)))" } ?? ""))
        }
        let id = outcome.journalID
        out.append(outcome.succeeded
            ? say.t("Applied; journal \(id) (`sriov-wizard rollback --id \(id)` undoes it).", "Aplicado; diario \(id) (`sriov-wizard rollback --id \(id)` lo deshace).")
            : say.t("Stopped; journal \(id).", "Detenido; diario \(id)."))
        return out.joined(separator: "\n")
    }
}
