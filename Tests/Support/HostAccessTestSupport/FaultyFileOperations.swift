import Foundation
import Glibc
import HostAccess

/// Live file operations that fail one chosen call: the `nth` call of `operation` throws EIO
/// (or returns EIO for attribute writes). `renameThenFail` renames first and then throws, as
/// a crash right after the rename would look to the journal.
public final class FaultyFileOperations: FileOperations, @unchecked Sendable {
    public enum Operation: String, CaseIterable, Sendable {
        case createExclusive, write, changeOwner, changeMode, sync, close, rename, renameThenFail, unlink, syncDirectory, writeAttribute
    }

    let live = LiveFileOperations()
    let operation: Operation?
    let nth: Int
    private var counts: [String: Int] = [:]
    private let lock = NSLock()
    public private(set) var fired = false

    public init(failing operation: Operation?, nth: Int = 1) {
        self.operation = operation
        self.nth = nth
    }

    private func hit(_ op: Operation) -> Bool {
        lock.lock(); defer { lock.unlock() }
        let key = op == .renameThenFail ? Operation.rename.rawValue : op.rawValue
        counts[key, default: 0] += 1
        guard let operation else { return false }
        let target = operation == .renameThenFail ? Operation.rename : operation
        if target == op || (op == .rename && operation == .renameThenFail), counts[key] == nth, !fired {
            fired = true
            return true
        }
        return false
    }

    public func createExclusive(_ dir: Int32, _ name: String, mode: mode_t, path: String) throws(HostAccessError) -> Int32 {
        if hit(.createExclusive) { throw .io(path: path, errno: EIO) }
        return try live.createExclusive(dir, name, mode: mode, path: path)
    }
    public func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws(HostAccessError) {
        if hit(.write) {
            // A short write first: the temporary file holds half the bytes when it fails.
            try live.write(fd, Array(bytes.prefix(bytes.count / 2)), path: path)
            throw .io(path: path, errno: ENOSPC)
        }
        try live.write(fd, bytes, path: path)
    }
    public func changeOwner(_ fd: Int32, uid: uid_t, gid: gid_t, path: String) throws(HostAccessError) {
        if hit(.changeOwner) { throw .io(path: path, errno: EPERM) }
        try live.changeOwner(fd, uid: uid, gid: gid, path: path)
    }
    public func changeMode(_ fd: Int32, mode: mode_t, path: String) throws(HostAccessError) {
        if hit(.changeMode) { throw .io(path: path, errno: EPERM) }
        try live.changeMode(fd, mode: mode, path: path)
    }
    public func sync(_ fd: Int32, path: String) throws(HostAccessError) {
        if hit(.sync) { throw .io(path: path, errno: EIO) }
        try live.sync(fd, path: path)
    }
    public func close(_ fd: Int32, path: String) throws(HostAccessError) {
        if hit(.close) { try? live.close(fd, path: path); throw .io(path: path, errno: EIO) }
        try live.close(fd, path: path)
    }
    public func rename(_ dir: Int32, _ from: String, _ to: String, path: String) throws(HostAccessError) {
        if hit(.rename) {
            if operation == .renameThenFail { try live.rename(dir, from, to, path: path) }
            throw .io(path: path, errno: EIO)
        }
        try live.rename(dir, from, to, path: path)
    }
    public func unlink(_ dir: Int32, _ name: String, path: String) throws(HostAccessError) {
        if hit(.unlink) { throw .io(path: path, errno: EIO) }
        try live.unlink(dir, name, path: path)
    }
    public func syncDirectory(_ dir: Int32, path: String) throws(HostAccessError) {
        if hit(.syncDirectory) { throw .io(path: path, errno: EIO) }
        try live.syncDirectory(dir, path: path)
    }
    /// Directory creation and removal are not fault points of this double (see KillSwitch).
    public func makeDirectory(_ dir: Int32, _ name: String, mode: mode_t, path: String) throws(HostAccessError) {
        try live.makeDirectory(dir, name, mode: mode, path: path)
    }
    public func removeDirectory(_ dir: Int32, _ name: String, path: String) throws(HostAccessError) {
        try live.removeDirectory(dir, name, path: path)
    }
    public func writeAttribute(_ dir: Int32, _ name: String, _ value: String) -> AttributeWriteResult {
        if hit(.writeAttribute) { return .failed(errno: EIO) }
        return live.writeAttribute(dir, name, value)
    }
}
