import ArgumentParser
import Reports
import SRIOVCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: tr("Print the XML Schema (XSD) of reports and fleet summaries.", "Imprime el esquema XML (XSD) de los informes y de los resúmenes de flota."),
        discussion: tr("""
        The schema of `report --xml` (root <report>) and `collect --xml` (root <fleet>), namespace \(ReportNamespace.uri). It is compiled into the binary; the same copy validates every report the tool writes or reads. Its documentation is in English and Spanish (xml:lang); `--lang` keeps one of them (the types are the same).

        EXAMPLES:
          sriov-wizard schema > report.xsd
          sriov-wizard schema --lang es > report-es.xsd    # documentation in Spanish only
          xmllint --noout --schema report.xsd host.xml
        """, """
        El esquema de `report --xml` (raíz <report>) y de `collect --xml` (raíz <fleet>), espacio de nombres \(ReportNamespace.uri). Va compilado en el binario; la misma copia valida todos los informes que la herramienta escribe o lee. Su documentación está en inglés y en español (xml:lang); `--lang` conserva uno de los dos (los tipos son los mismos).

        EJEMPLOS:
          sriov-wizard schema > report.xsd
          sriov-wizard schema --lang es > report-es.xsd    # documentación solo en español
          xmllint --noout --schema report.xsd host.xml
        """)
    )

    @Option(name: .customLong("lang"), help: ArgumentHelp(
        tr("Keep the documentation in one language: en or es (default: both, the schema as embedded).",
           "Deja la documentación en un solo idioma: en o es (por defecto: los dos, el esquema tal como va incluido)."), valueName: "LANG"))
    var language: LanguageChoice?

    func run() throws {
        if let language {
            print(ReportResources.schemaText(language: language.value), terminator: "")
        } else {
            print(ReportResources.schemaText, terminator: "")
        }
    }
}
