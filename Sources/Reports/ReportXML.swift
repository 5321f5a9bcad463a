import SRIOVCore
import XMLKit

/// Why a report could not be written or read; the CLI adds the file name and exits 2.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// The input is not an XML report this version understands.
    case invalidReport(String)
    /// The report this program made does not match its own schema: a defect of the tool.
    case selfCheckFailed(String)

    public var description: String {
        switch self {
        case .invalidReport(let m): return m
        case .selfCheckFailed(let m): return "internal error: the generated report does not match report.xsd (\(m)); please report this bug"
        }
    }
}

/// The report schema and the style sheet, compiled into the binary from Resources/report/.
public enum ReportResources {
    public static var schemaText: String { String(decoding: PackageResources.report_xsd, as: UTF8.self) }
    /// Decoded once: every HTML page embeds it and hashes it for its policy.
    public static let styleSheet = String(decoding: PackageResources.report_css, as: UTF8.self)

    /// The schema with its documentation in one language: every `<xs:documentation>` carries
    /// `xml:lang="en"` and a sibling `xml:lang="es"`, one element per line (report.xsd's layout,
    /// checked by ReportCommandTests), so the other language's lines are left out. The types and
    /// elements are the same: it validates exactly what `schemaText` does.
    public static func schemaText(language: Language) -> String {
        let other = language == .es ? "en" : "es"
        let marker = "<xs:documentation xml:lang=\"\(other)\">"
        return schemaText.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(marker) }
            .joined(separator: "\n")
    }

    struct SchemaLoadError: Error { var message: String }

    /// Compiled once per process: `collect` validates a thousand reports with it.
    static let schema: Result<XMLSchema, SchemaLoadError> = {
        do { return .success(try XMLSchema(schemaText)) } catch { return .failure(SchemaLoadError(message: "\(error)")) }
    }()

    static func compiledSchema() throws -> XMLSchema {
        switch schema {
        case .success(let s): return s
        case .failure(let e): throw ReportError.selfCheckFailed("embedded report.xsd: " + e.message)
        }
    }
}

/// `HostReport` <-> XML in the `urn:sriov-wizard:report:1` namespace (Resources/report/report.xsd).
public enum ReportXML {
    /// Largest report file accepted when reading (a real report is tens of kilobytes).
    public static let sizeLimit = 16 << 20
    /// The shape a report may have, checked before libxml2 parses it (`XMLLimits`). A report of
    /// a 20,000-function host (`SyntheticTree`, 160 PFs x 124 VFs) has 189,170 elements,
    /// 247,877 attributes and depth 5; these limits leave 2-3 times that, and keep the worst
    /// file that passes them (tiny elements up to both counts) under 300 MB (SECURITY.md).
    public static let shapeLimits = XMLLimits(elements: 400_000, attributes: 800_000, attributesPerElement: 32, depth: 32)

    /// Serialises with libxml2 and validates the result against the embedded schema before
    /// returning it, so no invalid report is ever written.
    public static func render(_ report: HostReport) throws -> String {
        let xml = try XMLKit.serialise(element(report), namespace: ReportNamespace.uri)
        do { try ReportResources.compiledSchema().validate(xml) } catch let e as XMLKitError {
            throw ReportError.selfCheckFailed(e.description)
        }
        return xml
    }

    /// Reads a saved report: size limit, safe parse (no network, no DTD, no entities),
    /// root and namespace check, schema validation, then conversion.
    public static func read(_ text: String) throws -> HostReport {
        let root: XMLElement
        do {
            root = try ReportResources.compiledSchema().read(text, limit: sizeLimit, shape: shapeLimits, root: "report", namespace: ReportNamespace.uri)
        } catch let e as XMLKitError {
            throw ReportError.invalidReport(explain(e))
        }
        return try report(root)
    }

