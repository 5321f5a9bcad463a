import ArgumentParser
import HostAccess
import SRIOVCore

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the changes a stage needs: plan, show the diff, confirm, apply with a journal, verify.",
        discussion: """
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
        """
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var languageOptions: LanguageOptions

    @Option(name: .long, help: ArgumentHelp("The SR-IOV PF to create VFs on (with --vfs), to take a free VF of (--vf auto) or to map (--mapping).", valueName: "ADDR"))
    var device: String?

    @Option(name: .long, help: ArgumentHelp("Number of VFs (0 removes them); at most sriov_totalvfs.", valueName: "N"))
    var vfs: Int?

    @Option(name: .long, help: "How to create and persist VFs: auto (= sysfs), sysfs (sriov_numvfs + udev rule for this PF) or modprobe (driver option such as igb max_vfs, every port).")
    var method: MethodChoice = .auto

    @Option(name: .customLong("vf-mac"), help: "auto: give the VFs stable, locally administered MACs (derived from the PF address, VF index and /etc/machine-id), set now and by the udev rule; none: leave them to the driver.")
    var vfMAC: VFMACChoice = .none

    @Flag(name: .long, help: "Turn the IOMMU on in the persistent kernel command line (GRUB or /etc/kernel/cmdline).")
    var iommu = false

    @Flag(name: .long, help: "Intel iGPU SR-IOV: put the bound driver's parameters on the persistent kernel command line (i915-sriov-dkms: i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe, replacing an old enable_guc=7; xe: xe.max_vfs=7 xe.force_probe=ID module_blacklist=i915), and say which dkms release to install when it is missing (nothing is downloaded).")
    var igpu = false

    @Option(name: .customLong("igpu-driver"), help: ArgumentHelp("With --igpu: plan for this driver (i915 or xe) instead of the one bound to 0000:00:02.0.", valueName: "NAME"))
    var igpuDriver: String?

    @Flag(name: .long, help: "Load the vfio modules at boot (/etc/modules-load.d/vfio.conf).")
    var vfio = false

    @Option(name: .long, help: ArgumentHelp("Pass a VF to this Proxmox VM (with --vf, or --mapping NAME).", valueName: "VMID"))
    var passthrough: String?

    @Option(name: .long, help: ArgumentHelp("The VF to pass through (with --passthrough): its address, or auto (the first VF of --device PF that no VM or mapping uses).", valueName: "ADDR|auto"))
    var vf: String?

    @Option(name: .long, help: ArgumentHelp("A Proxmox PCI resource mapping: with --device PF, create it from the PF's free VFs (pvesh); with --passthrough VMID, give the VM a VF of it (hostpciN: mapping=NAME).", valueName: "NAME"))
    var mapping: String?

    @Flag(name: .long, help: "Print the plan and change nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Apply without asking (required when standard input is not a terminal).")
    var yes = false

    func validate() throws {
        try rootOptions.validateWritableRoot()
        if vfs != nil, device == nil {
            throw ValidationError("--vfs goes with --device: --device ADDR --vfs N.")
        }
        if let device, PCIAddress(device) == nil {
            throw ValidationError("--device \(device): not a PCI address; use the form 0000:01:00.0 (see `sriov-wizard devices`).")
        }
        if device != nil, vfs == nil, vf != PassthroughPlanner.auto, mapping == nil {
            throw ValidationError("--device ADDR goes with --vfs N, --vf auto or --mapping NAME.")
        }
        if vf != nil, passthrough == nil {
            throw ValidationError("--vf goes with --passthrough: --passthrough VMID --vf ADDR|auto.")
        }
        if passthrough != nil, (vf == nil) == (mapping == nil) {
            throw ValidationError("--passthrough VMID takes either --vf ADDR|auto or --mapping NAME.")
        }
        if mapping != nil, device == nil, passthrough == nil {
            throw ValidationError("--mapping NAME goes with --device PF (create it) and/or --passthrough VMID (give the VM a VF of it).")
        }
        if let vfs, vfs < 0 { throw ValidationError("--vfs \(vfs): give 0 or more.") }
        if device == nil, !iommu, !igpu, !vfio, passthrough == nil {
            throw ValidationError("Nothing to apply: give --device ADDR --vfs N, --iommu, --igpu, --vfio, --passthrough VMID --vf ADDR|auto and/or --mapping NAME --device PF.")
        }
        if igpuDriver != nil, !igpu { throw ValidationError("--igpu-driver applies to --igpu only.") }
        if method != .auto, vfs == nil { throw ValidationError("--method applies to --device/--vfs only.") }
        if vfMAC == .auto, vfs == nil { throw ValidationError("--vf-mac applies to --device/--vfs only.") }
    }

    /// The plan, and the remedies it is made of where a planner makes one (their one-line
    /// explanations are what the checks' hints and the wizard say).
    func makePlan(_ context: CheckContext) -> Result<(plan: Plan, remedies: [Remedy]), ActivationError> {
        var plans: [Plan] = []
        var remedies: [Remedy] = []
        do {
            if igpu {
                plans.append(try KernelCmdlinePlanner.planIGPU(context: context, driver: igpuDriver, alsoIOMMU: iommu))
            } else if iommu {
                remedies.append(try KernelCmdlinePlanner.remedy(context: context))
                plans.append(remedies.last!.plan)
            }
            if vfio {
                remedies.append(try VFIOModulesPlanner.remedy(context: context))
                plans.append(remedies.last!.plan)
            }
            if let device, let vfs, let address = PCIAddress(device) {
                remedies.append(try VFPlanner.remedy(device: address, count: vfs, method: method.value, macs: vfMAC == .auto, context: context))
                plans.append(remedies.last!.plan)
            }
            if let mapping, let device, let address = PCIAddress(device) {
                plans.append(try MappingPlanner.plan(name: mapping, device: address, context: context))
            }
            if let passthrough, let vf {
                plans.append(try PassthroughPlanner.plan(vmid: passthrough, vf: vf, device: device.flatMap { PCIAddress($0) }, context: context))
            } else if let passthrough, let mapping {
                plans.append(try PassthroughPlanner.plan(vmid: passthrough, mapping: mapping, createdInThisPlan: device != nil, context: context))
            }
        } catch {
            return .failure(error)
        }
        return .success((Plan.combined(plans), remedies.filter { !$0.isEmpty }))
    }

    func run() throws { try run(verifyAfterwards: true) }

    /// `verifyAfterwards`: re-check the plan's stages and print them. The wizard passes false:
    /// it re-checks the stage itself, and printing it here too showed the stage twice.
    func run(verifyAfterwards: Bool) throws {
        if rootOptions.root == "/" && !dryRun && !Machine.isRoot {
            Console.error("changing this host needs root: run it with sudo (or add --dry-run to see the plan; --root DIR applies to a snapshot).")
            throw ExitStatus.needsRoot
        }
        // Plan under the lock, so that no other run changes the files between plan and apply.
        // (Without --yes and without a terminal the run only shows the plan and refuses: no lock.)
        let willApply = !dryRun && (yes || Machine.isTerminal(0))
        let lock = willApply ? try ActivationLocking.acquire(rootOptions.machine) : nil
        defer { withExtendedLifetime(lock) {} }
        let context = try rootOptions.context(device: device)
        let plan: Plan
        let remedies: [Remedy]
        switch makePlan(context) {
        case .success(let made): (plan, remedies) = made
        case .failure(let error):
            Console.error(error.message)
            throw ExitCode.failure
        }
        let console = Console()
        for remedy in remedies { print(remedy.explanation.text(languageOptions.resolved) + ".") }
        print(PlanRendering.render(plan, console: console, live: context.machine.isLive))
        for command in plan.manual { print("  run yourself: " + command) }
        if plan.isEmpty {
            print(console.paint(plan.manual.isEmpty ? "Already applied: nothing to change." : "Nothing to change here.", .green))
            return
        }
        if dryRun {
            print("Dry run: nothing was changed.")
            return
        }
        if !yes {
            guard Machine.isTerminal(0) else {
                Console.error("refusing to change the machine without confirmation: standard input is not a terminal. Add --yes to apply, or --dry-run to only see the plan.")
                throw ExitStatus.notConfirmed
            }
            print("Apply these changes? \(YesNo.choices(.en)) ", terminator: "")
            guard YesNo.parse(readLine() ?? "") == true else {
                print("Nothing was changed.")
                throw ExitStatus.notConfirmed
            }
        }
        let outcome: PlanExecutor.Outcome
        do {
            var executor = PlanExecutor(machine: context.machine)
            if executor.performsHostActions { executor.progress = ProgressDisplay(language: languageOptions.resolved) }
            outcome = try executor.apply(plan, command: CommandLine.arguments)
        } catch {
            Console.error("cannot write the journal, so nothing was changed: \(error.description)")
            throw ExitCode.failure
        }
        print(PlanRendering.outcome(outcome, console: console))
        guard outcome.succeeded else {
            Console.error(outcome.failure ?? "a step failed")
            Console.error("the journal \(outcome.journalID) records what was done; undo it with `sriov-wizard rollback --id \(outcome.journalID)`" + (rootOptions.root == "/" ? "" : " --root \(rootOptions.root)") + ".")
            throw ExitCode.failure
        }
        // Verify again, from a fresh read of the machine.
        if verifyAfterwards, let fresh = try? rootOptions.context(device: device) {
            var renderer = CheckRenderer(console: console, language: languageOptions.resolved)
            renderer.showEvidence = false
            for report in verifyStages(fresh, only: plan.stages) {
                let number = (Stage.all.firstIndex { $0.id == report.id } ?? 0) + 1
                print("")
                print(renderer.stage(report, number: number))
            }
        }
        if !plan.pending.isEmpty {
            print("")
            print(console.paint("Still to do:", .bold))
            for item in plan.pending { print("  - " + item) }
        }
    }
}

