#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
#endif

/// Writes a root-layout tree (a snapshot) under a directory: files, directories and symlinks
/// with host paths mapped below `root`. Symlinks are written as stored, never resolved, so a
/// copied tree may dangle: readers use only the last component of a link target.
///
/// `TreeWriter(output:)` is the writer for a tree the program hands to someone (`snapshot
/// --output DIR`): it refuses a non-empty DIR unless DIR is an earlier snapshot of ours (its
/// `sriov-wizard/manifest.json`), and creates everything itself relative to held directory
/// fds with `O_NOFOLLOW`/`mkdirat`, so a link already inside DIR (`DIR/etc -> /etc`) is
/// refused, never written through. Its files are 0600 and its directories 0700.
public struct TreeWriter: Sendable {
    public let root: String
    /// The held root directory of an output tree (nil: a plain tree for tests and state).
    let output: OutputRoot?

    public init(root: String) throws(HostAccessError) {
        self.root = Machine.normalise(root)
        self.output = nil
        try TreeWriter.makeDirectories(self.root)
    }

    /// The marker of a tree written by `snapshot`: a non-empty output directory is accepted
    /// only when it holds this file (reached without links).
    public static let snapshotMarker = "/sriov-wizard/manifest.json"

    /// An output tree at `directory` (created 0700 when missing).
    public init(output directory: String) throws(HostAccessError) {
        self.root = Machine.normalise(directory)
        var st = stat()
        if lstat(root, &st) != 0 {
            guard errno == ENOENT else { throw HostAccessError.from(errno: errno, path: root) }
            try TreeWriter.makeDirectories(TreeWriter.parent(of: root))
            if mkdir(root, 0o700) != 0 && errno != EEXIST { throw HostAccessError.from(errno: errno, path: root) }
        }
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw HostAccessError.from(errno: errno, path: root) }
        let handle = OutputRoot(fd: fd)
        let entries = try Machine.listOpenDirectory(dup(fd), path: root)
        if !entries.isEmpty && !handle.isSnapshot() {
            throw HostAccessError.invalidPath(path: root, reason: "the directory is not empty and is not an earlier snapshot (no sriov-wizard/manifest.json); give an empty or new directory")
        }
        self.output = handle
    }

    public func realPath(_ hostPath: String) -> String {
        hostPath.hasPrefix("/") ? root + hostPath : root + "/" + hostPath
    }

    /// Creates a directory and its parents (host path).
    public func makeDirectory(_ hostPath: String) throws(HostAccessError) {
        if let output {
            try TreeWriter.checkRelative(hostPath)
            close(try output.directory(TreeWriter.components(hostPath), path: hostPath))
            return
        }
        try TreeWriter.makeDirectories(realPath(hostPath))
    }

    /// Writes bytes to a host path (parents created), replacing an existing file atomically.
    public func write(_ bytes: [UInt8], to hostPath: String, mode: mode_t = 0o644) throws(HostAccessError) {
        try TreeWriter.checkRelative(hostPath)
        if let output { return try output.write(bytes, to: hostPath) }
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
        if let output { return try output.symlink(target, at: hostPath) }
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
        if let output {
            var parts = TreeWriter.components(hostPath)
            guard let name = parts.popLast() else { return }
            let dir = try output.directory(parts, path: hostPath, create: false)
            defer { close(dir) }
            if unlinkat(dir, name, 0) != 0 && errno != ENOENT { throw HostAccessError.from(errno: errno, path: hostPath) }
            return
        }
        if unlink(realPath(hostPath)) != 0 && errno != ENOENT { throw HostAccessError.from(errno: errno, path: hostPath) }
    }
}

