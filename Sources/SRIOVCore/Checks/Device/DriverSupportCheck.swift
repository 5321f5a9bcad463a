/// `driver-support`: the PF's driver (sysfs `driver` link), whether it is known to support
/// SR-IOV, how it creates VFs (module option or sysfs `sriov_numvfs`,
/// Documentation/PCI/pci-iov-howto.rst), which driver its VFs use in Linux and what Windows
/// guests must install. The per-driver facts are data (Resources/knowledge/drivers.json,
/// each entry with its sources); a driver not listed there still gets a useful answer when
/// the kernel reports VFs for it (`sriov_totalvfs` > 0 means the driver implements
/// `sriov_configure`, so the sysfs way works).
public enum DriverSupportCheck: Check {
    public static let id = "driver-support"
    public static let stage = StageID.device

    /// Drivers that hold a device for passthrough; they do not create VFs on their own.
    static let passthroughDrivers: Set<String> = ["vfio-pci", "pci-stub"]

    public static func run(_ context: CheckContext) -> [CheckResult] {
        TargetDevice.eachPF(self, context) { check($0, context) }
    }

    static func check(_ f: PCIFunction, _ context: CheckContext) -> CheckResult {
        let label = TargetDevice.label(f)
        let total = f.sriov?.totalVFs
        guard let driver = f.driver else {
            var evidence = [Evidence.fact(TargetDevice.sysfs(f.address, "driver"), en: "no driver bound", es: "ningún controlador asociado")]
            if !f.kernelModules.isEmpty { evidence.append(.record("lspci -k: Kernel modules: \(f.kernelModules.joined(separator: ", "))")) }
            let load = f.kernelModules.first.map { "`modprobe \($0)`" }
                ?? "`modprobe \"$(cat \(TargetDevice.sysfs(f.address, "modalias")))\"`"
            return result(.fail, LocalizedText(
                en: "No driver is bound to \(label): VFs are created by the PF's driver.",
                es: "Ningún controlador está asociado a \(label): las VFs las crea el controlador de la PF."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Load the device's driver: \(load) (`lspci -k -s \(f.address)` lists the candidate modules), then check `dmesg` for errors; if it is blacklisted in /etc/modprobe.d, remove that line.",
                    es: "Cargue el controlador del dispositivo: \(load) (`lspci -k -s \(f.address)` muestra los módulos candidatos) y revise `dmesg`; si está en una lista negra en /etc/modprobe.d, quite esa línea."),
                device: f.address)
        }
        if let gpu = GPUDriverSupport.check(f, context) { return gpu }
        var evidence = [Evidence.record("\(TargetDevice.sysfs(f.address, "driver")) -> \(driver)")]
        if let total { evidence.append(.record("\(TargetDevice.stateSource(context, f, "sriov_totalvfs")): \(total)")) }

        if passthroughDrivers.contains(driver) {
            return result(.warn, LocalizedText(
                en: "\(label) is bound to \(driver), which holds it for passthrough: the host driver that creates VFs is not in charge.",
                es: "\(label) está asociado a \(driver), que lo reserva para passthrough: no lo controla el controlador del host que crea las VFs."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Give the PF back to its own driver: remove its ID from `options vfio-pci ids=...` in /etc/modprobe.d (and from any VM's hostpci lines), `update-initramfs -u -k all`, reboot; or now: `echo \(f.address) > /sys/bus/pci/drivers/\(driver)/unbind; echo \(f.address) > /sys/bus/pci/drivers_probe`.",
                    es: "Devuelva la PF a su propio controlador: quite su ID de `options vfio-pci ids=...` en /etc/modprobe.d (y de las líneas hostpci de las VMs), `update-initramfs -u -k all` y reinicie; o ahora: `echo \(f.address) > /sys/bus/pci/drivers/\(driver)/unbind; echo \(f.address) > /sys/bus/pci/drivers_probe`."),
                device: f.address)
        }

        guard let known = context.knowledge.driver(driver) else {
            let count = VFCreation.suggestedCount(f, nil)
            if let total, total > 0 {
                return result(.note, LocalizedText(
                    en: "\(label): the driver \(driver) is not in the wizard's knowledge, but the kernel reports \(total) VFs for it, so sysfs sriov_numvfs should work.",
                    es: "\(label): el controlador \(driver) no está en el conocimiento del asistente, pero el kernel indica \(total) VFs para él, así que sysfs sriov_numvfs debería funcionar."),
                    evidence: evidence + [Evidence(en: "knowledge: no entry for \(driver)", es: "knowledge: ninguna entrada para \(driver)")],
                    hint: LocalizedText(
                        en: "Create VFs with `\(VFCreation.sysfsCommand(f, count))` and check `dmesg`; the VFs' driver and a Windows guest driver come from the card's vendor.",
                        es: "Cree VFs con `\(VFCreation.sysfsCommand(f, count))` y revise `dmesg`; el controlador de las VFs y el de Windows los proporciona el fabricante de la tarjeta."),
                    device: f.address)
            }
            return result(.warn, LocalizedText(
                en: "\(label): the driver \(driver) is not known to support SR-IOV, and the kernel reports no VFs for it.",
                es: "\(label): no se sabe si el controlador \(driver) admite SR-IOV, y el kernel no indica VFs para él."),
                evidence: evidence + [Evidence(en: "knowledge: no entry for \(driver)", es: "knowledge: ninguna entrada para \(driver)")],
                hint: LocalizedText(
                    en: "Check the vendor's documentation for SR-IOV support in \(driver) (`modinfo \(driver)` lists its options); some cards need SR-IOV enabled in their firmware first.",
                    es: "Consulte la documentación del fabricante sobre SR-IOV en \(driver) (`modinfo \(driver)` muestra sus opciones); algunas tarjetas necesitan activar SR-IOV antes en su firmware."),
                device: f.address)
        }

        // The devices are drivers.json's words, quoted in the Spanish line.
        let entry = "knowledge: \(known.name) (\(known.vendor)\(known.devices.map { ": \($0)" } ?? "")), SR-IOV "
        let entryES = "knowledge: \(known.name) (\(known.vendor)\(known.devices.map { ": «\($0)»" } ?? "")), SR-IOV "
        evidence.append(Evidence(en: entry + (known.sriov ? "yes" : "no") + (known.sources.first.map { ", source \($0)" } ?? ""),
                                 es: entryES + (known.sriov ? "sí" : "no") + (known.sources.first.map { ", fuente \($0)" } ?? "")))
        guard known.sriov else {
            return result(.fail, LocalizedText(
                en: "\(label): the driver \(driver) does not support SR-IOV.",
                es: "\(label): el controlador \(driver) no admite SR-IOV."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Use a card whose driver creates VFs (e.g. igb, ixgbe, i40e, ice, mlx5_core, bnxt_en).",
                    es: "Use una tarjeta cuyo controlador cree VFs (p. ej. igb, ixgbe, i40e, ice, mlx5_core, bnxt_en)."),
                device: f.address)
        }

        let how: LocalizedText
        if let option = VFCreation.moduleOption(known) {
            evidence.append(Evidence(en: "knowledge: VFs are created with the module option \(option) (or sysfs sriov_numvfs)",
                                     es: "knowledge: las VFs se crean con la opción de módulo \(option) (o con sysfs sriov_numvfs)"))
            how = LocalizedText(
                en: "VFs are created with its module option `\(option)` (deprecated, but the guide's way) or with sysfs `sriov_numvfs`",
                es: "las VFs se crean con su opción de módulo `\(option)` (obsoleta, pero es la forma de la guía) o con sysfs `sriov_numvfs`")
        } else {
            evidence.append(Evidence(en: "knowledge: VFs are created with sysfs sriov_numvfs", es: "knowledge: las VFs se crean con sysfs sriov_numvfs"))
            how = LocalizedText(en: "VFs are created with sysfs `sriov_numvfs`", es: "las VFs se crean con sysfs `sriov_numvfs`")
        }
        if let max = known.driverMaxVFs {
            evidence.append(Evidence(en: "knowledge: \(known.name) allows at most \(max) VFs per PF", es: "knowledge: \(known.name) admite como mucho \(max) VFs por PF"))
        }
        let vfDriver = known.vfDriver
        if let vfDriver { evidence.append(Evidence(en: "knowledge: VF driver in Linux \(vfDriver)", es: "knowledge: controlador de VF en Linux \(vfDriver)")) }
        let windows = known.windowsDriver
        if let windows {
            let url = windows.url.map { " (\($0))" } ?? ""
            evidence.append(Evidence(en: "knowledge: Windows guests: \(windows.name)" + url, es: "knowledge: invitados Windows: \(windows.name)" + url))
        }
        if let firmware = known.firmwareNote { evidence.append(Evidence(en: "knowledge: firmware: \(firmware.en)", es: "knowledge: firmware: \(firmware.es)")) }

        let linuxEN = vfDriver.map { "; VFs use \($0) in Linux" } ?? ""
        let linuxES = vfDriver.map { "; las VFs usan \($0) en Linux" } ?? ""
        let windowsEN = windows.map { "; Windows guests need \($0.name)" } ?? "; Windows guests need the vendor's VF driver"
        let windowsES = windows.map { "; los invitados Windows necesitan \($0.name)" } ?? "; los invitados Windows necesitan el controlador de VF del fabricante"
        if let firmware = known.firmwareNote, total == 0 || total == nil {
            return result(.warn, LocalizedText(
                en: "\(label): \(driver) supports SR-IOV, but the device reports no VFs: its firmware must enable SR-IOV first.",
                es: "\(label): \(driver) admite SR-IOV, pero el dispositivo no indica VFs: antes su firmware debe activar SR-IOV."),
                evidence: evidence, hint: firmware.localized, device: f.address)
        }
        return result(.pass, LocalizedText(
            en: "\(label): \(driver) supports SR-IOV; \(how.en)\(linuxEN)\(windowsEN).",
            es: "\(label): \(driver) admite SR-IOV; \(how.es)\(linuxES)\(windowsES)."),
            evidence: evidence, device: f.address)
    }
}
