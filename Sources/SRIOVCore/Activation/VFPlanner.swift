import Foundation
import HostAccess

/// How `apply --vfs` creates VFs.
public enum VFMethodChoice: String, Sendable, CaseIterable {
    /// sysfs + udev rule (works for every SR-IOV driver, keyed on this PF only).
    case auto
    /// The driver's module option (igb/ixgbe `max_vfs`), for every port of the driver.
    case modprobe
    /// `sriov_numvfs` now, and a udev rule that writes it again whenever the PF driver binds.
    case sysfs
}

/// Plans VFs for one PF (Documentation/PCI/pci-iov-howto.rst, drivers/pci/iov.c).
///
/// The sysfs way persists with a udev rule in /etc/udev/rules.d (udev ships with every
/// Proxmox/Debian host, no extra package). It matches `ACTION=="add|bind"`: the kernel sends
/// `bind` after the driver's probe, when `sriov_numvfs` accepts writes (a reload of the
/// driver, or a driver loaded after udev started); at boot udev's coldplug replays `add` for
/// devices whose events were sent before udevd ran, and by then the driver is bound. A write
/// of the count already set is a no-op in the kernel, so both firing is harmless.
public enum VFPlanner {
    public static let udevRulesPath = "/etc/udev/rules.d/70-sriov-wizard.rules"
    /// Where ip(8) may be, the first one found goes into the udev rule.
    public static let ipPaths = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
    public static func modprobePath(_ driver: String) -> String { "/etc/modprobe.d/sriov-wizard-\(driver).conf" }

    static let udevHeader = """
    # Written by sriov-wizard: recreate SR-IOV VFs whenever the PF driver binds (udev(7)).
    # `sriov-wizard rollback` restores this file; edit with `sriov-wizard apply --device ADDR --vfs N`.

    """

    public static func numVFsPath(_ pf: PCIAddress) -> String { SysfsInventory.devicesPath + "/\(pf)/sriov_numvfs" }

    public static func plan(device: PCIAddress, count: Int, method: VFMethodChoice, macs: Bool = false, context: CheckContext) throws(ActivationError) -> Plan {
        guard let f = context.inventory.function(device) else {
            throw .noSuchFunction(device)
        }
        guard f.role == .pf, let sriov = f.sriov else {
            if f.role == .vf, let pf = f.physfn {
                throw .vfGivenForPF(device, pf: pf)
            }
            throw .noSRIOVCapability(device)
        }
        guard count >= 0 else { throw .negativeVFCount(count) }
        let machine = context.machine
        let total = machine.attribute(SysfsInventory.devicesPath + "/\(device)/sriov_totalvfs").flatMap { Int($0) } ?? sriov.totalVFs
        if let total, count > total {
            let inConfig = sriov.configTotalVFs.map(String.init) ?? "TotalVFs"
            throw .tooManyVFs(device, total: total, inConfig: inConfig, asked: count)
        }
        guard let driver = f.driver else {
            throw .noPFDriver(device)
        }
        let known = context.knowledge.driver(driver)
        let option = known?.moduleOption ?? (machine.exists("/sys/module/\(ModprobeConfig.normalise(driver))/parameters/max_vfs") ? "max_vfs" : nil)
        switch method {
        case .auto, .sysfs:
            return try sysfsPlan(f, driver: driver, count: count, macs: macs, context: context)
        case .modprobe:
            if macs { throw .macsNeedUdevRule }
            guard isModuleName(driver) else {
                throw .driverNotAModuleName(device, driver: driver)
            }
            guard let option else {
                throw .noVFModuleOption(driver: driver)
            }
            return try modprobePlan(f, driver: driver, option: option, count: count, context: context)
        }
    }

