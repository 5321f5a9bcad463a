/// The CPU vendor, from /proc/cpuinfo `vendor_id`.
public enum CPUVendor: String, Sendable, Codable {
    case intel, amd

    public init?(vendorID: String) {
        switch vendorID {
        case "GenuineIntel": self = .intel
        case "AuthenticAMD", "HygonGenuine": self = .amd
        default: return nil
        }
    }
}