    static func explain(_ e: XMLKitError) -> String {
        let text: String
        switch e {
        case .unexpectedRoot:
            text = "not an sriov-wizard report: " + e.description + " (make one with `sriov-wizard report --xml FILE`)"
        case .malformed(_, let message) where message.contains("DOCTYPE") || message.contains("ntity"):
            text = "refused: " + e.description + " (reports never contain a DOCTYPE or entities; this file may be hostile)"
        case .tooLarge:
            text = "refused: " + e.description
        case .limitExceeded:
            text = "refused: " + e.description + " (a real report stays far below this; this file may be hostile)"
        default:
            text = e.description
        }
        // libxml2 quotes offending values whole; a hostile 10 MB attribute must not become a 10 MB message.
        return text.count > 400 ? String(text.prefix(400)) + "…" : text
    }

    // MARK: - model -> XML

    static func element(_ r: HostReport) -> XMLElement {
        var rootAttributes: [(String, String)] = [("tool", r.tool), ("version", r.toolVersion), ("lang", r.language.rawValue)]
        if let time = r.time { rootAttributes.append(("time", time)) }
        rootAttributes += [("redacted", r.redacted ? "true" : "false"), ("level", r.level.rawValue)]

        let h = r.host
        var host: [XMLNode] = []
        func add(_ name: String, _ value: String?) { if let value, !value.isEmpty { host.append(.element(XMLElement(name, text: value))) } }
        add("hostname", h.hostname)
        add("kernel", h.kernel)
        add("cmdline", h.cmdline)
        add("os", h.os)
        add("proxmox", h.proxmox)
        host.append(.element(XMLElement("bootLoader", attributes: [("kind", h.bootLoader.rawValue)])))
        host.append(.element(XMLElement("cpu", attributes: attrs(("vendor", h.cpuVendor), ("model", h.cpuModel)),
                                        children: h.cpuFlags.map { .element(XMLElement("flag", text: $0)) })))
        host.append(.element(XMLElement("dmi", children: h.dmi.map {
            .element(XMLElement("field", text: $0.value, attributes: [("name", $0.name)]))
        })))

        var children: [XMLNode] = [.element(XMLElement("host", attributes: attrs(("id", h.hostID)), children: host))]
        children.append(.element(XMLElement("stages", children: r.stages.map { stage in
            .element(XMLElement("stage", attributes: [("id", stage.id.rawValue), ("level", stage.level.rawValue), ("title", stage.title)],
                                children: stage.checks.map { .element(check($0)) }))
        })))
        children.append(.element(XMLElement("devices", children: r.devices.map { .element(function($0, name: "device")) })))
        children.append(.element(XMLElement("iommuGroups", children: r.iommuGroups.map { group in
            .element(XMLElement("group", attributes: [("number", String(group.number))], children: group.devices.map {
                .element(XMLElement("member", attributes: [("address", $0)]))
            }))
        })))
        children.append(.element(XMLElement("guestDrivers", children: r.guestDrivers.map { g in
            var c: [XMLNode] = []
            if let name = g.deviceName { c.append(.element(XMLElement("deviceName", text: name))) }
            if let linux = g.linuxDriver { c.append(.element(XMLElement("linux", attributes: [("driver", linux)]))) }
            if let w = g.windows {
                c.append(.element(XMLElement("windows", attributes: attrs(("package", w.package), ("url", w.url)),
                                             children: w.note.map { [.element(XMLElement("note", text: $0))] } ?? [])))
            }
            return .element(XMLElement("guestDriver", attributes: attrs(("device", g.device), ("pfDriver", g.pfDriver)), children: c))
        })))
        if let changes = r.changes {
            children.append(.element(XMLElement("changes", children: changes.map { ch in
                var c: [XMLNode] = []
                if let f = ch.file { c.append(.element(XMLElement("file", text: f))) }
                if let cmd = ch.command { c.append(.element(XMLElement("command", text: cmd))) }
                c.append(.element(XMLElement("description", text: ch.description)))
                return .element(XMLElement("change", attributes: attrs(("id", ch.id), ("state", ch.state.rawValue), ("time", ch.time)), children: c))
            })))
        }
        children.append(.element(XMLElement("issues", children: r.issues.map {
            .element(XMLElement("issue", text: $0.message, attributes: [("path", $0.path)]))
        })))
        children.append(.element(XMLElement("evidence", children: r.evidence.map { source in
            .element(XMLElement("source", attributes: [("name", source.source)], children: source.lines.map {
                .element(XMLElement("line", text: $0))
            }))
        })))
        return XMLElement("report", attributes: rootAttributes, children: children)
    }