    /// The remedy for VFs on `device`: the plan of `apply --device ADDR --vfs N [--method M]`
    /// and what it does, for the checks' hints and the wizard's offer.
    public static func remedy(device: PCIAddress, count: Int, method: VFMethodChoice = .auto, macs: Bool = false, context: CheckContext) throws(ActivationError) -> Remedy {
        let plan = try plan(device: device, count: count, method: method, macs: macs, context: context)
        let now = plan.steps.contains { if case .sysfs = $0 { return true } else { return false } }
        let driver = context.inventory.function(device)?.driver
        let explanation: LocalizedText
        var afterwards = LocalizedText.none
        switch method {
        case .auto where count == 0, .sysfs where count == 0:
            explanation = LocalizedText(en: "Remove the VFs of \(device) and stop recreating them at boot",
                                        es: "Quite las VFs de \(device) y deje de recrearlas al arrancar")
        case .auto, .sysfs:
            explanation = now
                ? LocalizedText(en: "Create \(count) VFs on \(device) now and at every boot (sysfs sriov_numvfs and a udev rule)",
                                es: "Cree \(count) VFs en \(device) ahora y en cada arranque (sriov_numvfs en sysfs y una regla udev)")
                : LocalizedText(en: "Recreate the \(count) VFs of \(device) at every boot and driver reload with a udev rule" + (macs ? ", with stable MACs" : ""),
                                es: "Recree las \(count) VFs de \(device) en cada arranque y recarga del controlador con una regla udev" + (macs ? ", con MACs estables" : ""))
        case .modprobe:
            explanation = LocalizedText(en: "Create \(count) VFs on every \(driver ?? "driver") port whenever the module loads (its module option)",
                                        es: "Cree \(count) VFs en cada puerto de \(driver ?? "su controlador") cada vez que se carga el módulo (su opción de módulo)")
            if !plan.pending.isEmpty { afterwards = LocalizedText(en: "then reboot", es: "después reinicie") }
        }
        return Remedy(plan: plan, request: ApplyRequest(vfs: .init(device: device, count: count, method: method, macs: macs)), explanation: explanation, afterwards: afterwards)
    }

