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
        let digest = PlainSHA256.digest(Array((salt + "\n" + value).utf8))
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

/// SHA-256 (FIPS 180-4), for the host id only: one short message per report.
///
/// Why not swift-crypto's `Crypto`: measured with a release, `--static-swift-stdlib` probe
/// (Foundation + one `SHA256.hash` call, stripped), swift-crypto 3.12.3 grew the binary from
/// 13.6 MB to 60.7 MB (+47 MB, BoringSSL and its tables), and compiling BoringSSL added about
/// 25 minutes to a debug build on this shared 2-core machine. Sixty lines, checked against the
/// FIPS 180-4 examples and coreutils' sha256sum in HostIdentityTests, cost neither.
public enum PlainSHA256 {
    static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The 32-byte digest of `message`.
    public static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var data = message
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        let bits = UInt64(message.count) &* 8
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for block in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                let j = block + i * 4
                w[i] = UInt32(data[j]) << 24 | UInt32(data[j + 1]) << 16 | UInt32(data[j + 2]) << 8 | UInt32(data[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * $0)) } }
    }

    public static func hex(_ message: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(digest(message).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }
}
