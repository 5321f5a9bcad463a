import SRIOVCore
import XMLKit

/// `HostReport` -> one self-contained HTML5 file: inline CSS from Resources/report/report.css,
/// no scripts, no fonts or images fetched from anywhere. Built as a tree and serialised by
/// libxml2's HTML serialiser, which does all escaping. Reports come from strangers (`report
/// --from`), so every page carries a Content-Security-Policy that allows nothing but its own
/// style sheet and script (by hash), and only http(s) URLs become links.
public enum ReportHTML {
    public static func render(_ report: HostReport) throws -> String {
        let l = ReportLabels(language: report.language)
        let name = report.host.hostname ?? l.unknown
        let body = H.el("body", [
            header(report, l),
            H.el("main", [
                summary(report, l),
                stages(report, l),
                devices(report, l),
                iommuGroups(report, l),
                guestDrivers(report, l),
                changes(report, l),
                evidence(report, l),
            ]),
            footer(report, l),
        ])
        return try XMLKit.serialiseHTML(document(title: l.reportTitle + " · " + name, language: report.language, body: body))
    }

    /// The page's Content-Security-Policy (CSP Level 3): nothing may load or run except the
    /// inline style sheet and, where the page has one, its inline script, each allowed by the
    /// SHA-256 of its exact text (no 'unsafe-inline'); no base URL, no form targets.
    static func contentSecurityPolicy(style: String, script: String?) -> String {
        let styleSource = style == ReportResources.styleSheet ? styleSheetSource : SHA256.cspSource(style)
        var policy = ["default-src 'none'", "style-src " + styleSource]
        if let script { policy.append("script-src " + SHA256.cspSource(script)) }
        policy += ["base-uri 'none'", "form-action 'none'"]
        return policy.joined(separator: "; ")
    }

    /// The CSP source of the compiled-in style sheet, hashed once per process rather than for
    /// every page (`collect` and the fleet summary render many).
    static let styleSheetSource = SHA256.cspSource(ReportResources.styleSheet)

