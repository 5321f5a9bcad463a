import Foundation
import HostAccess

/// Replaces identifying values in every string of a report with stable placeholders, so a
/// report can be posted publicly: the same value gets the same placeholder everywhere in the
/// report (`host-1`, `mac-1`, `mac-2`, `serial-1`, `uuid-1`, `ip-1`), numbered in the order
/// the report shows them, so two redacted reports of the same host still diff cleanly.
///
/// Found by shape: MAC addresses, EUI-64 serials (PCIe Device Serial Number), UUIDs, IPv4
/// and IPv6 addresses, `serial: X` / `SerialNumber=X` values. Found by value: the host's
/// names and the SMBIOS serials and UUID read from the machine, wherever they occur.
public struct Redactor {
    public enum Kind: String, Sendable, CaseIterable { case host, mac, serial, uuid, ip }

    private var hostnames: [String]
    private var serials: [String]
    private var placeholders: [String: String] = [:]
    private var counters: [Kind: Int] = [:]

    /// - Parameters:
    ///   - hostnames: names to replace as whole words, as written (case-sensitively: a host
    ///     named `vm` must not turn the word "VM" into a placeholder).
    ///   - serials: literal values to replace wherever they occur.
    public init(hostnames: [String] = [], serials: [String] = []) {
        // Longest first, so a FQDN is replaced before its first label.
        self.hostnames = Set(hostnames.map { $0.trimmedSpace() }.filter { $0.count >= 2 }).sorted { ($0.count, $0) > ($1.count, $1) }
        self.serials = Set(serials.map { $0.trimmedSpace() }.filter { $0.count >= 3 }).sorted { ($0.count, $0) > ($1.count, $1) }
    }

    /// The identifying values of a machine that are not recognisable by their shape: its
    /// host names (/proc/sys/kernel/hostname, /etc/hostname) and SMBIOS serials and UUID.
    public static func knownValues(_ machine: Machine) -> (hostnames: [String], serials: [String]) {
        let hostnames = ["/proc/sys/kernel/hostname", "/etc/hostname"].compactMap { machine.attribute($0) }
        let serials = ["product_serial", "board_serial", "chassis_serial", "product_uuid", "board_asset_tag", "chassis_asset_tag"]
            .compactMap { machine.attribute("/sys/class/dmi/id/" + $0) }
            .filter { !["", "none", "not specified", "default string", "to be filled by o.e.m."].contains($0.lowercased()) }
        return (hostnames, serials)
    }

    /// The report with every string redacted (texts, evidence, attributes alike).
    public mutating func redact(_ report: HostReport) -> HostReport {
        if let name = report.host.hostname, !hostnames.contains(name) {
            hostnames.append(name)
            hostnames.sort { ($0.count, $0) > ($1.count, $1) }
        }
        var copy = report.mapStrings { self.redact($0) }
        copy.redacted = true
        return copy
    }

    /// One string, redacted.
    public mutating func redact(_ text: String) -> String {
        var s = text
        for name in hostnames { s = replaceLiteral(name, in: s, kind: .host, wholeWord: true, options: []) }
        for serial in serials { s = replaceLiteral(serial, in: s, kind: .serial, wholeWord: false, options: .caseInsensitive) }
        s = replace(Redactor.uuid, in: s, kind: .uuid, notAfter: "")
        s = replace(Redactor.eui64, in: s, kind: .serial, notAfter: ":-")
        s = replace(Redactor.mac, in: s, kind: .mac, notAfter: ":-", accept: Redactor.identifiesAnInterface)
        s = replace(Redactor.ipv6Candidate, in: s, kind: .ip, notAfter: ":.", accept: Redactor.isIPv6)
        s = replace(Redactor.ipv4, in: s, kind: .ip, notAfter: ".", accept: Redactor.isIPv4)
        s = replaceSerialValues(s)
        return s
    }

    // MARK: - patterns
    // Swift Regex has no lookbehind: `replace(notAfter:)` checks the character before a match.

    nonisolated(unsafe) static let uuid = #/[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])/#
    nonisolated(unsafe) static let eui64 = #/(?:[0-9A-Fa-f]{2}[:-]){7}[0-9A-Fa-f]{2}(?![0-9A-Za-z:-])/#
    nonisolated(unsafe) static let mac = #/(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}(?![0-9A-Za-z:-])/#
    nonisolated(unsafe) static let ipv4 = #/(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9A-Za-z]|\.[0-9])/#
    /// Hex groups and colons; `isIPv6` decides. A PCI address (`0000:01:00.0`) is followed by
    /// `.digit` and never matches; times (`15:41:17`) have too few groups.
    nonisolated(unsafe) static let ipv6Candidate = #/[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(?![0-9A-Za-z:]|\.[0-9A-Za-z])/#
    nonisolated(unsafe) static let serialValue = #/(?i)(serial(?:[ _-]?(?:number|no))?\s*[:=]\s*)([^\s,;<>"']+)/#

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

