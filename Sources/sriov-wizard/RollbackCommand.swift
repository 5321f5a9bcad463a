import ArgumentParser
import HostAccess
import SRIOVCore

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: tr("Undo a recorded apply: files back byte for byte, sriov_numvfs back where it was changed.", "Deshace un apply registrado: los archivos vuelven byte a byte, sriov_numvfs vuelve donde se cambió."),
        discussion: tr("""
        Restores the old bytes, mode and owner of every file the apply wrote (removes files it created), sets sriov_numvfs back to its previous value, and runs again the commands that regenerate from those files (update-initramfs, update-grub, udevadm control --reload). A file changed by someone else after the apply is not overwritten: the rollback refuses before changing anything. The plan is shown first and, like `apply`, confirmed on a terminal (--yes skips the question; without a terminal --yes is required).

        EXAMPLES:
          sudo sriov-wizard rollback --last
          sudo sriov-wizard rollback --id 20261125-160308-1 --dry-run
          sudo sriov-wizard rollback --last --yes --lang es

        EXIT STATUS:
          0   rolled back (or --dry-run)
          1   the rollback cannot be done safely, or a step failed
          5   not confirmed (answered no, or no terminal and no --yes)
          64  usage error
          75  another apply or rollback is running (lock)
          77  changing this host needs root
        """, """
        Restaura los bytes, el modo y el dueño anteriores de cada archivo que escribió el apply (borra los archivos que creó), devuelve sriov_numvfs a su valor anterior y vuelve a ejecutar las órdenes que regeneran a partir de esos archivos (update-initramfs, update-grub, udevadm control --reload). Un archivo que otra persona cambió después del apply no se sobrescribe: el rollback se niega antes de cambiar nada. Primero se muestra el plan y, como en `apply`, se confirma en un terminal (--yes se salta la pregunta; sin terminal --yes es obligatorio).

        EJEMPLOS:
          sudo sriov-wizard rollback --last
          sudo sriov-wizard rollback --id 20261125-160308-1 --dry-run
          sudo sriov-wizard rollback --last --yes --lang es

        ESTADO DE SALIDA:
          0   deshecho (o --dry-run)
          1   el rollback no se puede hacer con seguridad, o un paso falló
          5   sin confirmar (respuesta no, o sin terminal y sin --yes)
          64  error de uso
          75  otro apply o rollback está en curso (bloqueo)
          77  cambiar este host requiere root
        """)
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Flag(name: .long, help: ArgumentHelp(tr("Roll back the most recent apply that is not rolled back yet.", "Deshace el apply más reciente que aún no se ha deshecho.")))
    var last = false

    @Option(name: .long, help: ArgumentHelp(tr("The apply to roll back (see `sriov-wizard history`).", "El apply que deshacer (vea `sriov-wizard history`)."), valueName: "ID"))
    var id: String?

    @Flag(name: .long, help: ArgumentHelp(tr("Print what would be restored and change nothing.", "Imprime lo que se restauraría y no cambia nada.")))
    var dryRun = false

    @Flag(name: .long, help: ArgumentHelp(tr("Do not ask before rolling back (needed without a terminal).", "No pregunta antes de deshacer (necesario sin terminal).")))
    var yes = false

    func validate() throws {
        let language = languageOptions.resolved
        try rootOptions.validateWritableRoot(language: language)
        if last == (id != nil) { throw ValidationError(RollbackWords(language: language).lastOrID) }
    }

    func run() throws {
        let language = languageOptions.resolved
        let say = RollbackWords(language: language)
        if rootOptions.root == "/" && !dryRun && !ThisProcess.isRoot {
            Console.error(say.needsRoot)
            throw ExitStatus.needsRoot
        }
        let machine = rootOptions.machine
        var rollback = Rollback(machine: machine)
        rollback.language = language
        if rollback.performsHostActions { rollback.progress = ProgressDisplay(language: language) }
        var target = id
        if last {
            target = Journal.ids(machine).reversed().first { id in
                guard let m = try? Journal.open(machine, id: id).load() else { return false }
                return m.state != .rolledBack
            }
            guard target != nil else {
                Console.error(say.nothingToRollBack(machine.realPath(Journal.directory)))
                throw ExitCode.failure
            }
        }
        // Plan under the lock (as apply does); without --yes and without a terminal the run only
        // shows the plan and refuses, so it takes no lock.
        let willRollBack = !dryRun && (yes || ThisProcess.isTerminal(0))
        let lock = willRollBack ? try ActivationLocking.acquire(machine, language: language) : nil
        defer { withExtendedLifetime(lock) {} }
        let planned: Rollback.Planned
        do { planned = try rollback.plan(id: target!) } catch {
            Console.error(error.message(language))
            throw ExitCode.failure
        }
        let console = Console()
        print(console.paint(say.heading(planned.manifest.id, JournalText.summary(planned.manifest, language)), .bold))
        for action in planned.actions {
            var suffix = ""
            if !machine.isLive, case .command = action { suffix = say.wouldRun }
            if !machine.isLive, case .sysfs = action { suffix = say.recorded }
            print("  - " + action.text.text(language) + suffix)
            switch action {
            case .restore(_, let diff), .remove(_, let diff):
                for line in PlanRendering.lines(diff) { print("      " + PlanRendering.visible(line)) }
            default: break
            }
        }
        if dryRun { print(say.dryRun); return }
        if !yes {
            guard ThisProcess.isTerminal(0) else {
                Console.error(say.noTerminal)
                throw ExitStatus.notConfirmed
            }
            print(say.question + " " + YesNo.choices(language) + " ", terminator: "")
            guard YesNo.parse(readLine() ?? "") == true else {
                print(say.unchanged)
                throw ExitStatus.notConfirmed
            }
        }
        let outcome = rollback.run(planned)
        if let failure = outcome.failure {
            Console.error(failure)
            throw ExitCode.failure
        }
        print(say.done(planned.manifest.id))
    }
}