enum VFMACChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, none
}

enum MethodChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, modprobe, sysfs
    var value: VFMethodChoice { VFMethodChoice(rawValue: rawValue)! }
}

enum ActivationLocking {
    static func acquire(_ machine: Machine) throws -> ExclusiveLock {
        do { return try ExclusiveLock.acquire(machine) } catch {
            Console.error(error.description)
            if case .held = error { throw ExitStatus.locked }
            throw ExitCode.failure
        }
    }
}

/// Text for plans and their outcome.
enum PlanRendering {
    static func render(_ plan: Plan, console: Console, live: Bool) -> String {
        var out = [console.paint("Plan: " + plan.title, .bold)]
        for item in plan.alreadyApplied { out.append("  already in place: " + item) }
        for (i, step) in plan.steps.enumerated() {
            var line = "  \(i + 1). \(step.summary)"
            if !live, case .command = step { line += "  (would run on the host)" }
            if !live, case .sysfs = step { line += "  (recorded in the snapshot)" }
            out.append(line)
            out.append("     " + console.paint(step.reason, .dim))
            if case .edit(let edit) = step {
                for diffLine in PlanRendering.lines(edit.diff) {
                    let text = PlanRendering.visible(diffLine)
                    let styled = text.hasPrefix("+") && !text.hasPrefix("+++") ? console.paint(text, .green)
                        : text.hasPrefix("-") && !text.hasPrefix("---") ? console.paint(text, .red) : text
                    out.append("     " + styled)
                }
            }
        }
        for note in plan.notes { out.append(console.paint("  note: ", .yellow) + note) }
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

    static func outcome(_ outcome: PlanExecutor.Outcome, console: Console) -> String {
        var out: [String] = []
        for step in outcome.manifest.steps {
            let mark: String
            switch step.state {
            case .done: mark = console.paint("done   ", .green)
            case .failed: mark = console.paint("FAILED ", .red)
            case .notRun: mark = console.paint("would run on the host", .yellow) + ":"
            case .pending: mark = "not done"
            case .started: mark = "started"
            case .rolledBack: mark = "rolled back"
            }
            out.append("  \(mark) \(step.description)" + (step.outcome.map { " (\(step.kind == .file ? "file " : "")\($0))" } ?? ""))
        }
        out.append(outcome.succeeded ? "Applied; journal \(outcome.journalID) (`sriov-wizard rollback --id \(outcome.journalID)` undoes it)."
                                     : "Stopped; journal \(outcome.journalID).")
        return out.joined(separator: "\n")
    }
}
