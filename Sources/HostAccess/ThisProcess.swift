#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
#endif

/// Facts about this process, the one running the tool: its user, its standard streams and its
/// environment. They are not facts about the machine being inspected (`Machine`, which may be
/// a snapshot of another host), so they live apart from it.
public enum ThisProcess {
    /// Reads standard input up to `limit` bytes (for `--lspci-file -`).
    public static func readStandardInput(limit: Int) throws(HostAccessError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HostAccessError.from(errno: errno, path: "<stdin>")
            }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
            if result.count > limit { throw HostAccessError.tooLarge(path: "<stdin>", limit: limit) }
        }
        return result
    }

    /// Whether this process runs as root (live reads of config space beyond 64 bytes need it).
    public static var isRoot: Bool { geteuid() == 0 }

    /// Whether a file descriptor is a terminal (for colour and prompts).
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// An environment variable of this process.
    public static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    /// Raw write to standard error (used by the console layer).
    public static func writeStandardError(_ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        Glibc.write(2, pointer, count)
    }

    /// Writes bytes to standard output at once, after what `print` has buffered (progress lines
    /// redrawn in place must not wait for a newline, nor overtake earlier output).
    @discardableResult
    public static func writeStandardOutput(_ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        fflush(nil)  // every stream: stdout is a C global Swift 6 will not touch
        return Glibc.write(1, pointer, count)
    }
}
