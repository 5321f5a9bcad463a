#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
#endif

/// Every way a read of the machine can fail. Each case names the path (as the host sees
/// it, e.g. `/sys/bus/pci/devices/0000:01:00.0/config`) so a message can say where.
public enum HostAccessError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case permissionDenied(path: String)
    /// A fifo, socket, device node or directory where a regular file was expected. Never
    /// opened for reading, so a fifo cannot block the tool.
    case notRegularFile(path: String, kind: String)
    case tooLarge(path: String, limit: Int)
    case notADirectory(path: String)
    case notASymlink(path: String)
    case symlinkLoop(path: String)
    case io(path: String, errno: Int32)
    case invalidPath(path: String, reason: String)
    /// Under a snapshot root: the path needs a symbolic link (or `..`) that leads out of the
    /// root, and resolved inside the root there is nothing. Not followed; read as missing.
    case outsideRoot(path: String, root: String)
    case commandNotFound(command: String)
    case commandNotRecorded(argv: [String], snapshot: String)
    case commandFailedToStart(argv: [String], errno: Int32)
    case commandTimedOut(argv: [String], seconds: Double)

    public var description: String {
        switch self {
        case .notFound(let p): return "\(p): no such file or directory"
        case .permissionDenied(let p): return "\(p): permission denied (run as root to read it)"
        case .notRegularFile(let p, let k): return "\(p): is a \(k), not a regular file; not read"
        case .tooLarge(let p, let l): return "\(p): larger than the \(l)-byte limit; not read"
        case .notADirectory(let p): return "\(p): not a directory"
        case .notASymlink(let p): return "\(p): not a symbolic link"
        case .symlinkLoop(let p): return "\(p): too many levels of symbolic links"
        case .io(let p, let e): return "\(p): \(HostAccessError.text(for: e))"
        case .invalidPath(let p, let r): return "\(p): \(r)"
        case .outsideRoot(let p, let r): return "\(p): a symbolic link on its way leads out of the root \(r); not followed (read as missing)"
        case .commandNotFound(let c): return "\(c): command not found in PATH"
        case .commandNotRecorded(let argv, let s):
            return "`\(argv.joined(separator: " "))` was not recorded in the snapshot \(s)"
        case .commandFailedToStart(let argv, let e):
            return "`\(argv.joined(separator: " "))` could not be started: \(HostAccessError.text(for: e))"
        case .commandTimedOut(let argv, let s):
            return "`\(argv.joined(separator: " "))` did not finish within \(s) s and was stopped"
        }
    }

    /// The path this error concerns, if any.
    public var path: String? {
        switch self {
        case .notFound(let p), .permissionDenied(let p), .notRegularFile(let p, _), .tooLarge(let p, _),
             .notADirectory(let p), .notASymlink(let p), .symlinkLoop(let p), .io(let p, _),
             .invalidPath(let p, _), .outsideRoot(let p, _):
            return p
        default: return nil
        }
    }

    static func text(for code: Int32) -> String {
        guard let s = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: s)) (errno \(code))"
    }

    static func from(errno code: Int32, path: String) -> HostAccessError {
        switch code {
        case ENOENT: return .notFound(path: path)
        case EACCES, EPERM: return .permissionDenied(path: path)
        case ENOTDIR: return .notADirectory(path: path)
        case ELOOP: return .symlinkLoop(path: path)
        default: return .io(path: path, errno: code)
        }
    }
}
