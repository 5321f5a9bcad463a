import HostAccess

/// What the stage 3 and 4 checks share: naming a device, the sysfs paths they quote in
/// evidence (Documentation/ABI/testing/sysfs-bus-pci), and the one `skip` result given when
/// there is no SR-IOV device to look at (`sriov-capability` alone fails then, with the fix).
enum TargetDevice {
    /// `0000:01:00.0 (igb, enp1s0)`.
    static func label(_ f: PCIFunction) -> String {
        let details = ([f.driver].compactMap { $0 } + f.netdevs)
        return details.isEmpty ? f.address.description : "\(f.address) (\(details.joined(separator: ", ")))"
    }

    /// `/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs`
    static func sysfs(_ address: PCIAddress, _ attribute: String) -> String {
        SysfsInventory.devicesPath + "/" + address.description + "/" + attribute
    }

    /// Where config-space facts come from, for evidence: the sysfs `config` file, or lspci.
    static func configSource(_ context: CheckContext, _ f: PCIFunction) -> String {
        context.inventory.source == "sysfs" ? sysfs(f.address, "config") : "lspci"
    }

    /// Where the kernel's SR-IOV attributes come from: sysfs, or config space via lspci.
    static func stateSource(_ context: CheckContext, _ f: PCIFunction, _ attribute: String) -> String {
        f.sriov?.source == "sysfs" ? sysfs(f.address, attribute) : configSource(context, f)
    }

    /// The one result of a device-level check when there is nothing to look at.
    static func nothingToCheck<C: Check>(_ check: C.Type, _ context: CheckContext) -> CheckResult {
        if let selected = context.selectedDevice, context.inventory.function(selected) == nil {
            return check.result(.skip, LocalizedText(
                en: "Device \(selected) is not on this host; nothing to check.",
                es: "El dispositivo \(selected) no está en este host; no hay nada que comprobar."),
                evidence: [.fact(SysfsInventory.devicesPath, en: "no \(selected)", es: "no hay \(selected)")], device: selected)
        }
        return check.result(.skip, LocalizedText(
            en: "No SR-IOV capable device found; nothing to check (see sriov-capability).",
            es: "No se encontró ningún dispositivo con SR-IOV; no hay nada que comprobar (vea sriov-capability)."),
            evidence: [Evidence(en: "inventory (\(context.inventory.source)): \(context.inventory.functions.count) PCI functions, none with the SR-IOV capability",
                              es: "inventario (\(context.inventory.source)): \(context.inventory.functions.count) funciones PCI, ninguna con la capacidad SR-IOV")])
    }

    /// The skip given for a chosen device (`--device`) that is not an SR-IOV PF.
    /// Runs `body` for each target PF: one skip when there is none, a skip for a target
    /// that is not a PF (e.g. a `--device` VF without its PF).
    static func eachPF<C: Check>(_ check: C.Type, _ context: CheckContext, _ body: (PCIFunction) -> CheckResult) -> [CheckResult] {
        let targets = context.targetPFs
        guard !targets.isEmpty else { return [nothingToCheck(check, context)] }
        return targets.map { f in f.role == .pf ? body(f) : notAPF(check, f) }
    }

    static func notAPF<C: Check>(_ check: C.Type, _ f: PCIFunction) -> CheckResult {
        check.result(.skip, LocalizedText(
            en: "\(f.address) is not an SR-IOV physical function; nothing to check (see sriov-capability).",
            es: "\(f.address) no es una función física SR-IOV; no hay nada que comprobar (vea sriov-capability)."),
            device: f.address)
    }

    /// The skip given for a PF that has no VFs right now (stage 4 checks after `vfs-enabled`).
    /// When sriov_numvfs says there are VFs but none is in the inventory (a snapshot where
    /// `apply` wrote the count after it was taken: only the host's kernel creates VFs), the
    /// skip says so instead of contradicting `vfs-enabled`.
    static func noVFs<C: Check>(_ check: C.Type, _ context: CheckContext, _ pf: PCIFunction) -> CheckResult {
        if let n = pf.sriov?.numVFs, n > 0 {
            return check.result(.skip, LocalizedText(
                en: "\(label(pf)) has \(count(n, "VF", "VFs")) set in sriov_numvfs, but \(n == 1 ? "it is" : "they are") not in \(context.machine.isLive ? "sysfs yet" : "this snapshot (the host's kernel creates them)"); nothing to check until \(n == 1 ? "it exists" : "they exist").",
                es: "\(label(pf)) tiene \(count(n, "VF", "VFs")) en sriov_numvfs, pero no \(n == 1 ? "está" : "están") \(context.machine.isLive ? "todavía en sysfs" : "en esta instantánea (las crea el kernel del host)"); no hay nada que comprobar hasta que \(n == 1 ? "exista" : "existan")."),
                evidence: [.record("\(stateSource(context, pf, "sriov_numvfs")): \(n)"), .record("\(sysfs(pf.address, "virtfn*")): 0")],
                device: pf.address)
        }
        return check.result(.skip, LocalizedText(
            en: "\(label(pf)) has no VFs enabled; nothing to check yet (see vfs-enabled).",
            es: "\(label(pf)) no tiene VFs activadas; todavía no hay nada que comprobar (vea vfs-enabled)."),
            evidence: [numVFsEvidence(context, pf)],
            device: pf.address)
    }

    /// `/sys/bus/pci/devices/ADDR/driver -> DRIVER` (`none` when no driver is bound).
    static func driverEvidence(_ f: PCIFunction) -> Evidence {
        let link = sysfs(f.address, "driver")
        if let driver = f.driver { return .record("\(link) -> \(driver)") }
        return Evidence(en: "\(link) -> none", es: "\(link) -> ninguno")
    }

    /// `SOURCE: N` of sriov_numvfs (`unknown` when it could not be read).
    static func numVFsEvidence(_ context: CheckContext, _ pf: PCIFunction) -> Evidence {
        let source = stateSource(context, pf, "sriov_numvfs")
        if let n = pf.sriov?.numVFs { return .record("\(source): \(n)") }
        return .fact(source, en: "unknown", es: "desconocido")
    }

    /// The VF driver the PF's driver pairs with (igb -> igbvf), from the knowledge.
    static func vfDriver(_ context: CheckContext, _ pf: PCIFunction) -> String? {
        pf.driver.flatMap { context.knowledge.driver($0)?.vfDriver }
    }

    /// Whether a PF is an NVMe controller (class 01:08): its VFs are secondary controllers
    /// that start offline (NVMe 1.4 Virtualization Enhancements; QEMU docs/system/devices/nvme.rst).
    static func isNVMe(_ f: PCIFunction) -> Bool {
        f.driver == "nvme" || (f.classCode.map { $0 >> 8 == 0x0108 } ?? false)
    }

    /// `7 VFs` / `1 VF`.
    static func count(_ n: Int, _ singular: String, _ plural: String) -> String { "\(n) \(n == 1 ? singular : plural)" }
}
