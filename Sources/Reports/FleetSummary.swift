import SRIOVCore
import XMLKit

/// One row of the fleet view: what `collect` shows about one report.
public struct FleetRow: Sendable, Equatable {
    /// The report file, as given on the command line.
    public var file: String
    public var hostname: String?
    public var kernel: String?
    public var time: String?
    public var level: CheckLevel
    public var stages: [(id: StageID, level: CheckLevel)]
    public var sriovDevices: Int
    public var vfsEnabled: Int
    public var vfsTotal: Int
    /// Failed checks (id, device, summary) in stage order.
    public var failing: [(check: String, device: String?, summary: String)]
    /// What to show under the host's anchor: the checks that failed or warned, with hints.
    public var problems: [ReportCheck]
    /// How many checks failed, warned and passed (notes and skips are neither).
    public var counts: (fail: Int, warn: Int, pass: Int)

    public init(file: String, report r: HostReport) {
        self.file = file
        hostname = r.host.hostname
        kernel = r.host.kernel
        time = r.time
        level = r.level
        stages = r.stages.map { ($0.id, $0.level) }
        sriovDevices = r.devices.filter { $0.role == .pf }.count
        (vfsEnabled, vfsTotal) = r.vfCounts
        let checks = r.stages.flatMap(\.checks)
        failing = checks.filter { $0.level == .fail }.map { ($0.id, $0.device, $0.summary) }
        problems = checks.filter { $0.level == .fail || $0.level == .warn }
        counts = (checks.filter { $0.level == .fail }.count, checks.filter { $0.level == .warn }.count,
                  checks.filter { $0.level == .pass }.count)
    }

    /// The fleet's order: the most severe host first, then by host name, file and time, so
    /// that 26 reports of hosts all called `pve` still come out the same way every time.
    public static func precedes(_ a: FleetRow, _ b: FleetRow) -> Bool {
        if a.level.severity != b.level.severity { return a.level.severity > b.level.severity }
        if a.counts.fail != b.counts.fail { return a.counts.fail > b.counts.fail }
        if a.counts.warn != b.counts.warn { return a.counts.warn > b.counts.warn }
        let (ha, hb) = ((a.hostname ?? "").lowercased(), (b.hostname ?? "").lowercased())
        if ha != hb { return ha < hb }
        if a.file != b.file { return a.file < b.file }
        return (a.time ?? "") < (b.time ?? "")
    }

    /// `2 fail, 1 warn, 14 pass` (text and HTML).
    func countsText(_ l: ReportLabels) -> String {
        "\(counts.fail) \(l.t("fail", "fallan")), \(counts.warn) \(l.t("warn", "avisos")), \(counts.pass) \(l.t("pass", "bien"))"
    }

    public static func == (a: FleetRow, b: FleetRow) -> Bool {
        a.file == b.file && a.hostname == b.hostname && a.kernel == b.kernel && a.time == b.time && a.level == b.level
            && a.stages.map(\.id) == b.stages.map(\.id) && a.stages.map(\.level) == b.stages.map(\.level)
            && a.sriovDevices == b.sriovDevices && a.vfsEnabled == b.vfsEnabled && a.vfsTotal == b.vfsTotal
            && a.failing.map(\.check) == b.failing.map(\.check) && a.problems == b.problems
            && a.counts == b.counts
    }

    func level(of stage: StageID) -> CheckLevel? { stages.first { $0.id == stage }?.level }

    /// `check-id [device]` list, for the table.
    var failingText: String {
        failing.map { $0.check + ($0.device.map { " [\($0)]" } ?? "") }.joined(separator: ", ")
    }
}

/// The fleet view over many reports: text, JSON, XML (`<fleet>` in report.xsd) and HTML.
public struct FleetSummary: Sendable {
    public var rows: [FleetRow]
    public var language: Language
    public var time: String?

    /// `rows` in any order: they are kept in `FleetRow.precedes` order.
    public init(rows: [FleetRow], language: Language, time: String? = nil) {
        self.rows = rows.sorted(by: FleetRow.precedes)
        self.language = language
        self.time = time
    }

    // MARK: - text

    /// Rows for the terminal. Reports come from strangers: XML 1.0 allows DEL, C1 controls and
    /// bidi overrides in a host name, so every cell goes through `TerminalText`.
    public func text() -> [[String]] {
        let l = ReportLabels(language: language)
        return rows.map { r in
            ([r.hostname ?? "?", r.file, r.time ?? "-", r.kernel ?? "?"] + StageID.allCases.map { r.level(of: $0)?.label(language) ?? "-" }
                + [r.countsText(l), String(r.sriovDevices), "\(r.vfsEnabled)/\(r.vfsTotal)", r.failingText.isEmpty ? "-" : r.failingText])
                .map { TerminalText.visible($0, keepTabs: false) }
        }
    }

