/// The words about creating VFs that `driver-support` and `vfs-enabled` share; what `apply`
/// writes (the udev rule, the module option file) comes from `VFPlanner`'s remedies. Two ways
/// (Documentation/PCI/pci-iov-howto.rst): a module option read at load time (igb/ixgbe
/// `max_vfs`, deprecated but the guide's way), or sysfs `sriov_numvfs`, which answers EBUSY
/// when a different non-zero count is already set (drivers/pci/iov.c `sriov_numvfs_store`).
enum VFCreation {
    /// The number of VFs to suggest: the kernel's TotalVFs, capped by the driver's limit.
    static func suggestedCount(_ pf: PCIFunction, _ known: DriverKnowledge?) -> String {
        var n = pf.sriov?.totalVFs
        if let max = known?.driverMaxVFs { n = n.map { min($0, max) } ?? max }
        return n.map(String.init) ?? "N"
    }

    /// The module option that creates VFs for this driver, when the knowledge says it is the way.
    static func moduleOption(_ known: DriverKnowledge?) -> String? {
        guard let known, known.method == .moduleOption else { return nil }
        return known.moduleOption
    }

    /// `echo 7 > /sys/bus/pci/devices/ADDR/sriov_numvfs`
    static func sysfsCommand(_ pf: PCIFunction, _ count: String) -> String {
        "echo \(count) > \(TargetDevice.sysfs(pf.address, "sriov_numvfs"))"
    }

    /// The sysfs step, with the EBUSY rule.
    static func sysfsSteps(_ pf: PCIFunction, _ count: String) -> LocalizedText {
        let reset = "echo 0 > \(TargetDevice.sysfs(pf.address, "sriov_numvfs"))"
        return LocalizedText(
            en: "`\(sysfsCommand(pf, count))` (if a different non-zero count is set, first `\(reset)`: the kernel answers EBUSY otherwise)",
            es: "`\(sysfsCommand(pf, count))` (si ya hay otro número distinto de cero, antes `\(reset)`: si no, el kernel responde EBUSY)")
    }

