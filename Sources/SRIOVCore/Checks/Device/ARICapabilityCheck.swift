/// `ari-capability`: the PF has Alternative Routing-ID Interpretation (PCI_EXT_CAP_ID_ARI,
/// PCIe Base Spec 7.8.7; `[150 v1] Alternative Routing-ID Interpretation (ARI)` in lspci).
/// Without ARI a PCIe link reaches only device 0 of the bus below it, so VFs must fit in
/// functions 1-7 of the PF's own device; with ARI, routing IDs 8-255 (the igb VFs at
/// 01:10.0..01:11.4) become reachable. Also read: sysfs `ari_enabled`, which the kernel
/// sets when it enabled ARI forwarding for the device's bus (drivers/pci/pci.c
/// `pci_configure_ari`), so it vouches for ARI when the config space is not readable.
public enum ARICapabilityCheck: Check {
    public static let id = "ari-capability"
    public static let stage = StageID.device

    public static func run(_ context: CheckContext) -> [CheckResult] {
        TargetDevice.eachPF(self, context) { check($0, context) }
    }

    static func check(_ f: PCIFunction, _ context: CheckContext) -> CheckResult {
        let source = TargetDevice.configSource(context, f)
        var evidence: [Evidence] = []
        if let enabled = f.ariEnabled {
            evidence.append(.record("\(TargetDevice.sysfs(f.address, "ari_enabled")): \(enabled ? 1 : 0)"))
        }
        if let ari = f.ari {
            let cap = f.capabilities?.first { $0.space == .extended && $0.id == CapabilityID.ari }
            let label = cap?.label ?? "[\(hex(ari.offset, 3))]"
            let capability = "\(source): \(label) Alternative Routing-ID Interpretation (ARI)"
            evidence.insert(Evidence(en: capability + (ari.nextFunction.map { ", next function \($0)" } ?? ""),
                                     es: capability + (ari.nextFunction.map { ", función siguiente \($0)" } ?? "")), at: 0)
            if f.ariEnabled == false {
                evidence.append(Evidence(en: "ARI is not enabled on bus \(hex(f.address.bus, 2)): the port above does not forward it (see ari-forwarding in stage bios)",
                                         es: "ARI no está activado en el bus \(hex(f.address.bus, 2)): el puerto de arriba no lo reenvía (vea ari-forwarding en la etapa bios)"))
            }
            return result(.pass, LocalizedText(
                en: "\(TargetDevice.label(f)) has the ARI capability at \(label).",
                es: "\(TargetDevice.label(f)) tiene la capacidad ARI en \(label)."),
                evidence: evidence, device: f.address)
        }
        if f.extendedCapabilitiesKnown != true {
            evidence.append(.fact(source, en: "extended configuration space not readable", es: "espacio de configuración extendido no legible"))
            if f.ariEnabled == true {
                return result(.note, LocalizedText(
                    en: "The kernel enabled ARI for \(TargetDevice.label(f)), but its extended configuration space could not be read to show the capability.",
                    es: "El kernel activó ARI para \(TargetDevice.label(f)), pero no se pudo leer su espacio de configuración extendido para mostrar la capacidad."),
                    evidence: evidence, hint: SRIOVCapabilityCheck.runAsRoot, device: f.address)
            }
            return result(.warn, LocalizedText(
                en: "Whether \(TargetDevice.label(f)) has the ARI capability is unknown: its extended configuration space could not be read.",
                es: "No se sabe si \(TargetDevice.label(f)) tiene la capacidad ARI: no se pudo leer su espacio de configuración extendido."),
                evidence: evidence, hint: SRIOVCapabilityCheck.runAsRoot, device: f.address)
        }
        evidence.insert(.fact(source, en: "no ARI capability among the extended capabilities", es: "ninguna capacidad ARI entre las capacidades extendidas"), at: 0)
        if let fits = vfsFitWithoutARI(f) {
            let (offset, stride, total) = (f.sriov?.vfOffset ?? 0, f.sriov?.vfStride ?? 0, f.sriov?.totalVFs ?? 0)
            let device = hex(f.address.device, 2)
            evidence.append(Evidence(
                en: "VFs at offset \(offset), stride \(stride) for \(total) VFs: " + (fits ? "all within device \(device) (functions 1-7)" : "beyond device \(device)"),
                es: "VFs en offset \(offset), stride \(stride) para \(total) VFs: " + (fits ? "todas dentro del dispositivo \(device) (funciones 1-7)" : "más allá del dispositivo \(device)")))
            if fits, f.express?.portType == .rootComplexIntegratedEndpoint {
                evidence.append(.fact(f.address.description, en: "PCI Express Root Complex Integrated Endpoint: no port above it",
                                      es: "PCI Express Root Complex Integrated Endpoint: ningún puerto por encima"))
                return result(.pass, LocalizedText(
                    en: "\(TargetDevice.label(f)) needs no ARI: it is a Root Complex Integrated Endpoint with no port above it, and its VFs are functions 1-7 of its own device.",
                    es: "\(TargetDevice.label(f)) no necesita ARI: es un Root Complex Integrated Endpoint sin ningún puerto por encima, y sus VFs son las funciones 1-7 de su propio dispositivo."),
                    evidence: evidence, device: f.address)
            }
            if fits {
                return result(.note, LocalizedText(
                    en: "\(TargetDevice.label(f)) has no ARI capability, but its VFs fit in the functions of its own device, so it does not need ARI.",
                    es: "\(TargetDevice.label(f)) no tiene la capacidad ARI, pero sus VFs caben en las funciones de su propio dispositivo, así que no la necesita."),
                    evidence: evidence, device: f.address)
            }
        }
        return result(.fail, LocalizedText(
            en: "\(TargetDevice.label(f)) has no ARI capability: its VFs lie beyond function 7 and cannot be reached without it.",
            es: "\(TargetDevice.label(f)) no tiene la capacidad ARI: sus VFs quedan más allá de la función 7 y no se pueden alcanzar sin ella."),
            evidence: evidence,
            hint: LocalizedText(
                en: "Look for a PCIe ARI or SR-IOV option in the BIOS/UEFI (stage bios) and update the card's firmware; `lspci -vv -s \(f.address)` must list `Alternative Routing-ID Interpretation (ARI)`. Without ARI the card can use at most 7 VFs in its own slot.",
                es: "Busque una opción PCIe ARI o SR-IOV en la BIOS/UEFI (etapa bios) y actualice el firmware de la tarjeta; `lspci -vv -s \(f.address)` debe mostrar `Alternative Routing-ID Interpretation (ARI)`. Sin ARI la tarjeta puede usar como mucho 7 VFs en su propia ranura."),
            device: f.address)
    }

    /// Whether every VF the device can have sits in functions of the PF's own device number
    /// (PCIe Base Spec 9.3.3.10 routing IDs); nil when offset/stride/TotalVFs are unknown.
    static func vfsFitWithoutARI(_ f: PCIFunction) -> Bool? {
        guard let state = f.sriov, let offset = state.vfOffset, let stride = state.vfStride, let total = state.totalVFs,
              offset >= 0, offset <= 0xffff, stride >= 0, stride <= 0xffff else { return nil }
        guard let addresses = SRIOVCapability.vfAddresses(pf: f.address, offset: UInt16(offset), stride: UInt16(stride), count: total) else {
            return false
        }
        return addresses.allSatisfy { $0.bus == f.address.bus && $0.device == f.address.device }
    }
}
