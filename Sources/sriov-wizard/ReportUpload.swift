import Foundation
import HostAccess
import SRIOVCore

/// Sends a report to a `sriov-report-server` (`POST /api/v1/reports`, Docs/openapi.yaml).
///
/// The HTTP client is the system `curl`, run through HostAccess' command runner as an argv
/// array. Why not FoundationNetworking's URLSession: on Linux it is itself libcurl underneath,
/// linking it statically adds libcurl and its TLS stack to a binary that is installed on
/// hypervisors, and it has no way to trust a private CA file (`--ca-file`) short of
/// reimplementing certificate evaluation; async-http-client would bring SwiftNIO, i.e. a
/// server framework, into the host binary (issue 16 forbids that). curl is on every Debian and
/// Proxmox host (the .deb depends on it), verifies TLS with the system store or `--cacert`,
/// honours `https_proxy`/`no_proxy` itself, and has connect and total timeouts.
///
/// The token never appears in curl's argv (argv is world-readable in /proc and `ps`): it is
/// written to a 0600 header file that curl reads with `--header @FILE`, removed afterwards.
struct UploadClient {
    var endpoint: String
    var token: String
    var caFile: String?
    var connectTimeout: Double
    var totalTimeout: Double
    /// Runs curl on this machine (never a snapshot's recordings).
    var machine: Machine

    /// Proxy variables curl reads itself (curl(1) ENVIRONMENT); the command runner gives
    /// commands a minimal environment, so these are passed on explicitly.
    static let proxyVariables = ["https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"]

    static func liveMachine() -> Machine {
        var environment: [String: String] = [:]
        for name in proxyVariables { if let value = ThisProcess.environment(name) { environment[name] = value } }
        return Machine(root: "/", commands: LiveCommandRunner(environment: environment))
    }