    /// A module name as modprobe.d(5) takes it: one word of `[A-Za-z0-9_-]` (the kernel's
    /// module names, at most 55 bytes). Anything else (a blank, a newline that would start an
    /// `install` line, a quote) comes only from a hostile or hand-made tree under --root.
    public static func isModuleName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 55 && name.utf8.allSatisfy { isWordByte($0) }
    }

    /// An interface name that udev(7) copies verbatim into a RUN key: `[A-Za-z0-9_.-]`, at most
    /// 15 bytes (IFNAMSIZ). The kernel also allows `$`, `%`, quotes and `;` in names, but udev
    /// expands `$...`/`%...` and a `"` ends the value, so such a name is refused, not escaped.
    public static func isPlainInterfaceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15 && name.utf8.allSatisfy { isWordByte($0) || $0 == UInt8(ascii: ".") }
    }

    /// A name for an error message: quoted, control bytes and non-ASCII shown as escapes.
    static func quoted(_ name: String) -> String {
        "\"" + TerminalText.visible(name, keepTabs: false, asciiOnly: true) + "\""
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }

    static func read(_ machine: Machine, _ path: String) throws(ActivationError) -> [UInt8]? {
        do { return try FileEditor(machine: machine).state(of: path).bytes } catch {
            throw .unreadable(path: path, error)
        }
    }

    /// The rule for one PF; with `macs`, RUN entries that give each VF its MAC once the VFs
    /// exist (udev runs RUN after the rule's ATTR writes; no shell is involved).
    public static func udevRule(_ pf: PCIAddress, count: Int, macs: [String: [String]]? = nil) -> String {
        var rule = "ACTION==\"add|bind\", SUBSYSTEM==\"pci\", KERNEL==\"\(pf)\", ATTR{sriov_numvfs}=\"\(count)\""
        for argv in macs?.sorted(by: { $0.key < $1.key }).map(\.value) ?? [] { rule += ", RUN+=\"\(argv.joined(separator: " "))\"" }
        return rule
    }

    /// A stable, locally administered unicast MAC for VF `index` of `pf` (IEEE 802: bit 1 of
    /// the first octet set, bit 0 clear). Derived from the host's machine-id too: identical
    /// servers have identical PCI addresses, and their VFs share a network.
    public static func vfMAC(pf: PCIAddress, index: Int, machineID: String?) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in "\(machineID ?? "")/\(pf)/\(index)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        var octets = (0..<6).map { UInt8(truncatingIfNeeded: hash >> (8 * UInt64($0))) }
        octets[0] = (octets[0] & 0xfc) | 0x02
        return octets.map { let h = String($0, radix: 16); return h.count == 1 ? "0" + h : h }.joined(separator: ":")
    }

    /// The rules file with the rule for `pf` set to `count` (removed for nil), other lines kept.
    static func rulesFile(_ old: [UInt8]?, pf: PCIAddress, count: Int?, macs: [String: [String]]? = nil) -> [UInt8]? {
        let text = old.map { String(decoding: $0, as: UTF8.self) } ?? udevHeader
        // Split on LF scalars: a Swift Character "\r\n" would not match "\n".
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        if lines.last == "" { lines.removeLast() }
        let key = "KERNEL==\"\(pf)\""
        let rule = count.map { udevRule(pf, count: $0, macs: macs) }
        if let index = lines.firstIndex(where: { $0.contains(key) && !$0.hasPrefix("#") }) {
            if let rule { lines[index] = rule } else { lines.remove(at: index) }
        } else if let rule {
            lines.append(rule)
        }
        let rules = lines.filter { !$0.trimmedSpace().isEmpty && !$0.hasPrefix("#") }
        if rules.isEmpty, old == nil || String(decoding: old!, as: UTF8.self).hasPrefix(udevHeader.split(separator: "\n")[0]) {
            return nil  // only our header left: the file goes
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func sysfsPlan(_ f: PCIFunction, driver: String, count: Int, macs wantMACs: Bool, context: CheckContext) throws(ActivationError) -> Plan {
        let machine = context.machine
        let pf = f.address
        var plan = Plan(title: LocalizedText(en: "\(count) VFs on \(pf) (\(driver)) via sysfs sriov_numvfs + udev rule" + (wantMACs ? ", stable MACs" : ""),
                                             es: "\(count) VFs en \(pf) (\(driver)) con sriov_numvfs en sysfs y una regla udev" + (wantMACs ? ", MACs estables" : "")), stages: [.activation])
        var macCommands: [String: [String]]?
        if wantMACs && count > 0 {
            guard let netdev = f.netdevs.first else {
                throw .noNetworkInterface(pf)
            }
            guard isPlainInterfaceName(netdev) else {
                throw .interfaceNameNotPlain(pf, netdev: netdev)
            }
            let ip = ipPaths.first { machine.exists($0) } ?? ipPaths[0]
            let machineID = machine.attribute("/etc/machine-id")
            var commands: [String: [String]] = [:]
            for index in 0..<count {
                commands[String(format: "%03d", index)] = [ip, "link", "set", netdev, "vf", String(index), "mac", vfMAC(pf: pf, index: index, machineID: machineID)]
            }
            macCommands = commands
        }
        let path = numVFsPath(pf)
        let current = machine.attribute(path).flatMap { Int($0) } ?? f.sriov?.numVFs ?? 0
        if current == count {
            plan.alreadyApplied.append(LocalizedText(en: "\(path) is already \(count)", es: "\(path) ya vale \(count)"))
        } else {
            if current != 0 && count != 0 {
                plan.steps.append(.sysfs(AttributeWrite(path: path, value: "0",
                    reason: LocalizedText(en: "\(current) VFs exist; the kernel only changes a non-zero count through 0 (EBUSY otherwise)",
                                     es: "hay \(current) VFs; el kernel solo cambia una cuenta distinta de cero pasando por 0 (si no, EBUSY)"))))
            }
            plan.steps.append(.sysfs(AttributeWrite(path: path, value: String(count),
                reason: count == 0 ? LocalizedText(en: "remove the VFs now", es: "quitar las VFs ahora") : LocalizedText(en: "create the VFs now", es: "crear las VFs ahora"))))
        }
        let oldRules = try read(machine, udevRulesPath)
        let newRules = rulesFile(oldRules, pf: pf, count: count == 0 ? nil : count, macs: macCommands)
        if oldRules != newRules {
            if let macCommands {
                for argv in macCommands.sorted(by: { $0.key < $1.key }).map(\.value) {
                    plan.steps.append(.command(PlannedCommand(argv, reason: LocalizedText(en: "give VF \(argv[5]) a stable locally administered MAC now",
                                                                                    es: "dar ya a la VF \(argv[5]) una MAC estable administrada localmente"), timeout: 30)))
                }
            }
            plan.steps.append(.edit(FileEdit(path: udevRulesPath, before: oldRules, after: newRules,
                reason: count == 0 ? LocalizedText(en: "stop recreating VFs of \(pf) at boot", es: "dejar de recrear las VFs de \(pf) al arrancar")
                    : LocalizedText(en: "recreate the \(count) VFs whenever \(driver) binds \(pf) (boot, driver reload)" + (macCommands == nil ? "" : ", with their MACs"),
                                    es: "recrear las \(count) VFs cada vez que \(driver) se asocia a \(pf) (arranque, recarga del controlador)" + (macCommands == nil ? "" : ", con sus MACs")))))
        } else if count > 0 {
            plan.alreadyApplied.append(LocalizedText(en: "\(udevRulesPath) already recreates \(count) VFs on \(pf)", es: "\(udevRulesPath) ya recrea \(count) VFs en \(pf)"))
        }
        // Our own module option file would fight the rule (EBUSY at the rule's write when the
        // counts differ): the methods exclude each other.
        let ours = modprobePath(driver)
        if let old = try read(machine, ours) {
            plan.steps.append(.edit(FileEdit(path: ours, before: old, after: nil,
                reason: LocalizedText(en: "switch from the \(driver) module option to sysfs: both at once would fight at every load",
                                     es: "pasar de la opción de módulo de \(driver) a sysfs: las dos a la vez chocarían en cada carga"))))
            plan.steps.append(.command(PlannedCommand(["update-initramfs", "-u", "-k", "all"],
                reason: LocalizedText(en: "the initramfs carries a copy of modprobe.d", es: "el initramfs lleva una copia de modprobe.d"), rerunOnRollback: true)))
            plan.pending.append(LocalizedText(en: "the removed module option stops applying when \(driver) is next loaded (reboot)",
                                               es: "la opción de módulo quitada deja de aplicarse la próxima vez que se cargue \(driver) (reinicio)"))
        }
        if plan.steps.contains(where: { if case .edit(let e) = $0 { return e.path == udevRulesPath } else { return false } }) {
            plan.steps.append(.command(PlannedCommand(["udevadm", "control", "--reload"],
                reason: LocalizedText(en: "make udevd read the changed rules now, not at the next boot", es: "hacer que udevd lea ya las reglas cambiadas, no en el próximo arranque"),
                rerunOnRollback: true, timeout: 60)))
        }
        for option in ModprobeConfig.read(machine).options(module: driver, name: "max_vfs") where option.location.file != ours {
            plan.notes.append(LocalizedText(
                en: "\(option.location): \(option.text) also creates VFs when \(driver) loads; the udev rule then finds a different count and the kernel refuses it (EBUSY). Remove that line if --vfs \(count) is what you want.",
                es: "\(option.location): \(option.text) también crea VFs cuando se carga \(driver); la regla udev encuentra entonces otra cuenta y el kernel la rechaza (EBUSY). Quite esa línea si lo que quiere es --vfs \(count)."))
        }
        return plan
    }

    static func modprobePlan(_ f: PCIFunction, driver: String, option: String, count: Int, context: CheckContext) throws(ActivationError) -> Plan {
        let machine = context.machine
        let pf = f.address
        var plan = Plan(title: LocalizedText(en: "\(count) VFs per \(driver) port via the module option \(option) (/etc/modprobe.d)",
                                             es: "\(count) VFs por puerto de \(driver) con la opción de módulo \(option) (/etc/modprobe.d)"), stages: [.activation])
        let path = modprobePath(driver)
        let old = try read(machine, path)
        let new: [UInt8]? = count == 0 ? nil : Array("""
            # Written by sriov-wizard: \(count) VFs on every \(driver) port at module load (modprobe.d(5)).
            # `sriov-wizard rollback` restores the previous state.
            options \(driver) \(option)=\(count)

            """.utf8)
        var changed = false
        if old != new {
            plan.steps.append(.edit(FileEdit(path: path, before: old, after: new,
                reason: LocalizedText(en: "\(driver) creates \(count) VFs per port whenever it loads", es: "\(driver) crea \(count) VFs por puerto cada vez que se carga"))))
            changed = true
        } else {
            plan.alreadyApplied.append(LocalizedText(en: "\(path) already sets \(option)=\(count)", es: "\(path) ya fija \(option)=\(count)"))
        }
        // A udev rule of ours for this PF would write another count after the load.
        let oldRules = try read(machine, udevRulesPath)
        let newRules = rulesFile(oldRules, pf: pf, count: nil)
        if oldRules != newRules {
            plan.steps.append(.edit(FileEdit(path: udevRulesPath, before: oldRules, after: newRules,
                reason: LocalizedText(en: "switch \(pf) from the udev rule to the module option: both at once would fight at every load",
                                     es: "pasar \(pf) de la regla udev a la opción de módulo: las dos a la vez chocarían en cada carga"))))
            plan.steps.append(.command(PlannedCommand(["udevadm", "control", "--reload"],
                reason: LocalizedText(en: "make udevd read the changed rules now", es: "hacer que udevd lea ya las reglas cambiadas"), rerunOnRollback: true, timeout: 60)))
        }
        if changed {
            plan.steps.append(.command(PlannedCommand(["update-initramfs", "-u", "-k", "all"],
                reason: LocalizedText(en: "the initramfs carries a copy of modprobe.d and may load \(driver) early",
                                     es: "el initramfs lleva una copia de modprobe.d y puede cargar \(driver) pronto"), rerunOnRollback: true)))
        }
        for other in ModprobeConfig.read(machine).options(module: driver, name: option) where other.location.file != path {
            plan.notes.append(LocalizedText(en: "\(other.location): \(other.text) is also set; modprobe uses the last one in file-name order, so check which wins.",
                                             es: "\(other.location): \(other.text) también está fijado; modprobe usa el último en orden de nombre de fichero, así que compruebe cuál gana."))
        }
        plan.notes.append(LocalizedText(en: "\(option) applies to every port driven by \(driver), not only \(pf); the kernel documents it as deprecated in favour of sysfs sriov_numvfs (--method sysfs).",
                                         es: "\(option) se aplica a todos los puertos que gestiona \(driver), no solo a \(pf); el kernel la documenta como obsoleta en favor de sriov_numvfs en sysfs (--method sysfs)."))
        let current = machine.attribute(numVFsPath(pf)).flatMap { Int($0) } ?? 0
        if current != count {
            plan.pending.append(LocalizedText(en: "the VFs appear when \(driver) is next loaded: reboot, or `modprobe -r \(driver) && modprobe \(driver)` (this drops the network on every \(driver) port)",
                                           es: "las VFs aparecen la próxima vez que se cargue \(driver): reinicie, o `modprobe -r \(driver) && modprobe \(driver)` (esto corta la red en todos los puertos de \(driver))"))
        }
        return plan
    }
}

extension VFPlanner {
    /// Where ip(8) is, for the udev rule that sets VF MACs (by name only); the machine-id the
    /// MACs are derived from is HostIdentity's (never copied).
    public static let reads = HostReads("VFPlanner", paths: ipPaths.map { .nameOnly($0) })
}
