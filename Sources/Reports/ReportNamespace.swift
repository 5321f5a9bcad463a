/// The XML namespace of sriov-wizard reports; `Resources/report/report.xsd` defines it.
public enum ReportNamespace {
    public static let uri = "urn:sriov-wizard:report:1"
}
