import ArgumentParser
import Foundation
import HostAccess
import Reports
import SRIOVCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: tr("Write a report of the host: XML (for programs, schema-valid) and/or HTML (one self-contained file).", "Escribe un informe del host: XML (para programas, válido según el esquema) y/o HTML (un único archivo autónomo)."),
        discussion: tr("""
        The report holds the host facts, every stage and check of `check` with its evidence and hint, the SR-IOV devices with their VFs, the IOMMU groups, the guest drivers (Linux and Windows), the changes recorded by `apply`, and the kernel messages about the IOMMU and SR-IOV.

        The XML follows `sriov-wizard schema` (namespace \(ReportNamespace.uri)) and is validated against it before it is written. The HTML needs nothing else: no scripts, fonts or images are fetched, so it works offline and as an e-mail attachment.

        --redact replaces host and domain names, MAC and IP addresses, serial numbers, UUIDs and the machine-id with placeholders (host-1, domain-1, mac-1, serial-1, uuid-1, ip-1), the same value getting the same placeholder, so the report can be posted publicly. The values are read from the machine (host names, /etc/hosts, the interfaces' MACs, DMI, NVMe, PCIe DSN and VPD serials, DMI UUID, machine-id, ESP UUIDs) and replaced in every spelling: any case, MACs with :, -, . or no separators (also inside enx... names and BOOTIF=), UUIDs with or without dashes, host-name variants such as NAME-backup. What the machine does not list is still caught by its shape.

        --from re-renders a saved XML report (e.g. one a user sent) as HTML; the file is checked against the schema first, and DOCTYPEs, entities and files over 16 MiB are refused.

        --upload URL sends the XML report (the redacted one with --redact) to a sriov-report-server (POST URL/api/v1/reports) with the token from --token-file, $SRIOV_WIZARD_TOKEN or upload.conf; TLS is verified (--ca-file for a private CA), https_proxy/no_proxy are honoured. The report is queued in the outbox (/var/lib/sriov-wizard/outbox, 0600) first and removed once the server answered 201 or 200; after a failure (network, timeout, TLS, 5xx, refused token) it stays queued and --flush sends the queue, oldest first. A report the server refuses (400, 413, 415) moves to outbox/rejected/ and is not sent again: the same bytes would get the same answer. /etc/sriov-wizard/upload.conf (url=, token-file=, ca-file=, redact=) gives the server for --flush and for the wizard's offer to upload.

        Without --xml, --html and --upload both files are written in the current directory as sriov-report-HOST-TIME.xml and .html (HOST the host name, a placeholder with --redact; TIME the report's time, e.g. 20261202-065300Z), and the command says where.

        EXAMPLES:
          sudo sriov-wizard report
          sudo sriov-wizard report --html report.html
          sriov-wizard report --root Resources/sample-host-vfs --xml host.xml --html host.html --time none
          sudo sriov-wizard report --redact --html forum.html
          sriov-wizard report --from host.xml --html host.html
          sriov-wizard report --xml - | xmllint --schema <(sriov-wizard schema) --noout -
          sudo sriov-wizard report --redact --upload https://reports.example.com:8088 --token-file /etc/sriov-wizard/upload.token
          sudo sriov-wizard report --flush

        EXIT STATUS:
          0   the report was written (whatever the checks found)
          2   --from: the file is unreadable, not XML, hostile, or not a valid report
          3   the machine could not be read
          64  usage error
          73  an output file could not be written
          75  --upload/--flush: the upload failed for now; the report stays queued in the outbox
          76  --upload/--flush: the server refused a report (kept in outbox/rejected/)
        """, """
        El informe contiene los datos del host, todas las etapas y comprobaciones de `check` con su evidencia y su pista, los dispositivos SR-IOV con sus VF, los grupos IOMMU, los controladores de invitado (Linux y Windows), los cambios registrados por `apply` y los mensajes del kernel sobre el IOMMU y SR-IOV.

        El XML sigue `sriov-wizard schema` (espacio de nombres \(ReportNamespace.uri)) y se valida contra él antes de escribirse. El HTML no necesita nada más: no se descargan scripts, fuentes ni imágenes, así que funciona sin conexión y como adjunto de correo.

        --redact sustituye nombres de host y de dominio, direcciones MAC e IP, números de serie, UUID y el machine-id por marcadores (host-1, domain-1, mac-1, serial-1, uuid-1, ip-1), el mismo valor siempre con el mismo marcador, para que el informe se pueda publicar. Los valores se leen de la máquina (nombres de host, /etc/hosts, las MAC de las interfaces, DMI, números de serie NVMe, DSN de PCIe y VPD, UUID de DMI, machine-id, UUID de la ESP) y se sustituyen en todas sus formas: mayúsculas o minúsculas, MAC con :, -, . o sin separadores (también dentro de nombres enx... y de BOOTIF=), UUID con o sin guiones, variantes del nombre de host como NOMBRE-backup. Lo que la máquina no lista se detecta igualmente por su forma.

        --from vuelve a presentar como HTML un informe XML guardado (p. ej. uno que envió un usuario); antes se valida el archivo contra el esquema, y se rechazan los DOCTYPE, las entidades y los archivos de más de 16 MiB.

        --upload URL envía el informe XML (el anonimizado con --redact) a un sriov-report-server (POST URL/api/v1/reports) con el token de --token-file, $SRIOV_WIZARD_TOKEN o upload.conf; se verifica TLS (--ca-file para una CA privada) y se respetan https_proxy/no_proxy. Primero el informe se pone en la bandeja de salida (/var/lib/sriov-wizard/outbox, 0600) y se quita cuando el servidor responde 201 o 200; tras un fallo (red, tiempo agotado, TLS, 5xx, token rechazado) sigue en la cola y --flush envía la cola, el más antiguo primero. Un informe que el servidor rechaza (400, 413, 415) pasa a outbox/rejected/ y no se vuelve a enviar: los mismos bytes recibirían la misma respuesta. /etc/sriov-wizard/upload.conf (url=, token-file=, ca-file=, redact=) indica el servidor para --flush y para la oferta de envío del asistente.

        Sin --xml, --html ni --upload se escriben ambos archivos en el directorio actual como sriov-report-HOST-TIME.xml y .html (HOST el nombre del host, un marcador con --redact; TIME la hora del informe, p. ej. 20261202-065300Z), y la orden dice dónde.

        EJEMPLOS:
          sudo sriov-wizard report
          sudo sriov-wizard report --html report.html
          sriov-wizard report --root Resources/sample-host-vfs --xml host.xml --html host.html --time none
          sudo sriov-wizard report --redact --html forum.html
          sriov-wizard report --from host.xml --html host.html
          sriov-wizard report --xml - | xmllint --schema <(sriov-wizard schema) --noout -
          sudo sriov-wizard report --redact --upload https://reports.example.com:8088 --token-file /etc/sriov-wizard/upload.token
          sudo sriov-wizard report --flush

        ESTADO DE SALIDA:
          0   se escribió el informe (encontraran lo que encontraran las comprobaciones)
          2   --from: el archivo no se puede leer, no es XML, es hostil o no es un informe válido
          3   no se pudo leer la máquina
          64  error de uso
          73  no se pudo escribir un archivo de salida
          75  --upload/--flush: el envío falló por ahora; el informe sigue en la bandeja de salida
          76  --upload/--flush: el servidor rechazó un informe (guardado en outbox/rejected/)
        """)
    )

    @OptionGroup var rootOptions: RootOptions
    @OptionGroup var languageOptions: LanguageOptions
    @OptionGroup(title: tr("Upload", "Envío")) var uploadOptions: UploadOptions

    @Option(name: .long, help: ArgumentHelp(tr("Only this SR-IOV device (PF address, or one of its VFs).", "Solo este dispositivo SR-IOV (dirección de la PF, o de una de sus VF)."), valueName: "ADDR"))
    var device: String?

    @Option(name: .long, help: ArgumentHelp(tr("Write the XML report here ('-' for standard output).", "Escribe aquí el informe XML («-» para la salida estándar)."), valueName: "FILE"))
    var xml: String?

    @Option(name: .long, help: ArgumentHelp(tr("Write the HTML report here ('-' for standard output).", "Escribe aquí el informe HTML («-» para la salida estándar)."), valueName: "FILE"))
    var html: String?

    @Flag(name: .long, help: ArgumentHelp(tr("Replace host names, MAC/IP addresses, serial numbers and UUIDs with placeholders.", "Sustituye nombres de host, direcciones MAC/IP, números de serie y UUID por marcadores.")))
    var redact = false

    @Option(name: .long, help: ArgumentHelp(tr("Re-render this saved XML report instead of reading a machine.", "Vuelve a presentar este informe XML guardado en vez de leer una máquina."), valueName: "FILE"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp(
        tr("Time written in the report: an ISO 8601 date-time (2026-01-31T12:00:00Z), now (default), or none (stable output).", "Hora escrita en el informe: una fecha y hora ISO 8601 (2026-01-31T12:00:00Z), now (por defecto), o none (salida estable)."),
        valueName: "TIME"))
    var time: String?

    func validate() throws {
        try uploadOptions.validateTimeouts()
        if uploadOptions.flush {
            if xml != nil || html != nil || from != nil || device != nil || time != nil || redact || rootOptions.root != "/" {
                throw ValidationError(tr("--flush sends the reports already queued in the outbox; it takes no --xml, --html, --from, --device, --time, --redact or --root.", "--flush envía los informes que ya esperan en la bandeja de salida; no admite --xml, --html, --from, --device, --time, --redact ni --root."))
            }
            return
        }
        if xml == "-" && html == "-" {
            throw ValidationError(tr("--xml - and --html - cannot both write to standard output; give one of them a file name.", "--xml - y --html - no pueden escribir ambas en la salida estándar; dé a una de ellas un nombre de archivo."))
        }
        if from != nil {
            if rootOptions.root != "/" || device != nil {
                throw ValidationError(tr("--from reads a saved report; --root and --device read a machine. Use one or the other.", "--from lee un informe guardado; --root y --device leen una máquina. Use uno u otro."))
            }
            if languageOptions.language != nil {
                throw ValidationError(tr("--lang cannot be used with --from: a saved report keeps the language it was made in.", "--lang no se puede usar con --from: un informe guardado conserva el idioma en que se hizo."))
            }
            if time != nil {
                throw ValidationError(tr("--time cannot be used with --from: a saved report keeps its own time.", "--time no se puede usar con --from: un informe guardado conserva su propia hora."))
            }
        } else {
            try rootOptions.validateRoot()
        }
        if let time { _ = try ReportTime.resolve(time) }
    }

    func run() throws {
        var session: UploadSession?
        var redact = self.redact
        if uploadOptions.wantsUpload {
            let made = try uploadOptions.session(language: languageOptions.resolved)
            session = made.0
            redact = redact || made.redact
        }
        if uploadOptions.flush, let session { throw session.flush() }
        var report: HostReport
        var redactor = Redactor()
        if let from {
            report = try ReportFiles.readReport(from)
        } else {
            let context = try rootOptions.context(device: device)
            let language = languageOptions.resolved
            report = ReportBuilder.build(context: context, stages: verifyStages(context), language: language,
                                         time: try ReportTime.resolve(time ?? "now"))
            if redact { redactor = Redactor.forMachine(context.machine) }
        }
        if redact { report = redactor.redact(report) }
        var xml = self.xml, html = self.html
        var announce = false
        if xml == nil && html == nil && uploadOptions.upload == nil {
            let base = ReportFiles.defaultBaseName(report)
            (xml, html, announce) = (base + ".xml", base + ".html", true)
        }
        do {
            if let xml { try ReportFiles.write(try ReportXML.render(report), to: xml) }
            if let html { try ReportFiles.write(try ReportHTML.render(report), to: html) }
            if announce, let xml, let html {
                let cwd = FileManager.default.currentDirectoryPath
                print(report.language == .es
                      ? "Informe escrito en \(cwd)/\(xml) y \(cwd)/\(html)."
                      : "Report written to \(cwd)/\(xml) and \(cwd)/\(html).")
            }
            if let session {
                let status = session.upload(try ReportXML.render(report))
                if status != ExitCode.success { throw status }
            }
        } catch let e as ReportError {
            Console.error(e.description)
            throw ExitCode.failure
        }
    }
}

