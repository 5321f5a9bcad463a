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