    /// POSTs the file `bodyPath` (a report XML). `scratch` is a private directory for the header file.
    func send(bodyPath: String, scratch: String) -> UploadOutcome {
        let editor = FileEditor(machine: Machine(root: "/"))
        let headerPath = scratch + "/.auth-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try editor.replace(headerPath, with: Array("Authorization: Bearer \(token)\r\n".utf8), mode: 0o600)
        } catch {
            return .failed(reason: .text(en: "cannot write the header file: \(error.description)",
                                         es: "no se puede escribir el archivo de cabeceras: \(error.spanishDescription)"))
        }
        defer { try? editor.replace(headerPath, with: nil, mode: 0o600) }
        var argv = [
            // -q first: ignore ~/.curlrc (an `insecure` line there must not switch off TLS checks).
            "curl", "-q", "--silent", "--show-error",
            // No redirects (a 30x is not an answer of the API), http(s) only.
            "--proto", "=http,https",
            "--connect-timeout", UploadClient.seconds(connectTimeout),
            "--max-time", UploadClient.seconds(totalTimeout),
            "--header", "@" + headerPath,
            "--header", "Content-Type: application/xml",
            "--header", "Accept: application/json",
            "--header", "Expect:",
            "--data-binary", "@" + bodyPath,
            "--output", "-",
            "--write-out", "\n%{http_code}",
        ]
        if let caFile { argv += ["--cacert", caFile] }
        argv += ["--url", endpoint]
        let result: CommandResult
        do {
            result = try machine.run(argv, timeout: totalTimeout + connectTimeout + 5, outputLimit: 1 << 20)
        } catch {
            if case .commandNotFound = error {
                return .failed(reason: .text(en: "curl is not installed (apt-get install curl)", es: "curl no está instalado (apt-get install curl)"))
            }
            return .failed(reason: .text(en: error.description, es: error.description))
        }
        return UploadClient.interpret(result)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// curl's exit status and `BODY\nSTATUS` (the --write-out above) -> what happened.
    static func interpret(_ result: CommandResult) -> UploadOutcome {
        var text = result.stdoutText
        var status = 0
        if let newline = text.lastIndex(of: "\n") {
            status = Int(text[text.index(after: newline)...].trimmingCharacters(in: .whitespaces)) ?? 0
            text = String(text[..<newline])
        }
        if result.status != 0 || status == 0 {
            // curl's first line ("curl: (60) SSL certificate problem: ..."); the rest is advice for browsers.
            let detail = result.stderrText.split(separator: "\n").first.map { String($0.prefix(300)) } ?? ""
            return .failed(reason: curlFailure(code: result.status, detail: detail))
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        switch status {
        case 200, 201:
            guard let id = json?["id"].map({ "\($0)" }), !id.isEmpty else {
                return .failed(reason: .text(en: "HTTP \(status) without a report id in the answer; is this a sriov-report-server?",
                                             es: "HTTP \(status) sin id de informe en la respuesta; ¿es un sriov-report-server?"))
            }
            return .stored(status: status, id: id, host: json?["host"] as? String, url: json?["url"] as? String)
        default:
            let message = (json?["message"] as? String) ?? (json?["error"] as? String)
                ?? String(text.prefix(300)).trimmingCharacters(in: .whitespacesAndNewlines)
            // 408 and 429 are "later", like a 5xx. 401/403: the token, not the report, is wrong:
            // the report stays queued for when the token is fixed.
            if (400..<500).contains(status) && ![408, 429].contains(status) {
                return .rejected(status: status, message: message, tokenProblem: status == 401 || status == 403)
            }
            return .failed(reason: .text(en: "HTTP \(status): \(message)", es: "HTTP \(status): \(message)"))
        }
    }

    /// curl(1) EXIT CODES that a user can act on.
    static func curlFailure(code: Int32, detail: String) -> LocalizedText {
        let suffix = detail.isEmpty ? "" : " (\(detail))"
        switch code {
        case 5, 6:
            return .text(en: "cannot resolve the server's name\(suffix)", es: "no se puede resolver el nombre del servidor\(suffix)")
        case 7:
            return .text(en: "cannot connect to the server: it is down or a firewall is in the way\(suffix)",
                         es: "no se puede conectar con el servidor: está caído o un cortafuegos lo impide\(suffix)")
        case 28:
            return .text(en: "the server did not answer in time\(suffix)", es: "el servidor no respondió a tiempo\(suffix)")
        case 35, 51, 53, 54, 58, 59, 60, 66, 77, 80, 82, 83, 90, 91:
            return .text(en: "TLS failed: the server's certificate is not trusted or TLS could not be set up; for a private CA give --ca-file (or ca-file= in upload.conf)\(suffix)",
                         es: "TLS falló: el certificado del servidor no es de confianza o no se pudo establecer TLS; para una CA privada indique --ca-file (o ca-file= en upload.conf)\(suffix)")
        case 26:
            return .text(en: "cannot read the report file to send\(suffix)", es: "no se puede leer el informe a enviar\(suffix)")
        default:
            return .text(en: "curl failed with exit status \(code)\(suffix)", es: "curl falló con el código de salida \(code)\(suffix)")
        }
    }
}

extension LocalizedText {
    static func text(en: String, es: String) -> LocalizedText { LocalizedText(en: en, es: es) }
}

/// What became of one upload.
enum UploadOutcome: Equatable {
    /// 201 (new) or 200 (the server had these bytes already).
    case stored(status: Int, id: String, host: String?, url: String?)
    /// A 4xx: the server refused the request. Sending the same bytes again gets the same
    /// answer, so it is not retried (except 401/403, where the token is to blame).
    case rejected(status: Int, message: String, tokenProblem: Bool)
    /// Network down, timeout, TLS, 5xx: worth another try later (`report --flush`).
    case failed(reason: LocalizedText)
}

/// Where the report goes: `--upload URL` or `url=` of upload.conf, as given by the user and
/// as the endpoint that is POSTed to.
struct UploadTarget: Equatable {
    var base: String
    var endpoint: String

    static let apiPath = "/api/v1/reports"