extension ExitStatus {
    /// An output file could not be written (sysexits.h EX_CANTCREAT).
    static let cannotWrite = ExitCode(73)
}

/// `--time`: the report's time is an input, so the same host gives the same report.
enum ReportTime {
    static func resolve(_ value: String) throws -> String? {
        switch value {
        case "none": return nil
        case "now":
            let formatter = ISO8601DateFormatter()
            formatter.timeZone = TimeZone(identifier: "UTC")
            return formatter.string(from: Date())
        default:
            let formatter = ISO8601DateFormatter()
            guard formatter.date(from: value) != nil else {
                throw ValidationError(tr("--time \(value): not an ISO 8601 date-time; give e.g. 2026-01-31T12:00:00Z, now, or none.", "--time \(value): no es una fecha y hora ISO 8601; indique p. ej. 2026-01-31T12:00:00Z, now, o none."))
            }
            return value
        }
    }
}

/// Reading report files and writing outputs, with errors that name the file.
enum ReportFiles {
    /// Reads and validates one saved report; exit 2 with a message naming the file.
    static func readReport(_ path: String) throws -> HostReport {
        do throws(ReportFileError) {
            return try loadReport(path)
        } catch {
            Console.error(error.description)
            throw ExitStatus.invalidInput
        }
    }