    static func check(_ c: ReportCheck) -> XMLElement {
        var children: [XMLNode] = [.element(XMLElement("summary", text: c.summary))]
        if !c.hint.isEmpty { children.append(.element(XMLElement("hint", text: c.hint))) }
        children += c.evidence.map { .element(XMLElement("evidence", text: $0)) }
        return XMLElement("check", attributes: attrs(("id", c.id), ("level", c.level.rawValue), ("device", c.device)), children: children)
    }

    static func function(_ d: ReportDevice, name: String) -> XMLElement {
        var children: [XMLNode] = []
        if let v = d.vendorName { children.append(.element(XMLElement("vendorName", text: v))) }
        if let v = d.deviceName { children.append(.element(XMLElement("deviceName", text: v))) }
        if let s = d.sriov {
            children.append(.element(XMLElement("sriov", attributes: attrs(
                ("totalVFs", s.totalVFs.map(String.init)), ("numVFs", s.numVFs.map(String.init)),
                ("initialVFs", s.initialVFs.map(String.init)), ("vfOffset", s.vfOffset.map(String.init)),
                ("vfStride", s.vfStride.map(String.init)), ("vfDeviceId", s.vfDeviceID),
                ("configTotalVFs", s.configTotalVFs.map(String.init))))))
        }
        children += d.netdevs.map { .element(XMLElement("netdev", attributes: attrs(("name", $0.name), ("mac", $0.mac)))) }
        children += d.vfs.map { .element(function($0, name: "vf")) }
        return XMLElement(name, attributes: attrs(
            ("address", d.address), ("role", d.role.rawValue), ("vendorId", d.vendorID), ("deviceId", d.deviceID),
            ("driver", d.driver), ("iommuGroup", d.iommuGroup.map(String.init)), ("ari", d.ari.map(String.init)),
            ("ariEnabled", d.ariEnabled.map(String.init))), children: children)
    }

