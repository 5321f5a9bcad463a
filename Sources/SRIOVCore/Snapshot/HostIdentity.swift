import HostAccess

/// A stable, non-identifying id of a host, so a support desk recognises the same machine
/// across reports, also redacted ones and hosts that are all named `pve`.
///
/// The id is SHA-256 over a fixed product salt and the machine-id (`/etc/machine-id`,
/// machine-id(5)), or, without one, the SMBIOS system UUID (`/sys/class/dmi/id/product_uuid`,
/// readable by root only). The raw value never leaves the machine: machine-id(5) asks that it
/// be treated as confidential and exposed only through an application-specific hash, which is
/// what the salt makes this (hw-probe does the same with MACs and serial numbers).
///
/// A snapshot does not copy either source (`Snapshot.etcFiles`, `Snapshot.dmiAttributes`), so
/// `snapshot` writes the hash itself to `recordPath` and a report made from the snapshot reads
/// it from there.
public enum HostIdentity {
    /// Changing it changes every host's id: never change it within a major report version.
    public static let salt = "sriov-wizard host id v1 (urn:sriov-wizard:report:1)"
    /// Where a snapshot records the host id (host path inside the snapshot).
    public static let recordPath = "/sriov-wizard/host-id"
    public static let machineIDPath = "/etc/machine-id"
    public static let productUUIDPath = "/sys/class/dmi/id/product_uuid"

    /// Which value the id was made from.
    public enum Source: String, Sendable, Equatable {
        case machineID = "machine-id"
        case productUUID = "product_uuid"
        /// A snapshot's record (the hash was made on the host the snapshot was taken of).
        case snapshotRecord = "snapshot"
    }

    /// The host id of a machine: a snapshot's record when there is one, else the hash of the
    /// machine-id, else of the DMI product UUID; nil when none of them is usable.
    public static func read(_ machine: Machine) -> (id: String, source: Source)? {
        if let recorded = machine.attribute(recordPath), isValidID(recorded) {
            return (recorded, .snapshotRecord)
        }
        if let raw = machine.attribute(machineIDPath), let value = normalisedMachineID(raw) {
            return (hash(value), .machineID)
        }
        if let raw = machine.attribute(productUUIDPath), let value = normalisedUUID(raw) {
            return (hash(value), .productUUID)
        }
        return nil
    }

    /// SHA-256 of the salt, a newline and the value, as 64 lowercase hex digits.
    public static func hash(_ value: String) -> String {
        let digest = SHA256.digest(Array((salt + "\n" + value).utf8))
        let hex = Array("0123456789abcdef")
        return String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0f)]] })
    }

    /// 64 lowercase hex digits (the schema's `host/@id`).
    public static func isValidID(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// machine-id(5): 32 lowercase hex digits. "uninitialized" (first boot) and an all-zero id
    /// (an image that was cleared but never booted) do not identify a host.
    static func normalisedMachineID(_ raw: String) -> String? {
        let value = raw.trimmedSpace().lowercased()
        guard value.utf8.count == 32, value.utf8.allSatisfy(isHexDigit), value.contains(where: { $0 != "0" }) else { return nil }
        return value
    }

    /// An SMBIOS UUID; all-zero and all-F UUIDs are the firmware's "not set".
    static func normalisedUUID(_ raw: String) -> String? {
        let value = raw.trimmedSpace().lowercased()
        let digits = value.filter { $0 != "-" }
        guard digits.utf8.count == 32, digits.utf8.allSatisfy(isHexDigit),
              digits.contains(where: { $0 != "0" }), digits.contains(where: { $0 != "f" }) else { return nil }
        return value
    }

    static func isHexDigit(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) }
}


extension HostIdentity {
    public static let reads = HostReads("HostIdentity", paths: [
        .notCopied(recordPath, "written by snapshot itself: the salted hash"),
        .notCopied(machineIDPath, "confidential (machine-id(5)): snapshot records its salted hash"),
        .notCopied(productUUIDPath, "identifying: snapshot records the salted hash"),
    ])
}
