/// `vf-capacity`: how many VFs the device can have, what they are and where they appear.
/// TotalVFs is read from sysfs `sriov_totalvfs` (Documentation/ABI/testing/sysfs-bus-pci),
/// not from config space: drivers lower it with `pci_sriov_set_totalvfs` (igb allows 7 VFs
/// on an 82576 whose SR-IOV capability says 8, ../shared/lab/README.md). Also shown: the VF
/// device ID (`sriov_vf_device`), First VF Offset and VF Stride (`sriov_offset`,
/// `sriov_stride`; PCIe Base Spec 9.3.3.10), and the VF addresses they give.
public enum VFCapacityCheck: Check {
    public static let id = "vf-capacity"
    public static let stage = StageID.device

    public static func run(_ context: CheckContext) -> [CheckResult] {
        TargetDevice.eachPF(self, context) { check($0, context) }
    }

    static func check(_ f: PCIFunction, _ context: CheckContext) -> CheckResult {
        let state = f.sriov ?? SRIOVState(capability: nil, source: "sysfs")
        let known = f.driver.flatMap { context.knowledge.driver($0) }
        var evidence: [Evidence] = []
        let totalSource = TargetDevice.stateSource(context, f, "sriov_totalvfs")
        evidence.append(state.totalVFs.map { .record("\(totalSource): TotalVFs \($0)") } ?? .fact(totalSource, en: "TotalVFs unknown", es: "TotalVFs desconocido"))
        if let configTotal = state.configTotalVFs, let total = state.totalVFs {
            let why: LocalizedText
            if let known, known.driverMaxVFs == total {
                why = LocalizedText(en: "the \(known.name) driver allows at most \(total) (pci_sriov_set_totalvfs)",
                                    es: "el controlador \(known.name) admite como mucho \(total) (pci_sriov_set_totalvfs)")
            } else {
                why = LocalizedText(en: "the driver lowered it with pci_sriov_set_totalvfs", es: "el controlador lo rebajó con pci_sriov_set_totalvfs")
            }
            let cap = state.capability.map { "[\(hex($0.offset, 3))] " } ?? ""
            let read = "\(TargetDevice.configSource(context, f)): \(cap)SR-IOV Total VFs \(configTotal); "
            evidence.append(Evidence(en: read + "the kernel's limit is \(total): \(why.en)", es: read + "el límite del kernel es \(total): \(why.es)"))
        } else if state.source != "sysfs", let total = state.totalVFs, let max = known?.driverMaxVFs, max < total {
            // lspci shows the config-space value; the driver's limit is lower.
            evidence.append(Evidence(en: "knowledge: the \(known!.name) driver allows at most \(max) VFs (sysfs sriov_totalvfs would say \(max))",
                                     es: "knowledge: el controlador \(known!.name) admite como mucho \(max) VFs (sysfs sriov_totalvfs diría \(max))"))
        }
        if let initial = state.initialVFs, let total = state.capability?.totalVFs, Int(total) != initial {
            evidence.append(.record("\(TargetDevice.configSource(context, f)): Initial VFs \(initial)"))
        }
        var vfDevice = "unknown"
        if let did = state.vfDeviceID {
            let vendor = f.vendorID.map { hex($0, 4) + ":" } ?? ""
            let name = context.inventory.deviceName(vendorID: f.vendorID, deviceID: did)
            vfDevice = vendor + hex(did, 4) + (name.map { " (\($0))" } ?? "")
            evidence.append(.record("\(TargetDevice.stateSource(context, f, "sriov_vf_device")): \(hex(did, 4))" + (name.map { " \($0)" } ?? "")))
        }
        if let offset = state.vfOffset, let stride = state.vfStride {
            evidence.append(.record("\(TargetDevice.stateSource(context, f, "sriov_offset")): \(offset), sriov_stride: \(stride)"))
            if let total = state.totalVFs, total > 0, offset > 0, offset <= 0xffff, stride >= 0, stride <= 0xffff,
               let addresses = SRIOVCapability.vfAddresses(pf: f.address, offset: UInt16(offset), stride: UInt16(stride), count: total),
               let first = addresses.first, let last = addresses.last {
                let range = "\(first)" + (addresses.count > 1 ? " .. \(last)" : "")
                evidence.append(Evidence(en: "VF addresses: " + range, es: "direcciones de las VFs: " + range))
            }
        }
        // A crafted or damaged tree: say which file held what, instead of trusting it.
        evidence += state.invalidValues.map(invalidValueEvidence)
        guard let total = state.totalVFs else {
            return result(.warn, LocalizedText(
                en: "How many VFs \(TargetDevice.label(f)) supports is unknown.",
                es: "No se sabe cuántas VFs admite \(TargetDevice.label(f))."),
                evidence: evidence, hint: state.invalidValues.isEmpty ? SRIOVCapabilityCheck.runAsRoot : invalidHint, device: f.address)
        }
        guard total > 0 else {
            if GPUHost.isIntelIGPU(f), let igpu = igpuZeroVFs(f, context, evidence) { return igpu }
            let firmware = known?.firmwareNote?.localized
            return result(.fail, LocalizedText(
                en: "\(TargetDevice.label(f)) reports 0 VFs: SR-IOV is switched off in the device's firmware or the BIOS.",
                es: "\(TargetDevice.label(f)) indica 0 VFs: SR-IOV está desactivado en el firmware del dispositivo o en la BIOS."),
                evidence: evidence,
                hint: LocalizedText(
                    en: (firmware.map { $0.en + " " } ?? "") + "Enable SR-IOV in the BIOS/UEFI (stage bios) and, for cards with their own setting, in the card's firmware; then reboot.",
                    es: (firmware.map { $0.es + " " } ?? "") + "Active SR-IOV en la BIOS/UEFI (etapa bios) y, en las tarjetas con ajuste propio, en el firmware de la tarjeta; después reinicie."),
                device: f.address)
        }
        if GPUHost.kind(f) != nil, let gpu = GPUHost.read(context.machine, f, knowledge: context.knowledge.gpu), !gpu.unassignedVFBARs.isEmpty,
           (state.numVFs ?? 0) == 0 {
            let bars = gpu.unassignedVFBARs.map(String.init).joined(separator: ", ")
            return result(.warn, LocalizedText(
                en: "\(TargetDevice.label(f)) supports \(TargetDevice.count(total, "VF", "VFs")), but VF BAR \(bars) has no address: writing sriov_numvfs will fail with ENOMEM (\"not enough MMIO resources for SR-IOV\").",
                es: "\(TargetDevice.label(f)) admite \(TargetDevice.count(total, "VF", "VFs")), pero la BAR de VF \(bars) no tiene dirección: escribir sriov_numvfs fallará con ENOMEM (\"not enough MMIO resources for SR-IOV\")."),
                evidence: evidence + gpu.vfBAREvidence, hint: vfBARHint, device: f.address)
        }
        if !state.invalidValues.isEmpty {
            return result(.warn, LocalizedText(
                en: "\(TargetDevice.label(f)) supports \(TargetDevice.count(total, "VF", "VFs")), but \(state.invalidValues.count == 1 ? "one of its SR-IOV files holds" : "some of its SR-IOV files hold") no valid number; \(state.invalidValues.count == 1 ? "that value is" : "those values are") treated as unknown.",
                es: "\(TargetDevice.label(f)) admite \(TargetDevice.count(total, "VF", "VFs")), pero \(state.invalidValues.count == 1 ? "uno de sus ficheros SR-IOV no contiene" : "algunos de sus ficheros SR-IOV no contienen") un número válido; \(state.invalidValues.count == 1 ? "ese valor se trata" : "esos valores se tratan") como desconocido."),
                evidence: evidence, hint: invalidHint, device: f.address)
        }
        let stride = state.vfStride.map(String.init) ?? "?"
        let whereEN = state.vfOffset.map { ", offset \($0), stride \(stride)" } ?? ""
        let whereES = state.vfOffset.map { ", desplazamiento \($0), paso \(stride)" } ?? ""
        return result(.pass, LocalizedText(
            en: "\(TargetDevice.label(f)) supports \(TargetDevice.count(total, "VF", "VFs")) (VF device \(vfDevice)\(whereEN)).",
            es: "\(TargetDevice.label(f)) admite \(TargetDevice.count(total, "VF", "VFs")) (dispositivo VF \(vfDevice)\(whereES))."),
            evidence: evidence, device: f.address)
    }

