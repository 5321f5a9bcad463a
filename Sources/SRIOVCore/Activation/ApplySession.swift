import HostAccess

/// What to change, as a value: the parts `apply` can plan, each made by its planner. `apply`
/// builds it from its flags, the wizard from a remedy and the user's answers, and a remedy
/// carries the one that makes it.
public struct ApplyRequest: Sendable, Equatable {
    /// VFs on one PF (`--device ADDR --vfs N [--method M] [--vf-mac auto]`).
    public struct VFs: Sendable, Equatable {
        public var device: PCIAddress
        public var count: Int
        public var method: VFMethodChoice
        public var macs: Bool
        public init(device: PCIAddress, count: Int, method: VFMethodChoice = .auto, macs: Bool = false) {
            self.device = device
            self.count = count
            self.method = method
            self.macs = macs
        }
    }

    /// A Proxmox resource mapping of a PF's free VFs (`--mapping NAME --device PF`).
    public struct Mapping: Sendable, Equatable {
        public var name: String
        public var device: PCIAddress
        public init(name: String, device: PCIAddress) {
            self.name = name
            self.device = device
        }
    }

    /// A VF for a Proxmox VM (`--passthrough VMID --vf ADDR|auto [--device PF]` or
    /// `--passthrough VMID --mapping NAME`).
    public struct Passthrough: Sendable, Equatable {
        public enum Source: Sendable, Equatable {
            /// A VF's address, or `auto` (`PassthroughPlanner.auto`): the first free VF of `device`.
            case vf(String, device: PCIAddress?)
            /// A VF of this resource mapping, which Proxmox picks when the VM starts.
            case mapping(String)
        }
        public var vmid: String
        public var source: Source
        public init(vmid: String, source: Source) {
            self.vmid = vmid
            self.source = source
        }
    }

    /// The IOMMU on the persistent kernel command line (`--iommu`).
    public var iommu: Bool
    /// The Intel iGPU's parameters on it (`--igpu`), for this driver when one is named.
    public var igpu: Bool
    public var igpuDriver: String?
    /// The vfio modules at boot (`--vfio`).
    public var vfio: Bool
    public var vfs: VFs?
    public var mapping: Mapping?
    public var passthrough: Passthrough?

    public init(iommu: Bool = false, igpu: Bool = false, igpuDriver: String? = nil, vfio: Bool = false,
                vfs: VFs? = nil, mapping: Mapping? = nil, passthrough: Passthrough? = nil) {
        self.iommu = iommu
        self.igpu = igpu
        self.igpuDriver = igpuDriver
        self.vfio = vfio
        self.vfs = vfs
        self.mapping = mapping
        self.passthrough = passthrough
    }

    /// The PF the request is about (what `--device` names), if any.
    public var device: PCIAddress? {
        if let vfs { return vfs.device }
        if let mapping { return mapping.device }
        if case .vf(_, let device)? = passthrough?.source { return device }
        return nil
    }

    /// The `apply` arguments that make this request, as the user would type them.
    public var arguments: [String] {
        var out: [String] = []
        if iommu { out.append("--iommu") }
        if igpu { out.append("--igpu") }
        if let igpuDriver { out += ["--igpu-driver", igpuDriver] }
        if vfio { out.append("--vfio") }
        if let vfs {
            out += ["--device", vfs.device.description, "--vfs", String(vfs.count)]
            if vfs.method != .auto { out += ["--method", vfs.method.rawValue] }
            if vfs.macs { out += ["--vf-mac", "auto"] }
        }
        if let mapping {
            out += ["--mapping", mapping.name]
            if vfs == nil { out += ["--device", mapping.device.description] }
        }
        if let passthrough {
            out += ["--passthrough", passthrough.vmid]
            switch passthrough.source {
            case .vf(let vf, let device):
                out += ["--vf", vf]
                if let device, vfs == nil, mapping == nil { out += ["--device", device.description] }
            case .mapping(let name):
                if mapping == nil { out += ["--mapping", name] }
            }
        }
        return out
    }

    /// The plan, and the remedies it is made of where a planner makes one (their one-line
    /// explanations are what the checks' hints and the wizard say).
    public func plan(_ context: CheckContext) throws(ActivationError) -> (plan: Plan, remedies: [Remedy]) {
        var plans: [Plan] = []
        var remedies: [Remedy] = []
        if igpu {
            plans.append(try KernelCmdlinePlanner.planIGPU(context: context, driver: igpuDriver, alsoIOMMU: iommu))
        } else if iommu {
            remedies.append(try KernelCmdlinePlanner.remedy(context: context))
            plans.append(remedies[remedies.count - 1].plan)
        }
        if vfio {
            remedies.append(try VFIOModulesPlanner.remedy(context: context))
            plans.append(remedies[remedies.count - 1].plan)
        }
        if let vfs {
            remedies.append(try VFPlanner.remedy(device: vfs.device, count: vfs.count, method: vfs.method, macs: vfs.macs, context: context))
            plans.append(remedies[remedies.count - 1].plan)
        }
        if let mapping {
            plans.append(try MappingPlanner.plan(name: mapping.name, device: mapping.device, context: context))
        }
        if let passthrough {
            switch passthrough.source {
            case .vf(let vf, let device):
                plans.append(try PassthroughPlanner.plan(vmid: passthrough.vmid, vf: vf, device: device, context: context))
            case .mapping(let name):
                plans.append(try PassthroughPlanner.plan(vmid: passthrough.vmid, mapping: name, createdInThisPlan: mapping != nil, context: context))
            }
        }
        return (Plan.combined(plans), remedies.filter { !$0.isEmpty })
    }

