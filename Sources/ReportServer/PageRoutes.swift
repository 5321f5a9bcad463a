import Foundation
import Hummingbird
import Reports
import SRIOVCore
import XMLKit

/// The browser side: sign-in, fleet, host, diff and compatibility pages.
extension ReportServerApp {
    /// The signed-in reader, or a redirect to /login.
    func reader(_ req: Request) async throws -> (name: String, csrf: String)? {
        do {
            let c = try await require(.read, req)
            return (c.token.name, c.csrf ?? "")
        } catch let f as HTTPFailure where f.status == .unauthorized && req.headers[.authorization] == nil {
            return nil
        }
    }

    func toLogin(_ req: Request) -> Response {
        Response(status: .seeOther, headers: [.location: "/login" + Pages.query([("lang", req.uri.queryParameters["lang"].map(String.init))])])
    }

    func cookie(_ name: String, _ value: String, maxAge: Int, _ req: Request) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=\(maxAge)"]
        if secure(req) { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    func langHeaders(_ req: Request) -> HTTPFields {
        var h: HTTPFields = [:]
        if let l = req.uri.queryParameters["lang"], Language(rawValue: String(l)) != nil {
            h[.setCookie] = cookie("lang", String(l), maxAge: 31_536_000, req)
        }
        return h
    }

    func loginPage(_ req: Request, error: LocalizedText?, status: HTTPResponse.Status = .ok) throws -> Response {
        let l = PageLabels(language: language(req))
        let csrf = Tokens.randomHex(bytes: 32)
        var content: [XMLElement] = [H.text("p", l.signInIntro)]
        if let error { content.append(H.text("p", error.text(l.language), [("class", "error")])) }
        content.append(H.el("form", [("method", "post"), ("action", "/login"), ("class", "filters")], [
            H.hidden("csrf", csrf),
            H.el("label", [], [H.text("span", l.token), H.el("input", [("type", "password"), ("name", "token"), ("autocomplete", "off"),
                                                                       ("required", "required"), ("size", "70")])]),
            H.text("button", l.signIn, [("type", "submit")]),
        ]))
        var headers = langHeaders(req)
        headers[values: .setCookie] = headers[values: .setCookie] + [cookie(Pages.loginCookie, csrf, maxAge: 1800, req)]
        return try Pages.page(l.signIn, l, signedIn: nil, content, status: status, headers: headers)
    }

    /// Reads an urlencoded form body (at most 16 KiB).
    func form(_ req: Request) async throws -> [String: String] {
        var body = ByteBuffer()
        for try await chunk in req.body {
            guard body.readableBytes + chunk.readableBytes <= 16 << 10 else {
                throw HTTPFailure(status: .contentTooLarge, code: "too-large", message: LocalizedText(
                    en: "the form is larger than 16 KiB", es: "el formulario supera 16 KiB"))
            }
            var c = chunk
            body.writeBuffer(&c)
        }
        var out: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let k = kv.first { out[k] = kv.count > 1 ? kv[1] : "" }
        }
        return out
    }

