import HostAccess

/// Replaces identifying values with stable placeholders, so a report or a snapshot can be
/// posted publicly: the same value gets the same placeholder everywhere (`host-1`,
/// `domain-1`, `mac-1`, `serial-1`, `uuid-1`, `ip-1`), numbered in the order they are first
/// met, so two redacted copies of the same host still diff cleanly.
///
/// Two nets, in this order:
/// 1. By value: what the machine says is identifying (`Values.collect`: host and domain
///    names, MACs of its interfaces, DMI/NVMe/PCIe DSN/VPD serials, UUIDs and machine-id),
///    replaced in every spelling: any case, MACs with `:`, `-`, `.` (Cisco `5254.00ab.cdef`)
///    or no separators (so inside `enx525400abcdef` and PXE `BOOTIF=01-52-54-...`), UUIDs
///    with and without dashes, host names inside variants (`PVE1`, `pve1-backup`).
/// 2. By shape, for values the machine did not list: MACs, EUI-64s, UUIDs, 32-digit IDs,
///    IPv4/IPv6 addresses, `serial: X` / `S/N: X` / `sn=X` values.
public struct Redactor: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case host, domain, mac, serial, uuid, ip }

    /// The identifying values of one machine, found by what they are.
    public struct Values: Sendable, Equatable {
        /// Host names as found: short names and fully qualified ones (split into host and domain).
        public var hostnames: [String]
        public var macs: [String]
        public var serials: [String]
        public var uuids: [String]

        public init(hostnames: [String] = [], macs: [String] = [], serials: [String] = [], uuids: [String] = []) {
            self.hostnames = hostnames
            self.macs = macs
            self.serials = serials
            self.uuids = uuids
        }
    }

    /// One spelling of one value and what replaces it.
    struct Needle: Sendable {
        var text: String
        /// Placeholders joined by "." (an FQDN with a one-label domain becomes `host-1.domain-1`).
        var parts: [(kind: Kind, key: String)]
        var caseInsensitive: Bool
        /// Characters that may not touch the match on either side, besides letters and digits
        /// (nil: no boundary at all, for long hex spellings that live inside names).
        var boundary: String?
    }

    private var needles: [Needle] = []
    private var placeholders: [String: String] = [:]
    private var counters: [Kind: Int] = [:]

    /// - Parameters:
    ///   - hostnames: host names, short or fully qualified. A name of 4 or more characters that
    ///     is not a common word is matched in any case and inside `name-suffix` variants; a
    ///     short or common one (`vm`, `pve`) only as written and as a whole word, so the word
    ///     "VM" or the package `pve-manager` stay.
    ///   - serials: literal values to replace wherever they occur.
    public init(hostnames: [String] = [], serials: [String] = [], macs: [String] = [], uuids: [String] = []) {
        self.init(Values(hostnames: hostnames, macs: macs, serials: serials, uuids: uuids))
    }

    public init(_ values: Values) {
        var n: [Needle] = []
        for raw in values.hostnames {
            let name = raw.trimmedSpace().trimmingTrailingDots()
            guard name.count >= 2, !Redactor.notAHostName.contains(name.lowercased()) else { continue }
            let labels = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard labels.allSatisfy({ !$0.isEmpty }) else { continue }
            let host = labels[0]
            if labels.count > 1 {
                let domain = labels.dropFirst().joined(separator: ".")
                if domain.contains(".") {
                    n.append(Needle(text: domain, parts: [(.domain, domain.lowercased())], caseInsensitive: true, boundary: "-_"))
                }
                n.append(Needle(text: name, parts: [(.host, host.lowercased()), (.domain, domain.lowercased())], caseInsensitive: true, boundary: "-_"))
            }
            if host.count >= 2 && !Redactor.notAHostName.contains(host.lowercased()) {
                let distinctive = host.count >= 4 && !Redactor.commonWords.contains(host.lowercased())
                n.append(Needle(text: host, parts: [(.host, host.lowercased())], caseInsensitive: distinctive,
                                boundary: distinctive ? "" : "-_"))
            }
        }
        for raw in values.macs {
            let hex = raw.filter(\.isHexDigit).lowercased()
            guard hex.count == 12, raw.count <= 17, hex != "000000000000", hex != "ffffffffffff" else { continue }
            for spelling in Redactor.macSpellings(hex) {
                n.append(Needle(text: spelling, parts: [(.mac, hex)], caseInsensitive: true, boundary: nil))
            }
        }
        for raw in values.serials {
            let serial = raw.trimmedSpace()
            guard serial.count >= 3, !Redactor.notASerial.contains(serial.lowercased()) else { continue }
            let key = Redactor.serialKey(serial)
            var spellings = [serial]
            let hex = serial.filter(\.isHexDigit).lowercased()
            if hex.count == 16, serial.count == 23, serial.allSatisfy({ $0.isHexDigit || $0 == "-" || $0 == ":" }) {
                spellings = Redactor.grouped(hex, by: 2, separators: ["-", ":", ""])  // PCIe DSN, EUI-64
            }
            for spelling in spellings {
                n.append(Needle(text: spelling, parts: [(.serial, key)], caseInsensitive: true, boundary: serial.count < 6 ? "" : nil))
            }
        }
        for raw in values.uuids {
            let uuid = raw.trimmedSpace()
            let hex = uuid.filter(\.isHexDigit).lowercased()
            guard uuid.count >= 8, hex.count >= 8, !Set(hex).isSubset(of: ["0"]), !Set(hex).isSubset(of: ["f"]) else { continue }
            var spellings = [uuid]
            if hex.count == 32, uuid.allSatisfy({ $0.isHexDigit || $0 == "-" }) {
                let parts = [8, 4, 4, 4, 12].reduce(into: (parts: [String](), at: hex.startIndex)) { acc, len in
                    let end = hex.index(acc.at, offsetBy: len)
                    acc.parts.append(String(hex[acc.at..<end]))
                    acc.at = end
                }.parts
                spellings = [parts.joined(separator: "-"), hex]
            } else if uuid.contains("-") {
                spellings.append(uuid.replacingAll("-", with: ""))
            }
            for spelling in spellings {
                n.append(Needle(text: spelling, parts: [(.uuid, hex)], caseInsensitive: true, boundary: nil))
            }
        }
        // Longest first: an FQDN before its labels, a MAC spelling before a shorter one.
        var seen = Set<String>()
        needles = n.sorted { ($0.text.count, $0.text) > ($1.text.count, $1.text) }
            .filter { seen.insert($0.text.lowercased() + "\u{0}" + $0.parts.map(\.kind.rawValue).joined()).inserted }
    }

    /// Adds host names met later (the report's own host name).
    public mutating func add(hostnames: [String]) {
        var values = Values(hostnames: hostnames)
        let known = Set(needles.map { $0.text })
        values.hostnames = values.hostnames.filter { !known.contains($0.trimmedSpace()) }
        guard !values.hostnames.isEmpty else { return }
        let more = Redactor(values).needles
        needles = (needles + more).sorted { ($0.text.count, $0.text) > ($1.text.count, $1.text) }
    }

    /// One string, redacted by value and then by shape.
    public mutating func redact(_ text: String) -> String {
        var s = redactValues(text)
        s = replace(Redactor.bootif, in: s, kind: .mac, notAfter: "")
        s = replace(Redactor.macNetdev, in: s, kind: .mac, notAfter: "")
        s = replace(Redactor.uuid, in: s, kind: .uuid, notAfter: "", whole: true)
        s = replace(Redactor.hex32, in: s, kind: .uuid, notAfter: "", whole: true)
        s = replace(Redactor.eui64, in: s, kind: .serial, notAfter: ":-", whole: true)
        s = replace(Redactor.mac, in: s, kind: .mac, notAfter: ":-", whole: true, accept: Redactor.identifiesAnInterface)
        s = replace(Redactor.macDotted, in: s, kind: .mac, notAfter: ".", whole: true, accept: Redactor.identifiesAnInterface)
        s = replace(Redactor.ipv6Candidate, in: s, kind: .ip, notAfter: ":.", whole: true, accept: Redactor.isIPv6)
        s = replace(Redactor.ipv4, in: s, kind: .ip, notAfter: ".", whole: true, accept: Redactor.isIPv4)
        s = replaceSerialValues(s)
        return s
    }

    /// Only the values the machine listed (no shapes): for file and link names, where a
    /// shape could be a PCI address or a version.
    public mutating func redactValues(_ text: String) -> String {
        var s = text
        // Foundation's case-insensitive search converts the whole text for every needle (most
        // of the time of a redacted snapshot of a 1 MB dmesg): a byte search on the
        // ASCII-lowercased text first tells which needles can match at all.
        var folded = Array(text.utf8)
        for i in folded.indices where folded[i] >= 0x41 && folded[i] <= 0x5a { folded[i] |= 0x20 }
        for needle in needles where Redactor.mayContain(folded, needle.text) { s = replace(needle, in: s) }
        return s
    }

    /// False only when the ASCII needle cannot occur in `folded` in any ASCII case.
    static func mayContain(_ folded: [UInt8], _ needle: String) -> Bool {
        var pattern = Array(needle.utf8)
        guard !pattern.isEmpty, pattern.allSatisfy({ $0 < 0x80 }) else { return true }
        for i in pattern.indices where pattern[i] >= 0x41 && pattern[i] <= 0x5a { pattern[i] |= 0x20 }
        guard folded.count >= pattern.count else { return false }
        return folded.withUnsafeBufferPointer { hay in
            pattern.withUnsafeBufferPointer { pat in
                let first = pat[0], last = hay.count - pat.count
                var i = 0
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < pat.count && hay[i + j] == pat[j] { j += 1 }
                        if j == pat.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    // MARK: - collecting values

    /// DMI fields that identify the unit (Documentation/ABI/testing/sysfs-class-dmi-id).
    public static let dmiSerials = ["product_serial", "board_serial", "chassis_serial", "board_asset_tag", "chassis_asset_tag"]
    public static let dmiUUID = "product_uuid"
    /// systemd machine-id(5) and its D-Bus copy; the kernel's boot id.
    public static let machineIDFiles = ["/etc/machine-id", "/var/lib/dbus/machine-id", "/proc/sys/kernel/random/boot_id"]

    /// The identifying values of a machine (live or a snapshot): its host names
    /// (/proc/sys/kernel/hostname, /etc/hostname, the /etc/hosts line naming it), the MACs of
    /// its interfaces (`address` files, `ip -d link show`), serials (DMI, NVMe, PCIe Device
    /// Serial Number from config space, VPD `[SN]` from `lspci -vvv`) and UUIDs (DMI, machine-id,
    /// proxmox-boot ESPs).
    public static func collect(_ machine: Machine, lspci: String? = nil, ipLink: String? = nil) -> Values {
        var v = Values()
        v.hostnames = ["/proc/sys/kernel/hostname", "/etc/hostname"].compactMap { machine.attribute($0) }.filter { !$0.isEmpty }
        let shorts = Set(v.hostnames.map { String($0.split(separator: ".").first ?? "").lowercased() })
        if let hosts = try? machine.readText("/etc/hosts", limit: 1 << 20) {
            for line in hosts.split(whereSeparator: \.isNewline) {
                let words = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                    .split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().map(String.init) ?? []
                if words.contains(where: { shorts.contains(String($0.split(separator: ".").first ?? "").lowercased()) }) {
                    v.hostnames += words
                }
            }
        }
        let devices = SysfsInventory.devicesPath
        var netdirs = ((try? machine.list("/sys/class/net")) ?? []).map { "/sys/class/net/" + $0 }
        for dev in (try? machine.list(devices)) ?? [] where PCIAddress(dev) != nil {
            for net in (try? machine.list(devices + "/" + dev + "/net")) ?? [] { netdirs.append(devices + "/" + dev + "/net/" + net) }
            if let bytes = try? machine.read(devices + "/" + dev + "/config", limit: PCIRegister.extendedSize, overflow: .truncate),
               let dsn = PCIIdentifiers.deviceSerialNumber(ConfigSpace(bytes)) {
                v.serials.append(dsn)
            }
        }
        for dir in netdirs {
            for file in ["address", "perm_address"] { if let mac = machine.attribute(dir + "/" + file) { v.macs.append(mac) } }
        }
        let links = ipLink ?? (try? machine.run(["ip", "-d", "link", "show"], timeout: 10)).map(\.stdoutText) ?? ""
        v.macs += links.matches(of: Redactor.mac).map { String($0.output) }
        v.serials += Redactor.dmiSerials.compactMap { machine.attribute("/sys/class/dmi/id/" + $0) }
        for nvme in (try? machine.list("/sys/class/nvme")) ?? [] {
            if let serial = machine.attribute("/sys/class/nvme/" + nvme + "/serial") { v.serials.append(serial) }
        }
        let lspciText = lspci ?? (try? machine.run(["lspci", "-vvv"], timeout: 30)).map(\.stdoutText) ?? ""
        v.serials += PCIIdentifiers.vpdSerials(inLspci: lspciText)
        v.uuids = ([BootLoader.proxmoxUUIDsPath].compactMap { try? machine.readText($0, limit: 64 * 1024) }
            .flatMap { $0.split(whereSeparator: \.isNewline).map { String($0).trimmedSpace() } }.filter { !$0.hasPrefix("#") })
        v.uuids += ([Redactor.dmiUUID].map { "/sys/class/dmi/id/" + $0 } + Redactor.machineIDFiles).compactMap { machine.attribute($0) }
        func unique(_ a: [String]) -> [String] { var s = Set<String>(); return a.filter { !$0.isEmpty && s.insert($0).inserted } }
        return Values(hostnames: unique(v.hostnames), macs: unique(v.macs), serials: unique(v.serials), uuids: unique(v.uuids))
    }

    // MARK: - patterns
    // Swift Regex has no lookbehind: `replace(notAfter:)` checks the character before a match.

    nonisolated(unsafe) static let uuid = #/[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])/#
    /// machine-id(5), dashless UUIDs: 32 hex digits as a word.
    nonisolated(unsafe) static let hex32 = #/[0-9A-Fa-f]{32}(?![0-9A-Za-z])/#
    nonisolated(unsafe) static let eui64 = #/(?:[0-9A-Fa-f]{2}[:-]){7}[0-9A-Fa-f]{2}(?![0-9A-Za-z:-])/#
    nonisolated(unsafe) static let mac = #/(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Za-z:-])/#
    /// Cisco-style `5254.00ab.cdef`.
    nonisolated(unsafe) static let macDotted = #/[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?![0-9A-Za-z.])/#
    /// PXE (pxelinux IPAPPEND 2): `BOOTIF=01-52-54-00-ab-cd-ef`, the hardware type then the MAC.
    nonisolated(unsafe) static let bootif = #/(?i)BOOTIF=[0-9a-f]{2}-((?:[0-9a-f]{2}-){5}[0-9a-f]{2})(?![0-9A-Za-z])/#
    /// systemd's MAC-based interface names (NamePolicy=mac): `enx525400abcdef`, `wlx...`.
    nonisolated(unsafe) static let macNetdev = #/(?:en|wl|ww)x([0-9a-fA-F]{12})(?![0-9A-Za-z])/#
    nonisolated(unsafe) static let ipv4 = #/(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9A-Za-z]|\.[0-9])/#
    /// Hex groups and colons; `isIPv6` decides. A PCI address (`0000:01:00.0`) is followed by
    /// `.digit` and never matches; times (`15:41:17`) have too few groups.
    nonisolated(unsafe) static let ipv6Candidate = #/[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?![0-9A-Za-z:]|\.[0-9A-Za-z])/#
    nonisolated(unsafe) static let serialValue = #/(?i)((?:\bs/n|\bsn|serial(?:[ _-]?(?:number|no))?)\s*[:=]\s*)([^\s,;<>"']+)/#

    /// Host names that are words of the tool's own output; never treated as a host's name.
    static let notAHostName: Set<String> = ["localhost", "localhost.localdomain", "(none)", "ip6-localhost", "ip6-loopback", "localdomain"]
    /// Host names that are also words of the output (`pve-manager`, "Proxmox VE", "the VM"):
    /// matched only as written, as whole words.
    static let commonWords: Set<String> = ["pve", "proxmox", "debian", "ubuntu", "linux", "host", "server", "node", "kvm", "qemu",
                                           "test", "intel", "amd", "igb", "ixgbe", "vfio", "iommu", "sriov", "root", "none", "default"]
    static let notASerial: Set<String> = ["none", "not specified", "default string", "to be filled by o.e.m.", "0", "00000000",
                                          "123456789", "system serial number", "not applicable", "n/a", "unknown"]

    static func macSpellings(_ hex: String) -> [String] {
        grouped(hex, by: 2, separators: [":", "-", ""]) + grouped(hex, by: 4, separators: ["."])
    }

    static func grouped(_ hex: String, by size: Int, separators: [String]) -> [String] {
        let chars = Array(hex)
        let groups = stride(from: 0, to: chars.count, by: size).map { String(chars[$0..<min($0 + size, chars.count)]) }
        return separators.map { groups.joined(separator: $0) }
    }

    static func serialKey(_ s: Substring) -> String { s.filter { $0.isLetter || $0.isNumber }.lowercased() }
    static func serialKey(_ s: String) -> String { serialKey(s[...]) }

    /// 00:00:00:00:00:00 ("no MAC set") and the broadcast address say nothing about a host.
    static func identifiesAnInterface(_ s: Substring) -> Bool {
        let digits = s.filter(\.isHexDigit).lowercased()
        return digits != "000000000000" && digits != "ffffffffffff"
    }

    static func isIPv4(_ s: Substring) -> Bool {
        s.split(separator: ".").allSatisfy { Int($0).map { $0 <= 255 } ?? false }
    }

    /// RFC 4291 section 2.2 text forms: eight groups, or fewer with one `::`. At least two
    /// non-empty groups, so `::200` (an lspci class filter) is left alone.
    static func isIPv6(_ s: Substring) -> Bool {
        let parts = s.components(separatedBy: "::")
        guard parts.count <= 2 else { return false }
        let groups = parts.flatMap { $0.split(separator: ":", omittingEmptySubsequences: false) }.filter { !$0.isEmpty }
        let emptyInside = parts.contains { p in p.split(separator: ":", omittingEmptySubsequences: false).dropFirst().dropLast().contains { $0.isEmpty } }
        guard !emptyInside, groups.allSatisfy({ $0.count <= 4 && UInt16($0, radix: 16) != nil }) else { return false }
        if parts.count == 2 { return groups.count >= 2 && groups.count <= 7 }
        return groups.count == 8 && !s.hasPrefix(":") && !s.hasSuffix(":")
    }

    // MARK: - replacing

    static func key(_ value: Substring, kind: Kind) -> String {
        switch kind {
        case .mac, .uuid: return value.filter(\.isHexDigit).lowercased()
        case .serial: return serialKey(value)
        case .host, .domain, .ip: return value.lowercased()
        }
    }

    private mutating func placeholder(kind: Kind, key: String) -> String {
        let k = kind.rawValue + "\u{0}" + key
        if let existing = placeholders[k] { return existing }
        let n = (counters[kind] ?? 0) + 1
        counters[kind] = n
        let made = "\(kind.rawValue)-\(n)"
        placeholders[k] = made
        return made
    }

    private mutating func replace(_ needle: Needle, in s: String) -> String {
        let options: String.CompareOptions = needle.caseInsensitive ? [.caseInsensitive] : []
        guard s.range(of: needle.text, options: options) != nil else { return s }
        var result = ""
        var rest = s[...]
        while let r = rest.range(of: needle.text, options: options) {
            var ok = true
            if let extra = needle.boundary {
                let touches = { (c: Character?) in c.map { $0.isLetter || $0.isNumber || extra.contains($0) } ?? false }
                let before = r.lowerBound > s.startIndex ? s[s.index(before: r.lowerBound)] : nil
                let after = r.upperBound < s.endIndex ? s[r.upperBound] : nil
                ok = !touches(before) && !touches(after)
            }
            result += rest[..<r.lowerBound]
            if ok {
                result += needle.parts.map { placeholder(kind: $0.kind, key: $0.key) }.joined(separator: ".")
            } else {
                result += rest[r]
            }
            rest = rest[r.upperBound...]
        }
        return result + rest
    }

    /// Replaces the matches of `regex` (its first capture when it has one and `whole` is
    /// false) that are not preceded by a letter, a digit or one of `notAfter`, and that
    /// `accept` agrees with.
    private mutating func replace<Output>(_ regex: Regex<Output>, in s: String, kind: Kind, notAfter: String, whole: Bool = false,
                                          accept: (Substring) -> Bool = { _ in true }) -> String {
        var spans: [Range<String.Index>] = []
        for m in s.matches(of: regex) {
            if m.range.lowerBound > s.startIndex {
                let before = s[s.index(before: m.range.lowerBound)]
                if before.isLetter || before.isNumber || notAfter.contains(before) { continue }
            }
            let range = whole ? m.range : (m.output as? (Substring, Substring)).map { $0.1.startIndex..<$0.1.endIndex } ?? m.range
            if accept(s[range]) { spans.append(range) }
        }
        guard !spans.isEmpty else { return s }
        var result = ""
        var last = s.startIndex
        for range in spans {
            result += s[last..<range.lowerBound]
            result += placeholder(kind: kind, key: Redactor.key(s[range], kind: kind))
            last = range.upperBound
        }
        return result + s[last...]
    }

    private mutating func replaceSerialValues(_ s: String) -> String {
        let matches = s.matches(of: Redactor.serialValue)
        guard !matches.isEmpty else { return s }
        var result = ""
        var last = s.startIndex
        for m in matches {
            let value = m.output.2
            // Already a placeholder (an EUI-64 or a known serial replaced above).
            if value.hasPrefix("serial-") || Redactor.notASerial.contains(value.lowercased()) { continue }
            result += s[last..<value.startIndex]
            result += placeholder(kind: .serial, key: Redactor.serialKey(value))
            last = value.endIndex
        }
        return result + s[last...]
    }
}

/// Identifying numbers in PCI config space and lspci text.
public enum PCIIdentifiers {
    /// PCIe Device Serial Number extended capability (PCIe Base Spec 7.9.3; pci_regs.h
    /// `PCI_EXT_CAP_ID_DSN`): the 64-bit number after the header, lower dword first.
    public static let dsnCapability: UInt16 = 0x0003
    /// Vital Product Data capability (PCI Local Bus 3.0 6.4, `PCI_CAP_ID_VPD`): the data
    /// register at +4 holds the last dword read from the VPD.
    public static let vpdCapability: UInt16 = 0x03

    /// The DSN as lspci prints it (`00-1b-21-ff-ff-a1-b2-c3`, most significant byte first).
    public static func deviceSerialNumber(_ config: ConfigSpace) -> String? {
        guard let cap = config.capabilities().first(.extended, dsnCapability),
              let low = config.u32(Int(cap.offset) + 4), let high = config.u32(Int(cap.offset) + 8) else { return nil }
        let value = UInt64(high) << 32 | UInt64(low)
        guard value != 0 else { return nil }
        return (0..<8).reversed().map { i in hex(UInt8(truncatingIfNeeded: value >> (UInt64(i) * 8)), 2) }.joined(separator: "-")
    }

    /// `config` with the DSN and the VPD data register zeroed; everything else byte for byte.
    public static func masked(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        let list = ConfigSpace(bytes).capabilities()
        for cap in list.entries {
            let range: Range<Int>
            switch (cap.space, cap.id) {
            case (.extended, dsnCapability): range = Int(cap.offset) + 4 ..< Int(cap.offset) + 12
            case (.standard, vpdCapability): range = Int(cap.offset) + 4 ..< Int(cap.offset) + 8
            default: continue
            }
            for i in range where i < out.count { out[i] = 0 }
        }
        return out
    }

    /// VPD serial numbers in `lspci -vvv` text (`[SN] Serial number: X`, pciutils ls-vpd.c).
    public static func vpdSerials(inLspci text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            guard let r = line.range(of: "[SN] Serial number:") else { return nil }
            let value = String(line[r.upperBound...]).trimmedSpace()
            return value.isEmpty ? nil : value
        }
    }

    public static let maskedDSN = "00-00-00-00-00-00-00-00"
    public static let maskedVPDSerial = "(masked by sriov-wizard)"

    /// `lspci -vvv` text with the values `masked` zeroes in config space replaced the way
    /// lspci prints the masked bytes, and VPD serials replaced by a marker.
    public static func maskedLspci(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in lines.indices {
            if let r = lines[i].range(of: "Device Serial Number ") {
                lines[i] = String(lines[i][..<r.upperBound]) + maskedDSN
            } else if let r = lines[i].range(of: "[SN] Serial number:") {
                lines[i] = String(lines[i][..<r.upperBound]) + " " + maskedVPDSerial
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingDots() -> String {
        var s = self
        while s.hasSuffix(".") { s.removeLast() }
        return s
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension Redactor {
    /// A redactor for the values `collect` finds on `machine` (`report --redact`).
    public static func forMachine(_ machine: Machine) -> Redactor {
        Redactor(Redactor.collect(machine))
    }

    /// `collect` reads the identifying values so that they can be replaced; a snapshot never
    /// copies them (`snapshot --redact` replaces them on the way out).
    static var readPaths: [HostPath] {
        var paths: [HostPath] = [
            .notCopied("/etc/hosts", "read only to redact the host's names"),
            .link("/sys/class/net/*"),
            .notCopied("/sys/class/net/*/address", "read only to redact MACs"),
            .notCopied("/sys/class/net/*/perm_address", "read only to redact MACs"),
            .notCopied(SysfsInventory.devicesPath + "/{pci}/net/*/perm_address", "read only to redact MACs"),
            .notCopied("/sys/class/nvme/*/serial", "read only to redact serial numbers"),
        ]
        paths += dmiSerials.map { HostPath.notCopied("/sys/class/dmi/id/" + $0, "read only to redact serial numbers") }
        paths += (machineIDFiles + ["/sys/class/dmi/id/" + dmiUUID]).map { HostPath.notCopied($0, "read only to redact UUIDs") }
        return paths
    }
    public static let reads = HostReads("Redactor", paths: readPaths, commands: [["ip", "-d", "link", "show"], ["lspci", "-vvv"]])
}
