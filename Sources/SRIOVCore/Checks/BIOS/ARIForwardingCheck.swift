/// `ari-forwarding`: the port right above each SR-IOV PF supports and has enabled ARI
/// forwarding (PCIe Base Spec 7.5.3.15/16, Device Capabilities 2 / Device Control 2 bit 5,
/// PCI_EXP_DEVCAP2_ARI / PCI_EXP_DEVCTL2_ARI). The kernel sets the enable bit itself when the
/// port supports it and the device below has the ARI capability (pci_configure_ari() in
/// drivers/pci/pci.c); without it the port forwards only device 0 (functions 0-7) of its
/// secondary bus, so VFs placed beyond function 7 of that bus are unreachable. A Root Complex
/// Integrated Endpoint has no port above it and needs none.
public enum ARIForwardingCheck: Check {
    public static let id = "ari-forwarding"
    public static let stage = StageID.bios

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let pfs = context.targetPFs
        guard !pfs.isEmpty else {
            return [result(.skip, LocalizedText(
                en: "No SR-IOV physical function found: ARI forwarding is checked for the port above each one.",
                es: "No se encontró ninguna función física SR-IOV: el reenvío ARI se comprueba en el puerto sobre cada una."),
                evidence: [Evidence(
                    en: "PCI inventory (\(context.inventory.source)): \(context.inventory.functions.count) functions, no SR-IOV physical function"
                        + (context.selectedDevice.map { " matching \($0)" } ?? ""),
                    es: "inventario PCI (\(context.inventory.source)): \(context.inventory.functions.count) funciones, ninguna función física SR-IOV"
                        + (context.selectedDevice.map { " que coincida con \($0)" } ?? ""))])]
        }
        let dmi = DMIInfo.read(context.machine)
        let ariMenu = context.knowledge.biosVendor(dmi)?
            .setting("ari", cpu: CPUInfo.read(context.machine)?.vendor)
        let menuEN = ariMenu.map { s in " (" + (0..<s.paths.count).map { s.pathText($0) }.joined(separator: " / ") + (s.value.map { " = \($0)" } ?? "") + ")" } ?? ""
        let noARIParameter = KernelCommandLine.running(context.machine)?.line.all("pci")
            .first { ($0.value ?? "").split(separator: ",").contains("noari") }
        return pfs.map { check($0, context: context, menu: menuEN, noARI: noARIParameter?.text) }
    }

    static func check(_ pf: PCIFunction, context: CheckContext, menu: String, noARI: String?) -> CheckResult {
        let address = pf.address
        var evidence: [Evidence] = []
        if let ari = pf.ari {
            evidence.append(.fact(address.description, en: "ARI capability at 0x\(hex(ari.offset, 3))", es: "capacidad ARI en 0x\(hex(ari.offset, 3))"))
        } else if pf.hasARI == false {
            evidence.append(.fact(address.description, en: "no ARI capability", es: "sin capacidad ARI"))
        }
        if let enabled = pf.ariEnabled { evidence.append(.record("\(SysfsInventory.devicesPath)/\(address)/ari_enabled: \(enabled ? 1 : 0)")) }
        if let noARI { evidence.append(.record("\(KernelCommandLine.procPath): \(noARI)")) }

        if pf.express?.portType == .rootComplexIntegratedEndpoint {
            evidence.append(.record("\(address): PCI Express Root Complex Integrated Endpoint"))
            return result(.pass, LocalizedText(
                en: "\(address) is a Root Complex Integrated Endpoint: there is no port above it, so ARI forwarding does not apply.",
                es: "\(address) es un Root Complex Integrated Endpoint: no hay ningún puerto por encima, así que el reenvío ARI no se aplica."),
                evidence: evidence, device: address)
        }
        guard let port = context.upstreamPort(of: pf) else {
            return result(.note, LocalizedText(
                en: "The port above \(address) was not found in the inventory (bus \(hex(address.bus, 2))): ARI forwarding cannot be checked.",
                es: "No se encontró en el inventario el puerto sobre \(address) (bus \(hex(address.bus, 2))): no se puede comprobar el reenvío ARI."),
                evidence: evidence, device: address)
        }
        let portName = port.express?.portType?.name ?? "bridge"
        guard let express = port.express else {
            evidence.append(.fact("\(port.address) (\(portName))", en: "PCI Express capability not read", es: "capacidad PCI Express no leída"))
            return result(.note, LocalizedText(
                en: "The configuration space of \(port.address), the port above \(address), could not be read fully: ARI forwarding cannot be checked.",
                es: "No se pudo leer completo el espacio de configuración de \(port.address), el puerto sobre \(address): no se puede comprobar el reenvío ARI."),
                evidence: evidence,
                hint: LocalizedText(en: "Run as root: config space beyond 64 bytes is readable only by root.",
                                    es: "Ejecute como root: el espacio de configuración más allá de 64 bytes solo lo puede leer root."),
                device: address)
        }
        let supported = express.ariForwardingSupported
        let enabled = express.ariForwardingEnabled
        func flag(_ b: Bool?, _ unreadable: String) -> String { b.map { $0 ? "ARIFwd+" : "ARIFwd-" } ?? unreadable }
        evidence.append(Evidence(
            en: "\(port.address) (\(portName), PCIe cap v\(express.version) at 0x\(hex(express.offset, 2))): DevCap2 \(flag(supported, "not readable")), DevCtl2 \(flag(enabled, "not readable"))",
            es: "\(port.address) (\(portName), PCIe cap v\(express.version) en 0x\(hex(express.offset, 2))): DevCap2 \(flag(supported, "no legible")), DevCtl2 \(flag(enabled, "no legible"))"))

        if supported == true && enabled == true {
            return result(.pass, LocalizedText(
                en: "\(port.address), the port above \(address), supports ARI forwarding and has it enabled.",
                es: "\(port.address), el puerto sobre \(address), admite el reenvío ARI y lo tiene activado."),
                evidence: evidence, device: address)
        }
        if supported == nil {
            return result(.note, LocalizedText(
                en: "Whether \(port.address), the port above \(address), supports ARI forwarding could not be read" + (express.version < 2 ? " (PCIe capability version 1 has no DevCap2)." : "."),
                es: "No se pudo leer si \(port.address), el puerto sobre \(address), admite el reenvío ARI" + (express.version < 2 ? " (la versión 1 de la capacidad PCIe no tiene DevCap2)." : ".")),
                evidence: evidence, device: address)
        }
        if supported == false {
            return result(.warn, LocalizedText(
                en: "\(port.address), the port above \(address), does not support ARI forwarding: only the functions of device 0 on bus \(hex(address.bus, 2)) are reachable, so VFs placed beyond function 7 cannot be used (often at most 7 VFs).",
                es: "\(port.address), el puerto sobre \(address), no admite el reenvío ARI: solo se alcanzan las funciones del dispositivo 0 del bus \(hex(address.bus, 2)), así que las VFs situadas más allá de la función 7 no se pueden usar (a menudo 7 VFs como máximo)."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Enable ARI support in the BIOS/UEFI setup\(menu) and update the firmware; otherwise move the card to a slot on a port that supports ARI (a CPU root port rather than a chipset one).",
                    es: "Active el soporte ARI en la configuración de la BIOS/UEFI\(menu) y actualice el firmware; si no, mueva la tarjeta a una ranura de un puerto que admita ARI (un puerto raíz de la CPU en vez de uno del chipset)."),
                device: address)
        }
        // Supported but not enabled.
        if pf.hasARI == false {
            return result(.note, LocalizedText(
                en: "\(port.address) supports ARI forwarding but it is off because \(address) has no ARI capability; its VFs must fit in the 8 functions of device 0.",
                es: "\(port.address) admite el reenvío ARI pero está desactivado porque \(address) no tiene la capacidad ARI; sus VFs deben caber en las 8 funciones del dispositivo 0."),
                evidence: evidence, device: address)
        }
        return result(.warn, LocalizedText(
            en: "\(port.address), the port above \(address), supports ARI forwarding but it is not enabled" + (noARI != nil ? " (the kernel was booted with `\(noARI!)`)." : "."),
            es: "\(port.address), el puerto sobre \(address), admite el reenvío ARI pero no está activado" + (noARI != nil ? " (el kernel arrancó con `\(noARI!)`)." : ".")),
            evidence: evidence,
            hint: noARI != nil
                ? LocalizedText(en: "Remove `\(noARI!)` from the kernel command line and reboot.",
                                es: "Quite `\(noARI!)` de la línea de comandos del kernel y reinicie.")
                : LocalizedText(en: "The kernel enables it at boot when both sides support ARI: enable ARI support in the BIOS/UEFI setup\(menu) and reboot.",
                                es: "El kernel lo activa al arrancar cuando ambos lados admiten ARI: active el soporte ARI en la BIOS/UEFI\(menu) y reinicie."),
            device: address)
    }
}