/// The rollback command's own sentences, in the user's language.
struct RollbackWords: ChangeWords {
    let language: Language

    var lastOrID: String {
        t("Give either --last or --id ID (see `sriov-wizard history`).", "Indique --last o bien --id ID (vea `sriov-wizard history`).")
    }

    var needsRoot: String {
        t("changing this host needs root: run it with sudo (or add --dry-run).",
          "cambiar este equipo requiere root: ejecútelo con sudo (o añada --dry-run).")
    }
    func nothingToRollBack(_ directory: String) -> String {
        t("no apply to roll back under \(directory).", "no hay ningún apply que deshacer en \(directory).")
    }
    func heading(_ id: String, _ summary: String) -> String {
        t("Rollback of \(id): \(summary)", "Deshacer \(id): \(summary)")
    }
    var recorded: String { t("  (recorded in the snapshot)", "  (anotado en la instantánea)") }
    var noTerminal: String {
        t("refusing to roll back without confirmation: standard input is not a terminal. Add --yes to roll back, or --dry-run to only see the plan.",
          "no se deshace nada sin confirmación: la entrada estándar no es un terminal. Añada --yes para deshacer, o --dry-run para ver solo el plan.")
    }
    var question: String { t("Roll back these changes?", "¿Deshacer estos cambios?") }
    func done(_ id: String) -> String { t("Rolled back \(id).", "Deshecho \(id).") }
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: tr("List the recorded applies (journal under /var/lib/sriov-wizard).", "Lista los apply registrados (diario en /var/lib/sriov-wizard)."),
        discussion: tr("""
        EXAMPLES:
          sriov-wizard history
          sriov-wizard history --root ./snapshot
          sriov-wizard history --lang es
        """, """
        EJEMPLOS:
          sriov-wizard history
          sriov-wizard history --root ./snapshot
          sriov-wizard history --lang es
        """)
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var languageOptions: LanguageOptions

    func validate() throws { try rootOptions.validateRoot(language: languageOptions.resolved) }

    func run() throws {
        let machine = rootOptions.machine
        let language = languageOptions.resolved
        let es = language == .es
        let ids = Journal.ids(machine)
        guard !ids.isEmpty else {
            let directory = machine.realPath(Journal.directory)
            print(es ? "No hay ningún apply registrado en \(directory)." : "No applies recorded under \(directory).")
            return
        }
        let interruptedWord = es ? "interrumpido" : "interrupted"
        var rows: [[String]] = []
        var notes: [String] = []
        for id in ids {
            let m: JournalManifest
            do { m = try Journal.open(machine, id: id).load() } catch {
                rows.append([id, "?", interruptedWord, "0/?", ""])
                notes.append("\(id): " + PlanRendering.visible(JournalExplanation.unreadable(id: id, error: error).text(language)))
                continue
            }
            let done = m.steps.filter { $0.state == .done || $0.state == .rolledBack }.count
            let interrupted = JournalExplanation.interrupted(m)
            rows.append([id, m.created, interrupted == nil ? JournalText.state(m.state, language) : interruptedWord, "\(done)/\(m.steps.count)",
                         PlanRendering.visible(JournalText.summary(m, language))])
            if let interrupted { notes.append("\(id): " + PlanRendering.visible(interrupted.text(language))) }
        }
        let console = Console()
        let header = es ? ["ID", "CUÁNDO (UTC)", "ESTADO", "PASOS", "QUÉ"] : ["ID", "WHEN (UTC)", "STATE", "STEPS", "WHAT"]
        print(table(header, rows, paintHeader: { console.paint($0, .bold) }))
        for note in notes { print(note) }
    }
}
