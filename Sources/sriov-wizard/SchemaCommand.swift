import ArgumentParser
import Reports

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the XML Schema (XSD) of reports and fleet summaries.",
        discussion: """
        The schema of `report --xml` (root <report>) and `collect --xml` (root <fleet>), namespace \(ReportNamespace.uri). It is compiled into the binary; the same copy validates every report the tool writes or reads.

        EXAMPLES:
          sriov-wizard schema > report.xsd
          xmllint --noout --schema report.xsd host.xml
        """
    )

    func run() throws {
        print(ReportResources.schemaText, terminator: "")
    }
}