    /// `sriov_totalvfs` 0 on the Intel iGPU is no firmware switch: the dkms i915 lowers it to
    /// 0 when `i915.max_vfs` is 0 or the VF BARs are not valid (i915_sriov.c
    /// `pf_verify_readiness`), and the in-tree driver has no SR-IOV for these platforms.
    /// `PATH: invalid value "…" (expected a number 0-N)` (SysfsInventory's words) in both languages.
    static func invalidValueEvidence(_ line: String) -> Evidence {
        var es = line
        for (en, spanish) in [(": invalid value ", ": valor no válido "), ("(expected a hexadecimal number ", "(se esperaba un número hexadecimal "),
                              ("(expected a number ", "(se esperaba un número ")] {
            es = es.replacingAll(en, with: spanish)
        }
        return Evidence(en: line, es: es)
    }

    static func igpuZeroVFs(_ f: PCIFunction, _ context: CheckContext, _ evidence: [Evidence]) -> CheckResult? {
        guard let gpu = GPUHost.read(context.machine, f, knowledge: context.knowledge.gpu) else { return nil }
        var evidence = evidence + gpu.buildEvidence + gpu.vfBAREvidence
        let configTotal = f.sriov?.capability?.totalVFs.map(Int.init)
        if let configTotal {
            evidence.append(.fact(TargetDevice.configSource(context, f), en: "SR-IOV Total VFs \(configTotal) in config space",
                                  es: "SR-IOV Total VFs \(configTotal) en el espacio de configuración"))
        }
        let label = TargetDevice.label(f)
        if gpu.build == .dkms {
            if !gpu.unassignedVFBARs.isEmpty {
                return result(.fail, LocalizedText(
                    en: "\(label) reports 0 VFs: the dkms driver fell back to native because the VF BARs are not assigned (not a firmware switch).",
                    es: "\(label) indica 0 VFs: el controlador dkms volvió al modo nativo porque las BAR de las VF no están asignadas (no es un interruptor del firmware)."),
                    evidence: evidence, hint: vfBARHint, device: f.address)
            }
            if let maxVFs = gpu.maxVFsParameter { evidence.append(.record("/sys/module/\(f.driver ?? "i915")/parameters/max_vfs: \(maxVFs)")) }
            return result(.fail, LocalizedText(
                en: "\(label) reports 0 VFs: the dkms driver stays native when max_vfs is missing (0) or the VF BARs are not ready; this is not a firmware switch.",
                es: "\(label) indica 0 VFs: el controlador dkms queda en modo nativo cuando falta max_vfs (0) o las BAR de las VF no están listas; no es un interruptor del firmware."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Add the driver's kernel parameters with `sriov-wizard apply --igpu` (i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe, or the xe form), reboot, and look for \"Running in SR-IOV PF mode\" in `dmesg`.",
                    es: "Añada los parámetros del controlador con `sriov-wizard apply --igpu` (i915.enable_guc=3 i915.max_vfs=7 module_blacklist=xe, o la forma de xe), reinicie y busque \"Running in SR-IOV PF mode\" en `dmesg`."),
                device: f.address)
        }
        return result(.fail, LocalizedText(
            en: "\(label) reports 0 VFs: the loaded \(f.driver ?? "driver") has no SR-IOV for this iGPU (the i915-sriov-dkms module is needed); this is not a firmware switch.",
            es: "\(label) indica 0 VFs: el \(f.driver ?? "controlador") cargado no tiene SR-IOV para este iGPU (hace falta el módulo i915-sriov-dkms); no es un interruptor del firmware."),
            evidence: evidence,
            hint: LocalizedText(
                en: "See driver-support for the dkms release that matches this kernel, then `sriov-wizard apply --igpu`.",
                es: "Vea driver-support para la versión dkms que corresponde a este kernel y después `sriov-wizard apply --igpu`."),
            device: f.address)
    }

