#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
#endif

/// Path resolution confined to a root directory, as if that directory were `/`: no path,
/// no symbolic link (absolute or `../..`) and no `..` ever reaches anything outside it.
///
/// Linux `openat2(2)` does it in the kernel: `RESOLVE_BENEATH` first (which fails with EXDEV
/// when a link or `..` would leave the root), and on EXDEV `RESOLVE_IN_ROOT` (which resolves
/// that link inside the root instead). Kernels without openat2 (before 5.6, ENOSYS) get the
/// same answers from a component-by-component walk: every component opened relative to the
/// directory fd held for its parent with `O_NOFOLLOW`, links read with `readlinkat` and
/// resolved by this code, `..` taken from the stack of held directories, never by a second
/// path lookup. A path that needs a link out of the root and does not exist inside it is
/// `HostAccessError.outsideRoot`: read as missing, and said so.
///
/// The live root `/` is never confined (`Machine` does not create one for it).
/// `O_PATH` (asm-generic/fcntl.h: 010000000 on x86-64 and AArch64); Glibc's module does not
/// export it (it needs _GNU_SOURCE).
let O_PATH: Int32 = 0o10000000

public final class ConfinedRoot: @unchecked Sendable {
    /// How paths are resolved: by the kernel (openat2) or by the walk.
    public enum Method: String, Sendable, Equatable {
        case openat2
        case walk
    }

    /// `SRIOV_WIZARD_RESOLVE=walk` forces the walk (tests and the lab compare both).
    public static let environmentVariable = "SRIOV_WIZARD_RESOLVE"

    public let path: String
    public let method: Method
    /// `O_PATH | O_DIRECTORY` of the root, or -1 when it did not exist yet (opened per call then).
    let fd: Int32

    public init(path: String, method requested: Method? = nil) {
        self.path = path
        let forced = requested ?? (ThisProcess.environment(ConfinedRoot.environmentVariable) == "walk" ? .walk : nil)
        self.method = forced ?? (ConfinedRoot.kernelHasOpenat2 ? .openat2 : .walk)
        let fd = Glibc.open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)
        self.fd = fd
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    enum Failure: Error {
        case errno(Int32)
        /// Resolution needed a link (or `..`) out of the root and found nothing inside it.
        case outside
    }

    func error(_ failure: Failure, path hostPath: String) -> HostAccessError {
        switch failure {
        case .errno(let e): return HostAccessError.from(errno: e, path: hostPath)
        case .outside: return .outsideRoot(path: hostPath, root: path)
        }
    }

