import Foundation
import Glibc
import HostAccess

/// File operations that simulate the process being killed right after its `killAt`-th call
/// (counting every call of every kind, the journal's included): that call is made, and it
/// and every later call fail without touching anything, as if nothing after it ran. What
/// is on disk then is what a SIGKILL at that point would leave. `killAt: nil` only counts.
public final class KillSwitch: FileOperations, @unchecked Sendable {
    let live = LiveFileOperations()
    let killAt: Int?
    private let lock = NSLock()
    public private(set) var calls = 0

    public init(killAt: Int?) { self.killAt = killAt }

    public var killed: Bool { lock.lock(); defer { lock.unlock() }; return killAt.map { calls >= $0 } ?? false }

    /// Whether this call may run (the process is still alive when it starts).
    private func alive() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if let killAt, calls >= killAt { return false }
        calls += 1
        return true
    }

    private func dead(_ path: String) -> HostAccessError { .io(path: path, errno: EIO) }

    /// Runs a call and then dies if it was the fatal one.
    private func run<T>(_ path: String, _ body: () throws(HostAccessError) -> T) throws(HostAccessError) -> T {
        guard alive() else { throw dead(path) }
        let result = try body()
        if killed { throw dead(path) }
        return result
    }

    public func createExclusive(_ dir: Int32, _ name: String, mode: mode_t, path: String) throws(HostAccessError) -> Int32 {
        guard alive() else { throw dead(path) }
        let fd = try live.createExclusive(dir, name, mode: mode, path: path)
        if killed { Glibc.close(fd); throw dead(path) }
        return fd
    }
    public func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.write(fd, bytes, path: path) }
    }
    public func changeOwner(_ fd: Int32, uid: uid_t, gid: gid_t, path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.changeOwner(fd, uid: uid, gid: gid, path: path) }
    }
    public func changeMode(_ fd: Int32, mode: mode_t, path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.changeMode(fd, mode: mode, path: path) }
    }
    public func sync(_ fd: Int32, path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.sync(fd, path: path) }
    }
    public func close(_ fd: Int32, path: String) throws(HostAccessError) {
        // A dead process's descriptors are closed by the kernel: close it, report death.
        guard alive() else { Glibc.close(fd); throw dead(path) }
        try live.close(fd, path: path)
        if killed { throw dead(path) }
    }
    public func rename(_ dir: Int32, _ from: String, _ to: String, path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.rename(dir, from, to, path: path) }
    }
    public func unlink(_ dir: Int32, _ name: String, path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.unlink(dir, name, path: path) }
    }
    public func syncDirectory(_ dir: Int32, path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.syncDirectory(dir, path: path) }
    }
    public func makeDirectory(_ dir: Int32, _ name: String, mode: mode_t, path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.makeDirectory(dir, name, mode: mode, path: path) }
    }
    public func removeDirectory(_ dir: Int32, _ name: String, path: String) throws(HostAccessError) {
        try run(path) { () throws(HostAccessError) in try live.removeDirectory(dir, name, path: path) }
    }
    public func writeAttribute(_ dir: Int32, _ name: String, _ value: String) -> AttributeWriteResult {
        guard alive() else { return .failed(errno: EIO) }
        let result = live.writeAttribute(dir, name, value)
        return killed ? .failed(errno: EIO) : result
    }
}
