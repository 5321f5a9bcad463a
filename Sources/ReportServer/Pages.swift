import Foundation
import Hummingbird
import Reports
import SRIOVCore
import XMLKit

/// Small builders for the page trees; libxml2's HTML serialiser escapes every value.
enum H {
    static func el(_ name: String, _ attrs: [(String, String)] = [], _ children: [XMLElement] = []) -> XMLElement {
        XMLElement(name, attributes: attrs, children: children.map { .element($0) })
    }
    static func mixed(_ name: String, _ attrs: [(String, String)] = [], _ nodes: [XMLNode]) -> XMLElement {
        XMLElement(name, attributes: attrs, children: nodes)
    }
    static func text(_ name: String, _ text: String, _ attrs: [(String, String)] = []) -> XMLElement {
        XMLElement(name, text: text, attributes: attrs)
    }
    static func link(_ href: String, _ text: String, _ attrs: [(String, String)] = []) -> XMLElement {
        XMLElement("a", text: text, attributes: [("href", href)] + attrs)
    }
    static func badge(_ level: String) -> XMLElement {
        text("span", level.isEmpty ? "–" : level.uppercased(), [("class", "badge \(level)")])
    }
    static func hidden(_ name: String, _ value: String) -> XMLElement {
        el("input", [("type", "hidden"), ("name", name), ("value", value)])
    }
}

/// The labels of the pages, in English and Spanish.
struct PageLabels {
    let language: Language
    func t(_ en: String, _ es: String) -> String { language == .es ? es : en }

    var fleet: String { t("Fleet", "Flota") }
    var compatibility: String { t("Compatibility", "Compatibilidad") }
    var signIn: String { t("Sign in", "Iniciar sesión") }
    var signOut: String { t("Sign out", "Cerrar sesión") }
    var host: String { t("Host", "Host") }
    var site: String { t("Site", "Sitio") }
    var kernel: String { t("Kernel", "Kernel") }
    var proxmox: String { t("Proxmox", "Proxmox") }
    var level: String { t("Level", "Nivel") }
    var vfs: String { t("VFs enabled/possible", "VF activas/posibles") }
    var failing: String { t("Failing checks", "Comprobaciones fallidas") }
    var lastReport: String { t("Last report", "Último informe") }
    var search: String { t("Search", "Buscar") }
    var filter: String { t("Filter", "Filtrar") }
    var check: String { t("Failing check", "Comprobación fallida") }
    var device: String { t("Device (vendor:device or driver)", "Dispositivo (fabricante:dispositivo o driver)") }
    var board: String { t("Board", "Placa") }
    var any: String { t("any", "cualquiera") }
    var previous: String { t("Previous", "Anterior") }
    var next: String { t("Next", "Siguiente") }
    var noHosts: String { t("No host matches.", "Ningún host coincide.") }
    var history: String { t("Reports", "Informes") }
    var received: String { t("Received", "Recibido") }
    var time: String { t("Report time", "Hora del informe") }
    var compare: String { t("Compare two reports", "Comparar dos informes") }
    var from: String { t("From", "Desde") }
    var to: String { t("To", "Hasta") }
    var showDiff: String { t("Show differences", "Mostrar diferencias") }
    var diffPrevious: String { t("diff with previous", "diferencias con el anterior") }
    var differences: String { t("Differences", "Diferencias") }
    var checksChanged: String { t("Checks that changed level", "Comprobaciones que cambiaron de nivel") }
    var devicesChanged: String { t("Devices that changed", "Dispositivos que cambiaron") }
    var vfsChanged: String { t("Virtual functions", "Funciones virtuales") }
    var noChange: String { t("No change.", "Sin cambios.") }
    var absent: String { t("absent", "ausente") }
    var address: String { t("Address", "Dirección") }
    var field: String { t("Field", "Campo") }
    var added: String { t("added", "añadidas") }
    var removed: String { t("removed", "quitadas") }
    var stage: String { t("Stage", "Etapa") }
    var biosVersion: String { t("BIOS version", "Versión de BIOS") }
    var driver: String { t("Driver", "Driver") }
    var hosts: String { t("Hosts", "Hosts") }
    var passing: String { t("Reach a passing activation stage", "Llegan a una etapa de activación correcta") }
    var topFailing: String { t("Most common failing check otherwise", "Si no, la comprobación fallida más común") }
    var compatIntro: String {
        t("Over all reports: for each board, BIOS version and SR-IOV device, how many hosts reached a passing activation stage (VFs ready for a VM).",
          "Sobre todos los informes: para cada placa, versión de BIOS y dispositivo SR-IOV, cuántos hosts llegaron a una etapa de activación correcta (VF listas para una VM).")
    }
    var token: String { t("Token (role read or admin)", "Token (rol read o admin)") }
    var signInIntro: String {
        t("Sign in with a read or admin token made by `sriov-report-server token create`.",
          "Inicie sesión con un token read o admin creado con `sriov-report-server token create`.")
    }
    var htmlReport: String { t("HTML report", "Informe HTML") }
    var xml: String { "XML" }
    var hostsCount: String { t("hosts", "hosts") }
    var stageNames: [String] { [t("Prerequisites", "Requisitos"), "BIOS", t("Device", "Dispositivo"), t("Activation", "Activación")] }
    var sort: String { t("Sort", "Orden") }
}