    /// Opens a host path under the root, following links inside it (also a final one).
    func open(_ hostPath: String, flags: Int32) -> Result<Int32, Failure> {
        // A root that did not exist when the machine was made (a journal's first write
        // creates it) is opened now, for this call.
        var rootfd = fd
        if rootfd < 0 {
            rootfd = Glibc.open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)
            if rootfd < 0 { return .failure(.errno(errno)) }
        }
        defer { if rootfd != fd { Glibc.close(rootfd) } }
        let components = ConfinedRoot.components(hostPath)
        switch method {
        case .openat2: return openat2Resolve(rootfd, components.isEmpty ? "." : components.joined(separator: "/"), flags: flags)
        case .walk: return walk(rootfd, components, flags: flags)
        }
    }

    /// The directory holding a host path's last component (opened `O_PATH`, confined) and
    /// that component, for calls that must not follow it (readlinkat, fstatat NOFOLLOW).
    /// The caller closes the fd.
    func openParent(_ hostPath: String) -> Result<(Int32, String), Failure> {
        var components = ConfinedRoot.components(hostPath)
        guard let last = components.popLast(), last != ".." else {
            return open(hostPath, flags: O_PATH | O_DIRECTORY).map { ($0, ".") }
        }
        return open("/" + components.joined(separator: "/"), flags: O_PATH | O_DIRECTORY).map { ($0, last) }
    }

    /// The path's names, split at `/` bytes as the kernel splits them (not at Characters:
    /// String's grapheme-aware split was half of all instructions of `check`), without `.`.
    static func components(_ hostPath: String) -> [String] {
        var result: [String] = []
        for part in hostPath.utf8.split(separator: UInt8(ascii: "/")) where !(part.count == 1 && part.first == UInt8(ascii: ".")) {
            result.append(String(Substring(part)))
        }
        return result
    }

    // MARK: - openat2

    /// `struct open_how` (include/uapi/linux/openat2.h).
    struct OpenHow {
        var flags: UInt64
        var mode: UInt64
        var resolve: UInt64
    }

    static let resolveNoMagicLinks: UInt64 = 0x02
    static let resolveBeneath: UInt64 = 0x08
    static let resolveInRoot: UInt64 = 0x10
    /// `SYS_openat2`: 437 on every architecture (the syscall tables were unified at 424).
    static let openat2Number = 437

    typealias SyscallFunction = @convention(c) (Int, Int32, UnsafePointer<CChar>, UnsafeMutableRawPointer, Int) -> Int

    /// glibc's `syscall(2)`, looked up once: Swift does not import variadic C functions, and
    /// glibc 2.36 has no openat2 wrapper. Integer and pointer arguments are passed the same way
    /// to a variadic function on the Linux ABIs (x86-64, AArch64).
    static let syscallFunction: SyscallFunction? = LibCSymbol.lookup("syscall", as: SyscallFunction.self)

    static func openat2(_ dirfd: Int32, _ path: String, flags: Int32, resolve: UInt64) -> Int32 {
        guard let call = syscallFunction else { errno = ENOSYS; return -1 }
        var how = OpenHow(flags: UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), mode: 0, resolve: resolve)
        while true {
            let rc = path.withCString { p in withUnsafeMutableBytes(of: &how) { call(openat2Number, dirfd, p, $0.baseAddress!, MemoryLayout<OpenHow>.size) } }
            if rc < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            return Int32(truncatingIfNeeded: rc)
        }
    }

    /// Whether the running kernel has openat2 (probed once).
    public static let kernelHasOpenat2: Bool = {
        let fd = openat2(AT_FDCWD, "/", flags: O_PATH | O_DIRECTORY, resolve: 0)
        if fd >= 0 { Glibc.close(fd); return true }
        return errno != ENOSYS
    }()

    func openat2Resolve(_ rootfd: Int32, _ relative: String, flags: Int32) -> Result<Int32, Failure> {
        let fd = ConfinedRoot.openat2(rootfd, relative, flags: flags, resolve: ConfinedRoot.resolveBeneath | ConfinedRoot.resolveNoMagicLinks)
        if fd >= 0 { return .success(fd) }
        let e = errno
        guard e == EXDEV else { return .failure(.errno(e)) }
        // A link (or `..`) leads out of the root: resolve it inside the root, as if it were `/`.
        let inside = ConfinedRoot.openat2(rootfd, relative, flags: flags, resolve: ConfinedRoot.resolveInRoot | ConfinedRoot.resolveNoMagicLinks)
        if inside >= 0 { return .success(inside) }
        let e2 = errno
        return .failure(e2 == ENOENT || e2 == ENOTDIR ? .outside : .errno(e2))
    }

    // MARK: - the walk

    /// Linux's limit of links followed in one lookup (MAXSYMLINKS).
    static let maximumLinks = 40

    func walk(_ fd: Int32, _ components: [String], flags: Int32) -> Result<Int32, Failure> {
        var held: [Int32] = []
        defer { for d in held { Glibc.close(d) } }
        var pending = Array(components.reversed())
        var links = 0
        var escaped = false
        func fail(_ e: Int32) -> Result<Int32, Failure> {
            .failure(escaped && (e == ENOENT || e == ENOTDIR) ? .outside : .errno(e))
        }
        while let name = pending.popLast() {
            if name == "." || name.isEmpty { continue }
            if name == ".." {
                if let d = held.popLast() { Glibc.close(d) } else { escaped = true }
                continue
            }
            let dir = held.last ?? fd
            let isLast = !pending.contains { $0 != "." && !$0.isEmpty }
            var st = stat()
            if fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { return fail(errno) }
            if st.st_mode & S_IFMT == S_IFLNK && !(isLast && flags & O_NOFOLLOW != 0) {
                links += 1
                if links > ConfinedRoot.maximumLinks { return .failure(.errno(ELOOP)) }
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlinkat(dir, name, &buffer, Int(PATH_MAX))
                if n < 0 { return fail(errno) }
                if n == 0 { return fail(ENOENT) }
                let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if target.hasPrefix("/") {
                    escaped = true
                    for d in held { Glibc.close(d) }
                    held.removeAll()
                }
                pending += ConfinedRoot.components(target).reversed()
                continue
            }
            if isLast {
                // O_NOFOLLOW: had it become a link since the fstatat, the open fails (ELOOP).
                let opened = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC)
                if opened < 0 { return fail(errno) }
                return .success(opened)
            }
            let next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 { return fail(errno) }
            held.append(next)
        }
        // The root itself, or a path that ended in `..`.
        let opened = openat(held.last ?? fd, ".", flags | O_CLOEXEC)
        if opened < 0 { return fail(errno) }
        return .success(opened)
    }
}