    private mutating func placeholder(_ value: String, kind: Kind) -> String {
        let key = kind.rawValue + "\u{0}" + value.lowercased().replacingOccurrences(of: "-", with: kind == .mac ? ":" : "-")
        if let existing = placeholders[key] { return existing }
        let n = (counters[kind] ?? 0) + 1
        counters[kind] = n
        let made = "\(kind.rawValue)-\(n)"
        placeholders[key] = made
        return made
    }

    /// Replaces the matches of `regex` that are not preceded by a letter, a digit or one of
    /// `notAfter`, and that `accept` agrees with.
    private mutating func replace<Output>(_ regex: Regex<Output>, in s: String, kind: Kind, notAfter: String,
                                          accept: (Substring) -> Bool = { _ in true }) -> String {
        let matches = s.matches(of: regex).filter { m in
            if m.range.lowerBound > s.startIndex {
                let before = s[s.index(before: m.range.lowerBound)]
                if before.isLetter || before.isNumber || notAfter.contains(before) { return false }
            }
            return accept(s[m.range])
        }
        guard !matches.isEmpty else { return s }
        var result = ""
        var last = s.startIndex
        for m in matches {
            result += s[last..<m.range.lowerBound]
            result += placeholder(String(s[m.range]), kind: kind)
            last = m.range.upperBound
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
            if value.hasPrefix("serial-") { continue }
            result += s[last..<value.startIndex]
            result += placeholder(String(value), kind: .serial)
            last = value.endIndex
        }
        return result + s[last...]
    }

    private mutating func replaceLiteral(_ needle: String, in s: String, kind: Kind, wholeWord: Bool,
                                         options: String.CompareOptions) -> String {
        guard s.range(of: needle, options: options) != nil else { return s }
        var result = ""
        var rest = s[...]
        while let r = rest.range(of: needle, options: options) {
            let before = r.lowerBound > rest.startIndex ? rest[rest.index(before: r.lowerBound)] : nil
            let after = r.upperBound < rest.endIndex ? rest[r.upperBound] : nil
            let isWord = { (c: Character?) in c.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } ?? false }
            result += rest[..<r.lowerBound]
            if !wholeWord || (!isWord(before) && !isWord(after)) {
                result += placeholder(String(rest[r]), kind: kind)
            } else {
                result += rest[r]
            }
            rest = rest[r.upperBound...]
        }
        return result + rest
    }
}

extension HostReport {
    /// The report with `transform` applied to every string it holds, in document order.
    public func mapStrings(_ transform: (String) -> String) -> HostReport {
        func opt(_ s: String?) -> String? { s.map(transform) }
        func device(_ d: ReportDevice) -> ReportDevice {
            var d = d
            d.address = transform(d.address)
            d.vendorID = opt(d.vendorID)
            d.deviceID = opt(d.deviceID)
            d.vendorName = opt(d.vendorName)
            d.deviceName = opt(d.deviceName)
            d.driver = opt(d.driver)
            let vfDeviceID = opt(d.sriov?.vfDeviceID)
            d.sriov?.vfDeviceID = vfDeviceID
            d.netdevs = d.netdevs.map { ReportNetdev(name: transform($0.name), mac: opt($0.mac)) }
            d.vfs = d.vfs.map(device)
            return d
        }
        var r = self
        r.tool = transform(tool)
        r.toolVersion = transform(toolVersion)
        r.time = opt(time)
        r.host.hostname = opt(host.hostname)
        r.host.kernel = opt(host.kernel)
        r.host.cmdline = opt(host.cmdline)
        r.host.os = opt(host.os)
        r.host.proxmox = opt(host.proxmox)
        r.host.cpuVendor = opt(host.cpuVendor)
        r.host.cpuModel = opt(host.cpuModel)
        r.host.cpuFlags = host.cpuFlags.map(transform)
        r.host.dmi = host.dmi.map { DMIField(name: transform($0.name), value: transform($0.value)) }
        r.stages = stages.map { stage in
            ReportStage(id: stage.id, title: transform(stage.title), checks: stage.checks.map {
                ReportCheck(id: transform($0.id), level: $0.level, device: opt($0.device), summary: transform($0.summary),
                            hint: transform($0.hint), evidence: $0.evidence.map(transform))
            })
        }
        r.devices = devices.map(device)
        r.iommuGroups = iommuGroups.map { IOMMUGroupEntry(number: $0.number, devices: $0.devices.map(transform)) }
        r.guestDrivers = guestDrivers.map {
            GuestDriverEntry(device: transform($0.device), deviceName: opt($0.deviceName), pfDriver: opt($0.pfDriver),
                             linuxDriver: opt($0.linuxDriver),
                             windows: $0.windows.map { WindowsDriverEntry(package: transform($0.package), url: opt($0.url), note: opt($0.note)) })
        }
        r.changes = changes?.map {
            ChangeRecord(id: transform($0.id), state: $0.state, time: opt($0.time), file: opt($0.file),
                         command: opt($0.command), description: transform($0.description))
        }
        r.issues = issues.map { ReportIssue(path: transform($0.path), message: transform($0.message)) }
        r.evidence = evidence.map { RawEvidence(source: transform($0.source), lines: $0.lines.map(transform)) }
        return r
    }
}
