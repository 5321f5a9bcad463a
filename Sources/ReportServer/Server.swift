import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import Metrics
import Prometheus
import Reports
import SRIOVCore
import ServiceLifecycle

/// Settings of `sriov-report-server serve`.
public struct ServerSettings: Sendable {
    public var host = "127.0.0.1"
    public var port = 8088
    public var database = DatabaseLocation.defaultValue
    /// Longest time to receive a request body (a body sent one byte a second is cut off).
    public var bodyTimeout: Duration = .seconds(30)
    public var sessionHours = 12
    /// `--tls-cert` / `--tls-key`: PEM files; with both the server speaks HTTPS itself.
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var usesTLS: Bool { tlsCertificate != nil && tlsKey != nil }
    public init() {}

    /// The server's TLS configuration from the PEM files (a chain: the server's certificate
    /// first), or an error that names the file and what is wrong with it.
    public func tlsConfiguration() throws -> TLSConfiguration? {
        guard let certificatePath = tlsCertificate, let keyPath = tlsKey else { return nil }
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch {
            throw StoreError("--tls-cert \(certificatePath): not a readable PEM certificate (\(error)); give the server's certificate (and its chain) in PEM")
        }
        guard !chain.isEmpty else { throw StoreError("--tls-cert \(certificatePath): no certificate in the file") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch {
            throw StoreError("--tls-key \(keyPath): not a readable PEM private key (\(error)); give the key of --tls-cert, unencrypted, mode 0600")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// "HOST:PORT", "[v6]:PORT" or ":PORT".
    public mutating func setListen(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw StoreError("--listen \(text): give HOST:PORT, e.g. 127.0.0.1:8088 or 0.0.0.0:8088")
        }
        var h = String(text[..<colon])
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        host = h.isEmpty ? "0.0.0.0" : h
        self.port = port
    }
}

/// Request metrics, in Prometheus text format at /metrics.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let uploads: [String: Prometheus.Counter]
    let latency: DurationHistogram
    let storeReports: Prometheus.Gauge
    let storeHosts: Prometheus.Gauge
    let storeBytes: Prometheus.Gauge

    static let outcomes = ["created", "duplicate", "invalid", "too_large", "not_xml", "unauthorized", "forbidden", "timeout", "error"]

    init() {
        var u: [String: Prometheus.Counter] = [:]
        let uploadsName = MetricNameDescriptor(metricName: "sriov_report_uploads", unitName: "total", helpText: "Report uploads by outcome")
        for o in Self.outcomes {
            u[o] = registry.makeCounter(descriptor: uploadsName, labels: [("outcome", o)])
        }
        uploads = u
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "sriov_report_request_duration", unitName: "seconds", helpText: "Time to answer a request"),
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)])
        let registry = self.registry
        func gauge(_ unit: String, _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "sriov_report_store", unitName: unit, helpText: help))
        }
        storeReports = gauge("reports", "Reports stored")
        storeHosts = gauge("hosts", "Hosts known")
        storeBytes = gauge("bytes", "Bytes of stored report XML")
    }

    func upload(_ outcome: String) { uploads[outcome]?.increment() }
}

struct LatencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        defer { metrics.latency.record(ContinuousClock.now - start) }
        return try await next(request, context)
    }
}

/// Headers every response gets: no framing, no sniffing, no referrer, strict CSP.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Pages.csp
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// A JSON or HTML error answer, raised anywhere in a handler.
struct HTTPFailure: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: LocalizedText
}

/// The report server: routes over one `ReportStore`.
public final class ReportServerApp: Sendable {
    let store: any ReportStore
    let settings: ServerSettings
    let metrics = ServerMetrics()
    let logger: Logger
    public static let bodyLimit = ReportXML.sizeLimit

    public init(store: any ReportStore, settings: ServerSettings, logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
    }