    /// What to do about VF BARs without addresses (an iGPU needs 16 MiB + 512 MiB per VF).
    static let vfBARHint = LocalizedText(
        en: "Enable Above 4G Decoding (and Resizable BAR where offered) in the BIOS/UEFI (stage bios) so the firmware places the VF BARs, then reboot. Only if that is not possible: add `pci=realloc` to the kernel command line; the kernel then re-assigns bridge windows itself, which can move other devices' BARs and fails on some boards (remove it again if devices go missing).",
        es: "Active Above 4G Decoding (y Resizable BAR si existe) en la BIOS/UEFI (etapa bios) para que el firmware coloque las BAR de las VF y reinicie. Solo si no es posible: añada `pci=realloc` a la línea de comandos del kernel; el kernel reasigna entonces las ventanas de los puentes, lo que puede mover las BAR de otros dispositivos y falla en algunas placas (quítelo si desaparecen dispositivos).")
    /// The kernel prints these files itself; a value it never prints comes from a damaged or
    /// edited copy of the tree.
    static let invalidHint = LocalizedText(
        en: "The kernel writes these files as plain numbers (drivers/pci/iov.c); read them on the host itself (`cat /sys/bus/pci/devices/ADDRESS/sriov_totalvfs`) or take a new snapshot with `sriov-wizard snapshot`.",
        es: "El kernel escribe estos ficheros como números simples (drivers/pci/iov.c); léalos en el propio equipo (`cat /sys/bus/pci/devices/DIRECCIÓN/sriov_totalvfs`) o tome una nueva instantánea con `sriov-wizard snapshot`.")
}