    public var textHeader: [String] {
        let l = ReportLabels(language: language)
        return [l.t("HOST", "EQUIPO"), l.t("FILE", "FICHERO"), l.t("TIME", "HORA"), "KERNEL"]
            + StageID.allCases.map { l.t($0.rawValue.uppercased(), Self.spanishStageColumn($0)) }
            + [l.t("CHECKS", "COMPROBACIONES"), "SR-IOV", "VFS", l.t("FAILING", "FALLA")]
    }

    /// The stage columns of the Spanish text table (the English ones are the stage ids).
    static func spanishStageColumn(_ id: StageID) -> String {
        switch id {
        case .prerequisites: return "REQUISITOS"
        case .bios: return "BIOS"
        case .device: return "DISPOSITIVO"
        case .activation: return "ACTIVACIÓN"
        }
    }

    // MARK: - JSON

    public func json() -> JSONValue {
        .object([
            ("tool", .object([("name", .string(ToolInfo.name)), ("version", .string(ToolInfo.version))])),
            ("time", .optional(time)),
            ("hosts", .array(rows.map { r in
                .object([
                    ("file", .string(r.file)),
                    ("hostname", .optional(r.hostname)),
                    ("kernel", .optional(r.kernel)),
                    ("time", .optional(r.time)),
                    ("level", .string(r.level.rawValue)),
                    ("checks", .object([("fail", .int(r.counts.fail)), ("warn", .int(r.counts.warn)), ("pass", .int(r.counts.pass))])),
                    ("stages", .object(r.stages.map { ($0.id.rawValue, .string($0.level.rawValue)) })),
                    ("sriovDevices", .int(r.sriovDevices)),
                    ("vfsEnabled", .int(r.vfsEnabled)),
                    ("vfsTotal", .int(r.vfsTotal)),
                    ("failing", .array(r.failing.map {
                        .object([("check", .string($0.check)), ("device", .optional($0.device)), ("summary", .string($0.summary))])
                    })),
                ])
            })),
        ])
    }

    // MARK: - XML

    /// The `<fleet>` document, validated against the embedded schema like a report.
    public func xml() throws -> String {
        var attributes: [(String, String)] = [("tool", ToolInfo.name), ("version", ToolInfo.version), ("lang", language.rawValue)]
        if let time { attributes.append(("time", time)) }
        let root = XMLElement("fleet", attributes: attributes, children: rows.map { r in
            var children: [XMLNode] = r.stages.map {
                .element(XMLElement("stage", attributes: [("id", $0.id.rawValue), ("level", $0.level.rawValue)]))
            }
            children += r.failing.map {
                .element(XMLElement("failing", text: $0.summary, attributes: ReportXML.attrs(("check", $0.check), ("device", $0.device))))
            }
            return .element(XMLElement("host", attributes: ReportXML.attrs(
                ("file", r.file), ("hostname", r.hostname), ("kernel", r.kernel), ("time", r.time), ("level", r.level.rawValue),
                ("sriovDevices", String(r.sriovDevices)), ("vfsEnabled", String(r.vfsEnabled)), ("vfsTotal", String(r.vfsTotal)),
                ("checksFailed", String(r.counts.fail)), ("checksWarned", String(r.counts.warn)), ("checksPassed", String(r.counts.pass))),
                children: children))
        })
        let xml = try XMLKit.serialise(root, namespace: ReportNamespace.uri)
        do { try ReportResources.compiledSchema().validate(xml) } catch let e as XMLKitError {
            throw ReportError.selfCheckFailed(e.description)
        }
        return xml
    }

    // MARK: - HTML

    /// Sorts the table by the clicked column; numbers (data-v) and words alike. The only
    /// script in any report: a few lines, inline, nothing fetched.
    static let sortScript = """
    document.addEventListener("click", function (e) {
      var th = e.target.closest("th[data-sort]"); if (!th) return;
      var table = th.closest("table"), body = table.tBodies[0], i = th.cellIndex;
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var key = function (tr) { var c = tr.cells[i]; return c.dataset.v !== undefined ? c.dataset.v : c.textContent.trim().toLowerCase(); };
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : (x < y ? -1 : x > y ? 1 : 0);
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
    """