    func login(_ req: Request) async throws -> Response {
        let f = try await form(req)
        let expected = req.cookies[Pages.loginCookie]?.value ?? ""
        guard !expected.isEmpty, Tokens.constantTimeEqual(expected, f["csrf"] ?? "") else {
            return try loginPage(req, error: LocalizedText(
                en: "the form expired or did not come from this site; sign in again",
                es: "el formulario caducó o no vino de este sitio; inicie sesión de nuevo"), status: .forbidden)
        }
        guard let t = Tokens.match((f["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines), in: try await store.tokens()) else {
            return try loginPage(req, error: LocalizedText(en: "unknown or revoked token", es: "token desconocido o revocado"),
                                 status: .unauthorized)
        }
        guard t.role.allows(.read) else {
            return try loginPage(req, error: LocalizedText(
                en: "the token \"\(t.name)\" is an upload token; sign in with a read or admin token",
                es: "el token \"\(t.name)\" es de subida; inicie sesión con un token read o admin"), status: .forbidden)
        }
        let sid = Tokens.randomHex(bytes: 32)
        try await store.createSession(hash: Tokens.hash(sid), token: t.name, csrf: Tokens.randomHex(bytes: 32),
                                      expires: Clock.now(offset: TimeInterval(settings.sessionHours * 3600)))
        var h: HTTPFields = [.location: "/"]
        h[values: .setCookie] = [cookie(Pages.sessionCookie, sid, maxAge: settings.sessionHours * 3600, req),
                                 cookie(Pages.loginCookie, "", maxAge: 0, req)]
        return Response(status: .seeOther, headers: h)
    }

    func logout(_ req: Request) async throws -> Response {
        let f = try await form(req)
        if let sid = req.cookies[Pages.sessionCookie]?.value, let s = try await store.session(hash: Tokens.hash(sid), now: Clock.now()) {
            guard Tokens.constantTimeEqual(s.csrf, f["csrf"] ?? "") else {
                throw HTTPFailure(status: .forbidden, code: "csrf", message: LocalizedText(
                    en: "the form did not come from this site", es: "el formulario no vino de este sitio"))
            }
            try await store.deleteSession(hash: Tokens.hash(sid))
        }
        return Response(status: .seeOther, headers: [.location: "/login", .setCookie: cookie(Pages.sessionCookie, "", maxAge: 0, req)])
    }

    func fleetPage(_ req: Request) async throws -> Response {
        guard let who = try await reader(req) else { return toLogin(req) }
        let l = PageLabels(language: language(req))
        let q = try Self.hostQuery(req)
        let page = try await store.hosts(q)
        func current(_ k: String) -> String { req.uri.queryParameters[Substring(k)].map { String($0) } ?? "" }
        let filterKeys = ["q", "level", "check", "device", "board", "kernel"]
        func link(sort: String? = nil, page: Int? = nil) -> String {
            var items = filterKeys.map { ($0, Optional(current($0))) }
            items.append(("sort", sort ?? current("sort")))
            if let page, page > 1 { items.append(("page", String(page))) }
            return "/" + Pages.query(items)
        }
        func field(_ label: String, _ name: String, size: String = "14") -> XMLElement {
            H.el("label", [], [H.text("span", label), H.el("input", [("type", "search"), ("name", name), ("value", current(name)), ("size", size)])])
        }
        let levels = ["", "fail", "warn", "note", "pass", "skip"]
        let filters = H.el("form", [("method", "get"), ("action", "/"), ("class", "filters")], [
            field(l.search, "q", size: "20"),
            H.el("label", [], [H.text("span", l.level), H.el("select", [("name", "level")], levels.map { v in
                H.text("option", v.isEmpty ? l.any : v, [("value", v)] + (current("level") == v ? [("selected", "selected")] : []))
            })]),
            field(l.check, "check"), field(l.device, "device"), field(l.board, "board"), field(l.kernel, "kernel", size: "10"),
            H.hidden("sort", current("sort")),
            H.text("button", l.filter, [("type", "submit")]),
        ])
        func header(_ label: String, _ key: HostSort?, wide: Bool = false) -> XMLElement {
            var attrs: [(String, String)] = [("scope", "col")]
            if wide { attrs.append(("class", "wide-only")) }
            guard let key else { return H.text("th", label, attrs) }
            let desc = q.sort == key && !q.descending
            return H.el("th", attrs, [H.link(link(sort: (desc ? "-" : "") + key.rawValue), label + (q.sort == key ? (q.descending ? " ▼" : " ▲") : ""))])
        }
        var head = [header(l.host, .host), header(l.site, .site), header(l.kernel, .kernel, wide: true), header(l.proxmox, nil, wide: true),
                    header(l.level, .level)]
        head += l.stageNames.map { header($0, nil, wide: true) }
        head += [header(l.vfs, nil), header(l.failing, nil), header(l.lastReport, .received)]
        let rows = page.hosts.map { h -> XMLElement in
            var cells = [
                H.el("td", [], [H.link(Pages.hostURL(h.hostKey), h.host)] + (h.hostId != nil ? [H.text("small", " " + String(h.hostKey.prefix(12)))] : [])),
                H.text("td", h.site), H.text("td", h.kernel ?? "–", [("class", "wide-only")]), H.text("td", h.proxmox ?? "–", [("class", "wide-only")]),
                H.el("td", [], [H.badge(h.level)]),
            ]
            cells += ReportSummary.stageOrder.map { H.el("td", [("class", "wide-only")], [H.badge(h.stages[$0] ?? "")]) }
            cells += [
                H.text("td", "\(h.vfsEnabled)/\(h.vfsTotal)"),
                H.el("td", [], h.failing.map { H.link("/" + Pages.query([("check", $0)]), $0) }.flatMap { [$0, H.text("span", " ")] }),
                H.el("td", [], [H.link("/api/v1/reports/\(h.lastReport).html", String(h.received.prefix(16)).replacingOccurrences(of: "T", with: " "))]),
            ]
            return H.el("tr", [("class", "level-\(h.level)")], cells)
        }
        let pageNumber = q.offset / max(q.limit, 1) + 1
        let pages = max(1, (page.total + q.limit - 1) / q.limit)
        var pager: [XMLElement] = [H.text("span", "\(page.total) \(l.hostsCount) · \(pageNumber)/\(pages)")]
        if pageNumber > 1 { pager.append(H.link(link(page: pageNumber - 1), "← " + l.previous, [("rel", "prev")])) }
        if pageNumber < pages { pager.append(H.link(link(page: pageNumber + 1), l.next + " →", [("rel", "next")])) }
        var content: [XMLElement] = [filters, H.el("div", [("class", "pager")], pager)]
        if rows.isEmpty {
            content.append(H.text("p", l.noHosts))
        } else {
            content.append(H.el("div", [("class", "scroll")], [H.el("table", [("class", "grid"), ("id", "fleet")], [
                H.el("thead", [], [H.el("tr", [], head)]), H.el("tbody", [], rows),
            ])]))
        }
        return try Pages.page(l.fleet, l, signedIn: who, content, headers: langHeaders(req))
    }

    func hostPage(_ req: Request, _ rawKey: String) async throws -> Response {
        guard let who = try await reader(req) else { return toLogin(req) }
        let l = PageLabels(language: language(req))
        let key = rawKey.removingPercentEncoding ?? rawKey
        let list = try await store.reports(hostKey: key)
        guard let latest = list.first else { throw Self.notFound("host", key) }
        let latestHost = try await store.report(id: latest.id)
        let name = latestHost?.summary.host ?? key
        let rows = list.enumerated().map { i, e -> XMLElement in
            var actions: [XMLElement] = [H.link("/api/v1/reports/\(e.id).html", l.htmlReport), H.text("span", " · "),
                                         H.link("/api/v1/reports/\(e.id)", l.xml)]
            if i + 1 < list.count {
                actions += [H.text("span", " · "), H.link("/diff/\(list[i + 1].id)/\(e.id)", l.diffPrevious)]
            }
            return H.el("tr", [("class", "level-\(e.level)")], [
                H.text("td", e.time ?? "–"), H.text("td", e.received), H.text("td", e.site), H.el("td", [], [H.badge(e.level)]),
                H.text("td", e.failing.joined(separator: ", ")), H.el("td", [], actions),
            ])
        }
        func select(_ name: String, _ chosen: Int) -> XMLElement {
            H.el("select", [("name", name)], list.enumerated().map { i, e in
                H.text("option", "\(e.time ?? e.received) · \(e.level) · \(e.id.prefix(8))", [("value", e.id)] + (i == chosen ? [("selected", "selected")] : []))
            })
        }
        var content: [XMLElement] = [
            H.text("p", "\(key) · \(latestHost?.summary.kernel ?? "") · \(latestHost?.summary.boardVendor ?? "") \(latestHost?.summary.boardModel ?? "")", [("class", "muted")]),
            H.text("h2", l.history),
            H.el("div", [("class", "scroll")], [H.el("table", [("class", "grid"), ("id", "history")], [
                H.el("thead", [], [H.el("tr", [], [l.time, l.received, l.site, l.level, l.failing, ""].map { H.text("th", $0) })]),
                H.el("tbody", [], rows),
            ])]),
        ]
        if list.count > 1 {
            content += [H.text("h2", l.compare), H.el("form", [("method", "get"), ("action", "/diff"), ("class", "filters")], [
                H.el("label", [], [H.text("span", l.from), select("from", 1)]),
                H.el("label", [], [H.text("span", l.to), select("to", 0)]),
                H.text("button", l.showDiff, [("type", "submit")]),
            ])]
        }
        return try Pages.page(l.host + " " + name, l, signedIn: who, content, headers: langHeaders(req))
    }

    func diffRedirect(_ req: Request) async throws -> Response {
        guard try await reader(req) != nil else { return toLogin(req) }
        let p = req.uri.queryParameters
        guard let a = p["from"], let b = p["to"], !a.isEmpty, !b.isEmpty else {
            throw HTTPFailure(status: .badRequest, code: "bad-diff", message: LocalizedText(
                en: "choose two reports (from and to)", es: "elija dos informes (desde y hasta)"))
        }
        let safe = { (s: Substring) in s.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? "" }
        return Response(status: .seeOther, headers: [.location: "/diff/\(safe(a))/\(safe(b))"])
    }

    func diffPage(_ req: Request, _ a: String, _ b: String) async throws -> Response {
        guard let who = try await reader(req) else { return toLogin(req) }
        let l = PageLabels(language: language(req))
        let d = try await diff(a, b)
        func level(_ s: String?) -> XMLElement { s.map { H.badge($0) } ?? H.text("span", l.absent, [("class", "muted")]) }
        var content: [XMLElement] = [
            H.el("p", [], [H.link("/api/v1/reports/\(a).html", String(a.prefix(12)) + "…"), H.text("span", " → "),
                           H.link("/api/v1/reports/\(b).html", String(b.prefix(12)) + "…"), H.text("span", "  "), level(d.levelFrom),
                           H.text("span", " → "), level(d.levelTo)]),
            H.text("h2", l.checksChanged),
        ]
        if d.checks.isEmpty { content.append(H.text("p", l.noChange)) } else {
            content.append(H.el("table", [("class", "grid"), ("id", "checks")], [
                H.el("thead", [], [H.el("tr", [], [l.stage, "id", l.device, l.from, l.to].map { H.text("th", $0) })]),
                H.el("tbody", [], d.checks.map { c in H.el("tr", [], [
                    H.text("td", c.stage), H.text("td", c.id), H.text("td", c.device ?? ""), H.el("td", [], [level(c.from)]), H.el("td", [], [level(c.to)]),
                ]) }),
            ]))
        }
        content.append(H.text("h2", l.devicesChanged))
        if d.devices.isEmpty { content.append(H.text("p", l.noChange)) } else {
            content.append(H.el("table", [("class", "grid"), ("id", "devices")], [
                H.el("thead", [], [H.el("tr", [], [l.address, l.field, l.from, l.to].map { H.text("th", $0) })]),
                H.el("tbody", [], d.devices.map { c in H.el("tr", [], [
                    H.text("td", c.address), H.text("td", c.field), H.text("td", c.from ?? l.absent), H.text("td", c.to ?? l.absent),
                ]) }),
            ]))
        }
        content += [
            H.text("h2", l.vfsChanged),
            H.text("p", "\(d.vfsFrom.enabled)/\(d.vfsFrom.total) → \(d.vfsTo.enabled)/\(d.vfsTo.total)"),
            H.text("p", "\(l.added): " + (d.vfsAdded.isEmpty ? "–" : d.vfsAdded.joined(separator: ", "))),
            H.text("p", "\(l.removed): " + (d.vfsRemoved.isEmpty ? "–" : d.vfsRemoved.joined(separator: ", "))),
        ]
        return try Pages.page(l.differences, l, signedIn: who, content, headers: langHeaders(req))
    }

    func compatibilityPage(_ req: Request) async throws -> Response {
        guard let who = try await reader(req) else { return toLogin(req) }
        let l = PageLabels(language: language(req))
        let rows = try await store.compatibility()
        let table = H.el("div", [("class", "scroll")], [H.el("table", [("class", "grid"), ("id", "compatibility")], [
            H.el("thead", [], [H.el("tr", [], [l.board, l.biosVersion, l.device, l.driver, l.hosts, l.passing, l.topFailing].map { H.text("th", $0) })]),
            H.el("tbody", [], rows.map { r in
                H.el("tr", [("class", r.passing > 0 ? "level-pass" : "level-fail")], [
                    H.text("td", "\(r.boardVendor) \(r.boardModel)"), H.text("td", r.biosVersion),
                    H.el("td", [], [H.link("/" + Pages.query([("device", r.device)]), r.device)]), H.text("td", r.driver),
                    H.text("td", String(r.hosts)), H.text("td", "\(r.passing)/\(r.hosts)"),
                    H.el("td", [], r.topFailing.map { [H.link("/" + Pages.query([("check", $0)]), $0), H.text("span", " (\(r.topFailingHosts))")] } ?? []),
                ])
            }),
        ])])
        return try Pages.page(l.compatibility, l, signedIn: who, [H.text("p", l.compatIntro), table], headers: langHeaders(req))
    }
}
