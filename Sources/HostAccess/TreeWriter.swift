#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes a root-layout tree (a snapshot) under a directory: files, directories and symlinks
/// with host paths mapped below `root`. Symlinks are written as stored, never resolved, so a
/// copied tree may dangle: readers use only the last component of a link target.
public struct TreeWriter: Sendable {
    public let root: String

    public init(root: String) throws(HostAccessError) {
        self.root = Machine.normalise(root)
        try TreeWriter.makeDirectories(self.root)
    }

    public func realPath(_ hostPath: String) -> String {
        hostPath.hasPrefix("/") ? root + hostPath : root + "/" + hostPath
    }

    /// Creates a directory and its parents (host path).
    public func makeDirectory(_ hostPath: String) throws(HostAccessError) {
        try TreeWriter.makeDirectories(realPath(hostPath))
    }

    /// Writes bytes to a host path (parents created), replacing an existing file atomically.
    public func write(_ bytes: [UInt8], to hostPath: String, mode: mode_t = 0o644) throws(HostAccessError) {
        try TreeWriter.checkRelative(hostPath)
        let real = realPath(hostPath)
        try TreeWriter.makeDirectories(TreeWriter.parent(of: real))
        let temp = real + ".tmp-sriov-wizard"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 { throw HostAccessError.from(errno: errno, path: hostPath) }
        do { try LiveFileOperations().write(fd, bytes, path: hostPath) } catch {
            close(fd); unlink(temp)
            throw error
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let e = errno
            unlink(temp)
            throw HostAccessError.from(errno: e, path: hostPath)
        }
        if rename(temp, real) != 0 {
            let e = errno
            unlink(temp)
            throw HostAccessError.from(errno: e, path: hostPath)
        }
    }

    public func write(_ text: String, to hostPath: String) throws(HostAccessError) {
        try write(Array(text.utf8), to: hostPath)
    }

    /// Creates a symlink holding `target` verbatim (replacing what is there).
    public func symlink(_ target: String, at hostPath: String) throws(HostAccessError) {
        try TreeWriter.checkRelative(hostPath)
        let real = realPath(hostPath)
        try TreeWriter.makeDirectories(TreeWriter.parent(of: real))
        unlink(real)
        if Glibc.symlink(target, real) != 0 { throw HostAccessError.from(errno: errno, path: hostPath) }
    }

    // MARK: -

    static func checkRelative(_ hostPath: String) throws(HostAccessError) {
        if hostPath.split(separator: "/").contains("..") {
            throw HostAccessError.invalidPath(path: hostPath, reason: "'..' is not allowed in a snapshot path")
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func makeDirectories(_ path: String) throws(HostAccessError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw HostAccessError.from(errno: errno, path: current)
            }
        }
        var st = stat()
        if stat(path, &st) != 0 { throw HostAccessError.from(errno: errno, path: path) }
        if st.st_mode & S_IFMT != S_IFDIR { throw HostAccessError.notADirectory(path: path) }
    }
}

extension TreeWriter {
    /// Removes a file (host path); a missing file is not an error.
    public func remove(_ hostPath: String) throws(HostAccessError) {
        try TreeWriter.checkRelative(hostPath)
        if unlink(realPath(hostPath)) != 0 && errno != ENOENT { throw HostAccessError.from(errno: errno, path: hostPath) }
    }
}
