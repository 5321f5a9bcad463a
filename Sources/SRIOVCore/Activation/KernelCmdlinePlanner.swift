import HostAccess

/// Plans the IOMMU parameters on the persistent kernel command line, in the file this host's
/// boot loader reads (BootLoader): `GRUB_CMDLINE_LINUX_DEFAULT` in /etc/default/grub (or the
/// grub.d drop-in that sets it last) then `update-grub`; or /etc/kernel/cmdline then
/// `proxmox-boot-tool refresh`. Only the IOMMU words change: every other parameter, comment,
/// quote style and line ending stays byte for byte (Documentation/admin-guide/
/// kernel-parameters.txt: intel_iommu=, amd_iommu=, iommu=).
public enum KernelCmdlinePlanner {
    /// What to change: words to add, and which words to drop.
    public struct Change: Sendable, Equatable {
        public var add: [String]
        public var remove: Set<String>
        /// Prefixes of words that conflict with `add` (`i915.enable_guc=`): a word with such a
        /// prefix is dropped unless it is one of `keep` (the old `i915.enable_guc=7` goes,
        /// `i915.enable_guc=3` stays).
        public var conflicting: [String] = []
        public var keep: Set<String> = []
        public init(add: [String], remove: Set<String>, conflicting: [String] = []) {
            self.add = add
            self.remove = remove
            self.conflicting = conflicting
            self.keep = Set(add)
        }

        /// The iGPU driver's parameters (gpu.json `kernelParameters`): i915 (dkms)
        /// `i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe`, or xe `xe.max_vfs=7
        /// xe.force_probe=<id> module_blacklist=i915`; other values of the same parameters
        /// (the old `i915.enable_guc=7`) are replaced.
        public static func igpu(driver: String, deviceID: UInt16?, knowledge: GPUKnowledge) -> Change {
            let add = GPUHost.parameters(driver: driver, deviceID: deviceID, knowledge: knowledge)
            let prefixes = add.compactMap { word -> String? in
                guard let eq = word.firstIndex(of: "=") else { return nil }
                return String(word[...eq])
            }
            // Blacklisting the other driver replaces a blacklist of this one (module_blacklist=i915 on an i915 host).
            return Change(add: add, remove: ["module_blacklist=\(driver)"], conflicting: prefixes)
        }

        /// Drops `intel_iommu=off`, `amd_iommu=off`, `iommu=off`/`nopt` (they switch the IOMMU
        /// off or undo passthrough); adds `intel_iommu=on` on Intel where the kernel does not
        /// turn it on by default, and `iommu=pt` (host devices keep identity mappings).
        public static func iommu(vendor: CPUVendor?, intelOnByDefault: Bool) -> Change {
            var add: [String] = []
            if vendor != .amd && !intelOnByDefault { add.append("intel_iommu=on") }
            add.append("iommu=pt")
            return Change(add: add, remove: ["intel_iommu=off", "amd_iommu=off", "iommu=off", "iommu=nopt"])
        }

        func drops(_ word: String) -> Bool {
            var w = word
            if w.hasPrefix("\""), w.hasSuffix("\""), w.count >= 2 { w = String(w.dropFirst().dropLast()) }
            if remove.contains(w) { return true }
            return conflicting.contains { w.hasPrefix($0) } && !keep.contains(w)
        }
    }

    /// Edits a run of blank-separated words in place: dropped words go with the blank before
    /// them, missing words are appended with one space. Returns nil when nothing changes.
    public static func editWords(_ text: String, _ change: Change, present: Set<String>) -> String? {
        var pieces: [(blank: String, word: String)] = []
        var blank = "", word = ""
        for c in text {
            if c == " " || c == "\t" {
                if !word.isEmpty { pieces.append((blank, word)); blank = ""; word = "" }
                blank.append(c)
            } else { word.append(c) }
        }
        if !word.isEmpty { pieces.append((blank, word)); blank = "" }
        let trailing = blank
        var changed = false
        var kept: [(blank: String, word: String)] = []
        for p in pieces {
            if change.drops(p.word) { changed = true; continue }
            // The first word left keeps the blank the text started with.
            kept.append(kept.isEmpty ? (pieces[0].blank, p.word) : p)
        }
        var words = Set(kept.map(\.word))
        words.formUnion(present)
        var out = kept.map { $0.blank + $0.word }.joined()
        for w in change.add where !words.contains(w) {
            out += (out.isEmpty || out.hasSuffix(" ") ? "" : " ") + w
            words.insert(w)
            changed = true
        }
        return changed ? out + trailing : nil
    }