/// Server-rendered pages: no scripts, no external assets, one style sheet from this server.
enum Pages {
    static let sessionCookie = "srs_session"
    static let loginCookie = "srs_login"
    static let csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let styleSheet = ReportResources.styleSheet + """

        /* sriov-report-server pages */
        nav.top { background: #1d2330; color: #fff; padding: 10px 16px; display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; }
        nav.top a { color: #fff; text-decoration: none; font-weight: 600; }
        nav.top form { margin: 0 0 0 auto; }
        nav.top .lang { font-weight: 400; opacity: .8; }
        main.wide { max-width: 1400px; }
        table.grid { border-collapse: collapse; width: 100%; background: var(--card); font-size: 14px; }
        table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
        table.grid th a { color: inherit; }
        .scroll { overflow-x: auto; }
        form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; background: var(--card); padding: 12px; border: 1px solid var(--line); border-radius: 8px; }
        form.filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); }
        input, select, button { font: inherit; padding: 4px 6px; }
        .pager { display: flex; gap: 16px; align-items: center; margin: 12px 0; }
        .error { background: var(--fail-bg); border-left: 4px solid var(--fail); padding: 8px 12px; }
        @media (max-width: 640px) { table.grid .wide-only { display: none; } }
        """

    static func page(_ title: String, _ l: PageLabels, signedIn: (name: String, csrf: String)?, _ content: [XMLElement],
                     status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var nav: [XMLElement] = [H.link("/", l.fleet), H.link("/compatibility", l.compatibility),
                                 H.link("?lang=" + (l.language == .es ? "en" : "es"), l.language == .es ? "English" : "Español", [("class", "lang")])]
        if let s = signedIn {
            nav.append(H.el("form", [("method", "post"), ("action", "/logout")], [
                H.hidden("csrf", s.csrf), H.text("span", s.name + " ", [("class", "lang")]), H.text("button", l.signOut, [("type", "submit")]),
            ]))
        }
        let html = H.el("html", [("lang", l.language.rawValue)], [
            H.el("head", [], [
                H.el("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
                H.text("title", title + " · sriov-report-server"),
                H.el("link", [("rel", "stylesheet"), ("href", "/static/style.css")]),
            ]),
            H.el("body", [], [H.el("nav", [("class", "top")], nav), H.el("main", [("class", "wide")], [H.text("h1", title)] + content)]),
        ])
        var h = headers
        h[.contentType] = "text/html; charset=utf-8"
        h[.cacheControl] = "no-store"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: try XMLKit.serialiseHTML(html))))
    }

    static func errorPage(_ f: HTTPFailure, _ lang: Language) -> Response {
        let l = PageLabels(language: lang)
        let content: [XMLElement] = [H.text("p", f.message.text(lang), [("class", "error")]), H.el("p", [], [H.link("/", l.fleet)])]
        return (try? page("\(f.status.code) \(f.status.reasonPhrase)", l, signedIn: nil, content, status: f.status))
            ?? Response(status: f.status)
    }

    /// A stored report as `report --from --html` renders it; the CSP allows its inline style by hash.
    static func reportHTML(_ r: StoredReport) throws -> Response {
        let report = try ReportXML.read(String(decoding: r.bytes, as: UTF8.self))
        let html = try ReportHTML.render(report)
        var sources: [String] = []
        for tag in ["style", "script"] {
            var rest = html[...]
            var hashes: [String] = []
            while let open = rest.range(of: "<\(tag)>"), let close = rest.range(of: "</\(tag)>", range: open.upperBound..<rest.endIndex) {
                let body = rest[open.upperBound..<close.lowerBound]
                hashes.append(SHA256.cspSource(String(body)))
                rest = rest[close.upperBound...]
            }
            sources.append("\(tag)-src " + (hashes.isEmpty ? "'none'" : hashes.joined(separator: " ")))
        }
        let csp = "default-src 'none'; " + sources.joined(separator: "; ") + "; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: csp, .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func query(_ items: [(String, String?)]) -> String {
        let parts = items.compactMap { k, v -> String? in
            guard let v, !v.isEmpty else { return nil }
            return k + "=" + (v.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? v)
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }

    static func hostURL(_ key: String) -> String {
        "/hosts/" + (key.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? key)
    }
}

extension CharacterSet {
    /// Unreserved ASCII only: everything else is percent-encoded.
    static let urlQueryValueAllowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")
    static let urlPathSegmentAllowed = urlQueryValueAllowed
}
