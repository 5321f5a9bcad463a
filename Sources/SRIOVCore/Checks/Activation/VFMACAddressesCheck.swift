/// `vf-mac-addresses`: whether VF MAC addresses stay the same across reboots. Two sources:
/// - the MAC the PF hands to each VF (`ip -d link show PF`: `vf N link/ether ...`; iproute2
///   print_vfinfo). All zeros means unset: the VF driver then invents a random MAC, in the
///   host and in any guest the VF is passed to (igbvf: `eth_hw_addr_random`);
/// - each VF netdev's `address` and `addr_assign_type` (Documentation/ABI/testing/
///   sysfs-class-net; values from include/uapi/linux/netdevice.h: 0 NET_ADDR_PERM,
///   1 NET_ADDR_RANDOM, 2 NET_ADDR_STOLEN, 3 NET_ADDR_SET). udev's
///   `MACAddressPolicy=persistent` (99-default.link) replaces a random MAC with one derived
///   from /etc/machine-id, giving 3: stable on this host, but only for the host's own use.
public enum VFMACAddressesCheck: Check {
    public static let id = "vf-mac-addresses"
    public static let stage = StageID.activation

    static let assignTypes = [0: "permanent", 1: "random", 2: "stolen", 3: "set"]
    static let assignTypesES = [0: "permanente", 1: "aleatoria", 2: "tomada", 3: "fijada"]

    public static func run(_ context: CheckContext) -> [CheckResult] {
        let targets = context.targetPFs
        guard !targets.isEmpty else { return [TargetDevice.nothingToCheck(self, context)] }
        var links: IPLinkVFInfo??
        return targets.map { f in
            guard f.role == .pf else { return TargetDevice.notAPF(self, f) }
            guard !context.vfs(of: f).isEmpty else { return TargetDevice.noVFs(self, context, f) }
            if links == nil { links = .some(f.netdevs.isEmpty ? nil : IPLinkVFInfo.read(context.machine)) }
            return check(f, context, links ?? nil)
        }
    }