    /// The Intel iGPU (i915-sriov-dkms or xe): VFs come only from a `sriov_numvfs` write under
    /// the device's real path (/sys/devices/pci0000:00/0000:00:02.0, as the dkms docs and the
    /// sysfsutils line use it); `i915.max_vfs` only allows them. The write fails while the
    /// in-tree driver is bound (ENOENT, "driver does not support SR-IOV configuration via
    /// sysfs") and while sriov_totalvfs is 0 (the dkms driver stayed native: `max_vfs` missing
    /// or the VF BARs not assigned, i915_sriov.c pf_verify_readiness), so those come first.
    /// nil when gpu.json is missing (the generic words apply).
    static func igpuSteps(_ pf: PCIFunction, _ context: CheckContext) -> LocalizedText? {
        guard let knowledge = context.knowledge.gpu, let gpu = GPUHost.read(context.machine, pf, knowledge: knowledge) else { return nil }
        let driver = pf.driver ?? "i915"
        let path = "/sys/devices/pci0000:00/\(pf.address)/sriov_numvfs"
        let count = String(gpu.platform?.maxVFs ?? 7)
        if gpu.build == .inTree {
            return LocalizedText(
                en: "The loaded \(driver) is the kernel's own, which cannot make VFs on this iGPU: `echo \(count) > \(path)` would fail (\"driver does not support SR-IOV configuration via sysfs\"). Install the i915-sriov-dkms module first (see driver-support), reboot, then create the VFs.",
                es: "El \(driver) cargado es el del propio kernel, que no puede crear VFs en este iGPU: `echo \(count) > \(path)` fallaría (\"driver does not support SR-IOV configuration via sysfs\"). Instale primero el módulo i915-sriov-dkms (vea driver-support), reinicie y después cree las VFs.")
        }
        if (pf.sriov?.totalVFs ?? 0) == 0, let maxVFs = gpu.maxVFsParameter, maxVFs > 0 {
            return LocalizedText(
                en: "sriov_totalvfs is 0 although \(driver).max_vfs is \(maxVFs), so any write to \(path) fails: the driver found the VF BARs not assigned and stayed native. Give the VF BARs room first (see vf-capacity and sriov-bios-setting: Above 4G Decoding, or `pci=realloc`), reboot, then `echo \(count) > \(path)`.",
                es: "sriov_totalvfs es 0 aunque \(driver).max_vfs vale \(maxVFs), así que cualquier escritura en \(path) falla: el controlador encontró las BARs de las VFs sin asignar y quedó en modo nativo. Dé antes espacio a las BARs de las VFs (vea vf-capacity y sriov-bios-setting: Above 4G Decoding, o `pci=realloc`), reinicie y después `echo \(count) > \(path)`.")
        }
        if (pf.sriov?.totalVFs ?? 0) == 0 {
            let parameters = GPUHost.parameters(driver: driver, deviceID: pf.deviceID, knowledge: knowledge).joined(separator: " ")
            return LocalizedText(
                en: "sriov_totalvfs is 0, so any write to \(path) fails: the \(driver) module stayed native. It needs `\(parameters)` on the kernel command line (`sriov-wizard apply --igpu`, see driver-support) and VF BARs the firmware assigned (see vf-capacity); after the reboot: `echo \(count) > \(path)`.",
                es: "sriov_totalvfs es 0, así que cualquier escritura en \(path) falla: el módulo \(driver) quedó en modo nativo. Necesita `\(parameters)` en la línea de comandos del kernel (`sriov-wizard apply --igpu`, vea driver-support) y BARs de VF asignadas por el firmware (vea vf-capacity); tras reiniciar: `echo \(count) > \(path)`.")
        }
        let persistence = knowledge.persistence
        let line = persistence.line.replacingOccurrences(of: "{count}", with: count)
        return LocalizedText(
            en: "Create the VFs: `echo \(count) > \(path)` (the kernel then logs \"\(driver) \(pf.address): Enabled \(count) VFs\"; to change the count write 0 first). `\(driver).max_vfs` on the command line only allows VFs, nothing creates them at boot: keep them with \(persistence.package) (`apt install \(persistence.package)`, the line `\(line)` in \(persistence.file); see vfs-persistent).",
            es: "Cree las VFs: `echo \(count) > \(path)` (el kernel registra entonces \"\(driver) \(pf.address): Enabled \(count) VFs\"; para cambiar el número escriba antes 0). `\(driver).max_vfs` en la línea de comandos solo permite las VFs, nada las crea al arrancar: consérvelas con \(persistence.package) (`apt install \(persistence.package)`, la línea `\(line)` en \(persistence.file); vea vfs-persistent).")
    }

    /// Extra words for devices whose VFs need more than the count (mlx5 firmware, NVMe).
    static func deviceNotes(_ pf: PCIFunction, _ known: DriverKnowledge?) -> LocalizedText {
        var en: [String] = [], es: [String] = []
        if let firmware = known?.firmwareNote { en.append(firmware.en); es.append(firmware.es) }
        if TargetDevice.isNVMe(pf) {
            en.append("NVMe VFs start offline: give each one queue and interrupt resources and bring it online with `nvme virt-mgmt` before use (see vf-driver-bound).")
            es.append("Las VFs NVMe arrancan desconectadas: asigne a cada una recursos de colas e interrupciones y actívela con `nvme virt-mgmt` antes de usarla (vea vf-driver-bound).")
        }
        return LocalizedText(en: en.joined(separator: " "), es: es.joined(separator: " "))
    }
}

extension LocalizedText {
    /// Joins two texts with a blank, language by language, skipping empty parts.
    func followed(by other: LocalizedText) -> LocalizedText {
        func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : (b.isEmpty ? a : a + " " + b) }
        return LocalizedText(en: join(en, other.en), es: join(es, other.es))
    }
}
