import ArgumentParser
import HostAccess
import SRIOVCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify the four stages without asking anything (for scripts and support).",
        discussion: """
        Runs every check of the four stages (prerequisites, bios, device, activation) against the machine under --root and prints PASS/NOTE/WARN/FAIL with the fix under each problem. Checks read the truth from the kernel (sysfs, /proc, ACPI tables), never from guesses.

        EXAMPLES:
          sriov-wizard check
          sriov-wizard check --device 0000:01:00.0 --stage activation
          sriov-wizard check --stage prerequisites --stage bios
          sriov-wizard check --root Resources/sample-host --format json
          sriov-wizard check --lang es --details

        EXIT STATUS:
          0   no check failed
          1   at least one check failed
          2   input could not be read
          3   the machine could not be read
          64  usage error
        """
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Option(name: .long, help: ArgumentHelp("Only this SR-IOV device (PF address, or one of its VFs).", valueName: "ADDR"))
    var device: String?

    @Option(name: .long, help: ArgumentHelp("Only this stage: prerequisites, bios, device or activation (repeat for several; they run in the guide's order).", valueName: "NAME"))
    var stage: [StageChoice] = []

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Show the evidence (files and values read) under each check.")
    var details = false

    func validate() throws { try rootOptions.validateRoot() }

    func run() throws {
        let context = try rootOptions.context(device: device)
        let language = languageOptions.resolved
        let reports = verifyStages(context, only: stage.isEmpty ? nil : stage.map(\.value))
        let host = HostSummary.read(context.machine)
        switch format {
        case .json:
            let devices = context.selectedDevice != nil
                ? context.targetPFs.flatMap { [$0] + context.vfs(of: $0) }
                : context.inventory.sriovView
            print(checkDocument(host: host, stages: reports, inventory: context.inventory, devices: devices, language: language).serialised())
        case .text:
            var renderer = CheckRenderer(console: Console(), language: language)
            renderer.showEvidence = details
            var out = [renderer.header(host), ""]
            for report in reports {
                let number = (Stage.all.firstIndex { $0.id == report.id } ?? 0) + 1
                out.append(renderer.stage(report, number: number))
                out.append("")
            }
            out.append(renderer.verdict(reports))
            print(out.joined(separator: "\n"))
        }
        if reports.contains(where: { $0.level == .fail }) { throw ExitCode.failure }
    }
}

enum StageChoice: String, ExpressibleByArgument, CaseIterable {
    case prerequisites, bios, device, activation
    var value: StageID { StageID(rawValue: rawValue)! }
}