    /// `https://desk.example.com:8443` or `.../api/v1/reports`. http:// only to a loopback
    /// address: the bearer token must not cross a network in clear text.
    static func parse(_ text: String) -> Result<UploadTarget, UploadUsageError> {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else {
            return .failure(UploadUsageError(tr("\(text): not a URL; give the server's address, e.g. https://reports.example.com:8088", "\(text): no es una URL; indique la dirección del servidor, p. ej. https://reports.example.com:8088")))
        }
        guard scheme == "https" || scheme == "http" else {
            return .failure(UploadUsageError(tr("\(text): only https:// (or http:// to this machine) is supported", "\(text): solo se admite https:// (o http:// hacia esta máquina)")))
        }
        if components.user != nil || components.password != nil {
            return .failure(UploadUsageError(tr("\(text): no user or password in the URL (it would show in `ps`); give the token with --token-file or SRIOV_WIZARD_TOKEN", "\(text): sin usuario ni contraseña en la URL (se vería en `ps`); dé el token con --token-file o SRIOV_WIZARD_TOKEN")))
        }
        if components.query != nil || components.fragment != nil {
            return .failure(UploadUsageError(tr("\(text): no query or fragment in the server URL; give e.g. https://reports.example.com:8088", "\(text): sin consulta ni fragmento en la URL del servidor; indique p. ej. https://reports.example.com:8088")))
        }
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        if scheme == "http" && !loopback {
            return .failure(UploadUsageError(tr("\(text): http:// would send the upload token in clear text; use https:// (with --ca-file for a private CA)", "\(text): http:// enviaría el token de envío en claro; use https:// (con --ca-file para una CA privada)")))
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        if path.hasSuffix(apiPath) {
            return .success(UploadTarget(base: String(base.dropLast(apiPath.count)), endpoint: base))
        }
        return .success(UploadTarget(base: base, endpoint: base + apiPath))
    }

    /// The report's address as the server gave it, absolute.
    func absolute(_ url: String) -> String {
        guard url.hasPrefix("/"), let components = URLComponents(string: base), let scheme = components.scheme,
              let host = components.host else { return url }
        let port = components.port.map { ":\($0)" } ?? ""
        let h = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(h)\(port)\(url)"
    }
}

struct UploadUsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The upload token: `--token-file`, else `SRIOV_WIZARD_TOKEN`, else upload.conf's `token-file=`.
enum UploadToken {
    static let environmentVariable = "SRIOV_WIZARD_TOKEN"

    static func resolve(file: String?, configFile: String?) -> Result<String, UploadUsageError> {
        if let file { return read(file, what: "--token-file") }
        if let value = ThisProcess.environment(environmentVariable), !value.isEmpty { return check(value.trimmedSpace(), what: environmentVariable) }
        if let configFile { return read(configFile, what: tr("token-file= of \(UploadConfig.defaultPath)", "token-file= de \(UploadConfig.defaultPath)")) }
        return .failure(UploadUsageError(tr("no upload token: give --token-file FILE, set \(environmentVariable), or set token-file= in \(UploadConfig.defaultPath) (make one with `sriov-report-server token create --role upload`)", "no hay token de envío: indique --token-file FILE, defina \(environmentVariable), o ponga token-file= en \(UploadConfig.defaultPath) (cree uno con `sriov-report-server token create --role upload`)")))
    }

    static func read(_ path: String, what: String) -> Result<String, UploadUsageError> {
        let text: String
        do { text = try Machine(root: "/").readText(path, limit: 64 * 1024) } catch {
            return .failure(UploadUsageError(tr("\(what) \(path): \(error.description)", "\(what) \(path): \(error.spanishDescription)")))
        }
        // The file holds the token, optionally followed by a line end (as `token create` prints it).
        let first = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first.map(String.init)?.trimmedSpace() ?? ""
        return check(first, what: "\(what) \(path)")
    }

    /// Printable ASCII without blanks: anything else could inject a header line.
    static func check(_ token: String, what: String) -> Result<String, UploadUsageError> {
        if token.isEmpty { return .failure(UploadUsageError(tr("\(what): the token is empty", "\(what): el token está vacío"))) }
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            return .failure(UploadUsageError(tr("\(what): the token has blanks or control characters; a token is one word of printable ASCII", "\(what): el token tiene espacios o caracteres de control; un token es una sola palabra de ASCII imprimible")))
        }
        return .success(token)
    }
}
