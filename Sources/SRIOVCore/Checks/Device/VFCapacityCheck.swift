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
        var evidence: [String] = []
        let totalSource = TargetDevice.stateSource(context, f, "sriov_totalvfs")
        evidence.append("\(totalSource): TotalVFs \(state.totalVFs.map(String.init) ?? "unknown")")
        if let configTotal = state.configTotalVFs, let total = state.totalVFs {
            let why: String
            if let known, known.driverMaxVFs == total {
                why = "the \(known.name) driver allows at most \(total) (pci_sriov_set_totalvfs)"
            } else {
                why = "the driver lowered it with pci_sriov_set_totalvfs"
            }
            let cap = state.capability.map { "[\(hex($0.offset, 3))] " } ?? ""
            evidence.append("\(TargetDevice.configSource(context, f)): \(cap)SR-IOV Total VFs \(configTotal); the kernel's limit is \(total): \(why)")
        } else if state.source != "sysfs", let total = state.totalVFs, let max = known?.driverMaxVFs, max < total {
            // lspci shows the config-space value; the driver's limit is lower.
            evidence.append("knowledge: the \(known!.name) driver allows at most \(max) VFs (sysfs sriov_totalvfs would say \(max))")
        }
        if let initial = state.initialVFs, let total = state.capability?.totalVFs, Int(total) != initial {
            evidence.append("\(TargetDevice.configSource(context, f)): Initial VFs \(initial)")
        }
        var vfDevice = "unknown"
        if let did = state.vfDeviceID {
            let vendor = f.vendorID.map { hex($0, 4) + ":" } ?? ""
            let name = context.inventory.functions.first { $0.vendorID == f.vendorID && $0.deviceID == did && $0.deviceName != nil }?.deviceName
            vfDevice = vendor + hex(did, 4) + (name.map { " (\($0))" } ?? "")
            evidence.append("\(TargetDevice.stateSource(context, f, "sriov_vf_device")): \(hex(did, 4))" + (name.map { " \($0)" } ?? ""))
        }
        if let offset = state.vfOffset, let stride = state.vfStride {
            evidence.append("\(TargetDevice.stateSource(context, f, "sriov_offset")): \(offset), sriov_stride: \(stride)")
            if let total = state.totalVFs, total > 0, offset > 0, offset <= 0xffff, stride >= 0, stride <= 0xffff,
               let addresses = SRIOVCapability.vfAddresses(pf: f.address, offset: UInt16(offset), stride: UInt16(stride), count: total),
               let first = addresses.first, let last = addresses.last {
                evidence.append("VF addresses: \(first)" + (addresses.count > 1 ? " .. \(last)" : ""))
            }
        }
        // A crafted or damaged tree: say which file held what, instead of trusting it.
        evidence += state.invalidValues
        guard let total = state.totalVFs else {
            return result(.warn, LocalizedText(
                en: "How many VFs \(TargetDevice.label(f)) supports is unknown.",
                es: "No se sabe cuántas VFs admite \(TargetDevice.label(f))."),
                evidence: evidence, hint: state.invalidValues.isEmpty ? SRIOVCapabilityCheck.runAsRoot : invalidHint, device: f.address)
        }
        guard total > 0 else {
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

    /// The kernel prints these files itself; a value it never prints comes from a damaged or
    /// edited copy of the tree.
    static let invalidHint = LocalizedText(
        en: "The kernel writes these files as plain numbers (drivers/pci/iov.c); read them on the host itself (`cat /sys/bus/pci/devices/ADDRESS/sriov_totalvfs`) or take a new snapshot with `sriov-wizard snapshot`.",
        es: "El kernel escribe estos ficheros como números simples (drivers/pci/iov.c); léalos en el propio equipo (`cat /sys/bus/pci/devices/DIRECCIÓN/sriov_totalvfs`) o tome una nueva instantánea con `sriov-wizard snapshot`.")
}
