import SRIOVCore
import Foundation

/// Tokens and session ids: 256 random bits, stored only as their sha256, compared in constant time.
public enum Tokens {
    public static let prefix = "srs_"

    /// A new random token: "srs_" + 64 hex digits (32 bytes from the system CSPRNG).
    public static func generate() -> String {
        prefix + randomHex(bytes: 32)
    }

    static func randomHex(bytes: Int) -> String {
        // SystemRandomNumberGenerator: getrandom(2) on Linux, the kernel's CSPRNG.
        var rng = SystemRandomNumberGenerator()
        return SHA256.hexString((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    public static func hash(_ token: String) -> String {
        SHA256.hex(Array(token.utf8))
    }

    /// Equal without an early exit: the time does not depend on where two strings differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var diff = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }

    /// The active token whose hash matches `presented`, comparing against every token.
    public static func match(_ presented: String, in tokens: [TokenRecord]) -> TokenRecord? {
        let h = hash(presented)
        var found: TokenRecord?
        for t in tokens where t.revoked == nil {
            if constantTimeEqual(h, t.hash) { found = t }
        }
        return found
    }

    /// Token names become the "site" of uploads and appear on pages: letters, digits, . _ - only.
    public static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
    }
}