    // MARK: building

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: LatencyMiddleware(metrics: metrics))
        router.add(middleware: SecurityHeadersMiddleware())
        router.get("/healthz") { _, _ in try await self.healthz() }
        router.get("/metrics") { _, _ in try await self.metricsText() }
        router.post("/api/v1/reports") { req, ctx in try await self.guarded(req, json: true) { try await self.upload(req, ctx) } }
        router.get("/api/v1/hosts") { req, _ in try await self.guarded(req, json: true) { try await self.apiHosts(req) } }
        router.get("/api/v1/hosts/{hostId}/reports") { req, ctx in
            try await self.guarded(req, json: true) { try await self.apiHostReports(req, ctx.parameters.get("hostId") ?? "") }
        }
        router.get("/api/v1/reports/{id}") { req, ctx in
            try await self.guarded(req, json: true) { try await self.apiReport(req, ctx.parameters.get("id") ?? "") }
        }
        router.get("/api/v1/reports/{id}/diff/{other}") { req, ctx in
            try await self.guarded(req, json: true) {
                try await self.apiDiff(req, ctx.parameters.get("id") ?? "", ctx.parameters.get("other") ?? "")
            }
        }
        router.get("/static/style.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Pages.styleSheet)))
        }
        router.get("/") { req, _ in try await self.guarded(req, json: false) { try await self.fleetPage(req) } }
        router.get("/login") { req, _ in try await self.guarded(req, json: false) { try self.loginPage(req, error: nil) } }
        router.post("/login") { req, _ in try await self.guarded(req, json: false) { try await self.login(req) } }
        router.post("/logout") { req, _ in try await self.guarded(req, json: false) { try await self.logout(req) } }
        router.get("/hosts/{hostId}") { req, ctx in
            try await self.guarded(req, json: false) { try await self.hostPage(req, ctx.parameters.get("hostId") ?? "") }
        }
        router.get("/diff/{id}/{other}") { req, ctx in
            try await self.guarded(req, json: false) {
                try await self.diffPage(req, ctx.parameters.get("id") ?? "", ctx.parameters.get("other") ?? "")
            }
        }
        router.get("/diff") { req, _ in try await self.guarded(req, json: false) { try await self.diffRedirect(req) } }
        router.get("/compatibility") { req, _ in try await self.guarded(req, json: false) { try await self.compatibilityPage(req) } }
        return router
    }

    /// Runs until SIGTERM/SIGINT; then stops accepting, lets running requests finish, and returns.
    public func run(onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        // A connection that sends nothing for the body timeout is closed (a stalled body, an idle client).
        let idle = settings.bodyTimeout.components.seconds
        let http: HTTPServerBuilder = .http1(configuration: .init(idleTimeout: .seconds(idle)))
        let server = try settings.tlsConfiguration().map { try HTTPServerBuilder.tls(http, tlsConfiguration: $0) } ?? http
        let app = Application(
            router: router(), server: server,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "sriov-report-server"),
            onServerRunning: { channel in await onServerRunning("\(channel.localAddress?.description ?? "?")") },
            logger: logger)
        // swift-metrics users in this process report into the same registry as /metrics.
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    // MARK: helpers

    func language(_ req: Request) -> Language {
        if let l = req.uri.queryParameters["lang"], let lang = Language(rawValue: String(l)) { return lang }
        if let cookie = req.cookies["lang"]?.value, let lang = Language(rawValue: cookie) { return lang }
        let accept = req.headers[.acceptLanguage] ?? ""
        // First language named: "es-ES,es;q=0.9,en;q=0.8" -> es.
        let first = accept.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return first.hasPrefix("es") ? .es : .en
    }

    /// Turns HTTPFailure and store errors into answers that say what is wrong.
    func guarded(_ req: Request, json: Bool, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let f as HTTPFailure {
            return json ? jsonError(f, req) : Pages.errorPage(f, language(req))
        } catch {
            logger.error("request \(req.method) \(req.uri.path) failed: \(error)")
            let f = HTTPFailure(status: .serviceUnavailable, code: "store-unavailable", message: LocalizedText(
                en: "the server could not reach its database; try again shortly (\(error))",
                es: "el servidor no pudo acceder a su base de datos; inténtelo de nuevo en breve (\(error))"))
            return json ? jsonError(f, req) : Pages.errorPage(f, language(req))
        }
    }

    func jsonError(_ f: HTTPFailure, _ req: Request) -> Response {
        var r = json(.object([
            ("error", .string(f.code)),
            ("message", .string(f.message.text(language(req)))),
            ("status", .int(Int(f.status.code))),
        ]), status: f.status)
        if f.status == .unauthorized { r.headers[.wwwAuthenticate] = "Bearer realm=\"sriov-report-server\"" }
        return r
    }

    func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: value.serialised(pretty: false) + "\n")))
    }

    /// Who is asking: a Bearer token, or else a session cookie.
    func caller(_ req: Request) async throws -> (token: TokenRecord, csrf: String?)? {
        if let auth = req.headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw HTTPFailure(status: .unauthorized, code: "bad-authorization", message: LocalizedText(
                    en: "the Authorization header must be `Bearer TOKEN`", es: "la cabecera Authorization debe ser `Bearer TOKEN`"))
            }
            guard let t = Tokens.match(String(parts[1]).trimmingCharacters(in: .whitespaces), in: try await store.tokens()) else {
                throw HTTPFailure(status: .unauthorized, code: "bad-token", message: LocalizedText(
                    en: "the token is not valid (unknown or revoked); ask the server's operator for one (`sriov-report-server token create`)",
                    es: "el token no es válido (desconocido o revocado); pida uno al operador del servidor (`sriov-report-server token create`)"))
            }
            return (t, nil)
        }
        if let sid = req.cookies[Pages.sessionCookie]?.value, !sid.isEmpty,
           let s = try await store.session(hash: Tokens.hash(sid), now: Clock.now()) {
            return (s.token, s.csrf)
        }
        return nil
    }

    func require(_ role: Role, _ req: Request) async throws -> (token: TokenRecord, csrf: String?) {
        guard let c = try await caller(req) else {
            throw HTTPFailure(status: .unauthorized, code: "no-token", message: LocalizedText(
                en: "this needs a token: send `Authorization: Bearer TOKEN` (or sign in at /login)",
                es: "esto necesita un token: envíe `Authorization: Bearer TOKEN` (o inicie sesión en /login)"))
        }
        guard c.token.role.allows(role) else {
            throw HTTPFailure(status: .forbidden, code: "wrong-role", message: LocalizedText(
                en: "the token \"\(c.token.name)\" has the role \(c.token.role.rawValue); this needs a token with the role \(role == .read ? "read or admin" : role.rawValue)",
                es: "el token \"\(c.token.name)\" tiene el rol \(c.token.role.rawValue); esto necesita un token con el rol \(role == .read ? "read o admin" : role.rawValue)"))
        }
        return c
    }

    /// HTTPS: the server's own (--tls-cert/--tls-key), or a reverse proxy (nginx) that
    /// terminates TLS and says so in X-Forwarded-Proto.
    func secure(_ req: Request) -> Bool {
        settings.usesTLS || req.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    func baseURL(_ req: Request) -> String {
        let host = req.head.authority ?? "\(settings.host):\(settings.port)"
        return (secure(req) ? "https://" : "http://") + host
    }

    // MARK: API

    func healthz() async throws -> Response {
        do {
            _ = try await store.stats()
            return json(.object([("status", .string("ok"))]))
        } catch {
            return json(.object([("status", .string("unavailable")), ("message", .string("database: \(error)"))]), status: .serviceUnavailable)
        }
    }

    func metricsText() async throws -> Response {
        if let s = try? await store.stats() {
            metrics.storeReports.set(Double(s.reports))
            metrics.storeHosts.set(Double(s.hosts))
            metrics.storeBytes.set(Double(s.bytes))
        }
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    func upload(_ req: Request, _ ctx: BasicRequestContext) async throws -> Response {
        let caller: TokenRecord
        do { caller = try await require(.upload, req).token } catch let f as HTTPFailure {
            metrics.upload(f.status == .forbidden ? "forbidden" : "unauthorized")
            throw f
        }
        let type = (req.headers[.contentType] ?? "").split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard type == "application/xml" || type == "text/xml" || (type.hasPrefix("application/") && type.hasSuffix("+xml")) else {
            metrics.upload("not_xml")
            throw HTTPFailure(status: .unsupportedMediaType, code: "not-xml", message: LocalizedText(
                en: "Content-Type is \"\(type.isEmpty ? "missing" : type)\"; send the report as application/xml",
                es: "el Content-Type es \"\(type.isEmpty ? "ausente" : type)\"; envíe el informe como application/xml"))
        }
        let limit = Self.bodyLimit
        let tooLarge = HTTPFailure(status: .contentTooLarge, code: "too-large", message: LocalizedText(
            en: "the body is larger than \(limit >> 20) MiB; a report is tens of kilobytes",
            es: "el cuerpo supera \(limit >> 20) MiB; un informe ocupa decenas de kilobytes"))
        if let length = req.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            metrics.upload("too_large")
            throw tooLarge
        }
        var body = ByteBuffer()
        let deadline = ContinuousClock.now + settings.bodyTimeout
        do {
            for try await chunk in req.body {
                if body.readableBytes + chunk.readableBytes > limit {
                    metrics.upload("too_large")
                    throw tooLarge
                }
                if ContinuousClock.now > deadline {
                    metrics.upload("timeout")
                    throw HTTPFailure(status: .requestTimeout, code: "body-timeout", message: LocalizedText(
                        en: "the body did not arrive within \(settings.bodyTimeout.components.seconds) s",
                        es: "el cuerpo no llegó en \(settings.bodyTimeout.components.seconds) s"))
                }
                var c = chunk
                body.writeBuffer(&c)
            }
        }
        let bytes = Array(buffer: body)
        let accepted: ReportIntake.Accepted
        do { accepted = try ReportIntake.accept(bytes) } catch {
            metrics.upload(error.status == 415 ? "not_xml" : "invalid")
            throw HTTPFailure(status: .init(code: error.status), code: error.code, message: error.message)
        }
        let id = String(accepted.sha256.prefix(32))
        let stored = StoredReport(id: id, sha256: accepted.sha256, received: Clock.now(), site: caller.name,
                                  summary: accepted.summary, bytes: bytes)
        let result: (id: String, created: Bool)
        do { result = try await store.insert(stored) } catch {
            metrics.upload("error")
            throw error
        }
        metrics.upload(result.created ? "created" : "duplicate")
        var r = json(.object([
            ("id", .string(result.id)),
            ("host", .string(accepted.summary.host)),
            ("hostId", .string(accepted.summary.hostKey)),
            ("url", .string(baseURL(req) + "/api/v1/reports/" + result.id)),
        ]), status: result.created ? .created : .ok)
        r.headers[.location] = "/api/v1/reports/" + result.id
        return r
    }

    static func hostQuery(_ req: Request) throws -> HostQuery {
        let p = req.uri.queryParameters
        var q = HostQuery()
        func s(_ k: String) -> String? { p[Substring(k)].map { String($0).trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } }
        q.level = s("level"); q.check = s("check"); q.device = s("device"); q.board = s("board"); q.kernel = s("kernel"); q.q = s("q")
        if let l = q.level, CheckLevel(rawValue: l) == nil {
            throw HTTPFailure(status: .badRequest, code: "bad-filter", message: LocalizedText(
                en: "level=\(l): use one of pass, note, warn, fail, skip", es: "level=\(l): use pass, note, warn, fail o skip"))
        }
        if let v = s("sort") {
            let desc = v.hasPrefix("-")
            guard let sort = HostSort(rawValue: desc ? String(v.dropFirst()) : v) else {
                throw HTTPFailure(status: .badRequest, code: "bad-sort", message: LocalizedText(
                    en: "sort=\(v): use host, level, kernel, received or site (prefix - for descending)",
                    es: "sort=\(v): use host, level, kernel, received o site (con - delante para descendente)"))
            }
            q.sort = sort; q.descending = desc
        }
        func n(_ k: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let v = s(k) else { return nil }
            guard let i = Int(v), range.contains(i) else {
                throw HTTPFailure(status: .badRequest, code: "bad-\(k)", message: LocalizedText(
                    en: "\(k)=\(v): give a whole number from \(range.lowerBound) to \(range.upperBound)",
                    es: "\(k)=\(v): dé un número entero de \(range.lowerBound) a \(range.upperBound)"))
            }
            return i
        }
        if let l = try n("limit", 1...500) { q.limit = l }
        if let o = try n("offset", 0...Int(Int32.max)) { q.offset = o }
        if let page = try n("page", 1...1_000_000) { q.offset = (page - 1) * q.limit }
        return q
    }

    static func hostJSON(_ h: HostRow, base: String) -> JSONValue {
        .object([
            ("host", .string(h.host)),
            ("hostId", .string(h.hostKey)),
            ("site", .string(h.site)),
            ("lastReport", .object([
                ("id", .string(h.lastReport)), ("url", .string(base + "/api/v1/reports/" + h.lastReport)),
                ("received", .string(h.received)), ("time", h.time.map { .string($0) } ?? .null),
            ])),
            ("reports", .int(h.reports)),
            ("level", .string(h.level)),
            ("stages", .object(ReportSummary.stageOrder.map { ($0, h.stages[$0].map { .string($0) } ?? .null) })),
            ("kernel", h.kernel.map { .string($0) } ?? .null),
            ("proxmox", h.proxmox.map { .string($0) } ?? .null),
            ("board", .object([("vendor", .string(h.boardVendor)), ("model", .string(h.boardModel)), ("bios", .string(h.biosVersion))])),
            ("devices", .array(h.devices.map { .object([("id", .string($0.id)), ("driver", .string($0.driver))]) })),
            ("vfs", .object([("enabled", .int(h.vfsEnabled)), ("possible", .int(h.vfsTotal))])),
            ("failing", .array(h.failing.map { .string($0) })),
        ])
    }

    func apiHosts(_ req: Request) async throws -> Response {
        _ = try await require(.read, req)
        let q = try Self.hostQuery(req)
        let page = try await store.hosts(q)
        let base = baseURL(req)
        return json(.object([
            ("total", .int(page.total)), ("offset", .int(q.offset)), ("limit", .int(q.limit)),
            ("hosts", .array(page.hosts.map { Self.hostJSON($0, base: base) })),
        ]))
    }

    func apiHostReports(_ req: Request, _ hostKey: String) async throws -> Response {
        _ = try await require(.read, req)
        let key = hostKey.removingPercentEncoding ?? hostKey
        let list = try await store.reports(hostKey: key)
        guard !list.isEmpty else { throw Self.notFound("host", key) }
        let base = baseURL(req)
        return json(.object([
            ("hostId", .string(key)),
            ("reports", .array(list.map { e in .object([
                ("id", .string(e.id)), ("url", .string(base + "/api/v1/reports/" + e.id)), ("received", .string(e.received)),
                ("time", e.time.map { .string($0) } ?? .null), ("level", .string(e.level)), ("site", .string(e.site)),
                ("failing", .array(e.failing.map { .string($0) })),
            ]) })),
        ]))
    }

    static func notFound(_ what: String, _ id: String) -> HTTPFailure {
        HTTPFailure(status: .notFound, code: "not-found", message: LocalizedText(
            en: "no \(what) \"\(id.prefix(80))\" on this server; list them with GET /api/v1/hosts",
            es: "no hay \(what == "host" ? "host" : "informe") \"\(id.prefix(80))\" en este servidor; lístelos con GET /api/v1/hosts"))
    }

    func loadReport(_ id: String) async throws -> StoredReport {
        guard id.count <= 64, let r = try await store.report(id: id) else { throw Self.notFound("report", id) }
        return r
    }

    func apiReport(_ req: Request, _ rawID: String) async throws -> Response {
        _ = try await require(.read, req)
        if rawID.hasSuffix(".html") {
            let r = try await loadReport(String(rawID.dropLast(5)))
            return try Pages.reportHTML(r)
        }
        let r = try await loadReport(rawID)
        return Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8", .cacheControl: "no-store",
                                               .init("X-Report-SHA256")!: r.sha256],
                        body: .init(byteBuffer: ByteBuffer(bytes: r.bytes)))
    }

    func diff(_ a: String, _ b: String) async throws -> ReportDiff {
        let x = try await loadReport(a), y = try await loadReport(b)
        do {
            return ReportDiff(from: try ReportXML.read(String(decoding: x.bytes, as: UTF8.self)),
                              to: try ReportXML.read(String(decoding: y.bytes, as: UTF8.self)), fromID: a, toID: b)
        } catch {
            throw HTTPFailure(status: .internalServerError, code: "stored-report-unreadable", message: LocalizedText(
                en: "a stored report no longer reads with this version: \(error)",
                es: "un informe guardado ya no se puede leer con esta versión: \(error)"))
        }
    }

    func apiDiff(_ req: Request, _ a: String, _ b: String) async throws -> Response {
        _ = try await require(.read, req)
        return json(try await diff(a, b).json())
    }
}
