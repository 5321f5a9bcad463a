#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
#endif

/// The one place where the program meets the machine it inspects.
///
/// A `Machine` is given a root: `/` for the live host, or any directory laid out like one
/// (`DIR/sys/...`, `DIR/proc/...`, `DIR/etc/...`, e.g. a snapshot). Every path the rest of
/// the program uses is a host path such as `/sys/bus/pci/devices`; the machine maps it
/// under its root. Reads are size-limited, refuse non-regular files (a fifo never blocks),
/// and fail with a typed `HostAccessError` that names the path.
public struct Machine: Sendable {
    /// Absolute, normalised root directory ("/" for the live host).
    public let root: String
    public let commands: any CommandRunner
    /// Resolution confined to the root (nil for the live root `/`, read as today).
    public let confinement: ConfinedRoot?
    /// Told of every read, listing, link read, kind query and command (nil: nobody). For
    /// tests: the recording machine that checks every read is declared (`HostReads`).
    public var observer: (any MachineObserver)?

    /// A file that snapshots put into directories that are empty on the host (e.g. an empty
    /// /sys/class/iommu), so the directory survives git, which keeps no empty directories.
    /// `list` never shows it.
    public static let emptyDirectoryMarker = ".sriov-wizard-empty"

    /// Default size limit for text files (sysfs attributes, /proc files, configs).
    public static let defaultLimit = 1 << 20

    /// `resolution` chooses how paths under a snapshot root are confined (default: openat2
    /// where the kernel has it, else the walk; `SRIOV_WIZARD_RESOLVE=walk` forces the walk).
    public init(root: String = "/", commands: (any CommandRunner)? = nil, resolution: ConfinedRoot.Method? = nil) {
        let normalised = Machine.normalise(root)
        self.root = normalised
        self.confinement = normalised == "/" ? nil : ConfinedRoot(path: normalised, method: resolution)
        if let commands {
            self.commands = commands
        } else if normalised == "/" {
            self.commands = LiveCommandRunner()
        } else {
            self.commands = RecordedCommandRunner(root: normalised)
        }
    }

    /// True when this is the running system rather than a snapshot directory.
    public var isLive: Bool { root == "/" }

    /// The real filesystem path for a host path.
    public func realPath(_ hostPath: String) -> String {
        if root == "/" { return hostPath }
        return hostPath.hasPrefix("/") ? root + hostPath : root + "/" + hostPath
    }

    // MARK: - files

    public enum Overflow: Sendable { case fail, truncate }