    /// The new text of a GRUB defaults file, or nil when unchanged. `add` goes to the last
    /// `GRUB_CMDLINE_LINUX_DEFAULT` (appended to the file when there is none and `addHere`);
    /// words to drop go from both CMDLINE variables.
    public static func editGrub(_ file: GrubDefaults, _ change: Change, addHere: Bool, present: Set<String>) throws(ActivationError) -> String? {
        var lines = file.lines
        var changed = false
        let target = file.lastAssignment("GRUB_CMDLINE_LINUX_DEFAULT")?.line.number
        for (i, line) in lines.enumerated() {
            guard case .assignment(let a) = line.kind, a.name == "GRUB_CMDLINE_LINUX_DEFAULT" || a.name == "GRUB_CMDLINE_LINUX" else { continue }
            let adding = addHere && line.number == target
            var lineChange = change
            lineChange.add = adding ? change.add : []
            let bytes = Array(line.text.utf8)
            let raw = String(decoding: bytes[a.valueRange], as: UTF8.self)
            let replacement: String?
            switch a.quoting {
            case .double, .single:
                let q = raw.first!
                guard raw.count >= 2, raw.last == q else {
                    throw .grubQuoting(ConfigLocation(file: file.path, line: line.number), name: a.name, add: change.add)
                }
                let inner = String(raw.dropFirst().dropLast())
                replacement = editWords(inner, lineChange, present: present).map { String(q) + $0 + String(q) }
            case .none:
                replacement = editWords(raw, lineChange, present: present).map { new in
                    new.contains(" ") || new.isEmpty ? "\"" + new + "\"" : new
                }
            case .mixed:
                if lineChange.add.isEmpty && !a.literalValue.split(separator: " ").contains(where: { change.drops(String($0)) }) { continue }
                throw .grubMixedQuotes(ConfigLocation(file: file.path, line: line.number), name: a.name, raw: raw, add: change.add, remove: change.remove.sorted())
            }
            guard let replacement else { continue }
            let newText = String(decoding: bytes[..<a.valueRange.lowerBound], as: UTF8.self) + replacement
                + String(decoding: bytes[a.valueRange.upperBound...], as: UTF8.self)
            lines[i].text = newText
            changed = true
        }
        if addHere && target == nil {
            let words = change.add.filter { !present.contains($0) }
            if !words.isEmpty {
                let ending = lines.last.map { $0.ending.isEmpty ? "\n" : $0.ending } ?? "\n"
                if let last = lines.indices.last, lines[last].ending.isEmpty { lines[last].ending = ending }
                lines.append(GrubDefaults.Line(number: lines.count + 1, text: "GRUB_CMDLINE_LINUX_DEFAULT=\"\(words.joined(separator: " "))\"", ending: ending, kind: .blank))
                changed = true
            }
        }
        return changed ? lines.map { $0.text + $0.ending }.joined() : nil
    }

