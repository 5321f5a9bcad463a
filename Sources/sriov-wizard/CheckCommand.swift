import ArgumentParser
import HostAccess
import SRIOVCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: tr("Verify the four stages without asking anything (for scripts and support).",
                     "Comprueba las cuatro etapas sin preguntar nada (para scripts y soporte)."),
        discussion: tr("""
        Runs every check of the four stages (prerequisites, bios, device, activation) against the machine under --root and prints PASS/NOTE/WARN/FAIL with the fix under each problem. Checks read the truth from the kernel (sysfs, /proc, ACPI tables), never from guesses.

        EXAMPLES:
          sriov-wizard check
          sriov-wizard check --device 0000:01:00.0 --stage activation
          sriov-wizard check --stage prerequisites --stage bios
          sriov-wizard check --root Resources/sample-host --format json
          sriov-wizard check --lang es --details
          sriov-wizard check --brief --fail-on warn     # one line per check; warnings fail too

        EXIT STATUS:
          0   no check failed
          1   at least one check failed (with --fail-on warn: or warned)
          2   input could not be read
          3   the machine could not be read
          64  usage error
        """, """
        Ejecuta todas las comprobaciones de las cuatro etapas (prerequisites, bios, device, activation) sobre la máquina bajo --root e imprime PASS/NOTE/WARN/FAIL con el arreglo bajo cada problema. Las comprobaciones leen la verdad del kernel (sysfs, /proc, tablas ACPI), nunca de suposiciones.

        EJEMPLOS:
          sriov-wizard check
          sriov-wizard check --device 0000:01:00.0 --stage activation
          sriov-wizard check --stage prerequisites --stage bios
          sriov-wizard check --root Resources/sample-host --format json
          sriov-wizard check --lang es --details
          sriov-wizard check --brief --fail-on warn     # una línea por comprobación; los avisos también fallan

        ESTADO DE SALIDA:
          0   ninguna comprobación falló
          1   al menos una comprobación falló (con --fail-on warn: o avisó)
          2   no se pudo leer la entrada
          3   no se pudo leer la máquina
          64  error de uso
        """)
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Option(name: .long, help: ArgumentHelp(tr("Only this SR-IOV device (PF address, or one of its VFs).", "Solo este dispositivo SR-IOV (dirección de la PF, o de una de sus VF)."), valueName: "ADDR"))
    var device: String?

    @Option(name: .long, help: ArgumentHelp(tr("Only this stage: prerequisites, bios, device or activation (repeat for several; they run in the guide's order).", "Solo esta etapa: prerequisites, bios, device o activation (repítalo para varias; se ejecutan en el orden de la guía)."), valueName: "NAME"))
    var stage: [StageID] = []

    @Option(name: .long, help: ArgumentHelp(tr("Output format: text or json.", "Formato de salida: text o json.")))
    var format: OutputFormat = .text

    @Flag(name: .long, help: ArgumentHelp(tr("Show the evidence (files and values read) under each check.", "Muestra la evidencia (archivos y valores leídos) bajo cada comprobación.")))
    var details = false

    @Flag(name: .long, help: ArgumentHelp(tr("One line per check (level, stage, check id, device, summary), as virt-host-validate prints; no hints.", "Una línea por comprobación (nivel, etapa, id, dispositivo, resumen), como imprime virt-host-validate; sin pistas.")))
    var brief = false

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(tr("Exit with status 1 when a check is at this level or worse: fail (default), warn or note.", "Sale con estado 1 cuando una comprobación está en este nivel o peor: fail (por defecto), warn o note."), valueName: "LEVEL"))
    var failOn: FailLevel = .fail

    @OptionGroup var widthOptions: WidthOptions

    func validate() throws {
        try rootOptions.validateRoot()
        if brief && details { throw ValidationError(tr("--brief and --details do not go together: --brief prints one line per check, --details the evidence under each.", "--brief y --details no van juntas: --brief imprime una línea por comprobación, --details la evidencia bajo cada una.")) }
        if brief && format == .json { throw ValidationError(tr("--brief is a text format; leave it out with --format json (the JSON has every check).", "--brief es un formato de texto; quítelo con --format json (el JSON tiene todas las comprobaciones).")) }
    }

    func run() throws {
        let context = try rootOptions.context(device: device)
        let language = languageOptions.resolved
        let reports = verifyStages(context, only: stage.isEmpty ? nil : stage)
        let host = HostSummary.read(context.machine)
        switch format {
        case .json:
            let devices = context.selectedDevice != nil
                ? context.targetPFs.flatMap { [$0] + context.vfs(of: $0) }
                : context.inventory.sriovView
            print(checkDocument(host: host, stages: reports, inventory: context.inventory, devices: devices, language: language).serialised())
        case .text where brief:
            let renderer = CheckRenderer(console: Console(), language: language)
            print(renderer.brief(reports).joined(separator: "\n"))
        case .text:
            var renderer = CheckRenderer(console: Console(), language: language)
            renderer.showEvidence = details
            renderer.width = widthOptions.resolved()
            var out = [renderer.header(host), ""]
            for report in reports {
                let number = (Stage.all.firstIndex { $0.id == report.id } ?? 0) + 1
                out.append(renderer.stage(report, number: number))
                out.append("")
            }
            out.append(renderer.verdict(reports))
            print(out.joined(separator: "\n"))
        }
        if reports.contains(where: { report in report.checks.contains { failOn.isMet(by: $0.level) } }) { throw ExitCode.failure }
    }
}

/// `--stage`: the core's stage names are the option's values (no mirror enum to keep in step).
extension StageID: ExpressibleByArgument {}
