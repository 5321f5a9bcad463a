import Foundation
#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
#endif

/// The record of one apply, written before and after every step so that an interrupted run
/// can still be rolled back: `ROOT/var/lib/sriov-wizard/journal/<id>/manifest.json` with the
/// steps and their state, `backups/<n>` with the old bytes of file step n (mode and owner in
/// the manifest) and `after/<n>` with the bytes written, so a rollback can tell whether the
/// file was changed since.
public struct JournalManifest: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case applying, applied, failed
        /// A rollback began (saved before its first change) and has not ended: run it again to finish.
        case rollingBack = "rolling-back"
        case rolledBack = "rolled-back"
        case rollbackFailed = "rollback-failed"
    }

    public var id: String
    /// UTC, ISO 8601.
    public var created: String
    public var root: String
    public var command: [String]
    public var summary: String
    public var state: State
    public var steps: [JournalStep]
    public var rolledBackAt: String?
    public var notes: [String]
    /// `summary` and `notes` in Spanish (absent in journals written before they were
    /// recorded: those are shown in English).
    public var summaryES: String?
    public var notesES: [String]?

    public init(id: String, created: String, root: String, command: [String], summary: String,
                state: State = .applying, steps: [JournalStep], notes: [String] = []) {
        self.id = id
        self.created = created
        self.root = root
        self.command = command
        self.summary = summary
        self.state = state
        self.steps = steps
        self.notes = notes
    }
}

public struct JournalStep: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case file, sysfs, command }
    public enum State: String, Codable, Sendable {
        case pending
        /// Begun and not known to have ended: the file may be old or new (never a mix).
        case started
        case done
        case failed
        /// A command not run because the root is a snapshot ("would run on the host").
        case notRun = "not-run"
        case rolledBack = "rolled-back"
    }

    public var index: Int
    public var kind: Kind
    public var description: String
    public var path: String?
    public var argv: [String]?
    public var state: State
    /// For a failed or started file step: `unchanged` or `written`, from the file itself.
    public var outcome: String?
    public var error: String?
    // file steps
    public var existed: Bool?
    public var mode: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?
    // sysfs steps
    public var previousValue: String?
    public var value: String?
    /// Commands that regenerate from the files (update-initramfs, update-grub): run again
    /// after a rollback restored the files.
    public var rerunOnRollback: Bool?
    /// For a file step: the directories that did not exist before it (recorded before they
    /// are made), which rollback removes again when they are empty.
    public var createdDirectories: [String]?

    public init(index: Int, kind: Kind, description: String, path: String? = nil, argv: [String]? = nil, state: State = .pending) {
        self.index = index
        self.kind = kind
        self.description = description
        self.path = path
        self.argv = argv
        self.state = state
    }
}

/// Reads and writes journals under a machine's root. Its own writes go through a
/// `FileEditor` with live operations: fault injection aims at the plan's edits.
public struct Journal: Sendable {
    public static let directory = "/var/lib/sriov-wizard/journal"

    public let machine: Machine
    public let id: String
    let editor: FileEditor

    public var hostDirectory: String { Journal.directory + "/" + id }

    init(machine: Machine, id: String, operations: any FileOperations) {
        self.machine = machine
        self.id = id
        self.editor = FileEditor(machine: machine, operations: operations)
    }

    /// Creates a new journal directory with a unique id (`20261125-160308-1`). Every
    /// directory on the way is opened without following links, and the new one is made
    /// relative to the held fd of its parent.
    public static func create(_ machine: Machine, operations: any FileOperations = LiveFileOperations()) throws(HostAccessError) -> Journal {
        let editor = FileEditor(machine: machine, operations: operations)
        let state = try editor.openDirectory("/var/lib/sriov-wizard", create: { _ in })
        _ = fchmod(state, 0o700)
        Glibc.close(state)
        let base = try editor.openDirectory(directory, create: { _ in })
        defer { Glibc.close(base) }
        let stamp = Journal.timestamp(compact: true)
        var n = 1
        while true {
            let id = "\(stamp)-\(n)"
            do {
                try operations.makeDirectory(base, id, mode: 0o700, path: directory + "/" + id)
            } catch {
                if case .io(_, let e) = error, e == EEXIST { n += 1; continue }
                throw error
            }
            for sub in ["backups", "after"] {
                Glibc.close(try editor.openDirectory(directory + "/" + id + "/" + sub, create: { _ in }))
            }
            try operations.syncDirectory(base, path: directory)
            return Journal(machine: machine, id: id, operations: operations)
        }
    }

    /// Opens a recorded journal. Its directory, like every file read from it, is reached
    /// without following any link (a journal is trusted only as far as apply wrote it).
    public static func open(_ machine: Machine, id: String, operations: any FileOperations = LiveFileOperations()) throws(HostAccessError) -> Journal {
        guard !id.isEmpty, !id.contains("/"), id != ".", id != ".." else {
            throw HostAccessError.invalidPath(path: id, reason: "not a journal id (see `sriov-wizard history`)")
        }
        let editor = FileEditor(machine: machine, operations: operations)
        let fd = try editor.openDirectory(directory + "/" + id, create: nil)
        Glibc.close(fd)
        return Journal(machine: machine, id: id, operations: operations)
    }