    /// /etc/kernel/cmdline: proxmox-boot-tool reads the first line; the rest is kept.
    public static func editKernelCmdline(_ text: String, _ change: Change) -> String? {
        let end = text.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) ?? text.endIndex
        let first = String(text[..<end])
        guard let edited = editWords(first, change, present: []) else { return nil }
        let rest = String(text[end...])
        return edited + (rest.isEmpty ? "\n" : rest)
    }

    /// Why the boot loader is unknown, in Spanish (the English message quotes the detection's
    /// evidence as it was read).
    static func unknownLoaderES(_ detection: BootLoaderDetection) -> String {
        let boot = detection.efi ? "arranque UEFI" : "sin \(BootLoader.efiPath): arranque BIOS o no capturado"
        if case .proxmoxBootTool = detection.loader {
            return "\(boot); \(BootLoader.proxmoxUUIDsPath) existe, pero `proxmox-boot-tool status` no dice si las ESP usan GRUB o systemd-boot"
        }
        return "\(boot); no existe \(BootLoader.proxmoxUUIDsPath) ni \(GrubDefaults.path)"
    }

    /// Whether the running kernel turns the Intel IOMMU on by itself
    /// (CONFIG_INTEL_IOMMU_DEFAULT_ON=y in /boot/config-<release>).
    static func intelOnByDefault(_ machine: Machine) -> Bool {
        guard let release = machine.attribute("/proc/sys/kernel/osrelease"),
              let config = try? machine.readText("/boot/config-\(release)", limit: 1 << 22) else { return false }
        return config.split(separator: "\n").contains("CONFIG_INTEL_IOMMU_DEFAULT_ON=y")
    }

    public static func plan(context: CheckContext) throws(ActivationError) -> Plan {
        let machine = context.machine
        let vendor = CPUInfo.read(machine)?.vendor
        let change = Change.iommu(vendor: vendor, intelOnByDefault: intelOnByDefault(machine))
        let words = change.add.joined(separator: " ")
        return try plan(context: context, change: change, what: LocalizedText(en: "IOMMU", es: "IOMMU"), stages: [.prerequisites],
                        satisfied: LocalizedText(en: "the persistent command line already has \(words) and nothing that turns the IOMMU off",
                                                 es: "la línea de comandos persistente ya tiene \(words) y nada que apague el IOMMU"))
    }

    /// The remedy of `apply --iommu`, for the `iommu-kernel-cmdline` hint and the wizard's
    /// offer: the words the planner adds and removes, where this host's boot loader reads them.
    public static func remedy(context: CheckContext) throws(ActivationError) -> Remedy {
        let machine = context.machine
        let change = Change.iommu(vendor: CPUInfo.read(machine)?.vendor, intelOnByDefault: intelOnByDefault(machine))
        let plan = try plan(context: context)
        func words(_ bytes: [UInt8]?) -> Set<String> {
            Set(String(decoding: bytes ?? [], as: UTF8.self).split(whereSeparator: { " \t\n\r\"'".contains($0) }).map(String.init))
        }
        var removed: Set<String> = []
        for case .edit(let edit) in plan.steps {
            removed.formUnion(change.remove.intersection(words(edit.before)).subtracting(words(edit.after)))
        }
        let words = change.add.joined(separator: " ")
        let explanation = removed.isEmpty
            ? LocalizedText(en: "Put `\(words)` on the kernel command line", es: "Ponga `\(words)` en la línea de comandos del kernel")
            : LocalizedText(en: "Take `\(removed.sorted().joined(separator: " "))` off the kernel command line and put `\(words)` on it",
                            es: "Quite `\(removed.sorted().joined(separator: " "))` de la línea de comandos del kernel y ponga `\(words)`")
        return Remedy(plan: plan, request: ApplyRequest(iommu: true), explanation: explanation,
                      afterwards: LocalizedText(en: "then reboot", es: "después reinicie"))
    }

    /// `apply --igpu`: the Intel iGPU driver's parameters (i915 dkms or xe, from the driver
    /// bound to 0000:00:02.0, or `driver` when given), planned by the same boot-loader-aware
    /// editor as the IOMMU words. The wizard never installs the dkms module itself: the plan
    /// says which release to install when the dkms build is not loaded.
    /// With `alsoIOMMU` (`apply --iommu --igpu`) both sets of words go in one edit of the file.
    public static func planIGPU(context: CheckContext, driver requested: String? = nil, alsoIOMMU: Bool = false) throws(ActivationError) -> Plan {
        guard let gpu = context.inventory.function(GPUHost.igpuAddress), GPUHost.isIntelIGPU(gpu) else {
            throw .noIntelIGPU
        }
        guard let knowledge = context.knowledge.gpu else {
            throw .noGPUKnowledge
        }
        let bound = gpu.driver == "xe" ? "xe" : "i915"
        let driver = requested ?? bound
        guard driver == "i915" || driver == "xe" else {
            throw .notAnIGPUDriver(driver)
        }
        let platform = gpu.deviceID.flatMap { knowledge.platform(deviceID: $0) }
        if let platform, !platform.sriovPossible {
            throw .noGraphicsSRIOV(platform: platform.name)
        }
        if gpu.deviceID != nil, platform == nil {
            let id = gpu.deviceID.map { hex($0, 4) } ?? "?"
            throw .unknownIGPU(deviceID: id)
        }
        var change = Change.igpu(driver: driver, deviceID: gpu.deviceID, knowledge: knowledge)
        if alsoIOMMU {
            let iommu = Change.iommu(vendor: CPUInfo.read(context.machine)?.vendor, intelOnByDefault: intelOnByDefault(context.machine))
            change.add = iommu.add + change.add
            change.remove.formUnion(iommu.remove)
            change.keep = Set(change.add)
        }
        let words = change.add.joined(separator: " ")
        var plan = try plan(context: context, change: change,
                            what: alsoIOMMU ? LocalizedText(en: "IOMMU and iGPU \(driver)", es: "IOMMU e iGPU \(driver)") : LocalizedText(en: "iGPU \(driver)", es: "iGPU \(driver)"),
                            stages: alsoIOMMU ? [.prerequisites, .device, .activation] : [.device, .activation],
                            satisfied: LocalizedText(en: "the persistent command line already has \(words)", es: "la línea de comandos persistente ya tiene \(words)"))
        if let host = GPUHost.read(context.machine, gpu, knowledge: knowledge), host.build != .dkms,
           !(platform?.inTreeSRIOV == .xe && driver == "xe") {
            plan.pending.append(GPUDriverSupport.installSteps(host, knowledge))
            if host.secureBoot == true {
                plan.pending.append(LocalizedText(
                    en: "Secure Boot is on: enroll the dkms signing key so the module loads: `\(knowledge.secureBoot.steps.joined(separator: "`, then `"))`.",
                    es: "Secure Boot está activo: inscriba la clave de firma de dkms para que el módulo cargue: `\(knowledge.secureBoot.steps.joined(separator: "`, después `"))`."))
            }
        }
        return plan
    }

    static func plan(context: CheckContext, change: Change, what: LocalizedText, stages: [StageID], satisfied: LocalizedText) throws(ActivationError) -> Plan {
        let machine = context.machine
        let detection = BootLoaderDetection.detect(machine)
        let added = change.add.joined(separator: " ")
        var plan = Plan(title: LocalizedText(en: "\(what.en) on the kernel command line (\(added); \(detection.loader.name))",
                                             es: "\(what.es) en la línea de comandos del kernel (\(added); \(detection.loader.name))"), stages: stages)
        let editor = FileEditor(machine: machine)
        func state(_ path: String) throws(ActivationError) -> [UInt8]? {
            do { return try editor.state(of: path).bytes } catch {
                throw .unreadable(path: path, error)
            }
        }
        let command: [String]
        switch detection.loader {
        case .proxmoxBootTool(.systemdBoot):
            let path = BootLoader.kernelCmdlinePath
            guard let old = try state(path) else {
                throw .kernelCmdlineMissing(path: path)
            }
            if let new = editKernelCmdline(String(decoding: old, as: UTF8.self), change) {
                plan.steps.append(.edit(FileEdit(path: path, before: old, after: Array(new.utf8), reason: LocalizedText(en: "the command line systemd-boot gets from proxmox-boot-tool", es: "la línea de comandos que systemd-boot recibe de proxmox-boot-tool"))))
            }
            command = ["proxmox-boot-tool", "refresh"]
        case .grub, .proxmoxBootTool(.grub):
            guard let grub = GrubConfiguration.read(machine) else {
                throw .grubDefaultsMissing
            }
            let owner = grub.lastAssignment("GRUB_CMDLINE_LINUX_DEFAULT")?.file.path ?? GrubDefaults.path
            let present = Set(grub.kernelCommandLine.parameters.map(\.text)).subtracting(change.remove)
            for file in grub.files {
                guard let old = try state(file.path) else { continue }
                if let new = try editGrub(GrubDefaults(text: String(decoding: old, as: UTF8.self), path: file.path), change,
                                          addHere: file.path == owner, present: present) {
                    plan.steps.append(.edit(FileEdit(path: file.path, before: old, after: Array(new.utf8),
                        reason: LocalizedText(en: "GRUB_CMDLINE_LINUX_DEFAULT: the command line of the normal boot entries",
                                              es: "GRUB_CMDLINE_LINUX_DEFAULT: la línea de comandos de las entradas de arranque normales"))))
                }
            }
            command = detection.loader == .grub ? ["update-grub"] : ["proxmox-boot-tool", "refresh"]
        case .proxmoxBootTool(.unknown), .unknown:
            throw .unknownBootLoader(detection, add: added)
        }
        if plan.steps.isEmpty {
            plan.alreadyApplied.append(satisfied)
        } else {
            plan.steps.append(.command(PlannedCommand(command, reason: LocalizedText(en: "write the command line where the boot loader reads it",
                                                                                       es: "escribir la línea de comandos donde la lee el gestor de arranque"), rerunOnRollback: true)))
            plan.pending.append(LocalizedText(en: "the new kernel command line takes effect at the next boot: reboot",
                                              es: "la nueva línea de comandos del kernel se aplica en el próximo arranque: reinicie"))
        }
        return plan
    }
}

extension KernelCmdlinePlanner {
    /// The running kernel's config, for CONFIG_INTEL_IOMMU_DEFAULT_ON (SnapshotFilter keeps its
    /// IOMMU lines only).
    public static let reads = HostReads("KernelCmdlinePlanner", paths: [.file("/boot/config-{release}", limit: 1 << 22)])
}