    public func html() throws -> String {
        let l = ReportLabels(language: language)
        let stageTitles = StageID.allCases.map { l.shortStageName($0) }
        // On a phone (max-width 640px, report.css) the columns marked "wide" are hidden: the
        // host (with its file and time), its result, the check counts, VFs and what fails stay.
        let header = [l.host, l.kernel] + stageTitles + [l.t("Checks", "Comprobaciones"), "SR-IOV", l.vfs, l.failing]
        let wide = Set([1] + stageTitles.indices.map { $0 + 2 } + [stageTitles.count + 3])
        let headerAttributes: [[(String, String)]] = header.indices.map {
            [("scope", "col"), ("data-sort", String($0))] + (wide.contains($0) ? [("class", "wide")] : [])
        }
        let tableRows: [[XMLElement]] = rows.enumerated().map { i, r in
            var cells = [
                H.el("span", [
                    H.el("a", attrs: [("href", "#host-\(i + 1)")], [H.text("span", r.hostname ?? r.file)]),
                    ReportHTML.badge(r.level, language),
                    H.el("small", attrs: [("class", "row-file")], [H.text("code", r.file)] + (r.time.map { [H.text("span", " · " + $0)] } ?? [])),
                ]),
                H.text("span", r.kernel ?? "?"),
            ]
            cells += StageID.allCases.map { id in
                let level = r.level(of: id) ?? .skip
                return XMLElement("span", attributes: [("class", "badge \(level.rawValue)"), ("data-v", String(level.severity))],
                                  children: [.text(level.label(language))])
            }
            cells += [XMLElement("span", attributes: [("data-v", String(r.counts.fail * 1_000_000 + r.counts.warn * 1_000 + r.counts.pass))],
                                 children: [.text(r.countsText(l))]),
                      H.text("span", String(r.sriovDevices)), H.text("span", "\(r.vfsEnabled) / \(r.vfsTotal)"),
                      H.text("span", r.failingText.isEmpty ? "-" : r.failingText)]
            return cells
        }
        var table = H.table(header, tableRows, class: "fleet-table", headerAttributes: headerAttributes,
                            rowAttributes: rows.map { [("class", "level-\($0.level.rawValue)")] })
        table = sortKeys(table, wide: wide)
        let details = rows.enumerated().map { i, r in hostDetails(r, anchor: "host-\(i + 1)", l) }
        let body = H.el("body", [
            H.el("header", attrs: [("class", "top level-\(CheckLevel.worst(rows.map(\.level)).rawValue)")], [
                H.el("h1", [H.text("span", l.fleetTitle, class: "title"), H.text("span", "\(rows.count) " + l.t("hosts", "equipos"), class: "hostname")]),
                H.text("p", "\(ToolInfo.name) \(ToolInfo.version)" + (time.map { " · " + $0 } ?? ""), class: "meta"),
            ]),
            H.el("main", [
                H.el("section", attrs: [("id", "fleet")], [
                    H.text("h2", l.summary),
                    H.text("p", l.sortHint, class: "muted"),
                    H.el("div", attrs: [("class", "scroll")], [table]),
                ]),
                H.el("section", attrs: [("id", "hosts")], [H.text("h2", l.details)] + details),
            ]),
            H.el("footer", [H.text("p", "\(l.generatedBy) \(ToolInfo.name) \(ToolInfo.version) · \(ReportNamespace.uri)")]),
        ])
        return try XMLKit.serialiseHTML(ReportHTML.document(title: l.fleetTitle, language: language, body: body,
                                                            script: FleetSummary.sortScript))
    }

    /// Level cells sort by severity: copy the badge's data-v onto its cell.
    private func sortKeys(_ table: XMLElement, wide: Set<Int>) -> XMLElement {
        var table = table
        table.children = table.children.map { node in
            guard case .element(var section) = node, section.name == "tbody" else { return node }
            section.children = section.children.map { rowNode in
                guard case .element(var row) = rowNode else { return rowNode }
                row.children = row.children.enumerated().map { column, cellNode in
                    guard case .element(var cell) = cellNode else { return cellNode }
                    var classes = wide.contains(column) ? ["wide"] : []
                    if let inner = cell.elements().first, let v = inner.attribute("data-v") {
                        cell.attributes.append((name: "data-v", value: v))
                        if inner.attribute("class")?.hasPrefix("badge") == true { classes.append("lvl") }
                    }
                    if !classes.isEmpty { cell.attributes.append((name: "class", value: classes.joined(separator: " "))) }
                    return .element(cell)
                }
                return .element(row)
            }
            return .element(section)
        }
        return table
    }

    private func hostDetails(_ r: FleetRow, anchor: String, _ l: ReportLabels) -> XMLElement {
        var children: [XMLElement] = [
            H.el("h3", [H.text("span", r.hostname ?? "?"), ReportHTML.badge(r.level, language)]),
            H.el("p", [H.text("code", r.file), H.text("small", "  " + [r.kernel, r.time].compactMap { $0 }.joined(separator: " · "))]),
        ]
        if r.problems.isEmpty {
            children.append(H.text("p", l.nothingToDo, class: "ok"))
        } else {
            children += r.problems.map { ReportHTML.check($0, l) }
        }
        return H.el("div", attrs: [("class", "card fleet-host"), ("id", anchor)], children)
    }
}
