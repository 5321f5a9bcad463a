/// Name and version of the tool, as reported by `--version`, snapshots and reports.
public enum ToolInfo {
    public static let name = "sriov-wizard"
    public static let version = "0.1.0"
}