/// The held root of an output tree; every write is relative to directory fds opened from it
/// one component at a time with O_NOFOLLOW.
final class OutputRoot: Sendable {
    let fd: Int32
    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    /// Whether the tree is an earlier snapshot: `sriov-wizard/manifest.json` as a regular file,
    /// reached without links.
    func isSnapshot() -> Bool {
        guard let dir = try? directory(["sriov-wizard"], path: "/sriov-wizard", create: false) else { return false }
        defer { close(dir) }
        var st = stat()
        return fstatat(dir, "manifest.json", &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFREG
    }

    /// Opens (and with `create` makes, 0700) the directory at `components`; refuses a link.
    func directory(_ components: [String], path: String, create: Bool = true) throws(HostAccessError) -> Int32 {
        var current = dup(fd)
        if current < 0 { throw HostAccessError.from(errno: errno, path: "/") }
        for name in components {
            var next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                if mkdirat(current, name, OutputRoot.directoryMode) != 0 && errno != EEXIST {
                    let e = errno; close(current); throw HostAccessError.from(errno: e, path: path)
                }
                next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let e = errno
                var st = stat()
                let isLink = fstatat(current, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFLNK
                close(current)
                if isLink { throw HostAccessError.invalidPath(path: path, reason: "\(name) is a symbolic link inside the output directory; not written through (give an empty or new directory)") }
                throw HostAccessError.from(errno: e, path: path)
            }
            // mkdirat's mode was cut by the umask; directories of ours are 0700 exactly.
            _ = fchmod(next, OutputRoot.directoryMode)
            close(current)
            current = next
        }
        return current
    }

    func write(_ bytes: [UInt8], to hostPath: String) throws(HostAccessError) {
        var parts = TreeWriter.components(hostPath)
        guard let name = parts.popLast() else { throw HostAccessError.invalidPath(path: hostPath, reason: "not a file") }
        let dir = try directory(parts, path: hostPath)
        defer { close(dir) }
        let temp = name + ".tmp-sriov-wizard"
        _ = unlinkat(dir, temp, 0)
        let fd = openat(dir, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, OutputRoot.fileMode)
        if fd < 0 { throw HostAccessError.from(errno: errno, path: hostPath) }
        do {
            try LiveFileOperations().write(fd, bytes, path: hostPath)
            try LiveFileOperations().changeMode(fd, mode: OutputRoot.fileMode, path: hostPath)
        } catch {
            close(fd); _ = unlinkat(dir, temp, 0)
            throw error
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let e = errno
            _ = unlinkat(dir, temp, 0)
            throw HostAccessError.from(errno: e, path: hostPath)
        }
        // renameat replaces a link of that name itself, never what it points to.
        if renameat(dir, temp, dir, name) != 0 {
            let e = errno
            _ = unlinkat(dir, temp, 0)
            throw HostAccessError.from(errno: e, path: hostPath)
        }
    }

    func symlink(_ target: String, at hostPath: String) throws(HostAccessError) {
        var parts = TreeWriter.components(hostPath)
        guard let name = parts.popLast() else { throw HostAccessError.invalidPath(path: hostPath, reason: "not a link") }
        let dir = try directory(parts, path: hostPath)
        defer { close(dir) }
        _ = unlinkat(dir, name, 0)
        if symlinkat(target, dir, name) != 0 { throw HostAccessError.from(errno: errno, path: hostPath) }
    }
}

extension TreeWriter {
    static func components(_ hostPath: String) -> [String] {
        hostPath.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    /// Creates (or truncates) a file of the local machine readable by its owner only (0600,
    /// also when it existed), for an archive a command then writes into.
    public static func createPrivateFile(_ path: String) throws(HostAccessError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, OutputRoot.fileMode)
        if fd < 0 { throw HostAccessError.from(errno: errno, path: path) }
        defer { close(fd) }
        if fchmod(fd, OutputRoot.fileMode) != 0 { throw HostAccessError.from(errno: errno, path: path) }
    }

    /// A new directory readable by its owner only (0700), with an unpredictable name under
    /// `parent` (mkdtemp), for work files that no other user may see or replace.
    public static func createPrivateTemporaryDirectory(in parent: String, prefix: String) throws(HostAccessError) -> String {
        var template = Array(((parent.hasSuffix("/") ? parent : parent + "/") + prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in mkdtemp(buffer.baseAddress!) }
        guard made != nil else { throw HostAccessError.from(errno: errno, path: parent) }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// Plain writes for fixture generators (tests, benchmarks, fuzzing: `SyntheticTree`): local
/// paths as given, one open/write/close per file, no temporary file and no fsync, so writing a
/// 20,000-function sysfs tree stays fast. Not for anything the tool hands to a user.
extension TreeWriter {
    /// `mkdir` (0755); an existing directory is not an error.
    public static func fixtureDirectory(_ path: String) throws(HostAccessError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw HostAccessError.io(path: path, errno: errno) }
    }

    /// Creates or truncates a regular file (0644, never through a link) and writes `bytes`.
    public static func fixtureFile(_ path: String, _ bytes: [UInt8]) throws(HostAccessError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        if fd < 0 { throw HostAccessError.io(path: path, errno: errno) }
        defer { close(fd) }
        try LiveFileOperations().write(fd, bytes, path: path)
    }

    /// A symlink at `path` holding `target` verbatim, replacing an existing entry of that name.
    public static func fixtureSymlink(_ target: String, at path: String) throws(HostAccessError) {
        if Glibc.symlink(target, path) == 0 { return }
        if errno == EEXIST {
            _ = unlink(path)
            if Glibc.symlink(target, path) == 0 { return }
        }
        throw HostAccessError.io(path: path, errno: errno)
    }
}