    /// One request doing what each of `requests` does (the wizard's stage 1 offer: `--iommu --vfio`).
    public static func combined(_ requests: [ApplyRequest]) -> ApplyRequest {
        var all = ApplyRequest()
        for r in requests {
            all.iommu = all.iommu || r.iommu
            all.igpu = all.igpu || r.igpu
            all.igpuDriver = all.igpuDriver ?? r.igpuDriver
            all.vfio = all.vfio || r.vfio
            all.vfs = all.vfs ?? r.vfs
            all.mapping = all.mapping ?? r.mapping
            all.passthrough = all.passthrough ?? r.passthrough
        }
        return all
    }
}

/// A plan made for a request, as shown before anything changes.
public struct ApplyProposal: Sendable {
    public var plan: Plan
    /// The remedies the plan is made of, where a planner makes one (their explanations).
    public var remedies: [Remedy]
    /// The machine is the running host (sysfs writes and commands are made), not a snapshot.
    public var live: Bool
}

/// The side of an apply that talks to the user: the CLI's console, a test's script.
public protocol ApplyConversation {
    /// The plan is made (under the lock): show it.
    func present(_ proposal: ApplyProposal)
    /// Ask before anything changes; false leaves the machine as it is. Not asked for an empty
    /// plan or a dry run.
    func confirm(_ proposal: ApplyProposal) -> Bool
    /// Told about each sysfs write and command as it runs on the host.
    var progress: (any PlanProgress)? { get }
}

/// How an apply ended, when it got as far as a plan.
public enum ApplyOutcome: Sendable {
    /// The plan is empty: what it asks for is in place (or only manual commands are left).
    case alreadyApplied(ApplyProposal)
    case dryRun(ApplyProposal)
    /// The user (or the lack of a terminal) said no: nothing was changed.
    case notConfirmed(ApplyProposal)
    /// Every step ran; `verified` is the plan's stages checked again from a fresh read of the
    /// machine (empty when the session was told not to, or the machine could not be read again).
    case applied(ApplyProposal, PlanExecutor.Outcome, verified: [StageReport])
    /// A step failed; the journal says what was done.
    case stepFailed(ApplyProposal, PlanExecutor.Outcome)
}

/// One apply, the same for `apply` and the wizard: lock -> plan -> confirm -> execute (with a
/// journal) -> verify the plan's stages again -> outcome. The words are the caller's.
public struct ApplySession {
    public enum Failure: Error {
        /// Another apply or rollback holds the lock, or it cannot be taken.
        case lock(ExclusiveLock.Failure)
        /// The machine could not be read (the caller's own error, passed through).
        case unreadable(any Error)
        /// The plan cannot be made.
        case plan(ActivationError)
        /// The journal cannot be written, so nothing was changed.
        case journal(HostAccessError)
    }

    public var request: ApplyRequest
    /// The machine to lock (the one `readContext` reads).
    public var machine: Machine
    public var language: Language
    /// Plan and show only.
    public var dryRun = false
    /// Take the lock before planning, so that no other run changes the files between plan and
    /// apply. A run that can only show the plan (no --yes and no terminal) does without.
    public var locks = true
    /// Check the plan's stages again after it ran (the wizard checks the stage itself).
    public var verifies = true
    /// What the journal records as the command that made the change.
    public var command: [String] = []
    /// The executor's file calls (tests inject faults).
    public var operations: any FileOperations = LiveFileOperations()

    public init(request: ApplyRequest, machine: Machine, language: Language) {
        self.request = request
        self.machine = machine
        self.language = language
    }

    /// `readContext` reads the machine; it is called under the lock, and again to verify.
    public func run(readContext: () throws -> CheckContext, conversation: any ApplyConversation) throws(Failure) -> ApplyOutcome {
        let lock: ExclusiveLock?
        do { lock = locks && !dryRun ? try ExclusiveLock.acquire(machine) : nil } catch { throw .lock(error) }
        defer { withExtendedLifetime(lock) {} }
        let context: CheckContext
        do { context = try readContext() } catch { throw .unreadable(error) }
        let made: (plan: Plan, remedies: [Remedy])
        do { made = try request.plan(context) } catch { throw .plan(error) }
        let proposal = ApplyProposal(plan: made.plan, remedies: made.remedies, live: context.machine.isLive)
        conversation.present(proposal)
        if proposal.plan.isEmpty { return .alreadyApplied(proposal) }
        if dryRun { return .dryRun(proposal) }
        guard conversation.confirm(proposal) else { return .notConfirmed(proposal) }
        var executor = PlanExecutor(machine: context.machine, operations: operations)
        executor.language = language
        if executor.performsHostActions { executor.progress = conversation.progress }
        let outcome: PlanExecutor.Outcome
        do { outcome = try executor.apply(proposal.plan, command: command) } catch { throw .journal(error) }
        guard outcome.succeeded else { return .stepFailed(proposal, outcome) }
        // Verify again, from a fresh read of the machine.
        guard verifies, let fresh = try? readContext() else { return .applied(proposal, outcome, verified: []) }
        return .applied(proposal, outcome, verified: verifyStages(fresh, only: proposal.plan.stages))
    }
}
