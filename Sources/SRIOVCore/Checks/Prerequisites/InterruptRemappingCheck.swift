import HostAccess

/// `interrupt-remapping`: the IOMMU also remaps interrupts, so a passed-through device cannot
/// inject arbitrary MSIs into the host. Without it VFIO refuses to assign devices unless
/// `vfio_iommu_type1 allow_unsafe_interrupts=1` (drivers/vfio/vfio_iommu_type1.c), which is
/// unsafe. Read from the kernel's own messages: drivers/iommu/intel/irq_remapping.c prints
/// `DMAR-IR: Enabled IRQ remapping in x2apic|xapic mode`, drivers/iommu/amd/init.c
/// `AMD-Vi: Interrupt remapping enabled` (or `Disabling interrupt remapping`), and from the
/// `IR-` irq chips in /proc/interrupts (IR-IO-APIC, IR-PCI-MSI). `x2apic: IRQ remapping doesn't
/// support X2APIC mode` is not a signal: it only says x2APIC stays off (the lab prints it
/// next to `Enabled IRQ remapping in xapic mode`).
public enum InterruptRemappingCheck: Check {
    public static let id = "interrupt-remapping"
    public static let stage = StageID.prerequisites

    static let enabledPhrases = ["Enabled IRQ remapping in", "AMD-Vi: Interrupt remapping enabled"]
    static let disabledPhrases = [
        "AMD-Vi: Disabling interrupt remapping",
        "Not enabling interrupt remapping",
        "Failed to enable irq remapping",
        "interrupt remapping is being disabled",
        "Failed to enable interrupt remapping",
        "IRQ remapping disabled",
        "Interrupt remapping disabled",
    ]
    static let interruptsPath = "/proc/interrupts"
    static let unsafeParameterPath = "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let machine = context.machine
        var evidence: [Evidence] = []
        var enabled: [String] = []
        var disabled: [String] = []
        var logReadable = false
        var bootMessages = false

        switch KernelLog.read(machine) {
        case .success(let log):
            logReadable = true
            bootMessages = log.hasBootMessages
            enabled = log.lines(containing: enabledPhrases)
            disabled = log.lines(containing: disabledPhrases)
            for line in enabled + disabled { evidence.append(.record("dmesg: \(line)")) }
            if enabled.isEmpty && disabled.isEmpty {
                evidence.append(.fact("dmesg", en: "no interrupt-remapping message" + (bootMessages ? "" : " (the boot messages are no longer in the kernel log)"),
                                      es: "ningún mensaje de remapeo de interrupciones" + (bootMessages ? "" : " (los mensajes de arranque ya no están en el registro del kernel)")))
            }
        case .failure(let unavailable):
            evidence.append(unavailable.evidence)
        }

        // The irq chips: IR-IO-APIC, IR-PCI-MSI-... when remapped; IO-APIC, PCI-MSI-... when not.
        var remappedChips = 0, plainChips = 0
        if let text = try? machine.readText(interruptsPath, limit: 4 << 20) {
            for line in text.split(whereSeparator: \.isNewline) {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if words.contains(where: { $0.hasPrefix("IR-") }) { remappedChips += 1 }
                else if words.contains(where: { $0 == "IO-APIC" || $0.hasPrefix("PCI-MSI") }) { plainChips += 1 }
            }
            evidence.append(.fact(interruptsPath, en: "\(remappedChips) interrupt(s) on IR- (remapped) chips, \(plainChips) on plain IO-APIC/PCI-MSI chips",
                                  es: "\(remappedChips) interrupción(es) en chips IR- (remapeados), \(plainChips) en chips IO-APIC/PCI-MSI simples"))
        } else {
            evidence.append(.notReadable(interruptsPath))
        }

        var cmdlineOff: String?
        if let cmdline = KernelCommandLine.running(machine)?.line {
            if let p = cmdline.last("nointremap") { cmdlineOff = p.text }
            else if let o = cmdline.lastOption("intremap", among: ["off"]) { cmdlineOff = o.parameter.text }
            if let cmdlineOff { evidence.append(.record("\(KernelCommandLine.procPath): \(cmdlineOff)")) }
        }
        let unsafe = machine.attribute(unsafeParameterPath)
        if let unsafe { evidence.append(.record("\(unsafeParameterPath): \(unsafe)")) }

        let isOn = !enabled.isEmpty || (disabled.isEmpty && remappedChips > 0)
        if isOn && disabled.isEmpty && cmdlineOff == nil {
            let mode = enabled.first.flatMap { line -> String? in
                if line.contains("x2apic mode") { return "x2apic" }
                if line.contains("xapic mode") { return "xapic" }
                return nil
            }
            return [result(.pass, LocalizedText(
                en: "Interrupt remapping is enabled" + (mode.map { " (\($0) mode)" } ?? "") + ".",
                es: "El remapeo de interrupciones está activado" + (mode.map { " (modo \($0))" } ?? "") + "."),
                evidence: evidence)]
        }