    /// Attributes whose value is known (nil and empty values are left out).
    static func attrs(_ pairs: (String, String?)...) -> [(String, String)] {
        pairs.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : (name, $0) } }
    }

    // MARK: - XML -> model (input already validated against the schema)

    static func report(_ root: XMLElement) throws -> HostReport {
        guard let host = root.elements("host").first, let language = root.attribute("lang").flatMap(Language.init(rawValue:)) else {
            throw ReportError.invalidReport("the report has no host element or language")
        }
        func text(_ e: XMLElement, _ name: String) -> String? { e.elements(name).first?.text }
        let cpu = host.elements("cpu").first
        let facts = HostFacts(
            hostname: text(host, "hostname"), kernel: text(host, "kernel"), cmdline: text(host, "cmdline"),
            os: text(host, "os"), proxmox: text(host, "proxmox"),
            bootLoader: host.elements("bootLoader").first?.attribute("kind").flatMap(BootLoaderKind.init(rawValue:)) ?? .unknown,
            cpuVendor: cpu?.attribute("vendor"), cpuModel: cpu?.attribute("model"),
            cpuFlags: cpu?.elements("flag").map(\.text) ?? [],
            dmi: host.elements("dmi").first?.elements("field").map { DMIField(name: $0.attribute("name") ?? "", value: $0.text) } ?? [],
            hostID: host.attribute("id"))
        let section = { (name: String) in root.elements(name).first?.elements() ?? [] }
        let stages = try section("stages").map { s -> ReportStage in
            guard let id = s.attribute("id").flatMap(StageID.init(rawValue:)) else { throw ReportError.invalidReport("unknown stage id") }
            return ReportStage(id: id, title: s.attribute("title") ?? id.rawValue, checks: s.elements("check").map { c in
                ReportCheck(id: c.attribute("id") ?? "", level: level(c.attribute("level")), device: c.attribute("device"),
                            summary: text(c, "summary") ?? "", hint: text(c, "hint") ?? "", evidence: c.elements("evidence").map(\.text))
            })
        }
        return HostReport(
            tool: root.attribute("tool") ?? "", toolVersion: root.attribute("version") ?? "", language: language,
            time: root.attribute("time"), redacted: root.attribute("redacted") == "true" || root.attribute("redacted") == "1",
            host: facts, stages: stages,
            devices: section("devices").map(device),
            iommuGroups: section("iommuGroups").map { g in
                IOMMUGroupEntry(number: Int(g.attribute("number") ?? "") ?? 0, devices: g.elements("member").compactMap { $0.attribute("address") })
            },
            guestDrivers: section("guestDrivers").map { g in
                let w = g.elements("windows").first
                return GuestDriverEntry(
                    device: g.attribute("device") ?? "", deviceName: text(g, "deviceName"), pfDriver: g.attribute("pfDriver"),
                    linuxDriver: g.elements("linux").first?.attribute("driver"),
                    windows: w.map { WindowsDriverEntry(package: $0.attribute("package") ?? "", url: $0.attribute("url"), note: text($0, "note")) })
            },
            changes: root.elements("changes").first.map { changes in
                changes.elements("change").map { c in
                    ChangeRecord(id: c.attribute("id") ?? "", state: ChangeRecord.State(rawValue: c.attribute("state") ?? "") ?? .planned,
                                 time: c.attribute("time"), file: text(c, "file"), command: text(c, "command"),
                                 description: text(c, "description") ?? "")
                }
            },
            issues: section("issues").map { ReportIssue(path: $0.attribute("path") ?? "", message: $0.text) },
            evidence: section("evidence").map { RawEvidence(source: $0.attribute("name") ?? "", lines: $0.elements("line").map(\.text)) })
    }

    static func device(_ e: XMLElement) -> ReportDevice {
        let s = e.elements("sriov").first
        func int(_ name: String) -> Int? { s?.attribute(name).flatMap { Int($0) } }
        func bool(_ v: String?) -> Bool? { v.map { $0 == "true" || $0 == "1" } }
        return ReportDevice(
            address: e.attribute("address") ?? "", role: FunctionRole(rawValue: e.attribute("role") ?? "") ?? .none,
            vendorID: e.attribute("vendorId"), deviceID: e.attribute("deviceId"),
            vendorName: e.elements("vendorName").first?.text, deviceName: e.elements("deviceName").first?.text,
            driver: e.attribute("driver"), iommuGroup: e.attribute("iommuGroup").flatMap { Int($0) },
            ari: bool(e.attribute("ari")), ariEnabled: bool(e.attribute("ariEnabled")),
            sriov: s.map { _ in
                ReportSRIOV(totalVFs: int("totalVFs"), numVFs: int("numVFs"), initialVFs: int("initialVFs"), vfOffset: int("vfOffset"),
                            vfStride: int("vfStride"), vfDeviceID: s?.attribute("vfDeviceId"), configTotalVFs: int("configTotalVFs"))
            },
            netdevs: e.elements("netdev").map { ReportNetdev(name: $0.attribute("name") ?? "", mac: $0.attribute("mac")) },
            vfs: e.elements("vf").map(device))
    }

    static func level(_ s: String?) -> CheckLevel { s.flatMap(CheckLevel.init(rawValue:)) ?? .skip }
}
