/// `vfs-enabled`: the PF has VFs now: NumVFs > 0 in sysfs `sriov_numvfs`
/// (Documentation/ABI/testing/sysfs-bus-pci; the VFs appear as `virtfnN` links). When it is
/// 0 the hint gives the exact commands for this driver: the module option (igb/ixgbe
/// `max_vfs` in /etc/modprobe.d, then `update-initramfs -u -k all` and a reboot, as the
/// guide does it) or the sysfs write (drivers/pci/iov.c `sriov_numvfs_store`: EBUSY when a
/// different non-zero count is set, so `echo 0` first).
public enum VFsEnabledCheck: Check {
    public static let id = "vfs-enabled"
    public static let stage = StageID.activation

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let modprobe = ModprobeConfig.read(context.machine)
        return TargetDevice.eachPF(self, context) { check($0, context, modprobe) }
    }

    static func check(_ f: PCIFunction, _ context: CheckContext, _ modprobe: ModprobeConfig) -> CheckResult {
        let label = TargetDevice.label(f)
        let known = f.driver.flatMap { context.knowledge.driver($0) }
        let numSource = TargetDevice.stateSource(context, f, "sriov_numvfs")
        var evidence: [Evidence] = [f.sriov?.numVFs.map { Evidence.record("\(numSource): \($0)") } ?? .fact(numSource, en: "unknown", es: "desconocido")]
        if let total = f.sriov?.totalVFs { evidence.append(.record("\(TargetDevice.stateSource(context, f, "sriov_totalvfs")): \(total)")) }
        let present = context.vfs(of: f)
        if !f.virtfns.isEmpty {
            evidence.append(.record("\(TargetDevice.sysfs(f.address, "virtfn*")): \(f.virtfns.count) (\(f.virtfns.first!) .. \(f.virtfns.last!))"))
        }
        let count = VFCreation.suggestedCount(f, known)

        guard let numVFs = f.sriov?.numVFs else {
            return result(.warn, LocalizedText(
                en: "Whether \(label) has VFs enabled is unknown.",
                es: "No se sabe si \(label) tiene VFs activadas."),
                evidence: evidence, hint: SRIOVCapabilityCheck.runAsRoot, device: f.address)
        }
        if numVFs > 0 {
            let total = f.sriov?.totalVFs
            if present.count < numVFs, context.inventory.source == "sysfs" {
                evidence.append(Evidence(en: "only \(present.count) of \(numVFs) VFs are in \(SysfsInventory.devicesPath)",
                                         es: "solo \(present.count) de \(numVFs) VFs están en \(SysfsInventory.devicesPath)"))
            }
            if let total, numVFs < total {
                let change = VFCreation.sysfsSteps(f, String(total))
                return result(.note, LocalizedText(
                    en: "\(label) has \(numVFs) of its \(total) VFs enabled.",
                    es: "\(label) tiene activadas \(numVFs) de sus \(total) VFs."),
                    evidence: evidence,
                    hint: LocalizedText(
                        en: "Only if you want more: \(change.en); make the new count persistent too (see vfs-persistent).",
                        es: "Solo si quiere más: \(change.es); haga persistente también el nuevo número (vea vfs-persistent)."),
                    device: f.address)
            }
            return result(.pass, LocalizedText(
                en: "\(label) has \(TargetDevice.count(numVFs, "VF", "VFs")) enabled" + (total.map { " (of \($0))" } ?? "") + ".",
                es: "\(label) tiene \(TargetDevice.count(numVFs, "VF activada", "VFs activadas"))" + (total.map { " (de \($0))" } ?? "") + "."),
                evidence: evidence, device: f.address)
        }

        // No VFs. Say whether a configured module option simply has not taken effect yet.
        var hint: LocalizedText
        if GPUHost.isIntelIGPU(f), let gpuHint = VFCreation.igpuSteps(f, context) {
            hint = gpuHint
        } else if let driver = f.driver, let option = VFCreation.moduleOption(known) {
            if let set = modprobe.option(module: driver, name: option) {
                evidence.append(.record("\(set.location): \(set.text)"))
                let loaded = context.machine.attribute("/sys/module/\(driver)/parameters/\(option)")
                if let loaded { evidence.append(.record("/sys/module/\(driver)/parameters/\(option): \(loaded)")) }
                hint = LocalizedText(
                    en: "`\(set.text)` is configured (\(set.location)) but not in effect: the \(driver) module was loaded without it. Run `update-initramfs -u -k all` and reboot (the initramfs may load \(driver) with an older configuration). Or now: \(VFCreation.sysfsSteps(f, count).en).",
                    es: "`\(set.text)` está configurado (\(set.location)) pero no tiene efecto: el módulo \(driver) se cargó sin él. Ejecute `update-initramfs -u -k all` y reinicie (el initramfs puede cargar \(driver) con una configuración anterior). O ahora: \(VFCreation.sysfsSteps(f, count).es).")
            } else {
                hint = createHint(f, count: count, context: context)
            }
        } else {
            hint = createHint(f, count: count, context: context)
        }
        hint = hint.followed(by: VFCreation.deviceNotes(f, known))
        return result(.fail, LocalizedText(
            en: "\(label) has no VFs enabled (sriov_numvfs is 0).",
            es: "\(label) no tiene VFs activadas (sriov_numvfs es 0)."),
            evidence: evidence, hint: hint, device: f.address)
    }

    /// What `apply --device ADDR --vfs N` plans (VFs now and the udev rule; the module option
    /// as the other way where the driver has one), or the sysfs write where it cannot plan.
    static func createHint(_ f: PCIFunction, count: String, context: CheckContext) -> LocalizedText {
        let known = f.driver.flatMap { context.knowledge.driver($0) }
        guard let n = Int(count), let now = try? VFPlanner.remedy(device: f.address, count: n, context: context), !now.isEmpty else {
            let sysfs = VFCreation.sysfsSteps(f, count)
            return LocalizedText(
                en: "Create the VFs: \(sysfs.en); then make it persistent (see vfs-persistent).",
                es: "Cree las VFs: \(sysfs.es); después hágalo persistente (vea vfs-persistent).")
        }
        if VFCreation.moduleOption(known) != nil,
           let option = try? VFPlanner.remedy(device: f.address, count: n, method: .modprobe, context: context), !option.isEmpty {
            return Remedy.either(now, or: option)
        }
        return now.hint
    }
}

extension VFsEnabledCheck {
    public static let reads = HostReads("VFsEnabledCheck", paths: [.file("/sys/module/{module}/parameters/*", limit: 64 * 1024)])
}
