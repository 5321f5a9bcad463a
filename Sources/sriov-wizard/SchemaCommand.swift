import ArgumentParser
import Reports
import SRIOVCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the XML Schema (XSD) of reports and fleet summaries.",
        discussion: """
        The schema of `report --xml` (root <report>) and `collect --xml` (root <fleet>), namespace \(ReportNamespace.uri). It is compiled into the binary; the same copy validates every report the tool writes or reads. Its documentation is in English and Spanish (xml:lang); `--lang` keeps one of them (the types are the same).

        EXAMPLES:
          sriov-wizard schema > report.xsd
          sriov-wizard schema --lang es > report-es.xsd    # documentation in Spanish only
          xmllint --noout --schema report.xsd host.xml
        """
    )

    @Option(name: .customLong("lang"), help: ArgumentHelp(
        "Keep the documentation in one language: en or es (default: both, the schema as embedded).", valueName: "LANG"))
    var language: LanguageChoice?

    func run() throws {
        if let language {
            print(ReportResources.schemaText(language: language.value), terminator: "")
        } else {
            print(ReportResources.schemaText, terminator: "")
        }
    }
}
