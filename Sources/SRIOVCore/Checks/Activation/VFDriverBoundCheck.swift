/// `vf-driver-bound`: every VF is bound to its VF driver (igbvf, iavf, ...) or to vfio-pci;
/// both are fine (Proxmox rebinds to vfio-pci when a VM starts). Read from each VF's sysfs
/// `driver` link and the PF's `sriov_drivers_autoprobe` (Documentation/ABI/testing/
/// sysfs-bus-pci: with 0 the kernel binds no driver to new VFs, and a manual bind needs
/// `driver_override`). NVMe VFs are secondary controllers that start offline without queue
/// resources (NVMe 1.4 Virtualization Enhancements); the nvme driver then fails to bind
/// (`Device not ready; aborting initialisation, CSTS=0x2`, ../shared/lab/README.md), so an
/// unbound NVMe VF is not usable and is never reported as such.
public enum VFDriverBoundCheck: Check {
    public static let id = "vf-driver-bound"
    public static let stage = StageID.activation

    public static let vfio = "vfio-pci"

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let targets = context.targetPFs
        guard !targets.isEmpty else { return [TargetDevice.nothingToCheck(self, context)] }
        var modprobe: ModprobeConfig?
        return targets.map { f in
            guard f.role == .pf else { return TargetDevice.notAPF(self, f) }
            guard !context.vfs(of: f).isEmpty else { return TargetDevice.noVFs(self, context, f) }
            if modprobe == nil { modprobe = ModprobeConfig.read(context.machine) }
            return check(f, context, modprobe!)
        }
    }

    /// How one VF is bound.
    enum Binding: Equatable {
        case vfDriver(String), vfio, other(String), unbound
    }

    static func binding(_ vf: PCIFunction, expected: String?) -> Binding {
        guard let driver = vf.driver else { return .unbound }
        if driver == vfio { return .vfio }
        if driver == expected { return .vfDriver(driver) }
        return expected == nil ? .vfDriver(driver) : .other(driver)
    }

    static func check(_ pf: PCIFunction, _ context: CheckContext, _ modprobe: ModprobeConfig) -> CheckResult {
        if let igpu = igpuVFsOnHost(pf, context) { return igpu }
        let label = TargetDevice.label(pf)
        let expected = TargetDevice.vfDriver(context, pf)
        let vfs = context.vfs(of: pf)
        var evidence: [Evidence] = []
        var groups: [String: [PCIAddress]] = [:]
        var unbound: [PCIAddress] = []
        var others: [PCIAddress] = []
        for vf in vfs {
            let b = binding(vf, expected: expected)
            let netdev = vf.netdevs.isEmpty ? "" : " (\(vf.netdevs.joined(separator: ", ")))"
            let link = "\(TargetDevice.sysfs(vf.address, "driver")): "
            evidence.append(Evidence(en: link + (vf.driver.map { "-> \($0)" } ?? "none") + netdev, es: link + (vf.driver.map { "-> \($0)" } ?? "ninguno") + netdev))
            switch b {
            case .vfDriver(let d): groups[d, default: []].append(vf.address)
            case .vfio: groups[vfio, default: []].append(vf.address)
            case .other(let d): groups[d, default: []].append(vf.address); others.append(vf.address)
            case .unbound: unbound.append(vf.address)
            }
        }
        let autoprobe = pf.sriov?.driversAutoprobe
        if let autoprobe { evidence.append(.record("\(TargetDevice.sysfs(pf.address, "sriov_drivers_autoprobe")): \(autoprobe ? 1 : 0)")) }
        if let expected { evidence.append(Evidence(en: "knowledge: \(pf.driver ?? "?") VFs use \(expected)", es: "knowledge: las VFs de \(pf.driver ?? "?") usan \(expected)")) }

        let boundText = groups.keys.sorted().map { d in
            "\(groups[d]!.count) to \(d)" + (d == vfio ? " (ready for passthrough)" : "")
        }.joined(separator: ", ")
        let boundTextES = groups.keys.sorted().map { d in
            "\(groups[d]!.count) a \(d)" + (d == vfio ? " (listas para passthrough)" : "")
        }.joined(separator: ", ")

        if unbound.isEmpty {
            if !others.isEmpty {
                return result(.note, LocalizedText(
                    en: "All \(vfs.count) VFs of \(label) are bound: \(boundText); \(others.count) to a driver other than \(expected ?? "the VF driver") or vfio-pci.",
                    es: "Las \(vfs.count) VFs de \(label) están asociadas: \(boundTextES); \(others.count) a un controlador distinto de \(expected ?? "el de VF") o vfio-pci."),
                    evidence: evidence,
                    hint: LocalizedText(
                        en: "Check that this is intended; for passthrough bind them to vfio-pci (Proxmox does it when the VM starts) or to \(expected ?? "the VF driver") for use on the host.",
                        es: "Compruebe que es lo que quiere; para passthrough asócielas a vfio-pci (Proxmox lo hace al arrancar la VM) o a \(expected ?? "el controlador de VF") para usarlas en el host."),
                    device: pf.address)
            }
            return result(.pass, LocalizedText(
                en: "All \(vfs.count) VFs of \(label) are bound: \(boundText).",
                es: "Las \(vfs.count) VFs de \(label) están asociadas: \(boundTextES)."),
                evidence: evidence, device: pf.address)
        }

        let list = unbound.count <= 4 ? unbound.map(\.description).joined(separator: ", ")
            : "\(unbound.first!) .. \(unbound.last!)"
        let first = unbound[0]
        let driverToBind = expected ?? vfio
        let bind = "echo \(driverToBind) > \(TargetDevice.sysfs(first, "driver_override")); echo \(first) > /sys/bus/pci/drivers_probe"
        let summaryBound = groups.isEmpty ? "" : " (\(boundText))"
        let summaryBoundES = groups.isEmpty ? "" : " (\(boundTextES))"

        if TargetDevice.isNVMe(pf) {
            let controller = (try? context.machine.list(TargetDevice.sysfs(pf.address, "nvme")))?.first { $0.hasPrefix("nvme") } ?? "nvme0"
            let recipe = LocalizedText(
                en: "NVMe VFs are secondary controllers that start offline with no queue or interrupt resources. For each VF (`nvme list-secondary /dev/\(controller)` shows them): `echo 0 > \(TargetDevice.sysfs(pf.address, "sriov_numvfs"))`; `nvme virt-mgmt /dev/\(controller) -c SCID -r 0 -n 2 -a 8` (queues) and `-r 1 -n 1 -a 8` (interrupts); `echo 0 > \(TargetDevice.sysfs(pf.address, "sriov_drivers_autoprobe"))`; `echo \(vfs.count) > \(TargetDevice.sysfs(pf.address, "sriov_numvfs"))`; `nvme virt-mgmt /dev/\(controller) -c SCID -a 9` (online); then `echo nvme > \(TargetDevice.sysfs(first, "driver_override")); echo \(first) > /sys/bus/pci/drivers_probe` (or vfio-pci for passthrough).",
                es: "Las VFs NVMe son controladores secundarios que arrancan desconectados, sin recursos de colas ni interrupciones. Para cada VF (`nvme list-secondary /dev/\(controller)` las muestra): `echo 0 > \(TargetDevice.sysfs(pf.address, "sriov_numvfs"))`; `nvme virt-mgmt /dev/\(controller) -c SCID -r 0 -n 2 -a 8` (colas) y `-r 1 -n 1 -a 8` (interrupciones); `echo 0 > \(TargetDevice.sysfs(pf.address, "sriov_drivers_autoprobe"))`; `echo \(vfs.count) > \(TargetDevice.sysfs(pf.address, "sriov_numvfs"))`; `nvme virt-mgmt /dev/\(controller) -c SCID -a 9` (en línea); después `echo nvme > \(TargetDevice.sysfs(first, "driver_override")); echo \(first) > /sys/bus/pci/drivers_probe` (o vfio-pci para passthrough).")
            if autoprobe != false {
                return result(.fail, LocalizedText(
                    en: "\(unbound.count) of \(vfs.count) NVMe VFs of \(label) have no driver (\(list)): the nvme driver failed on them because they are offline, so they are not usable\(summaryBound).",
                    es: "\(unbound.count) de \(vfs.count) VFs NVMe de \(label) no tienen controlador (\(list)): el controlador nvme falló con ellas porque están desconectadas, así que no se pueden usar\(summaryBoundES)."),
                    evidence: evidence, hint: recipe, device: pf.address)
            }
            return result(.warn, LocalizedText(
                en: "\(unbound.count) of \(vfs.count) NVMe VFs of \(label) have no driver (\(list)) and sriov_drivers_autoprobe is 0; until one is bound it is not known whether they are online\(summaryBound).",
                es: "\(unbound.count) de \(vfs.count) VFs NVMe de \(label) no tienen controlador (\(list)) y sriov_drivers_autoprobe es 0; hasta asociar uno no se sabe si están en línea\(summaryBoundES)."),
                evidence: evidence, hint: recipe, device: pf.address)
        }

        if autoprobe == false {
            return result(.warn, LocalizedText(
                en: "\(unbound.count) of \(vfs.count) VFs of \(label) have no driver (\(list)): sriov_drivers_autoprobe is 0, so the kernel binds none to new VFs\(summaryBound).",
                es: "\(unbound.count) de \(vfs.count) VFs de \(label) no tienen controlador (\(list)): sriov_drivers_autoprobe es 0, así que el kernel no asocia ninguno a las VFs nuevas\(summaryBoundES)."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "Bind each VF with driver_override (needed while autoprobe is 0), e.g. `\(bind)`; or `echo 1 > \(TargetDevice.sysfs(pf.address, "sriov_drivers_autoprobe"))` before creating the VFs. For passthrough only, Proxmox binds vfio-pci itself when the VM starts.",
                    es: "Asocie cada VF con driver_override (necesario mientras autoprobe es 0), p. ej. `\(bind)`; o `echo 1 > \(TargetDevice.sysfs(pf.address, "sriov_drivers_autoprobe"))` antes de crear las VFs. Solo para passthrough, Proxmox asocia vfio-pci él mismo al arrancar la VM."),
                device: pf.address)
        }

        var causeEN = "", causeES = ""
        if let expected, let line = modprobe.blacklist(module: expected).first {
            evidence.append(.record("\(line.location): blacklist \(line.module)"))
            causeEN = " \(expected) is blacklisted at \(line.location): remove that line if the host should use the VFs."
            causeES = " \(expected) está en la lista negra en \(line.location): quite esa línea si el host debe usar las VFs."
        }
        let load = expected.map { "`modprobe \($0)`" } ?? "the VF driver"
        return result(.warn, LocalizedText(
            en: "\(unbound.count) of \(vfs.count) VFs of \(label) have no driver (\(list))\(summaryBound).",
            es: "\(unbound.count) de \(vfs.count) VFs de \(label) no tienen controlador (\(list))\(summaryBoundES)."),
            evidence: evidence,
            hint: LocalizedText(
                en: "Load \(load) and check `dmesg` for why it did not bind, or bind one by hand: `\(bind)`.\(causeEN) For passthrough only, Proxmox binds vfio-pci itself when the VM starts.",
                es: "Cargue \(load == "the VF driver" ? "el controlador de VF" : load) y revise en `dmesg` por qué no se asoció, o asocie una a mano: `\(bind)`.\(causeES) Solo para passthrough, Proxmox asocia vfio-pci él mismo al arrancar la VM."),
            device: pf.address)
    }

    /// The udev rule that keeps iGPU VFs away from the host's i915/xe (i915-sriov-dkms
    /// docs/block-vfs.md): set driver_override before the first probe.
    static let igpuVFIORule = #"ACTION=="add", SUBSYSTEM=="pci", KERNEL=="0000:00:02.[1-7]", ATTR{vendor}=="0x8086", ATTR{driver_override}="vfio-pci""#
    static let igpuVFIORuleFile = "/etc/udev/rules.d/99-sriov-wizard-igpu-vfio.rules"

    /// iGPU VFs bound to the host's i915/xe: host apps, desktops and media servers grab
    /// them (and the host GUI can crash when one is taken for a VM).
    static func igpuVFsOnHost(_ pf: PCIFunction, _ context: CheckContext) -> CheckResult? {
        guard GPUHost.isIntelIGPU(pf) else { return nil }
        let vfs = context.vfs(of: pf)
        let onHost = vfs.filter { $0.driver == "i915" || $0.driver == "xe" }
        guard let first = onHost.first else { return nil }
        var evidence = vfs.map { vf in
            let link = "\(TargetDevice.sysfs(vf.address, "driver")): "
            return Evidence(en: link + (vf.driver.map { "-> \($0)" } ?? "none"), es: link + (vf.driver.map { "-> \($0)" } ?? "ninguno"))
        }
        evidence.append(Evidence(en: "\(onHost.count) of \(vfs.count) VFs on the host's \(first.driver!)", es: "\(onHost.count) de \(vfs.count) VFs en el \(first.driver!) del host"))
        let now = "echo vfio-pci > \(TargetDevice.sysfs(first.address, "driver_override")); echo \(first.address) > /sys/bus/pci/drivers/\(first.driver!)/unbind; echo \(first.address) > /sys/bus/pci/drivers_probe"
        return result(.warn, LocalizedText(
            en: "\(onHost.count) of \(vfs.count) VFs of \(TargetDevice.label(pf)) are on the host's \(first.driver!): host applications, desktops and media servers can grab them.",
            es: "\(onHost.count) de \(vfs.count) VFs de \(TargetDevice.label(pf)) están en el \(first.driver!) del host: aplicaciones, escritorios y servidores multimedia del host pueden tomarlas."),
            evidence: evidence,
            hint: LocalizedText(
                en: "Bind them to vfio-pci at creation: `echo '\(igpuVFIORule)' > \(igpuVFIORuleFile)` and `udevadm control --reload` (vfio-pci must be loaded: stage prerequisites), then recreate the VFs; or now, per VF: `\(now)`. Afterwards only card0/renderD128 remain in /dev/dri.",
                es: "Asócielas a vfio-pci al crearlas: `echo '\(igpuVFIORule)' > \(igpuVFIORuleFile)` y `udevadm control --reload` (vfio-pci debe estar cargado: etapa de requisitos) y vuelva a crear las VFs; o ahora, por VF: `\(now)`. Después solo quedan card0/renderD128 en /dev/dri."),
            device: pf.address)
    }
}

extension VFDriverBoundCheck {
    /// The NVMe controller names of a PF (`nvme/nvme0`), for the secondary-controller recipe.
    public static let reads = HostReads("VFDriverBoundCheck", paths: [.directory(SysfsInventory.devicesPath + "/{pci}/nvme/nvme*")])
}
