import HostAccess

/// The kernel log as `dmesg` prints it, read through the machine (live: needs root or
/// kernel.dmesg_restrict=0; snapshot: the recorded output).
public struct KernelLog: Sendable, Equatable {
    /// Lines with the `[    1.234567] ` time stamp removed.
    public var lines: [String]
    /// True when the log still holds the boot messages (the ring buffer of a long-running host
    /// may have rotated them out).
    public var hasBootMessages: Bool

    public static func read(_ machine: Machine) -> Result<KernelLog, KernelLogUnavailable> {
        let result: CommandResult
        do { result = try machine.run(["dmesg"], timeout: 30) } catch {
            if case .commandNotRecorded = error { return .failure(KernelLogUnavailable(reason: "dmesg was not recorded in this snapshot")) }
            return .failure(KernelLogUnavailable(reason: error.description))
        }
        guard result.status == 0 else {
            let message = result.stderrText.trimmedSpace()
            return .failure(KernelLogUnavailable(reason: "dmesg exited with status \(result.status)"
                + (message.isEmpty ? "" : ": \(message)") + (Machine.isRoot || !machine.isLive ? "" : " (run as root)")))
        }
        return .success(KernelLog(text: result.stdoutText))
    }

    public init(text: String) {
        var lines: [String] = []
        var boot = false
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.first == "[", let close = line.firstIndex(of: "]") {
                let stamp = line[line.index(after: line.startIndex)..<close].droppingLeadingBlanks()
                if stamp.hasPrefix("0.") { boot = true }
                line = line[line.index(after: close)...].droppingLeadingBlanks()
            }
            if line.hasPrefix("Linux version ") || line.hasPrefix("Command line:") { boot = true }
            lines.append(String(line))
        }
        self.lines = lines
        self.hasBootMessages = boot
    }

    /// Lines containing any of the phrases (case-sensitive, as the kernel prints them).
    public func lines(containing phrases: [String]) -> [String] {
        lines.filter { line in phrases.contains { line.contains($0) } }
    }
}

public struct KernelLogUnavailable: Error, Sendable, Equatable {
    public var reason: String
}
