#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
#endif

/// The file-system calls a change to the machine is made of, one method per call that can
/// fail. `LiveFileOperations` makes them; tests wrap it to fail at any chosen call (fault
/// injection through this seam, never by patching libc). Names are relative to a directory
/// file descriptor the caller holds (`dir`), so the directory checked for links is the one
/// written in: there is no second path lookup to race. `path` is the host path, for messages.
public protocol FileOperations: Sendable {
    /// `openat(dir, name, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode)`.
    func createExclusive(_ dir: Int32, _ name: String, mode: mode_t, path: String) throws(HostAccessError) -> Int32
    func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(HostAccessError)
    func changeOwner(_ fd: Int32, uid: uid_t, gid: gid_t, path: String) throws(HostAccessError)
    func changeMode(_ fd: Int32, mode: mode_t, path: String) throws(HostAccessError)
    func sync(_ fd: Int32, path: String) throws(HostAccessError)
    func close(_ fd: Int32, path: String) throws(HostAccessError)
    /// `renameat(dir, from, dir, to)`.
    func rename(_ dir: Int32, _ from: String, _ to: String, path: String) throws(HostAccessError)
    /// `unlinkat(dir, name, 0)`; a missing name is not an error.
    func unlink(_ dir: Int32, _ name: String, path: String) throws(HostAccessError)
    /// fsync of a directory, so that a rename in it survives a crash (rename(2), fsync(2)).
    func syncDirectory(_ dir: Int32, path: String) throws(HostAccessError)
    /// `mkdirat(dir, name, mode)`; an existing name is EEXIST (an error: the caller decides).
    func makeDirectory(_ dir: Int32, _ name: String, mode: mode_t, path: String) throws(HostAccessError)
    /// `unlinkat(dir, name, AT_REMOVEDIR)`: only an empty directory goes.
    func removeDirectory(_ dir: Int32, _ name: String, path: String) throws(HostAccessError)
    /// One write(2) of a sysfs attribute `name` in `dir`; the kernel's answer is the result, not an error.
    func writeAttribute(_ dir: Int32, _ name: String, _ value: String) -> AttributeWriteResult
}

/// What the kernel said to a write of a sysfs attribute. The store functions answer with an
/// errno: `sriov_numvfs` (drivers/pci/iov.c `sriov_numvfs_store`) gives ERANGE above
/// TotalVFs, EBUSY when another non-zero count is set, ENOENT/EINVAL without a PF driver that
/// supports it, ENOMEM when the VF BARs do not fit (Above 4G Decoding / SR-IOV off in the BIOS).
public enum AttributeWriteResult: Sendable, Equatable {
    case written
    case failed(errno: Int32)

    public var errnoName: String? {
        guard case .failed(let code) = self else { return nil }
        return AttributeWriteResult.name(of: code)
    }

    public static func name(of code: Int32) -> String {
        switch code {
        case ERANGE: return "ERANGE"
        case EBUSY: return "EBUSY"
        case EINVAL: return "EINVAL"
        case ENODEV: return "ENODEV"
        case ENOENT: return "ENOENT"
        case ENOMEM: return "ENOMEM"
        case EACCES: return "EACCES"
        case EPERM: return "EPERM"
        case EIO: return "EIO"
        case ENOSPC: return "ENOSPC"
        default: return "errno \(code)"
        }
    }

    public static func text(of code: Int32) -> String { HostAccessError.text(for: code) }

    /// What a refused attribute write's errno means, so callers outside the seam need no libc.
    public enum Refusal: Sendable, Equatable {
        /// ERANGE: the value is out of range (more VFs than `sriov_totalvfs`).
        case outOfRange
        /// ENOMEM: the kernel could not place the memory (VF BARs).
        case noMemory
        /// EBUSY: in use, or in a state that must be undone first.
        case busy
        /// ENOENT, EINVAL, ENODEV: no driver bound, or it does not support the write.
        case unsupported
        /// EACCES, EPERM: not allowed (not root).
        case denied
        case other
    }

    public static func refusal(of code: Int32) -> Refusal {
        switch code {
        case ERANGE: return .outOfRange
        case ENOMEM: return .noMemory
        case EBUSY: return .busy
        case ENOENT, EINVAL, ENODEV: return .unsupported
        case EACCES, EPERM: return .denied
        default: return .other
        }
    }
}

/// The real calls.
public struct LiveFileOperations: FileOperations {
    public init() {}

    public func createExclusive(_ dir: Int32, _ name: String, mode: mode_t, path: String) throws(HostAccessError) -> Int32 {
        let fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        if fd < 0 { throw HostAccessError.from(errno: errno, path: path) }
        return fd
    }

    public func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(HostAccessError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HostAccessError.from(errno: errno, path: path)
            }
            written += n
        }
    }

    public func changeOwner(_ fd: Int32, uid: uid_t, gid: gid_t, path: String) throws(HostAccessError) {
        if fchown(fd, uid, gid) != 0 { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func changeMode(_ fd: Int32, mode: mode_t, path: String) throws(HostAccessError) {
        if fchmod(fd, mode) != 0 { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func sync(_ fd: Int32, path: String) throws(HostAccessError) {
        if fsync(fd) != 0 { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func close(_ fd: Int32, path: String) throws(HostAccessError) {
        if Glibc.close(fd) != 0 { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func rename(_ dir: Int32, _ from: String, _ to: String, path: String) throws(HostAccessError) {
        if renameat(dir, from, dir, to) != 0 { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func unlink(_ dir: Int32, _ name: String, path: String) throws(HostAccessError) {
        if unlinkat(dir, name, 0) != 0 && errno != ENOENT { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func syncDirectory(_ dir: Int32, path: String) throws(HostAccessError) {
        // Some file systems (9p, some FUSE) answer EINVAL: nothing more can be done there.
        if fsync(dir) != 0 && errno != EINVAL && errno != EROFS { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func makeDirectory(_ dir: Int32, _ name: String, mode: mode_t, path: String) throws(HostAccessError) {
        if mkdirat(dir, name, mode) != 0 { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func removeDirectory(_ dir: Int32, _ name: String, path: String) throws(HostAccessError) {
        if unlinkat(dir, name, AT_REMOVEDIR) != 0 { throw HostAccessError.from(errno: errno, path: path) }
    }

    public func writeAttribute(_ dir: Int32, _ name: String, _ value: String) -> AttributeWriteResult {
        // O_NOFOLLOW: the attribute itself is never a link; a link here is not sysfs.
        let fd = openat(dir, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { return .failed(errno: errno) }
        defer { Glibc.close(fd) }
        let bytes = Array((value + "\n").utf8)
        while true {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, bytes.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failed(errno: errno)
            }
            return .written
        }
    }
}