    static func check(_ pf: PCIFunction, _ context: CheckContext, _ links: IPLinkVFInfo?) -> CheckResult {
        let label = TargetDevice.label(pf)
        let vfs = context.vfs(of: pf)
        let pfNetdev = pf.netdevs.first
        let adminMACs = pfNetdev.flatMap { links?.macs[$0] }
        let isNetwork = pfNetdev != nil || vfs.contains { !$0.netdevs.isEmpty } || (pf.classCode.map { $0 >> 16 == 0x02 } ?? false)
        guard isNetwork else {
            return result(.skip, LocalizedText(
                en: "The VFs of \(label) are not network interfaces; they have no MAC addresses.",
                es: "Las VFs de \(label) no son interfaces de red; no tienen direcciones MAC."),
                evidence: [Evidence(en: "\(TargetDevice.sysfs(pf.address, "class")): \(pf.classCode.map { "0x" + hex($0, 6) } ?? "unknown"), no net/ directory",
                                   es: "\(TargetDevice.sysfs(pf.address, "class")): \(pf.classCode.map { "0x" + hex($0, 6) } ?? "desconocida"), sin directorio net/")],
                device: pf.address)
        }
        var evidence: [Evidence] = []
        var random: [(index: Int, vf: PCIFunction, mac: String?)] = []
        var guestRandom: [(index: Int, vf: PCIFunction, mac: String?)] = []
        var unknown: [PCIFunction] = []
        for (index, vf) in vfs.enumerated() {
            let vfIndex = pf.virtfns.firstIndex(of: vf.address) ?? index
            var hostMAC: String?
            var hostRandom = false
            for netdev in vf.netdevs {
                let base = TargetDevice.sysfs(vf.address, "net/\(netdev)")
                let address = context.machine.attribute(base + "/address")
                let type = context.machine.attribute(base + "/addr_assign_type").flatMap { Int($0) }
                hostMAC = hostMAC ?? address
                evidence.append(Evidence(
                    en: "\(base)/address: \(address ?? "unreadable"), addr_assign_type: " + (type.map { "\($0) (\(assignTypes[$0] ?? "unknown"))" } ?? "unreadable"),
                    es: "\(base)/address: \(address ?? "ilegible"), addr_assign_type: " + (type.map { "\($0) (\(assignTypesES[$0] ?? "desconocido"))" } ?? "ilegible")))
                if type == 1 { hostRandom = true }
            }
            if let admin = adminMACs?[vfIndex] {
                evidence.append(Evidence(en: "ip -d link show \(pfNetdev!): vf \(vfIndex) link/ether \(admin)",
                                         es: "`ip -d link show \(pfNetdev!)`: vf \(vfIndex) link/ether \(admin)"))
                if IPLinkVFInfo.isUnset(admin) {
                    if hostRandom { random.append((vfIndex, vf, hostMAC)) } else { guestRandom.append((vfIndex, vf, hostMAC)) }
                }
            } else if hostRandom {
                random.append((vfIndex, vf, hostMAC))
            } else if vf.netdevs.isEmpty {
                // Bound to vfio-pci or unbound, and the PF's view is not available.
                unknown.append(vf)
            }
        }
        if adminMACs == nil {
            evidence.append(pfNetdev == nil
                ? Evidence(en: "\(pf.address) has no network interface: the MAC a VF gets is not known here",
                           es: "\(pf.address) no tiene interfaz de red: aquí no se sabe qué MAC recibe una VF")
                : Evidence(en: "ip -d link show \(pfNetdev!): no per-VF lines available", es: "`ip -d link show \(pfNetdev!)`: no hay líneas por VF"))
        }
        if random.isEmpty && guestRandom.isEmpty && !unknown.isEmpty {
            return result(.note, LocalizedText(
                en: "The MAC addresses of \(unknown.count) of \(vfs.count) VFs of \(label) are not known here: they have no network interface on the host and the PF's per-VF list is not available.",
                es: "No se conocen aquí las direcciones MAC de \(unknown.count) de \(vfs.count) VFs de \(label): no tienen interfaz de red en el host y la lista por VF de la PF no está disponible."),
                evidence: evidence,
                hint: LocalizedText(
                    en: "`ip -d link show \(pfNetdev ?? "PF")` lists `vf N link/ether MAC` per VF: all zeros means the VF gets a random MAC at each boot; set one with `ip link set \(pfNetdev ?? "PF") vf N mac 02:…`.",
                    es: "`ip -d link show \(pfNetdev ?? "PF")` muestra `vf N link/ether MAC` para cada VF: todo ceros significa que la VF recibe una MAC aleatoria en cada arranque; fije una con `ip link set \(pfNetdev ?? "PF") vf N mac 02:…`."),
                device: pf.address)
        }
        if random.isEmpty && guestRandom.isEmpty {
            return result(.pass, LocalizedText(
                en: "The VF MAC addresses of \(label) are stable.",
                es: "Las direcciones MAC de las VFs de \(label) son estables."),
                evidence: evidence, device: pf.address)
        }

        // Fix: set the MAC on the PF for each affected VF, keeping the host's current one
        // when there is one, and persist it where the VFs are created.
        let affected = (random + guestRandom).sorted { $0.index < $1.index }
        let pfName = pfNetdev ?? "PF"
        let pfMAC = pfNetdev.flatMap { context.machine.attribute(TargetDevice.sysfs(pf.address, "net/\($0)/address")) }
        let commands = affected.map { entry in
            "ip link set \(pfName) vf \(entry.index) mac \(entry.mac ?? suggestedMAC(pfMAC: pfMAC, entry.index))"
        }
        let shown = commands.prefix(8).map { "`\($0)`" }.joined(separator: "; ") + (commands.count > 8 ? "; …" : "")
        let hint = LocalizedText(
            en: "Give each VF a fixed MAC on the PF: \(shown). Persist these lines after the VFs are created, e.g. as `post-up` lines of `iface \(pfName)` in /etc/network/interfaces; for the host's own use of a VF netdev a systemd .link file with `MACAddress=` also works.",
            es: "Dé a cada VF una MAC fija en la PF: \(shown). Haga persistentes estas líneas después de crear las VFs, p. ej. como líneas `post-up` de `iface \(pfName)` en /etc/network/interfaces; para usar la interfaz de una VF en el propio host también sirve un archivo .link de systemd con `MACAddress=`.")
        if !random.isEmpty {
            let list = random.map { $0.vf.netdevs.first ?? $0.vf.address.description }.joined(separator: ", ")
            return result(.note, LocalizedText(
                en: "\(random.count) of \(vfs.count) VFs of \(label) have a random MAC that changes at every boot (\(list)).",
                es: "\(random.count) de \(vfs.count) VFs de \(label) tienen una MAC aleatoria que cambia en cada arranque (\(list))."),
                evidence: evidence, hint: hint, device: pf.address)
        }
        return result(.note, LocalizedText(
            en: "The VF MACs of \(label) are stable on this host (\(hostPolicy(guestRandom.count, vfs.count))), but the PF sets none (00:00:00:00:00:00), so a VM given one of these VFs gets a random MAC at every boot.",
            es: "Las MAC de las VFs de \(label) son estables en este host (\(hostPolicyES(guestRandom.count, vfs.count))), pero la PF no fija ninguna (00:00:00:00:00:00), así que una VM que reciba una de estas VFs tendrá una MAC aleatoria en cada arranque."),
            evidence: evidence, hint: hint, device: pf.address)
    }

    static func hostPolicy(_ n: Int, _ total: Int) -> String { "set by udev or by hand on \(n) of \(total)" }
    static func hostPolicyES(_ n: Int, _ total: Int) -> String { "fijadas por udev o a mano en \(n) de \(total)" }

    /// A locally administered MAC (02:...) made from the last four bytes of the PF's own MAC
    /// and the VF index, so that it is unique per card; a placeholder when that is unknown.
    static func suggestedMAC(pfMAC: String?, _ index: Int) -> String {
        let last = String(hex(UInt8(truncatingIfNeeded: index), 2))
        guard let pfMAC else { return "02:XX:XX:XX:XX:" + last }
        let parts = pfMAC.split(separator: ":")
        guard parts.count == 6 else { return "02:XX:XX:XX:XX:" + last }
        return (["02"] + parts[2...5].map { $0.lowercased() } + [last]).joined(separator: ":")
    }
}

extension VFMACAddressesCheck {
    public static let reads = HostReads("VFMACAddressesCheck", paths: ["address", "addr_assign_type"].map { .file(SysfsInventory.devicesPath + "/{pci}/net/*/" + $0, limit: 4096) },
                                        commands: [IPLinkVFInfo.command])
}
