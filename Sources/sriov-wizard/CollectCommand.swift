import ArgumentParser
import Foundation
import Reports
import SRIOVCore

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: tr("One table over many hosts' XML reports (fleet view).", "Una tabla sobre los informes XML de muchos hosts (vista de flota)."),
        discussion: tr("""
        Reads XML reports made by `report --xml` and shows, per report: host name, the report's file and time (so reports of hosts that are all called `pve` can be told apart), kernel, each stage's result, how many checks fail, warn and pass, SR-IOV devices, VFs enabled / possible, and the checks that fail. Rows come most severe first, then by host name, file and time. The HTML table sorts by any column, links to each host's failed and warned checks with their fixes, and on a phone (390 px) keeps the host, its result, the counts, VFs and what fails.

        Every file is checked against the schema like `report --from`; an invalid file is named on standard error, the others are still shown, and the exit status is 2.

        EXAMPLES:
          sriov-wizard collect reports/*.xml
          sriov-wizard collect reports/*.xml --html fleet.html
          sriov-wizard collect reports/*.xml --format json | jq '.hosts[] | select(.level == "fail") | .hostname'

        EXIT STATUS:
          0   every report was read
          2   at least one report could not be read (named on standard error)
          64  usage error
          73  an output file could not be written
        """, """
        Lee informes XML hechos con `report --xml` y muestra, por informe: nombre del host, archivo y hora del informe (para distinguir informes de hosts que se llaman todos `pve`), kernel, el resultado de cada etapa, cuántas comprobaciones fallan, avisan y pasan, dispositivos SR-IOV, VF activadas / posibles, y las comprobaciones que fallan. Las filas van de la más grave a la menos, después por nombre de host, archivo y hora. La tabla HTML se ordena por cualquier columna, enlaza las comprobaciones fallidas y con aviso de cada host con sus arreglos, y en un móvil (390 px) conserva el host, su resultado, los recuentos, las VF y lo que falla.

        Cada archivo se valida contra el esquema como en `report --from`; un archivo no válido se nombra en la salida de error, los demás se muestran igualmente y el estado de salida es 2.

        EJEMPLOS:
          sriov-wizard collect reports/*.xml
          sriov-wizard collect reports/*.xml --html fleet.html
          sriov-wizard collect reports/*.xml --format json | jq '.hosts[] | select(.level == "fail") | .hostname'

        ESTADO DE SALIDA:
          0   se leyeron todos los informes
          2   no se pudo leer al menos un informe (nombrado en la salida de error)
          64  error de uso
          73  no se pudo escribir un archivo de salida
        """)
    )

    @Argument(help: ArgumentHelp(tr("XML reports made by `sriov-wizard report --xml`.", "Informes XML hechos con `sriov-wizard report --xml`."), valueName: "REPORT.xml"))
    var files: [String] = []

    @Option(name: .long, help: ArgumentHelp(tr("Write the fleet view as HTML here ('-' for standard output).", "Escribe aquí la vista de flota en HTML («-» para la salida estándar)."), valueName: "FILE"))
    var html: String?

    @Option(name: .long, help: ArgumentHelp(tr("Write the fleet summary as XML (<fleet>, see `schema`) here ('-' for standard output).", "Escribe aquí el resumen de flota en XML (<fleet>, vea `schema`) («-» para la salida estándar)."), valueName: "FILE"))
    var xml: String?

    @Option(name: .long, help: ArgumentHelp(tr("Standard output: text (a table) or json. Default: text, unless --html or --xml writes there.", "Salida estándar: text (una tabla) o json. Por defecto: text, salvo que --html o --xml escriban allí.")))
    var format: OutputFormat?

    @OptionGroup var languageOptions: LanguageOptions

    @Option(name: .long, help: ArgumentHelp(tr("Time written in the fleet view: ISO 8601, now, or none (default).", "Hora escrita en la vista de flota: ISO 8601, now, o none (por defecto)."), valueName: "TIME"))
    var time: String = "none"

    func validate() throws {
        if files.isEmpty {
            throw ValidationError(tr("Give at least one XML report, e.g. `sriov-wizard collect reports/*.xml` (make them with `sriov-wizard report --xml FILE`).", "Indique al menos un informe XML, p. ej. `sriov-wizard collect reports/*.xml` (hágalos con `sriov-wizard report --xml FILE`)."))
        }
        let toStdout = [html, xml].filter { $0 == "-" }.count + (format != nil ? 1 : 0)
        if toStdout > 1 {
            throw ValidationError(tr("Only one of --format, --html - and --xml - can write to standard output.", "Solo una de --format, --html - y --xml - puede escribir en la salida estándar."))
        }
        _ = try ReportTime.resolve(time)
    }

    func run() throws {
        let (rows, errors) = Self.load(files)
        // A message quotes the file name and libxml2's excerpt of the file: both may hold control characters.
        for message in errors { Console.error(TerminalText.visible(message)) }
        let summary = FleetSummary(rows: rows, language: languageOptions.resolved, time: try ReportTime.resolve(time))
        do {
            if let xml { try ReportFiles.write(try summary.xml(), to: xml) }
            if let html { try ReportFiles.write(try summary.html(), to: html) }
        } catch let e as ReportError {
            Console.error(e.description)
            throw ExitCode.failure
        }
        switch format ?? (html == nil && xml == nil ? .text : nil) {
        case .json?: print(summary.json().serialised())
        case .text?: print(table(summary.textHeader, summary.text()))
        case nil: break
        }
        if !errors.isEmpty {
            Console.error(tr("\(errors.count) of \(files.count) reports could not be read; they are left out of the table.",
                             "no se pudieron leer \(errors.count) de \(files.count) informes; quedan fuera de la tabla."))
            throw ExitStatus.invalidInput
        }
    }

    /// Reports read at the same time. One read of a file at the limits of `ReportXML`
    /// (16 MiB, `ReportXML.shapeLimits`) peaks under 300 MB; two at a time keep `collect` of
    /// any number of files under 800 MB, and parsing is what the cores are busy with anyway.
    static let concurrentReads = 2

    /// Reads the reports on up to `concurrentReads` cores (parsing and schema validation
    /// dominate); a file that cannot be read is an error message and the next file is read;
    /// rows keep the order of `files`.
    static func load(_ files: [String]) -> (rows: [FleetRow], errors: [String]) {
        let results = ResultSlots(count: files.count)
        let workers = max(1, min(files.count, concurrentReads, ProcessInfo.processInfo.activeProcessorCount))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = results.claim() {
                do throws(ReportFiles.ReportFileError) {
                    let report = try ReportFiles.loadReport(files[i])
                    results.set(i, .success(FleetRow(file: files[i], report: report)))
                } catch {
                    results.set(i, .failure(error))
                }
            }
        }
        var rows: [FleetRow] = []
        var errors: [String] = []
        for result in results.values {
            switch result {
            case .success(let row)?: rows.append(row)
            case .failure(let e)?: errors.append(e.description)
            case nil: break
            }
        }
        return (rows, errors)
    }
}

/// Results written by concurrent workers, one slot each.
private final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<FleetRow, ReportFiles.ReportFileError>?]
    private let lock = NSLock()
    private var next = 0
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    /// The next file to read, or nil when every file has a worker.
    func claim() -> Int? { lock.withLock { next < slots.count ? { defer { next += 1 }; return next }() : nil } }
    func set(_ i: Int, _ value: Result<FleetRow, ReportFiles.ReportFileError>) { lock.withLock { slots[i] = value } }
    var values: [Result<FleetRow, ReportFiles.ReportFileError>?] { lock.withLock { slots } }
}