    /// Journal ids, oldest first.
    public static func ids(_ machine: Machine) -> [String] {
        let editor = FileEditor(machine: machine)
        return ((try? editor.list(directory)) ?? []).filter { editor.isDirectory(directory + "/" + $0) }.sorted { a, b in
            // `stamp-n`: compare the stamp, then n numerically.
            let (sa, na) = split(a), (sb, nb) = split(b)
            return sa != sb ? sa < sb : na < nb
        }
    }

    static func split(_ id: String) -> (String, Int) {
        guard let dash = id.lastIndex(of: "-"), let n = Int(id[id.index(after: dash)...]) else { return (id, 0) }
        return (String(id[..<dash]), n)
    }

    public func save(_ manifest: JournalManifest) throws(HostAccessError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(manifest) } catch {
            throw HostAccessError.invalidPath(path: hostDirectory + "/manifest.json", reason: "cannot encode: \(error)")
        }
        try editor.replace(hostDirectory + "/manifest.json", with: Array(data) + [0x0A], mode: 0o600)
    }

    public func load() throws(HostAccessError) -> JournalManifest {
        let path = hostDirectory + "/manifest.json"
        let bytes = try read(path, limit: 16 << 20)
        do { return try JSONDecoder().decode(JournalManifest.self, from: Data(bytes)) } catch {
            throw HostAccessError.invalidPath(path: path, reason: "not a journal manifest: \(error)")
        }
    }

    public func storeBackup(_ index: Int, _ bytes: [UInt8]) throws(HostAccessError) {
        try editor.replace(hostDirectory + "/backups/\(index)", with: bytes, mode: 0o600)
    }

    public func storeAfter(_ index: Int, _ bytes: [UInt8]) throws(HostAccessError) {
        try editor.replace(hostDirectory + "/after/\(index)", with: bytes, mode: 0o600)
    }

    public func backup(_ index: Int) throws(HostAccessError) -> [UInt8] {
        try read(hostDirectory + "/backups/\(index)", limit: 64 << 20)
    }

    public func after(_ index: Int) -> [UInt8]? {
        try? read(hostDirectory + "/after/\(index)", limit: 64 << 20)
    }

    /// A file of the journal, reached without any link (a symlinked step file is refused).
    func read(_ path: String, limit: Int) throws(HostAccessError) -> [UInt8] {
        guard let bytes = try editor.state(of: path, limit: limit).bytes else { throw HostAccessError.notFound(path: path) }
        return bytes
    }

    /// `2026-11-25T16:03:08Z`, or `20261125-160308` when compact.
    public static func timestamp(compact: Bool = false) -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let date = "\(parts.tm_year + 1900)" + (compact ? "" : "-") + two(parts.tm_mon + 1) + (compact ? "" : "-") + two(parts.tm_mday)
        let clock = two(parts.tm_hour) + (compact ? "" : ":") + two(parts.tm_min) + (compact ? "" : ":") + two(parts.tm_sec)
        return compact ? date + "-" + clock : date + "T" + clock + "Z"
    }
}

/// An exclusive lock held for the life of the process (flock(2) on a file under the root's
/// /var/lib/sriov-wizard), so two applies or rollbacks never run at once. The kernel drops
/// it when the process ends, also after a crash.
public final class ExclusiveLock: Sendable {
    public static let path = "/var/lib/sriov-wizard/lock"
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    // Clear the pid first: a later holder that is not sriov-wizard (flock(1)) writes none.
    deinit { _ = ftruncate(fd, 0); Glibc.close(fd) }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case held(path: String, holder: String?)
        case access(HostAccessError)

        public var description: String {
            switch self {
            case .held(let path, let holder):
                return "another sriov-wizard apply or rollback is running (lock \(path)" + (holder.map { ", held by pid \($0)" } ?? "") + "); wait for it to finish"
            case .access(let e): return "cannot take the lock: \(e.description)"
            }
        }
    }

    public static func acquire(_ machine: Machine) throws(Failure) -> ExclusiveLock {
        let editor = FileEditor(machine: machine)
        let dir: Int32
        do { dir = try editor.openDirectory("/var/lib/sriov-wizard", create: { _ in }) } catch { throw .access(error) }
        let fd = openat(dir, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        let openErrno = errno
        Glibc.close(dir)
        if fd < 0 { throw .access(HostAccessError.from(errno: openErrno, path: path)) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
            Glibc.close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmedSpace() : nil
            if e == EWOULDBLOCK { throw .held(path: path, holder: holder) }
            throw .access(HostAccessError.from(errno: e, path: path))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, pid.count, 0) }
        return ExclusiveLock(fd: fd)
    }
}
