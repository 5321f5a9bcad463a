#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a file is before it is changed: its bytes, mode and owner, or its absence.
public struct FileState: Sendable, Equatable {
    /// nil: the file does not exist.
    public var bytes: [UInt8]?
    public var mode: mode_t
    public var uid: uid_t
    public var gid: gid_t

    public init(bytes: [UInt8]?, mode: mode_t = 0o644, uid: uid_t = 0, gid: gid_t = 0) {
        self.bytes = bytes
        self.mode = mode
        self.uid = uid
        self.gid = gid
    }

    public var exists: Bool { bytes != nil }
}

/// Replaces configuration files of a machine atomically (update-initramfs and systemd do it
/// the same way): write `NAME.sriov-wizard-new` in the same directory, fsync it, rename it
/// over the old name, fsync the directory. A crash at any point leaves the old file or the
/// whole new one, never a mix. Mode and owner of an existing file are kept.
///
/// Never follows a symbolic link: neither the file nor any directory between the machine's
/// root and the file may be one, so an edit cannot be redirected out of the files it means to
/// change (a link in /etc pointing into /usr, or a planted link in a world-writable place).
public struct FileEditor: Sendable {
    public let machine: Machine
    public let operations: any FileOperations
    public static let temporarySuffix = ".sriov-wizard-new"

    public init(machine: Machine, operations: any FileOperations = LiveFileOperations()) {
        self.machine = machine
        self.operations = operations
    }

    /// Reads the current state of a host path, refusing links and non-regular files.
    public func state(of hostPath: String, limit: Int = 4 << 20) throws(HostAccessError) -> FileState {
        try checkNoLinks(hostPath)
        let real = machine.realPath(hostPath)
        var st = stat()
        if lstat(real, &st) != 0 {
            if errno == ENOENT { return FileState(bytes: nil) }
            throw HostAccessError.from(errno: errno, path: hostPath)
        }
        let kind = FileKind(mode: st.st_mode)
        guard kind == .regular else { throw HostAccessError.notRegularFile(path: hostPath, kind: kind.description) }
        let bytes = try machine.read(hostPath, limit: limit)
        return FileState(bytes: bytes, mode: st.st_mode & 0o7777, uid: st.st_uid, gid: st.st_gid)
    }

    /// Makes the file hold `bytes` (or removes it when `bytes` is nil), atomically, with the
    /// given mode/owner (those of the old file when it existed).
    public func replace(_ hostPath: String, with bytes: [UInt8]?, mode: mode_t, uid: uid_t? = nil, gid: gid_t? = nil) throws(HostAccessError) {
        try checkNoLinks(hostPath)
        let real = machine.realPath(hostPath)
        let directory = FileEditor.parent(of: real)
        guard let bytes else {
            try operations.unlink(real)
            try operations.syncDirectory(directory)
            return
        }
        try makeParents(hostPath)
        let temp = real + FileEditor.temporarySuffix
        // A leftover from an interrupted run is ours by name; remove it (it is never a link
        // we follow: unlink removes the link itself).
        try operations.unlink(temp)
        let fd = try operations.createExclusive(temp, mode: mode & 0o7777)
        do {
            try operations.write(fd, bytes, path: hostPath)
            if let uid, let gid, Machine.isRoot { try operations.changeOwner(fd, uid: uid, gid: gid, path: hostPath) }
            // The umask may have cut bits from the requested mode.
            try operations.changeMode(fd, mode: mode & 0o7777, path: hostPath)
            try operations.sync(fd, path: hostPath)
        } catch {
            try? operations.close(fd, path: hostPath)
            try? operations.unlink(temp)
            throw error
        }
        do { try operations.close(fd, path: hostPath) } catch {
            try? operations.unlink(temp)
            throw error
        }
        do { try operations.rename(temp, real) } catch {
            try? operations.unlink(temp)
            throw error
        }
        try operations.syncDirectory(directory)
    }

    /// Refuses a path with a symbolic link anywhere below the machine's root, or `..`.
    public func checkNoLinks(_ hostPath: String) throws(HostAccessError) {
        guard hostPath.hasPrefix("/") else {
            throw HostAccessError.invalidPath(path: hostPath, reason: "not an absolute path")
        }
        let parts = hostPath.split(separator: "/")
        if parts.contains("..") || parts.contains(".") {
            throw HostAccessError.invalidPath(path: hostPath, reason: "'.' and '..' are not allowed in a path to edit")
        }
        var current = ""
        for part in parts {
            current += "/" + part
            if machine.kind(current, follow: false) == .symlink {
                throw HostAccessError.invalidPath(path: hostPath, reason: "\(current) is a symbolic link; sriov-wizard does not edit through links (edit the target yourself)")
            }
        }
    }

    /// Creates missing parent directories (mode 0755), each one fsynced into its parent.
    func makeParents(_ hostPath: String) throws(HostAccessError) {
        var current = ""
        let parts = hostPath.split(separator: "/").dropLast()
        for part in parts {
            current += "/" + part
            let real = machine.realPath(current)
            if mkdir(real, 0o755) == 0 {
                try operations.syncDirectory(FileEditor.parent(of: real))
            } else if errno != EEXIST {
                throw HostAccessError.from(errno: errno, path: current)
            }
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