    /// Reads at most `limit` bytes of a regular file. With `.fail`, a longer file is an error;
    /// with `.truncate`, the first `limit` bytes are returned.
    public func read(_ path: String, limit: Int = Machine.defaultLimit, overflow: Overflow = .fail) throws(HostAccessError) -> [UInt8] {
        observer?.observe(.read(path))
        let fd = try openFile(path, flags: O_RDONLY | O_NONBLOCK | O_NOCTTY)
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw HostAccessError.from(errno: errno, path: path) }
        let kind = FileKind(mode: st.st_mode)
        guard kind == .regular else { throw HostAccessError.notRegularFile(path: path, kind: kind.description) }
        return try Machine.readOpenFile(fd, path: path, sizeHint: Int(st.st_size), limit: limit, overflow: overflow)
    }

    /// Reads an open regular file (of `sizeHint` bytes per fstat) up to `limit` bytes.
    static func readOpenFile(_ fd: Int32, path: String, sizeHint: Int, limit: Int, overflow: Overflow) throws(HostAccessError) -> [UInt8] {
        // Read straight into the result's uninitialised storage, sized from st_size (sysfs
        // attributes report 4096) and grown only when the file turns out longer.
        let maximum = limit + 1
        var capacity = min(maximum, max(sizeHint + 1, 256))
        var result: [UInt8] = []
        var total = 0
        while true {
            var failure: Int32 = 0
            var ended = false
            let previous = result
            result = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                if total > 0 {
                    _ = previous.withUnsafeBufferPointer { memcpy(buffer.baseAddress!, $0.baseAddress!, total) }
                }
                count = total
                while count < capacity {
                    let want = capacity - count
                    let n = Glibc.read(fd, buffer.baseAddress! + count, want)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    count += n
                    if n == 0 { ended = true; return }
                    // A short read of a regular file means end of file (POSIX), which saves
                    // the second read per sysfs attribute. Not for procfs (st_size 0), whose
                    // seq_files hand out a page at a time.
                    if n < want && sizeHint > 0 { ended = true; return }
                }
            }
            if failure != 0 { throw HostAccessError.from(errno: failure, path: path) }
            total = result.count
            if ended || total >= maximum { break }
            capacity = min(maximum, capacity * 4)
        }
        if result.count > limit {
            if overflow == .fail { throw HostAccessError.tooLarge(path: path, limit: limit) }
            result.removeLast(result.count - limit)
        }
        return result
    }

    /// Opens a host path for reading: directly on the live root, confined under any other.
    func openFile(_ path: String, flags: Int32) throws(HostAccessError) -> Int32 {
        if let confinement {
            switch confinement.open(path, flags: flags) {
            case .success(let fd): return fd
            case .failure(let f): throw confinement.error(f, path: path)
            }
        }
        let fd = open(realPath(path), flags | O_CLOEXEC)
        if fd < 0 { throw HostAccessError.from(errno: errno, path: path) }
        return fd
    }

    /// The parent directory of a host path (an fd the caller closes) and the last component,
    /// for calls on the component itself; nil on the live root (plain paths are used there).
    func openParent(_ path: String) throws(HostAccessError) -> (Int32, String)? {
        guard let confinement else { return nil }
        switch confinement.openParent(path) {
        case .success(let pair): return pair
        case .failure(let f): throw confinement.error(f, path: path)
        }
    }

    /// Why a file cannot be read, in words for evidence (`missing`, `a symbolic link out of
    /// the root, not followed`, ...); nil when it can be read.
    public func unreadableReason(_ path: String) -> String? {
        do { _ = try read(path); return nil } catch {
            switch error {
            case .notFound: return "missing"
            case .outsideRoot: return "missing: a symbolic link on its way leads out of the root \(root); not followed"
            default: return error.description
            }
        }
    }

    /// Reads a text file; invalid UTF-8 is replaced, never fatal.
    public func readText(_ path: String, limit: Int = Machine.defaultLimit) throws(HostAccessError) -> String {
        let bytes = try read(path, limit: limit)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A one-value sysfs/proc attribute, trimmed; nil when missing or unreadable.
    public func attribute(_ path: String) -> String? {
        guard let text = try? readText(path, limit: 64 * 1024) else { return nil }
        let trimmed = text.trimmedSpace()
        return trimmed
    }

    // MARK: - symlinks

    /// The target of a symbolic link, as stored (never resolved, so a copied tree whose links
    /// dangle still works). Snapshot tools that flatten links into small text files holding the
    /// target (e.g. `driver` containing `../../../bus/pci/drivers/igb`) are accepted too.
    public func linkTarget(_ path: String) throws(HostAccessError) -> String {
        observer?.observe(.readLink(path))
        var buffer = [CChar](repeating: 0, count: 4097)
        let parent = try openParent(path)
        defer { if let parent { close(parent.0) } }
        let n = parent.map { readlinkat($0.0, $0.1, &buffer, 4096) } ?? readlink(realPath(path), &buffer, 4096)
        if n >= 0 {
            // A link that loops (`driver -> driver`) has no meaningful target; a link that
            // merely dangles (copied tree) is fine. The target text is data: reading it is
            // safe; following it is confined like every other lookup.
            if isLoop(path) { throw HostAccessError.symlinkLoop(path: path) }
            return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        guard errno == EINVAL else { throw HostAccessError.from(errno: errno, path: path) }
        // Not a symlink: a capture tool's flattened link, a small one-line file holding the target.
        var st = stat()
        let rc = parent.map { fstatat($0.0, $0.1, &st, AT_SYMLINK_NOFOLLOW) } ?? lstat(realPath(path), &st)
        if rc != 0 { throw HostAccessError.from(errno: errno, path: path) }
        if FileKind(mode: st.st_mode) == .regular, st.st_size <= 4096 {
            let text = try readText(path, limit: 4096).trimmedSpace()
            if !text.isEmpty, !text.contains("\n") { return text }
        }
        throw HostAccessError.notASymlink(path: path)
    }

    func isLoop(_ path: String) -> Bool {
        guard confinement != nil else {
            var resolved = stat()
            return stat(realPath(path), &resolved) != 0 && errno == ELOOP
        }
        do throws(HostAccessError) {
            let fd = try openFile(path, flags: O_PATH)
            close(fd)
            return false
        } catch {
            if case .symlinkLoop = error { return true }
            return false
        }
    }

    /// The last path component of a link's target (`driver` -> `igb`, `iommu_group` -> `5`),
    /// or nil when there is no such link.
    public func linkName(_ path: String) -> String? {
        guard var target = try? linkTarget(path) else { return nil }
        while target.hasSuffix("/") { target.removeLast() }
        guard let slash = target.lastIndex(of: "/") else { return target.isEmpty ? nil : target }
        let last = String(target[target.index(after: slash)...])
        return last.isEmpty ? nil : last
    }

    // MARK: - directories

    /// Names in a directory, sorted, without `.`, `..` and the empty-directory marker. Names that are not valid UTF-8
    /// are left out (they cannot be sysfs device names).
    public func list(_ path: String) throws(HostAccessError) -> [String] {
        observer?.observe(.list(path))
        if confinement != nil {
            return try Machine.listOpenDirectory(try openFile(path, flags: O_RDONLY | O_DIRECTORY), path: path)
        }
        guard let dir = opendir(realPath(path)) else { throw HostAccessError.from(errno: errno, path: path) }
        defer { closedir(dir) }
        return Machine.names(in: dir)
    }

    /// The names of an open directory (the fd is consumed: closed here).
    static func listOpenDirectory(_ fd: Int32, path: String) throws(HostAccessError) -> [String] {
        guard let dir = fdopendir(fd) else { let e = errno; close(fd); throw HostAccessError.from(errno: e, path: path) }
        defer { closedir(dir) }
        return Machine.names(in: dir)
    }

    static func names(in dir: OpaquePointer) -> [String] {
        var names: [String] = []
        while let entry = readdir(dir) {
            // Read d_name in place, up to its NUL: glibc's records are only d_reclen long, so
            // copying the whole `struct dirent` (`entry.pointee`) reads past the last record of
            // the buffer (AddressSanitizer: heap-buffer-overflow).
            let field = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let length = strlen(field.assumingMemoryBound(to: CChar.self))
            let name = String(validating: UnsafeRawBufferPointer(start: field, count: length), as: UTF8.self)
            guard let name, name != ".", name != "..", name != Machine.emptyDirectoryMarker else { continue }
            names.append(name)
        }
        return names.sorted()
    }

    /// What is at a path, without following a final symlink (`follow: false`) or following it.
    public func kind(_ path: String, follow: Bool = true) -> FileKind? {
        observer?.observe(.kind(path))
        var st = stat()
        guard confinement != nil else {
            let rc = follow ? stat(realPath(path), &st) : lstat(realPath(path), &st)
            return rc == 0 ? FileKind(mode: st.st_mode) : nil
        }
        if follow {
            guard let fd = try? openFile(path, flags: O_PATH) else { return nil }
            defer { close(fd) }
            return fstat(fd, &st) == 0 ? FileKind(mode: st.st_mode) : nil
        }
        guard let pair = try? openParent(path) else { return nil }
        let (dirfd, name) = pair
        defer { close(dirfd) }
        return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? FileKind(mode: st.st_mode) : nil
    }

    public func exists(_ path: String) -> Bool { kind(path, follow: false) != nil }

    public func isDirectory(_ path: String) -> Bool { kind(path) == .directory }

    // MARK: - commands

    /// Runs a command given as an argv array (never a shell string). On a snapshot root the
    /// recorded output is returned. A non-zero exit status is a result, not an error.
    public func run(_ argv: [String], timeout: Double = 30, outputLimit: Int = 16 << 20) throws(HostAccessError) -> CommandResult {
        observer?.observe(.run(argv))
        return try commands.run(argv, timeout: timeout, outputLimit: outputLimit)
    }

    /// The same, with each line the command prints passed to `onLine` while it runs (for a
    /// progress display; a snapshot's recorded answers call it with nothing).
    public func run(_ argv: [String], timeout: Double = 30, outputLimit: Int = 16 << 20,
                    onLine: @escaping @Sendable (String) -> Void) throws(HostAccessError) -> CommandResult {
        observer?.observe(.run(argv))
        return try commands.run(argv, timeout: timeout, outputLimit: outputLimit, onLine: onLine)
    }

    // MARK: - helpers

    static func normalise(_ root: String) -> String {
        var r = root.isEmpty ? "/" : root
        if !r.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if getcwd(&buffer, buffer.count) != nil {
                let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                r = cwd == "/" ? "/" + r : cwd + "/" + r
            }
        }
        var parts: [Substring] = []
        for part in r.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// What a `Machine` was asked to do, as its observer is told.
public enum MachineAccess: Sendable, Hashable {
    /// A file read (`read`, `readText`, `attribute`, `unreadableReason`).
    case read(String)
    /// A directory listing.
    case list(String)
    /// A symbolic link read (`linkTarget`, `linkName`).
    case readLink(String)
    /// What is at a path (`kind`, `exists`, `isDirectory`).
    case kind(String)
    /// A command run (live or answered from a snapshot's recordings).
    case run([String])

    /// The host path, nil for a command.
    public var path: String? {
        switch self {
        case .read(let p), .list(let p), .readLink(let p), .kind(let p): return p
        case .run: return nil
        }
    }
}

/// Told of every access a `Machine` makes (see `Machine.observer`).
public protocol MachineObserver: Sendable {
    func observe(_ access: MachineAccess)
}

/// The type of a filesystem object.
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case regular, directory, symlink, fifo, socket, characterDevice, blockDevice, unknown

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        default: self = .unknown
        }
    }

    public var description: String {
        switch self {
        case .regular: return "regular file"
        case .directory: return "directory"
        case .symlink: return "symbolic link"
        case .fifo: return "fifo"
        case .socket: return "socket"
        case .characterDevice: return "character device"
        case .blockDevice: return "block device"
        case .unknown: return "special file"
        }
    }
}

extension String {
    /// Trims whitespace, NUL and line ends (scalar by scalar, so "\r\n" goes too).
    public func trimmedSpace() -> String {
        let scalars = unicodeScalars
        func isSpace(_ u: Unicode.Scalar) -> Bool {
            u == " " || u == "\t" || u == "\r" || u == "\n" || u == "\0" || u == "\u{0B}" || u == "\u{0C}"
        }
        guard let start = scalars.firstIndex(where: { !isSpace($0) }),
              let end = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[start...end])
    }
}