        // Without any IOMMU described by the firmware there is nothing that could remap.
        let tables = ACPITables.read(machine)
        let noIOMMU = tables.map { $0.iommuTables.isEmpty } ?? false
        if noIOMMU { evidence.append(.fact(ACPITables.path, en: "no DMAR/IVRS table (no IOMMU to remap interrupts)", es: "ninguna tabla DMAR/IVRS (no hay IOMMU que remapee interrupciones)")) }
        let isOff = !disabled.isEmpty || cmdlineOff != nil || noIOMMU
            || (remappedChips == 0 && plainChips > 0 && logReadable && bootMessages)
        if isOff {
            let why = cmdlineOff.map { LocalizedText(en: "Remove `\($0)` from the kernel command line and reboot. ", es: "Quite `\($0)` de la línea de comandos del kernel y reinicie. ") }
                ?? (noIOMMU && disabled.isEmpty
                    ? LocalizedText(en: "There is no IOMMU at all: make it work first (checks firmware-iommu-table and iommu-active); remapping comes with it. ",
                                    es: "No hay ninguna IOMMU: hágala funcionar primero (controles firmware-iommu-table e iommu-active); el remapeo viene con ella. ")
                    : .none)
            let unsafeNote = unsafe?.uppercased().hasPrefix("Y") == true
                ? LocalizedText(en: " allow_unsafe_interrupts is already on: VMs with passed-through devices can attack the host through interrupts.",
                                es: " allow_unsafe_interrupts ya está activado: las VMs con dispositivos pasados pueden atacar al host mediante interrupciones.")
                : .none
            return [result(.warn, LocalizedText(
                en: "Interrupt remapping is off: VFIO refuses to pass devices through unless unsafe interrupts are allowed." + unsafeNote.en,
                es: "El remapeo de interrupciones está desactivado: VFIO no pasa dispositivos a las VMs salvo que se permitan interrupciones inseguras." + unsafeNote.es),
                evidence: evidence,
                hint: LocalizedText(
                    en: why.en + "Enable interrupt remapping in the BIOS/UEFI (on Intel it comes with VT-d; on AMD with IOMMU / \"Interrupt Remapping\" in AMD CBS) and update the firmware if it still fails. Only as a last resort, knowing it is unsafe: `echo \"options vfio_iommu_type1 allow_unsafe_interrupts=1\" > /etc/modprobe.d/iommu_unsafe_interrupts.conf`, `update-initramfs -u -k all`, reboot.",
                    es: why.es + "Active el remapeo de interrupciones en la BIOS/UEFI (en Intel va con VT-d; en AMD con IOMMU / \"Interrupt Remapping\" en AMD CBS) y actualice el firmware si sigue fallando. Solo como último recurso, sabiendo que es inseguro: `echo \"options vfio_iommu_type1 allow_unsafe_interrupts=1\" > /etc/modprobe.d/iommu_unsafe_interrupts.conf`, `update-initramfs -u -k all`, reinicie."))]
        }

        if !logReadable && remappedChips == 0 && plainChips == 0 {
            return [result(.note, LocalizedText(
                en: "Whether interrupt remapping is enabled cannot be told: the kernel log and /proc/interrupts are not available.",
                es: "No se puede saber si el remapeo de interrupciones está activado: el registro del kernel y /proc/interrupts no están disponibles."),
                evidence: evidence,
                hint: LocalizedText(
                    en: machine.isLive ? "Run the check as root, or look for `DMAR-IR: Enabled IRQ remapping` / `AMD-Vi: Interrupt remapping enabled` in `dmesg`." : "Take the snapshot with `dmesg` recorded (as root).",
                    es: machine.isLive ? "Ejecute el control como root, o busque `DMAR-IR: Enabled IRQ remapping` / `AMD-Vi: Interrupt remapping enabled` en `dmesg`." : "Tome la instantánea con `dmesg` grabado (como root)."))]
        }
        return [result(.note, LocalizedText(
            en: "No evidence either way about interrupt remapping" + (bootMessages || !logReadable ? "." : ": the boot messages have rotated out of the kernel log."),
            es: "No hay pruebas en ningún sentido sobre el remapeo de interrupciones" + (bootMessages || !logReadable ? "." : ": los mensajes de arranque ya no están en el registro del kernel.")),
            evidence: evidence,
            hint: LocalizedText(
                en: "Check `journalctl -k -b | grep -i remapping` for `DMAR-IR: Enabled IRQ remapping` or `AMD-Vi: Interrupt remapping enabled`.",
                es: "Busque en `journalctl -k -b | grep -i remapping` `DMAR-IR: Enabled IRQ remapping` o `AMD-Vi: Interrupt remapping enabled`."))]
    }
}

extension InterruptRemappingCheck {
    public static let reads = HostReads("InterruptRemappingCheck", paths: [.file(interruptsPath, limit: 8 << 20), .file(unsafeParameterPath, limit: 64 * 1024)])
}
