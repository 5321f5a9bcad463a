import HostAccess

/// The kernel log as `dmesg` prints it, read through the machine (live: needs root or
/// kernel.dmesg_restrict=0; snapshot: the recorded output).
public struct KernelLog: Sendable, Equatable {
    /// Lines with the `[    1.234567] ` time stamp removed.
    public var lines: [String]
    /// True when the log still holds the boot messages (the ring buffer of a long-running host
    /// may have rotated them out).
    public var hasBootMessages: Bool

    public static let command = ["dmesg"]

    public static func read(_ machine: Machine) -> Result<KernelLog, KernelLogUnavailable> {
        readText(machine).map(KernelLog.init(text:))
    }

    /// The log as `dmesg` printed it, time stamps and all (the report quotes raw lines).
    public static func readText(_ machine: Machine) -> Result<String, KernelLogUnavailable> {
        let result: CommandResult
        do { result = try machine.run(command, timeout: 30) } catch {
            if case .commandNotRecorded = error {
                return .failure(KernelLogUnavailable(reason: "dmesg was not recorded in this snapshot", reasonES: "dmesg no se grabó en esta instantánea"))
            }
            return .failure(KernelLogUnavailable(reason: error.description, reasonES: error.spanishDescription))
        }
        guard result.status == 0 else {
            let message = result.stderrText.trimmedSpace()
            let asRoot = ThisProcess.isRoot || !machine.isLive
            return .failure(KernelLogUnavailable(
                reason: "dmesg exited with status \(result.status)" + (message.isEmpty ? "" : ": \(message)") + (asRoot ? "" : " (run as root)"),
                reasonES: "dmesg terminó con el estado \(result.status)" + (message.isEmpty ? "" : ": \(message)") + (asRoot ? "" : " (ejecute como root)")))
        }
        return .success(result.stdoutText)
    }

    public init(text: String) {
        var lines: [String] = []
        var boot = false
        // Split at LF bytes (String's Character-wise split was 13% of `check` on the sample
        // host): the same lines as splitting at the Characters "\n" and "\r\n" (a CR LF is one
        // Character; no other grapheme joins an LF) and dropping one more trailing "\r".
        var bytes = text
        bytes.withUTF8 { buf in
            var start = 0
            let n = buf.count
            while start < n {
                var end = start
                var high: UInt8 = 0
                while end < n && buf[end] != 0x0a { high |= buf[end]; end += 1 }
                var stop = end
                if end < n, stop > start, buf[stop - 1] == 0x0d { stop -= 1 }  // the CR of a CR LF separator
                if stop > start {
                    if buf[stop - 1] == 0x0d { stop -= 1 }
                    let segment = UnsafeBufferPointer(rebasing: buf[start..<stop])
                    if high < 0x80 {
                        lines.append(Self.asciiLine(segment, boot: &boot))
                    } else {
                        lines.append(Self.line(Substring(String(decoding: segment, as: UTF8.self)), boot: &boot))
                    }
                }
                start = end + 1
            }
        }
        self.lines = lines
        self.hasBootMessages = boot
    }

    /// One line without its time stamp, Character by Character (lines with non-ASCII bytes,
    /// where a combining mark may join a bracket).
    static func line(_ raw: Substring, boot: inout Bool) -> String {
        var line = raw
        if line.first == "[", let close = line.firstIndex(of: "]") {
            let stamp = line[line.index(after: line.startIndex)..<close].droppingLeadingBlanks()
            if stamp.hasPrefix("0.") { boot = true }
            line = line[line.index(after: close)...].droppingLeadingBlanks()
        }
        if line.hasPrefix("Linux version ") || line.hasPrefix("Command line:") { boot = true }
        return String(line)
    }

    /// The same for an ASCII line, byte by byte (every byte is a Character there: the CR LF
    /// pair, the one two-byte ASCII grapheme, cannot occur inside a line).
    static func asciiLine(_ buf: UnsafeBufferPointer<UInt8>, boot: inout Bool) -> String {
        var s = 0
        let n = buf.count
        func skipBlanks(_ i: inout Int) { while i < n && (buf[i] == 0x20 || buf[i] == 0x09) { i += 1 } }
        func hasPrefix(_ at: Int, _ prefix: StaticString) -> Bool {
            let count = prefix.utf8CodeUnitCount
            guard at + count <= n else { return false }
            let p = prefix.utf8Start
            for k in 0..<count where buf[at + k] != p[k] { return false }
            return true
        }
        if n > 0, buf[0] == UInt8(ascii: "[") {
            var close = 1
            while close < n && buf[close] != UInt8(ascii: "]") { close += 1 }
            if close < n {
                var stamp = 1
                skipBlanks(&stamp)
                if stamp + 2 <= close, buf[stamp] == UInt8(ascii: "0"), buf[stamp + 1] == UInt8(ascii: ".") { boot = true }
                s = close + 1
                skipBlanks(&s)
            }
        }
        if hasPrefix(s, "Linux version ") || hasPrefix(s, "Command line:") { boot = true }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[s..<n]), as: UTF8.self)
    }

    /// Lines containing any of the phrases (case-sensitive, as the kernel prints them).
    public func lines(containing phrases: [String]) -> [String] {
        lines.filter { line in phrases.contains { line.containsBytes($0) } }
    }
}

public struct KernelLogUnavailable: Error, Sendable, Equatable {
    public var reason: String
    public var reasonES: String

    public init(reason: String, reasonES: String) {
        self.reason = reason
        self.reasonES = reasonES
    }

    /// `dmesg: not available: REASON`, for evidence.
    public var evidence: Evidence {
        .fact("dmesg", en: "not available: \(reason)", es: "no disponible: \(reasonES)")
    }
}

extension KernelLog {
    public static let reads = HostReads("KernelLog", commands: [command])
}
