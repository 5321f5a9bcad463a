import HostAccess

/// The per-VF lines that `ip -d link show` prints under a PF (iproute2 `ip/ipaddress.c`
/// print_vfinfo): `vf 0     link/ether 00:00:00:00:00:00 brd ..., spoof checking on, ...`;
/// older iproute2 prints `vf 0 MAC 00:00:00:00:00:00, ...`. The MAC there is the one the PF
/// hands to the VF driver, in the host or in a guest; all zeros means "not set" and the VF
/// driver then makes up a random one (igbvf: `eth_hw_addr_random`).
public struct IPLinkVFInfo: Sendable, Equatable {
    /// The command recorded in snapshots and run on live hosts.
    public static let command = ["ip", "-d", "link", "show"]

    /// Interface name -> VF index -> MAC.
    public var macs: [String: [Int: String]] = [:]

    public init() {}

    public init(text: String) {
        var current: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = String(raw)
            if let first = line.first, first.isNumber {
                // `2: enp1s0: <...>` or `2: enp1s0@if3: <...>`
                let parts = line.split(separator: ":", maxSplits: 2)
                current = parts.count >= 2 ? String(String(parts[1]).trimmedSpace().split(separator: "@").first ?? "") : nil
                continue
            }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            guard let current, words.count >= 4, words[0] == "vf", let index = Int(words[1]) else { continue }
            if let mac = words.firstIndex(where: { $0 == "link/ether" || $0 == "MAC" }), mac + 1 < words.count {
                macs[current, default: [:]][index] = String(words[mac + 1]).lowercased()
            }
        }
    }

    /// Runs (or replays) `ip -d link show`; nil when it cannot be run.
    public static func read(_ machine: Machine) -> IPLinkVFInfo? {
        guard let result = try? machine.run(command, timeout: 10), result.status == 0 else { return nil }
        return IPLinkVFInfo(text: result.stdoutText)
    }

    public static func isUnset(_ mac: String) -> Bool { mac == "00:00:00:00:00:00" }
}

extension IPLinkVFInfo {
    public static let reads = HostReads("IPLinkVFInfo", commands: [command])
}
