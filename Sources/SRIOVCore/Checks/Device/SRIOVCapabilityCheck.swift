/// `sriov-capability`: the device has the SR-IOV extended capability (PCI_EXT_CAP_ID_SRIOV,
/// PCIe Base Spec 9.3.3), as `lspci -vv -d ::200 | grep IOV` shows it (`[160 v1] Single Root
/// I/O Virtualization (SR-IOV)`). Read from the decoded configuration space
/// (`/sys/bus/pci/devices/ADDR/config`: 4096 bytes for root, 64 for anyone else) and from the
/// kernel's `sriov_totalvfs`, which drivers/pci/iov.c creates only for PFs. This is the one
/// device check that fails when no SR-IOV device is found, so that stage 3 says why.
public enum SRIOVCapabilityCheck: Check {
    public static let id = "sriov-capability"
    public static let stage = StageID.device

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let targets = context.targetPFs
        guard !targets.isEmpty else { return [nothingFound(context)] }
        return targets.map { check($0, context) }
    }

    static func check(_ f: PCIFunction, _ context: CheckContext) -> CheckResult {
        let source = TargetDevice.configSource(context, f)
        var evidence: [Evidence] = []
        let extended = (f.capabilities ?? []).filter { $0.space == .extended }
        if !extended.isEmpty {
            let list = extended.map { "\($0.label) \($0.name)" }.joined(separator: ", ")
            evidence.append(.fact(source, en: "extended capabilities " + list, es: "capacidades extendidas " + list))
        }
        if f.capabilityChainLooped { evidence.append(.fact(source, en: "the capability chain loops (cut at the repeated entry)", es: "la cadena de capacidades forma un bucle (cortada en la entrada repetida)")) }
        if let total = f.sriov?.totalVFs, f.sriov?.source == "sysfs" {
            evidence.append(.fact(TargetDevice.sysfs(f.address, "sriov_totalvfs"), en: "\(total) (the kernel lists it for PFs only)", es: "\(total) (el kernel solo lo muestra en las PFs)"))
        }
        if let cap = f.capabilities?.first(where: { $0.space == .extended && $0.id == CapabilityID.sriov }) ?? f.sriov?.capability.map({
            Capability(space: .extended, id: CapabilityID.sriov, offset: $0.offset, version: $0.version)
        }) {
            return result(.pass, LocalizedText(
                en: "\(TargetDevice.label(f)) has the SR-IOV capability at \(cap.label).",
                es: "\(TargetDevice.label(f)) tiene la capacidad SR-IOV en \(cap.label)."),
                evidence: evidence, device: f.address)
        }
        if f.role == .pf {
            // The kernel says PF (sysfs sriov_totalvfs) but the config space was not readable
            // far enough to show where the capability is.
            let read = f.capabilities == nil ? "64" : "256"
            evidence.append(.fact(source, en: "extended configuration space not readable (\(read)-byte read)", es: "espacio de configuración extendido no legible (lectura de \(read) bytes)"))
            return result(.note, LocalizedText(
                en: "The kernel reports \(TargetDevice.label(f)) as an SR-IOV device, but its extended configuration space could not be read to show the capability.",
                es: "El kernel indica que \(TargetDevice.label(f)) es un dispositivo SR-IOV, pero no se pudo leer su espacio de configuración extendido para mostrar la capacidad."),
                evidence: evidence, hint: runAsRoot, device: f.address)
        }
        if f.extendedCapabilitiesKnown == true {
            if extended.isEmpty { evidence.append(.fact(source, en: "no extended capabilities", es: "sin capacidades extendidas")) }
            // A GPU without SR-IOV (consumer cards): what the vendor offers instead (gpu.json).
            if GPUHost.kind(f) != nil, let vendor = f.vendorID, let gpu = context.knowledge.gpu?.noSRIOV(vendorID: vendor) {
                evidence.append(Evidence(en: "knowledge: gpu.json noSRIOV \(gpu.vendorID) (checked \(gpu.checked))", es: "knowledge: gpu.json noSRIOV \(gpu.vendorID) (revisado \(gpu.checked))"))
                return result(.fail, LocalizedText(
                    en: "\(TargetDevice.label(f)) has no SR-IOV capability: it cannot create VFs.",
                    es: "\(TargetDevice.label(f)) no tiene la capacidad SR-IOV: no puede crear VFs."),
                    evidence: evidence, hint: gpu.text.localized, device: f.address)
            }
            return result(.fail, LocalizedText(
                en: "\(TargetDevice.label(f)) has no SR-IOV capability: it cannot create VFs.",
                es: "\(TargetDevice.label(f)) no tiene la capacidad SR-IOV: no puede crear VFs."),
                evidence: evidence, hint: noDeviceHint, device: f.address)
        }
        evidence.append(.fact(source, en: "extended configuration space not readable", es: "espacio de configuración extendido no legible"))
        return result(.warn, LocalizedText(
            en: "Whether \(TargetDevice.label(f)) has the SR-IOV capability is unknown: its extended configuration space could not be read.",
            es: "No se sabe si \(TargetDevice.label(f)) tiene la capacidad SR-IOV: no se pudo leer su espacio de configuración extendido."),
            evidence: evidence, hint: runAsRoot, device: f.address)
    }

    static func nothingFound(_ context: CheckContext) -> CheckResult {
        if let selected = context.selectedDevice {
            return result(.fail, LocalizedText(
                en: "Device \(selected) is not on this host.",
                es: "El dispositivo \(selected) no está en este host."),
                evidence: [.fact(SysfsInventory.devicesPath, en: "no \(selected)", es: "no hay \(selected)")],
                hint: LocalizedText(
                    en: "List the devices with `sriov-wizard devices` (or `lspci -D -d ::200`) and pass one of their addresses to --device.",
                    es: "Liste los dispositivos con `sriov-wizard devices` (o `lspci -D -d ::200`) y pase una de sus direcciones a --device."),
                device: selected)
        }
        // PCIe functions whose extended capabilities could not be read may hide an SR-IOV PF.
        let unknown = context.inventory.functions.filter { $0.role == .none && $0.extendedCapabilitiesKnown == false }
        let evidence = [Evidence(en: "inventory (\(context.inventory.source)): \(context.inventory.functions.count) PCI functions, none with the SR-IOV capability",
                              es: "inventario (\(context.inventory.source)): \(context.inventory.functions.count) funciones PCI, ninguna con la capacidad SR-IOV")]
        if !unknown.isEmpty {
            let listed = unknown.prefix(8).map(\.address.description).joined(separator: ", ") + (unknown.count > 8 ? ", …" : "")
            return result(.warn, LocalizedText(
                en: "No SR-IOV device found, but the extended configuration space of \(unknown.count) PCI functions could not be read, so one may have been missed.",
                es: "No se encontró ningún dispositivo SR-IOV, pero no se pudo leer el espacio de configuración extendido de \(unknown.count) funciones PCI, así que alguno puede haberse pasado por alto."),
                evidence: evidence + [Evidence(en: "extended configuration space unreadable: \(listed)", es: "espacio de configuración extendido ilegible: \(listed)")], hint: runAsRoot)
        }
        // GPUs without SR-IOV on this host (a GeForce, a Radeon): say what their vendor offers
        // instead (gpu.json noSRIOV), after the generic words.
        var hint = noDeviceHint
        var gpuEvidence: [Evidence] = []
        var vendorsSaid: Set<String> = []
        for f in context.inventory.functions where f.role == .none && GPUHost.kind(f) != nil {
            guard let vendor = f.vendorID, let gpu = context.knowledge.gpu?.noSRIOV(vendorID: vendor) else { continue }
            let ids = "\(hex(vendor, 4)):\(f.deviceID.map { hex($0, 4) } ?? "????")"
            gpuEvidence.append(.fact(f.address.description, en: "GPU \(ids) without SR-IOV", es: "GPU \(ids) sin SR-IOV"))
            if vendorsSaid.insert(gpu.vendorID).inserted {
                hint = LocalizedText(en: hint.en + " GPU \(f.address): " + gpu.text.en, es: hint.es + " GPU \(f.address): " + gpu.text.es)
            }
        }
        return result(.fail, LocalizedText(
            en: "No SR-IOV capable device found.",
            es: "No se encontró ningún dispositivo con capacidad SR-IOV."),
            evidence: evidence + gpuEvidence, hint: hint)
    }

    static let runAsRoot = LocalizedText(
        en: "Run the wizard as root (`sudo sriov-wizard check`): only root can read the extended configuration space (`/sys/bus/pci/devices/ADDR/config` beyond 64 bytes; `lspci -vv` prints `<access denied>` otherwise).",
        es: "Ejecute el asistente como root (`sudo sriov-wizard check`): solo root puede leer el espacio de configuración extendido (`/sys/bus/pci/devices/ADDR/config` más allá de 64 bytes; si no, `lspci -vv` muestra `<access denied>`).")

    static let noDeviceHint = LocalizedText(
        en: "SR-IOV needs a device that offers it (e.g. Intel 82576/I350/X520/X710/E810, Mellanox ConnectX-4 or later, Broadcom NetXtreme-E); `lspci -vv -d ::200 | grep IOV` must show `SR-IOV`. On some cards it must first be enabled in the BIOS/UEFI (stage bios) or in the card's firmware (Mellanox: `mstconfig -d ADDR set SRIOV_EN=1 NUM_OF_VFS=8`, then reboot).",
        es: "SR-IOV necesita un dispositivo que lo ofrezca (p. ej. Intel 82576/I350/X520/X710/E810, Mellanox ConnectX-4 o posterior, Broadcom NetXtreme-E); `lspci -vv -d ::200 | grep IOV` debe mostrar `SR-IOV`. En algunas tarjetas hay que activarlo antes en la BIOS/UEFI (etapa bios) o en el firmware de la tarjeta (Mellanox: `mstconfig -d ADDR set SRIOV_EN=1 NUM_OF_VFS=8` y reiniciar).")
}