    struct ReportFileError: Error, CustomStringConvertible {
        var description: String
    }

    /// The report in `path`, or an error message that names the file and what to do.
    static func loadReport(_ path: String) throws(ReportFileError) -> HostReport {
        let bytes: [UInt8]
        do {
            bytes = try Machine(root: "/").read(path, limit: ReportXML.sizeLimit)
        } catch {
            if case .tooLarge = error {
                throw ReportFileError(description: "\(path): refused: larger than \(ReportXML.sizeLimit >> 20) MiB; a report is tens of kilobytes.")
            }
            throw ReportFileError(description: "cannot read \(path): \(error.description)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ReportFileError(description: "\(path): not a UTF-8 text file; give an XML report made by `sriov-wizard report --xml FILE`.")
        }
        do {
            return try ReportXML.read(text)
        } catch let e as ReportError {
            throw ReportFileError(description: "\(path): \(e.description)")
        } catch {
            throw ReportFileError(description: "\(path): \(error)")
        }
    }

    /// Writes `text` to `path` atomically (a temporary file renamed over the target), or to
    /// standard output for "-"; exit 73 with the reason when the file cannot be written.
    /// `sriov-report-HOST-TIME` (or `sriov-report-HOST` without a time): the host name kept to
    /// letters, digits, `.`, `_` and `-`, so a hostile or odd name cannot make a path.
    static func defaultBaseName(_ report: HostReport) -> String {
        let host = String((report.host.hostname ?? "host").unicodeScalars.prefix(64).map { scalar -> Character in
            let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
            return ok ? Character(scalar) : "_"
        })
        let safeHost = host.isEmpty || host.hasPrefix(".") ? "host" + host : host
        guard let time = report.time else { return "sriov-report-\(safeHost)" }
        // 2026-12-02T06:53:00Z -> 20261202-065300Z
        // (an offset: +02:00 -> p0200, -05:00 -> m0500)
        let parts = time.split(separator: "T", maxSplits: 1).map(String.init)
        let day = parts[0].filter(\.isNumber)
        let clock = parts.count > 1 ? String(parts[1].compactMap { c -> Character? in
            if c.isNumber || c == "Z" { return c }
            if c == "+" { return "p" }
            if c == "-" { return "m" }
            return nil
        }) : ""
        let compact = clock.isEmpty ? day : day + "-" + clock
        return "sriov-report-\(safeHost)-\(compact)"
    }

    static func write(_ text: String, to path: String) throws {
        if path == "-" {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            Console.error(tr("cannot write \(path): \((error as NSError).localizedDescription). Check that the directory exists and is writable.",
                             "no se puede escribir \(path): \((error as NSError).localizedDescription). Compruebe que el directorio existe y se puede escribir en él."))
            throw ExitStatus.cannotWrite
        }
    }
}