    /// `url` when it may be a live link: an absolute `https:` or `http:` URL with nothing a
    /// browser would strip or reinterpret (no whitespace, control characters or backslashes).
    /// Anything else (`javascript:`, `data:`, `vbscript:`, ` JaVaScRiPt:`, `java\tscript:`,
    /// relative URLs) is shown as text only. Entity-encoded forms arrive here decoded by the
    /// XML parser, so they are tested as what a browser would see.
    public static func linkTarget(_ url: String) -> String? {
        guard url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f && $0 != "\\"
                                             && !(0x80...0x9f).contains($0.value) && !$0.properties.isWhitespace
                                             && $0.properties.generalCategory != .format }) else { return nil }
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        let host = lower.drop(while: { $0 != "/" }).dropFirst(2)
        return host.isEmpty || host.hasPrefix("/") ? nil : url
    }

    static func document(title: String, language: Language, body: XMLElement, script: String? = nil) -> XMLElement {
        let style = ReportResources.styleSheet
        var head: [XMLElement] = [
            // libxml2's HTML serialiser adds <meta http-equiv="Content-Type" content="text/html;
            // charset=UTF-8"> itself (htmlSetMetaEncoding); a second <meta charset> would be invalid.
            // The policy comes first so it governs everything after it.
            H.el("meta", attrs: [("http-equiv", "Content-Security-Policy"), ("content", contentSecurityPolicy(style: style, script: script))]),
            H.el("meta", attrs: [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
            H.el("meta", attrs: [("name", "generator"), ("content", ToolInfo.name)]),
            H.text("title", title),
            H.text("style", style),
        ]
        if let script { head.append(H.text("script", script)) }
        return H.el("html", attrs: [("lang", language.rawValue)], [H.el("head", head), body])
    }

    // MARK: - sections

    static func header(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        var meta = ["\(r.tool) \(r.toolVersion)"]
        if let time = r.time { meta.append(time) }
        var children = [
            H.el("h1", [H.text("span", l.reportTitle, class: "title"), H.text("span", r.host.hostname ?? l.unknown, class: "hostname")]),
            H.text("p", meta.joined(separator: " · "), class: "meta"),
        ]
        if r.redacted { children.append(H.text("p", l.redacted, class: "redacted")) }
        return H.el("header", attrs: [("class", "top level-\(r.level.rawValue)")], children)
    }

    static func summary(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        let strip = H.el("ol", attrs: [("class", "stage-strip")], r.stages.enumerated().map { i, s in
            H.el("li", attrs: [("class", "level-\(s.level.rawValue)")], [
                H.el("a", attrs: [("href", "#stage-\(s.id.rawValue)")], [
                    H.text("span", "\(i + 1)", class: "num"),
                    H.text("span", s.title, class: "stage-name"),
                    badge(s.level, l.language),
                ]),
            ])
        })
        let steps = r.nextSteps
        let next: XMLElement = steps.isEmpty
            ? H.text("p", l.nothingToDo, class: "ok")
            : H.el("ol", attrs: [("class", "next")], steps.map { c in
                H.el("li", attrs: [("class", "level-\(c.level.rawValue)")], [
                    H.el("div", attrs: [("class", "next-head")], [badge(c.level, l.language), H.prose("span", c.summary, class: "next-summary")]
                        + (c.device.map { [H.text("code", $0, class: "device")] } ?? [])),
                    H.prose("pre", c.hint, class: "hint"),
                ])
            })
        return H.el("section", attrs: [("id", "summary"), ("class", "summary")], [
            H.text("h2", l.summary),
            H.text("p", l.overall(r.level), class: "verdict level-\(r.level.rawValue)"),
            strip,
            H.text("h3", l.nextSteps),
            next,
            H.text("h3", l.hostFacts),
            facts(r.host, l),
        ])
    }

    static func facts(_ h: HostFacts, _ l: ReportLabels) -> XMLElement {
        var rows: [(String, XMLElement)] = []
        func row(_ label: String, _ value: String?, code: Bool = false) {
            guard let value, !value.isEmpty else { return }
            rows.append((label, code ? H.text("code", value) : H.text("span", value)))
        }
        row(l.hostname, h.hostname)
        row(l.hostID, h.hostID, code: true)
        row(l.os, h.os)
        row(l.proxmox, h.proxmox)
        row(l.kernel, h.kernel)
        row(l.cmdline, h.cmdline, code: true)
        row(l.bootLoader, l.bootLoaderName(h.bootLoader))
        row(l.cpu, [h.cpuVendor, h.cpuModel].compactMap { $0 }.joined(separator: " · "))
        row(l.cpuFlags, h.cpuFlags.isEmpty ? l.none : h.cpuFlags.joined(separator: " "), code: true)
        row(l.firmware, h.dmi.map { "\($0.name): \($0.value)" }.joined(separator: "; "))
        return H.el("dl", attrs: [("class", "facts")], rows.flatMap { [H.text("dt", $0.0), H.el("dd", [$0.1])] })
    }

    static func stages(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        H.el("section", attrs: [("id", "stages")], [H.text("h2", l.stages)] + r.stages.enumerated().map { i, s in
            H.el("section", attrs: [("class", "stage level-\(s.level.rawValue)"), ("id", "stage-\(s.id.rawValue)")], [
                H.el("h3", [H.text("span", "\(l.stage) \(i + 1)/\(r.stages.count)", class: "num"), H.text("span", s.title), badge(s.level, l.language)]),
            ] + (s.checks.isEmpty ? [H.text("p", l.noChecks, class: "muted")] : s.checks.map { check($0, l) }))
        })
    }

    static func check(_ c: ReportCheck, _ l: ReportLabels) -> XMLElement {
        var head: [XMLElement] = [badge(c.level, l.language), H.prose("span", c.summary, class: "check-summary")]
        var tags = [H.text("code", c.id, class: "check-id")]
        if let d = c.device { tags.append(H.text("code", d, class: "device")) }
        head.append(H.el("span", attrs: [("class", "tags")], tags))
        var children = [H.el("div", attrs: [("class", "check-head")], head)]
        if !c.hint.isEmpty {
            children.append(H.el("div", attrs: [("class", "hint-box")], [H.text("span", l.fix, class: "label"), H.prose("pre", c.hint, class: "hint")]))
        }
        if !c.evidence.isEmpty {
            children.append(H.el("details", attrs: [("class", "evidence")], [
                H.text("summary", "\(l.evidence) (\(c.evidence.count))"),
                H.el("ul", c.evidence.map { H.el("li", [H.text("code", $0)]) }),
            ]))
        }
        return H.el("div", attrs: [("class", "check level-\(c.level.rawValue)")], children)
    }

    static func devices(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        guard !r.devices.isEmpty else {
            return H.el("section", attrs: [("id", "devices")], [H.text("h2", l.devices), H.text("p", l.noDevices, class: "muted")])
        }
        return H.el("section", attrs: [("id", "devices")], [H.text("h2", l.devices)] + r.devices.map { d in
            var props: [(String, String)] = [
                (l.driver, d.driver ?? l.none),
                (l.iommuGroup, d.iommuGroup.map(String.init) ?? l.none),
                ("ARI", d.ari.map { $0 ? l.yes : l.no } ?? l.unknown),
            ]
            if let e = d.ariEnabled { props.append(("ari_enabled", e ? "1" : "0")) }
            if let s = d.sriov {
                props.append((l.vfsEnabled, "\(s.numVFs.map(String.init) ?? "?") / \(s.totalVFs.map(String.init) ?? "?")"))
                if let c = s.configTotalVFs { props.append(("TotalVFs (config)", String(c))) }
                if let i = s.initialVFs { props.append(("InitialVFs", String(i))) }
                if let o = s.vfOffset, let st = s.vfStride { props.append((l.vfOffsetStride, "\(o) / \(st)")) }
                if let id = s.vfDeviceID { props.append((l.vfDeviceID, id)) }
            }
            for n in d.netdevs { props.append((l.netdev, n.name + (n.mac.map { "  " + $0 } ?? ""))) }
            var card: [XMLElement] = [
                H.el("h3", [H.text("code", d.address), H.text("span", d.displayName), H.text("span", d.role.rawValue.uppercased(), class: "role")]),
                H.el("dl", attrs: [("class", "props")], props.flatMap { [H.text("dt", $0.0), H.text("dd", $0.1)] }),
            ]
            if !d.vfs.isEmpty {
                card.append(H.el("div", attrs: [("class", "scroll")], [H.table(
                    [l.address, l.driver, l.netdev, l.mac, l.iommuGroup],
                    d.vfs.map { vf in
                        [H.text("code", vf.address), H.text("span", vf.driver ?? l.none),
                         H.text("span", vf.netdevs.map(\.name).joined(separator: " ")),
                         H.text("code", vf.netdevs.compactMap(\.mac).joined(separator: " ")),
                         H.text("span", vf.iommuGroup.map(String.init) ?? l.none)]
                    }, class: "vfs")]))
            }
            return H.el("div", attrs: [("class", "card"), ("id", "device-\(d.address)")], card)
        })
    }

    static func iommuGroups(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        guard !r.iommuGroups.isEmpty else {
            return H.el("section", attrs: [("id", "iommu")], [H.text("h2", l.iommuGroups), H.text("p", l.noIOMMUGroups, class: "muted")])
        }
        let sriov = Set(r.devices.flatMap { [$0.address] + $0.vfs.map(\.address) })
        return H.el("section", attrs: [("id", "iommu")], [
            H.text("h2", l.iommuGroups),
            H.text("p", l.iommuGroupsNote, class: "muted"),
            H.el("ul", attrs: [("class", "groups")], r.iommuGroups.map { g in
                let hit = g.devices.contains { sriov.contains($0) }
                return H.el("li", attrs: [("class", hit ? "group sriov" : "group")],
                            [H.text("span", "\(g.number)", class: "group-no")] + g.devices.map { H.text("code", $0) })
            }),
        ])
    }

    static func guestDrivers(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        var children = [H.text("h2", l.guestDrivers), H.text("p", l.guestDriversNote, class: "callout")]
        if r.guestDrivers.isEmpty {
            children.append(H.text("p", l.noDevices, class: "muted"))
        } else {
            children.append(H.el("div", attrs: [("class", "scroll")], [H.table([l.device, l.linuxGuest, l.windowsGuest], r.guestDrivers.map { g in
                let device = H.el("span", [H.text("code", g.device)] + (g.deviceName.map { [H.el("br"), H.text("small", $0)] } ?? []))
                let linux = g.linuxDriver.map { H.el("span", [H.text("code", $0), H.text("small", " " + l.inTree)]) }
                    ?? H.text("span", l.unknownDriver, class: "muted")
                var windows: XMLElement
                if let w = g.windows {
                    var parts: [XMLElement] = [w.url.flatMap(linkTarget).map { H.el("a", attrs: [("href", $0)], [H.text("span", w.package)]) } ?? H.text("span", w.package)]
                    if let url = w.url { parts += [H.el("br"), H.text("small", url, class: "url")] }
                    if let note = w.note { parts += [H.el("br"), H.text("small", note)] }
                    windows = H.el("span", parts)
                } else {
                    windows = H.text("span", l.unknownDriver, class: "muted")
                }
                return [device, linux, windows]
            }, class: "drivers")]))
        }
        return H.el("section", attrs: [("id", "guests")], children)
    }

    static func changes(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        guard let changes = r.changes, !changes.isEmpty else {
            return H.el("section", attrs: [("id", "changes")], [H.text("h2", l.changes), H.prose("p", l.noChanges, class: "muted")])
        }
        return H.el("section", attrs: [("id", "changes")], [
            H.text("h2", l.changes),
            H.el("ol", attrs: [("class", "changes")], changes.map { c in
                var parts = [H.text("span", c.state == .applied ? l.applied : l.planned, class: "state \(c.state.rawValue)"),
                             H.text("span", c.description)]
                if let f = c.file { parts.append(H.text("code", f)) }
                if let cmd = c.command { parts.append(H.text("code", cmd)) }
                if let t = c.time { parts.append(H.text("small", t)) }
                parts.append(H.text("small", c.id, class: "muted"))
                return H.el("li", parts)
            }),
        ])
    }

    static func evidence(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        var children = [H.text("h2", l.rawEvidence)]
        for source in r.evidence {
            children.append(H.el("details", attrs: [("class", "raw")], [
                H.text("summary", "\(source.source) (\(source.lines.count) \(l.lines))"),
                H.text("pre", source.lines.joined(separator: "\n")),
            ]))
        }
        if !r.issues.isEmpty {
            children.append(H.el("details", attrs: [("class", "raw")], [
                H.text("summary", "\(l.inventoryIssues) (\(r.issues.count))"),
                H.text("pre", r.issues.map(\.message).joined(separator: "\n")),
            ]))
        }
        if r.evidence.isEmpty && r.issues.isEmpty { children.append(H.text("p", l.noRawEvidence, class: "muted")) }
        return H.el("section", attrs: [("id", "evidence")], children)
    }

    static func footer(_ r: HostReport, _ l: ReportLabels) -> XMLElement {
        H.el("footer", [H.text("p", "\(l.generatedBy) \(r.tool) \(r.toolVersion) · \(ReportNamespace.uri)")])
    }

    static func badge(_ level: CheckLevel, _ language: Language) -> XMLElement {
        H.text("span", level.label(language), class: "badge \(level.rawValue)")
    }
}

/// Small builders for HTML element values.
enum H {
    static func el(_ name: String, attrs: [(String, String)] = [], _ children: [XMLElement] = []) -> XMLElement {
        XMLElement(name, attributes: attrs, children: children.map { .element($0) })
    }

    static func text(_ name: String, _ text: String, class cls: String? = nil) -> XMLElement {
        XMLElement(name, text: text, attributes: cls.map { [("class", $0)] } ?? [])
    }

    /// Text in which `backquoted` parts (as checks write commands and file names) become <code>.
    static func prose(_ name: String, _ text: String, class cls: String? = nil) -> XMLElement {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.count % 2 == 1 else { return H.text(name, text, class: cls) }
        let children: [XMLNode] = parts.enumerated().compactMap { i, part in
            if part.isEmpty { return nil }
            return i % 2 == 0 ? .text(String(part)) : .element(XMLElement("code", text: String(part)))
        }
        return XMLElement(name, attributes: cls.map { [("class", $0)] } ?? [], children: children)
    }

    static func table(_ header: [String], _ rows: [[XMLElement]], class cls: String, headerAttributes: [[(String, String)]]? = nil,
                      rowAttributes: [[(String, String)]]? = nil) -> XMLElement {
        el("table", attrs: [("class", cls)], [
            el("thead", [el("tr", header.enumerated().map { i, h in
                XMLElement("th", attributes: headerAttributes?[i] ?? [("scope", "col")], children: [.text(h)])
            })]),
            el("tbody", rows.enumerated().map { i, cells in
                el("tr", attrs: rowAttributes?[i] ?? [], cells.map { el("td", [$0]) })
            }),
        ])
    }
}
