import ArgumentParser
import Foundation
import HostAccess
import SRIOVCore

extension ExitStatus {
    /// The upload failed for now (network, timeout, TLS, 5xx, token): the report is queued in
    /// the outbox for `report --flush` (sysexits.h EX_TEMPFAIL).
    static let uploadQueued = ExitCode(75)
    /// The server refused a report (4xx other than 401/403/408/429): kept in outbox/rejected/
    /// (sysexits.h EX_PROTOCOL).
    static let uploadRejected = ExitCode(76)
}

/// One upload or flush: the client, the outbox and the language of the messages.
struct UploadSession {
    var target: UploadTarget
    var client: UploadClient
    var outbox: ReportOutbox
    var language: Language

    func say(_ en: String, _ es: String) { print(LocalizedText(en: en, es: es).text(language)) }
    func complain(_ en: String, _ es: String) { Console.error(LocalizedText(en: en, es: es).text(language)) }

    /// Queues the report, sends it, and removes it from the queue once the server has it.
    /// A report that cannot be queued (no write access to the outbox) is still sent, from a
    /// private temporary file; it is then lost if the upload fails, which the message says.
    func upload(_ xml: String) -> ExitCode {
        var queued: String?
        do { queued = try outbox.enqueue(xml) } catch {
            Console.warning(LocalizedText(
                en: "cannot queue the report in \(outbox.directory) (\(error.description)); sending it without a copy (run as root, or give --outbox DIR)",
                es: "no se puede encolar el informe en \(outbox.directory) (\(error.spanishDescription)); se envía sin copia (ejecute como root o indique --outbox DIR)").text(language))
        }
        if let queued { return send(queued, fresh: true) }
        let scratch = NSTemporaryDirectory() + "sriov-wizard-upload-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let temporary = ReportOutbox(directory: scratch)
        guard let path = try? temporary.enqueue(xml) else {
            complain("cannot write a temporary copy of the report under \(scratch)", "no se puede escribir una copia temporal del informe en \(scratch)")
            return ExitCode.failure
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outcome = client.send(bodyPath: path, scratch: scratch)
        return report(outcome, path: nil, named: false)
    }

    /// Sends every queued report, oldest first; stops at the first one that fails for now
    /// (the server is down: the others would fail too, and their order is kept).
    func flush() -> ExitCode {
        let items: [String]
        do { items = try outbox.queued() } catch {
            complain("cannot read the outbox: \(error.description)", "no se puede leer la bandeja de salida: \(error.spanishDescription)")
            return ExitStatus.unreadableHost
        }
        if items.isEmpty {
            say("outbox \(outbox.directory): nothing to send", "bandeja de salida \(outbox.directory): nada que enviar")
            return ExitCode.success
        }
        say("outbox \(outbox.directory): \(items.count) report(s) to send to \(target.endpoint)",
            "bandeja de salida \(outbox.directory): \(items.count) informe(s) para enviar a \(target.endpoint)")
        var worst = ExitCode.success
        for item in items {
            let status = send(item, fresh: false)
            if status == ExitStatus.uploadQueued {
                let left = ((try? outbox.queued()) ?? []).count
                say("\(left) report(s) stay queued; run `sriov-wizard report --flush` again later",
                    "\(left) informe(s) siguen en cola; ejecute `sriov-wizard report --flush` más tarde")
                return status
            }
            if status != ExitCode.success { worst = status }
        }
        return worst
    }

    func send(_ path: String, fresh: Bool) -> ExitCode {
        let outcome = client.send(bodyPath: path, scratch: outbox.directory)
        return report(outcome, path: path, named: !fresh)
    }

    /// Prints what happened and moves the queued file; the exit status of the upload.
    /// `named`: say which queued file it was (in a flush; a fresh upload is "the report").
    func report(_ outcome: UploadOutcome, path: String?, named: Bool) -> ExitCode {
        let name = named ? path.map { String($0.split(separator: "/").last ?? "") } ?? "" : ""
        switch outcome {
        case .stored(let status, let id, let host, let url):
            if let path {
                do { try outbox.remove(path) } catch {
                    // Uploaded, but still queued: a flush sends the same bytes again, and the server answers 200.
                    Console.warning("\(error.description)")
                }
            }
            let address = url.map(target.absolute) ?? target.base
            let hostText = host.map { ", host \($0)" } ?? ""
            let hostTextES = host.map { ", equipo \($0)" } ?? ""
            if status == 201 {
                say("uploaded \(name.isEmpty ? "the report" : name): id \(id)\(hostText): \(address)",
                    "subido \(name.isEmpty ? "el informe" : name): id \(id)\(hostTextES): \(address)")
            } else {
                say("already on the server \(name.isEmpty ? "" : "(\(name)) ")as id \(id)\(hostText): \(address)",
                    "ya estaba en el servidor \(name.isEmpty ? "" : "(\(name)) ")con id \(id)\(hostTextES): \(address)")
            }
            return ExitCode.success
        case .rejected(let status, let message, let tokenProblem):
            if tokenProblem {
                complain("the server refused the token (HTTP \(status): \(message)); check --token-file / SRIOV_WIZARD_TOKEN (an upload token, role upload); the report stays queued\(path.map { " as \($0)" } ?? "")",
                         "el servidor rechazó el token (HTTP \(status): \(message)); revise --token-file / SRIOV_WIZARD_TOKEN (un token de subida, rol upload); el informe sigue en cola\(path.map { " como \($0)" } ?? "")")
                return ExitStatus.uploadQueued
            }
            var kept = ""
            if let path {
                do { kept = try outbox.reject(path, status: status, message: message) } catch {
                    Console.warning(error.description)
                    kept = path
                }
            }
            complain("the server refused the report (HTTP \(status): \(message)); it is not sent again\(kept.isEmpty ? "" : "; kept as \(kept)")",
                     "el servidor rechazó el informe (HTTP \(status): \(message)); no se vuelve a enviar\(kept.isEmpty ? "" : "; guardado en \(kept)")")
            return ExitStatus.uploadRejected
        case .failed(let reason):
            if let path {
                complain("upload to \(target.endpoint) failed: \(reason.text(language)); the report stays queued as \(path) (send it with `sriov-wizard report --flush`)",
                         "la subida a \(target.endpoint) falló: \(reason.text(language)); el informe sigue en cola en \(path) (envíelo con `sriov-wizard report --flush`)")
            } else {
                complain("upload to \(target.endpoint) failed: \(reason.text(language)); no copy was queued (save the report with --xml FILE)",
                         "la subida a \(target.endpoint) falló: \(reason.text(language)); no quedó copia en cola (guarde el informe con --xml FILE)")
            }
            return ExitStatus.uploadQueued
        }
    }
}

/// The upload options of `report`, shared with the wizard's offer.
struct UploadOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        tr("Upload the report (XML, redacted with --redact) to this sriov-report-server: https://HOST[:PORT], /api/v1/reports is added.",
           "Envía el informe (XML, anonimizado con --redact) a este sriov-report-server: https://HOST[:PORT], se añade /api/v1/reports."),
        valueName: "URL"))
    var upload: String?

    @Option(name: .customLong("token-file"), help: ArgumentHelp(
        tr("File holding the upload token (default: $SRIOV_WIZARD_TOKEN, then token-file= of upload.conf).",
           "Archivo con el token de envío (por defecto: $SRIOV_WIZARD_TOKEN, después token-file= de upload.conf)."), valueName: "FILE"))
    var tokenFile: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp(
        tr("PEM file of the CA that signed the server's certificate (a private CA); the system's CAs otherwise.",
           "Archivo PEM de la CA que firmó el certificado del servidor (una CA privada); si no, las CA del sistema."), valueName: "FILE"))
    var caFile: String?

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp(tr("Seconds to wait for the connection (default 10).", "Segundos de espera para la conexión (por defecto 10)."), valueName: "SECONDS"))
    var connectTimeout: Double = 10

    @Option(name: .customLong("upload-timeout"), help: ArgumentHelp(tr("Seconds the whole upload may take (default 60).", "Segundos que puede durar todo el envío (por defecto 60)."), valueName: "SECONDS"))
    var uploadTimeout: Double = 60

    @Flag(name: .long, help: ArgumentHelp(tr("Send the reports queued in the outbox (failed uploads), oldest first, then stop.", "Envía los informes en cola en la bandeja de salida (envíos fallidos), el más antiguo primero, y termina.")))
    var flush = false

    @Option(name: .long, help: ArgumentHelp(tr("Queue of reports not yet uploaded (default /var/lib/sriov-wizard/outbox).", "Cola de informes aún no enviados (por defecto /var/lib/sriov-wizard/outbox)."), valueName: "DIR"))
    var outbox: String = ReportOutbox.defaultDirectory

    @Option(name: .customLong("upload-config"), help: ArgumentHelp(
        tr("Upload settings: url=, token-file=, ca-file=, redact= (default /etc/sriov-wizard/upload.conf).",
           "Ajustes de envío: url=, token-file=, ca-file=, redact= (por defecto /etc/sriov-wizard/upload.conf)."), valueName: "FILE"))
    var uploadConfig: String = UploadConfig.defaultPath

    var wantsUpload: Bool { upload != nil || flush }

    func validateTimeouts() throws {
        for (name, value) in [("--connect-timeout", connectTimeout), ("--upload-timeout", uploadTimeout)] where !(value > 0 && value <= 3600) {
            throw ValidationError(tr("\(name) \(value): give a number of seconds between 1 and 3600.", "\(name) \(value): indique un número de segundos entre 1 y 3600."))
        }
        if !wantsUpload && (tokenFile != nil || caFile != nil) {
            throw ValidationError(tr("--token-file and --ca-file go with --upload URL or --flush.", "--token-file y --ca-file van con --upload URL o --flush."))
        }
    }

    /// The session for `--upload`/`--flush` (or the wizard's offer), with upload.conf's
    /// values where the command line gives none. The config's token and CA file are used only
    /// for the config's own URL: a token for one server is never sent to another.
    func session(language: Language) throws -> (UploadSession, redact: Bool) {
        let config: UploadConfig?
        switch UploadConfig.load(uploadConfig) {
        case .success(let c): config = c
        case .failure(let e): throw ValidationError(e.description)
        }
        guard let url = upload ?? config?.url else {
            throw ValidationError(tr("--flush needs a server: give --upload URL, or set url= in \(uploadConfig).", "--flush necesita un servidor: indique --upload URL, o ponga url= en \(uploadConfig)."))
        }
        let target: UploadTarget
        switch UploadTarget.parse(url) {
        case .success(let t): target = t
        case .failure(let e): throw ValidationError(e.description)
        }
        let configApplies = config.map { c in c.url.flatMap { try? UploadTarget.parse($0).get() } == target } ?? false
        let token: String
        switch UploadToken.resolve(file: tokenFile, configFile: configApplies ? config?.tokenFile : nil) {
        case .success(let t): token = t
        case .failure(let e): throw ValidationError(e.description)
        }
        let ca = caFile ?? (configApplies ? config?.caFile : nil)
        if let ca, !Machine(root: "/").exists(ca) {
            throw ValidationError(tr("--ca-file \(ca): no such file; give the PEM file of the CA that signed the server's certificate.", "--ca-file \(ca): no existe ese archivo; indique el archivo PEM de la CA que firmó el certificado del servidor."))
        }
        let client = UploadClient(endpoint: target.endpoint, token: token, caFile: ca, connectTimeout: connectTimeout,
                                  totalTimeout: uploadTimeout, machine: UploadClient.liveMachine())
        return (UploadSession(target: target, client: client, outbox: ReportOutbox(directory: URL(fileURLWithPath: outbox).standardized.path), language: language),
                configApplies && (config?.redact ?? false))
    }
}
