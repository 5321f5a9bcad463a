#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
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

    /// Reads the current state of a host path, refusing links and non-regular files. The
    /// file is opened relative to its held directory (no link anywhere on the way).
    public func state(of hostPath: String, limit: Int = 4 << 20) throws(HostAccessError) -> FileState {
        let name = try FileEditor.lastComponent(hostPath)
        let dir: Int32
        do { dir = try openDirectory(FileEditor.parent(of: hostPath), create: nil) } catch {
            if case .notFound = error { return FileState(bytes: nil) }
            throw error
        }
        defer { Glibc.close(dir) }
        var st = stat()
        if fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT { return FileState(bytes: nil) }
            throw HostAccessError.from(errno: errno, path: hostPath)
        }
        let kind = FileKind(mode: st.st_mode)
        if kind == .symlink { throw FileEditor.linkRefused(hostPath, at: hostPath) }
        guard kind == .regular else { throw HostAccessError.notRegularFile(path: hostPath, kind: kind.description) }
        let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if fd < 0 { throw HostAccessError.from(errno: errno, path: hostPath) }
        defer { Glibc.close(fd) }
        var now = stat()
        if fstat(fd, &now) != 0 { throw HostAccessError.from(errno: errno, path: hostPath) }
        guard FileKind(mode: now.st_mode) == .regular else { throw HostAccessError.notRegularFile(path: hostPath, kind: FileKind(mode: now.st_mode).description) }
        let bytes = try Machine.readOpenFile(fd, path: hostPath, sizeHint: Int(now.st_size), limit: limit, overflow: .fail)
        return FileState(bytes: bytes, mode: now.st_mode & 0o7777, uid: now.st_uid, gid: now.st_gid)
    }

    /// Makes the file hold `bytes` (or removes it when `bytes` is nil), atomically, with the
    /// given mode/owner (those of the old file when it existed). The check for links, the
    /// temporary file, the rename and the fsyncs all act on one directory fd, held from the
    /// walk that checked it: swapping a directory on the way for a link in between cannot
    /// redirect the write. `created` receives the directories made on the way (host paths).
    public func replace(_ hostPath: String, with bytes: [UInt8]?, mode: mode_t, uid: uid_t? = nil, gid: gid_t? = nil,
                        created: ((String) -> Void)? = nil) throws(HostAccessError) {
        let name = try FileEditor.lastComponent(hostPath)
        let dir = try openDirectory(FileEditor.parent(of: hostPath), create: bytes == nil ? nil : (created ?? { _ in }))
        defer { Glibc.close(dir) }
        var st = stat()
        if fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0, FileKind(mode: st.st_mode) == .symlink {
            throw FileEditor.linkRefused(hostPath, at: hostPath)
        }
        let directory = FileEditor.parent(of: hostPath)
        guard let bytes else {
            try operations.unlink(dir, name, path: hostPath)
            try operations.syncDirectory(dir, path: directory)
            return
        }
        let temp = name + FileEditor.temporarySuffix
        // A leftover from an interrupted run is ours by name; remove it (it is never a link
        // we follow: unlinkat removes the link itself).
        try operations.unlink(dir, temp, path: hostPath + FileEditor.temporarySuffix)
        let fd = try operations.createExclusive(dir, temp, mode: mode & 0o7777, path: hostPath + FileEditor.temporarySuffix)
        do {
            try operations.write(fd, bytes, path: hostPath)
            if let uid, let gid, ThisProcess.isRoot { try operations.changeOwner(fd, uid: uid, gid: gid, path: hostPath) }
            // The umask may have cut bits from the requested mode.
            try operations.changeMode(fd, mode: mode & 0o7777, path: hostPath)
            try operations.sync(fd, path: hostPath)
        } catch {
            try? operations.close(fd, path: hostPath)
            try? operations.unlink(dir, temp, path: hostPath)
            throw error
        }
        do { try operations.close(fd, path: hostPath) } catch {
            try? operations.unlink(dir, temp, path: hostPath)
            throw error
        }
        do { try operations.rename(dir, temp, name, path: hostPath) } catch {
            try? operations.unlink(dir, temp, path: hostPath)
            throw error
        }
        try operations.syncDirectory(dir, path: directory)
    }

    /// Removes a leftover `NAME.sriov-wizard-new` next to a host path (ours by name, from a
    /// run that was killed); true when there was one.
    @discardableResult
    public func removeTemporary(of hostPath: String) throws(HostAccessError) -> Bool {
        let name = try FileEditor.lastComponent(hostPath) + FileEditor.temporarySuffix
        let dir: Int32
        do { dir = try openDirectory(FileEditor.parent(of: hostPath), create: nil) } catch {
            if case .notFound = error { return false }
            throw error
        }
        defer { Glibc.close(dir) }
        var st = stat()
        guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        try operations.unlink(dir, name, path: hostPath + FileEditor.temporarySuffix)
        try operations.syncDirectory(dir, path: FileEditor.parent(of: hostPath))
        return true
    }

    /// Removes a directory if it is empty (rollback of a directory apply created); true when
    /// it was removed, false when it is missing or not empty.
    @discardableResult
    public func removeEmptyDirectory(_ hostPath: String) throws(HostAccessError) -> Bool {
        let name = try FileEditor.lastComponent(hostPath)
        let dir: Int32
        do { dir = try openDirectory(FileEditor.parent(of: hostPath), create: nil) } catch {
            if case .notFound = error { return false }
            throw error
        }
        defer { Glibc.close(dir) }
        var st = stat()
        guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0, FileKind(mode: st.st_mode) == .directory else { return false }
        do { try operations.removeDirectory(dir, name, path: hostPath) } catch {
            if case .io(_, let e) = error, e == ENOTEMPTY || e == EEXIST { return false }
            throw error
        }
        try operations.syncDirectory(dir, path: FileEditor.parent(of: hostPath))
        return true
    }

    /// The directories of a host path's parents that do not exist yet (host paths, outermost
    /// first): what `replace` will create, for the journal to record before it does.
    public func missingParents(_ hostPath: String) -> [String] {
        var missing: [String] = []
        var current = ""
        for part in hostPath.split(separator: "/").dropLast() {
            current += "/" + part
            if !missing.isEmpty || machine.kind(current, follow: false) == nil { missing.append(current) }
        }
        return missing
    }

    /// Writes a sysfs attribute through its directory, opened confined to the root (the
    /// device directories are links the kernel makes; none may lead out of the root), the
    /// attribute itself with O_NOFOLLOW.
    public func writeAttribute(_ hostPath: String, _ value: String) -> AttributeWriteResult {
        guard let name = try? FileEditor.lastComponent(hostPath) else { return .failed(errno: EINVAL) }
        let dir: Int32
        do { dir = try machine.openFile(FileEditor.parent(of: hostPath), flags: O_RDONLY | O_DIRECTORY) } catch {
            switch error {
            case .notFound, .outsideRoot: return .failed(errno: ENOENT)
            case .permissionDenied: return .failed(errno: EACCES)
            case .io(_, let e): return .failed(errno: e)
            default: return .failed(errno: ENOTDIR)
            }
        }
        defer { Glibc.close(dir) }
        return operations.writeAttribute(dir, name, value)
    }

    /// Names in a directory of the machine reached without any link (the journal), sorted.
    public func list(_ hostPath: String) throws(HostAccessError) -> [String] {
        let fd = try openDirectory(hostPath, create: nil)
        return try Machine.listOpenDirectory(fd, path: hostPath)
    }

    /// Whether a host path is a directory reached without any link.
    public func isDirectory(_ hostPath: String) -> Bool {
        guard let fd = try? openDirectory(hostPath, create: nil) else { return false }
        Glibc.close(fd)
        return true
    }

    /// Opens a directory of the machine (`O_RDONLY|O_DIRECTORY`), one component at a time
    /// from the root with `O_NOFOLLOW`, refusing a link anywhere. The caller closes it. With
    /// `create`, missing directories are made (0755, fsynced into their parent) and reported.
    public func openDirectory(_ hostPath: String, create: ((String) -> Void)?) throws(HostAccessError) -> Int32 {
        var current = Glibc.open(machine.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if current < 0 && errno == ENOENT && create != nil {
            // A new snapshot-mode root (a journal's first write); the root is the user's path.
            try TreeWriter.makeDirectories(machine.root)
            current = Glibc.open(machine.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        if current < 0 { throw HostAccessError.from(errno: errno, path: "/") }
        var path = ""
        for part in hostPath.split(separator: "/") {
            let name = String(part)
            path += "/" + name
            if name == "." || name == ".." {
                Glibc.close(current)
                throw HostAccessError.invalidPath(path: hostPath, reason: "'.' and '..' are not allowed in a path to edit")
            }
            var next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, let create {
                do {
                    try operations.makeDirectory(current, name, mode: 0o755, path: path)
                    create(path)
                    try operations.syncDirectory(current, path: FileEditor.parent(of: path))
                } catch {
                    if case .io(_, let e) = error, e == EEXIST {} else { Glibc.close(current); throw error }
                }
                next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let e = errno
                var st = stat()
                let isLink = fstatat(current, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && FileKind(mode: st.st_mode) == .symlink
                Glibc.close(current)
                if isLink { throw FileEditor.linkRefused(hostPath, at: path) }
                throw HostAccessError.from(errno: e, path: path)
            }
            Glibc.close(current)
            current = next
        }
        return current
    }

    static func linkRefused(_ hostPath: String, at link: String) -> HostAccessError {
        .invalidPath(path: hostPath, reason: "\(link) is a symbolic link; sriov-wizard does not edit through links (edit the target yourself)")
    }

    static func lastComponent(_ hostPath: String) throws(HostAccessError) -> String {
        guard hostPath.hasPrefix("/") else { throw HostAccessError.invalidPath(path: hostPath, reason: "not an absolute path") }
        let parts = hostPath.split(separator: "/")
        if parts.contains("..") || parts.contains(".") {
            throw HostAccessError.invalidPath(path: hostPath, reason: "'.' and '..' are not allowed in a path to edit")
        }
        guard let last = parts.last else { throw HostAccessError.invalidPath(path: hostPath, reason: "not a file") }
        return String(last)
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

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
