import HostAccess

/// The facts of /proc/cpuinfo that matter here (first processor's block).
public struct CPUInfo: Sendable, Equatable {
    public var vendorID: String?
    public var modelName: String?
    public var flags: Set<String>

    public var vendor: CPUVendor? { vendorID.flatMap(CPUVendor.init(vendorID:)) }

    public init(vendorID: String?, modelName: String?, flags: Set<String>) {
        self.vendorID = vendorID
        self.modelName = modelName
        self.flags = flags
    }

    /// Parses `key<TAB>: value` lines of the first processor block.
    public init(text: String) {
        var vendor: String?, model: String?, flags = Set<String>()
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if String(line).trimmedSpace().isEmpty, vendor != nil || !flags.isEmpty { break }  // end of processor 0
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon]).trimmedSpace()
            let value = String(line[line.index(after: colon)...]).trimmedSpace()
            switch key {
            case "vendor_id": vendor = value
            case "model name": model = value
            case "flags": flags = Set(value.split(separator: " ").map(String.init))
            default: break
            }
        }
        self.init(vendorID: vendor, modelName: model, flags: flags)
    }

    public static let path = "/proc/cpuinfo"

    /// Reads /proc/cpuinfo through the machine; nil when it cannot be read.
    public static func read(_ machine: Machine) -> CPUInfo? {
        guard let text = try? machine.readText(path, limit: 16 << 20) else { return nil }
        return CPUInfo(text: text)
    }
}

extension CPUInfo {
    public static let reads = HostReads("CPUInfo", paths: [.file(path, limit: 8 << 20)])
}
