#if canImport(Glibc)
import Glibc
#else
#error("HostAccess supports glibc Linux only: it calls Glibc functions by name")
#endif

/// The outcome of a command. A non-zero `status` is a result to look at, not an error.
public struct CommandResult: Sendable, Equatable {
    public var argv: [String]
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// True when output beyond the limit was dropped.
    public var truncated: Bool

    public init(argv: [String], status: Int32, stdout: [UInt8], stderr: [UInt8], truncated: Bool = false) {
        self.argv = argv
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.truncated = truncated
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs commands for a `Machine`: live, or answered from a snapshot's recordings.
public protocol CommandRunner: Sendable {
    func run(_ argv: [String], timeout: Double, outputLimit: Int) throws(HostAccessError) -> CommandResult
    /// The same, calling `onLine` with each line the command prints (stdout or stderr, split
    /// at `\n` and `\r`, so a progress bar's updates are lines too) while it runs, for a
    /// progress display. Runners that do not run programs answer without calling it.
    func run(_ argv: [String], timeout: Double, outputLimit: Int,
             onLine: @escaping @Sendable (String) -> Void) throws(HostAccessError) -> CommandResult
}

extension CommandRunner {
    public func run(_ argv: [String], timeout: Double, outputLimit: Int,
                    onLine: @escaping @Sendable (String) -> Void) throws(HostAccessError) -> CommandResult {
        try run(argv, timeout: timeout, outputLimit: outputLimit)
    }
}

/// Cuts a byte stream into lines for `CommandRunner.run(_:timeout:outputLimit:onLine:)`.
struct LineSplitter {
    private var partial: [UInt8] = []
    /// A line longer than this is passed on in pieces.
    static let longest = 4096

    mutating func feed(_ bytes: ArraySlice<UInt8>, _ emit: (String) -> Void) {
        for b in bytes {
            if b == 0x0A || b == 0x0D {
                flush(emit)
            } else {
                partial.append(b)
                if partial.count >= LineSplitter.longest { flush(emit) }
            }
        }
    }

    mutating func flush(_ emit: (String) -> Void) {
        if !partial.isEmpty { emit(String(decoding: partial, as: UTF8.self)) }
        partial.removeAll(keepingCapacity: true)
    }
}

/// Runs real programs with posix_spawn: argv only (no shell), stdin an empty pipe (end of file
/// at once, whatever the host's /dev/null is), stdout/stderr captured up to a limit, stopped
/// (SIGKILL) after a timeout.
public struct LiveCommandRunner: CommandRunner {
    /// Extra environment variables for the command (besides LC_ALL=C, LANG=C and PATH).
    public var environment: [String: String]

    public init(environment: [String: String] = [:]) { self.environment = environment }

    public func run(_ argv: [String], timeout: Double, outputLimit: Int) throws(HostAccessError) -> CommandResult {
        try run(argv, timeout: timeout, outputLimit: outputLimit, lines: nil)
    }

    public func run(_ argv: [String], timeout: Double, outputLimit: Int,
                    onLine: @escaping @Sendable (String) -> Void) throws(HostAccessError) -> CommandResult {
        try run(argv, timeout: timeout, outputLimit: outputLimit, lines: onLine)
    }

    private func run(_ argv: [String], timeout: Double, outputLimit: Int,
                     lines: (@Sendable (String) -> Void)?) throws(HostAccessError) -> CommandResult {
        guard let program = argv.first, !program.isEmpty else {
            throw HostAccessError.commandNotFound(command: "")
        }
        guard let executable = LiveCommandRunner.resolve(program) else {
            throw HostAccessError.commandNotFound(command: program)
        }
        // pipe2 with O_CLOEXEC: no window in which a program started by another thread could
        // inherit these ends; the child gets them only through the dup2 actions below.
        var inPipe: [Int32] = [0, 0]
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard LiveCommandRunner.pipe2(&inPipe) == 0 else { throw HostAccessError.commandFailedToStart(argv: argv, errno: errno) }
        // Stdin: the read end of a pipe whose write end is closed before the program starts.
        // Not /dev/null: on a machine where /dev/null was replaced by a regular file (it happens
        // in containers: `rm /dev/null` then any `> /dev/null`), the program would read whatever
        // was last written there.
        close(inPipe[1])
        guard LiveCommandRunner.pipe2(&outPipe) == 0 else {
            close(inPipe[0])
            throw HostAccessError.commandFailedToStart(argv: argv, errno: errno)
        }
        guard LiveCommandRunner.pipe2(&errPipe) == 0 else {
            close(inPipe[0]); close(outPipe[0]); close(outPipe[1])
            throw HostAccessError.commandFailedToStart(argv: argv, errno: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group, so a timeout can stop the command and its children.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptySet = sigset_t()
        sigemptyset(&emptySet)
        posix_spawnattr_setsigmask(&attributes, &emptySet)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        // Locale-independent output for the parsers, unless the caller says otherwise.
        var variables = ["LC_ALL": "C", "LANG": "C"]
        variables["PATH"] = getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for (name, value) in self.environment { variables[name] = value }
        let environment = variables.sorted { $0.key < $1.key }.map { $0.key + "=" + $0.value }

        var pid: pid_t = 0
        let spawnResult = withCStrings(argv) { cArgv in
            withCStrings(environment) { cEnv in
                posix_spawn(&pid, executable, &actions, &attributes, cArgv, cEnv)
            }
        }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        if spawnResult != 0 {
            close(outPipe[0]); close(errPipe[0])
            throw HostAccessError.commandFailedToStart(argv: argv, errno: spawnResult)
        }

        var out: [UInt8] = [], err: [UInt8] = []
        var truncated = false
        var open = [outPipe[0], errPipe[0]]
        let deadline = LiveCommandRunner.now() + timeout
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        var outLines = LineSplitter(), errLines = LineSplitter()
        while !open.isEmpty {
            let remaining = deadline - LiveCommandRunner.now()
            if remaining <= 0 { timedOut = true; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let rc = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000, 1000)))
            if rc < 0 { if errno == EINTR { continue }; break }
            for p in fds where p.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { Glibc.read(p.fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    if let lines {
                        if p.fd == outPipe[0] { outLines.flush(lines) } else { errLines.flush(lines) }
                    }
                    close(p.fd)
                    open.removeAll { $0 == p.fd }
                    continue
                }
                if let lines {
                    if p.fd == outPipe[0] { outLines.feed(buffer[0..<n], lines) } else { errLines.feed(buffer[0..<n], lines) }
                }
                if p.fd == outPipe[0] {
                    let room = max(0, outputLimit - out.count)
                    out.append(contentsOf: buffer[0..<min(n, room)])
                    if n > room { truncated = true }
                } else {
                    let room = max(0, outputLimit - err.count)
                    err.append(contentsOf: buffer[0..<min(n, room)])
                    if n > room { truncated = true }
                }
            }
        }
        for fd in open { close(fd) }
        if timedOut { kill(-pid, SIGKILL); kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if timedOut { throw HostAccessError.commandTimedOut(argv: argv, seconds: timeout) }
        let exitCode: Int32
        if status & 0x7f == 0 { exitCode = (status >> 8) & 0xff }  // WIFEXITED / WEXITSTATUS
        else { exitCode = 128 + (status & 0x7f) }                  // killed by a signal
        return CommandResult(argv: argv, status: exitCode, stdout: out, stderr: err, truncated: truncated)
    }

    /// Finds a program in PATH (or takes it as given when it contains a slash).
    public static func resolve(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        var dirs = path.split(separator: ":").map(String.init)
        for extra in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] where !dirs.contains(extra) { dirs.append(extra) }
        for dir in dirs {
            let candidate = dir + "/" + program
            var st = stat()
            if stat(candidate, &st) == 0, st.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    typealias Pipe2Function = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32

    /// glibc's `pipe2(2)`, looked up once: the Glibc module hides it behind _GNU_SOURCE.
    static let pipe2Function: Pipe2Function? = LibCSymbol.lookup("pipe2", as: Pipe2Function.self)

    /// A pipe with both ends close-on-exec from the start (pipe + fcntl where pipe2 is missing).
    static func pipe2(_ fds: inout [Int32]) -> Int32 {
        if let call = pipe2Function { return fds.withUnsafeMutableBufferPointer { call($0.baseAddress!, O_CLOEXEC) } }
        guard pipe(&fds) == 0 else { return -1 }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return 0
    }

    /// Seconds of the monotonic clock (for timeouts and elapsed times).
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// A C library function that the Glibc module does not declare (behind _GNU_SOURCE, or no
/// wrapper at all), looked up in the running process by name.
enum LibCSymbol {
    /// `type` must be the function's `@convention(c)` type.
    static func lookup<F>(_ name: String, as type: F.Type) -> F? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
}

private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}

/// Answers commands from a snapshot: `ROOT/sriov-wizard/commands/<key>.stdout`, `.stderr`,
/// `.status`, where `<key>` is `RecordedCommandRunner.key(for: argv)`.
public struct RecordedCommandRunner: CommandRunner {
    public let root: String
    public static let directory = "/sriov-wizard/commands"

    public init(root: String) { self.root = root }

    public func run(_ argv: [String], timeout: Double, outputLimit: Int) throws(HostAccessError) -> CommandResult {
        let machine = Machine(root: root, commands: NoCommands())
        let base = RecordedCommandRunner.directory + "/" + RecordedCommandRunner.key(for: argv)
        let stdout: [UInt8]
        do { stdout = try machine.read(base + ".stdout", limit: outputLimit, overflow: .truncate) } catch {
            if case .notFound = error { throw HostAccessError.commandNotRecorded(argv: argv, snapshot: root) }
            throw error
        }
        let stderr = (try? machine.read(base + ".stderr", limit: outputLimit, overflow: .truncate)) ?? []
        let status = machine.attribute(base + ".status").flatMap { Int32($0) } ?? 0
        return CommandResult(argv: argv, status: status, stdout: stdout, stderr: stderr)
    }

    /// A file-name-safe key for an argv: words joined by `_`, other characters as `-`.
    /// `["lspci", "-vvv"]` -> `lspci_-vvv`; `["ip", "-d", "link"]` -> `ip_-d_link`.
    public static func key(for argv: [String]) -> String {
        argv.map { word in
            String(word.unicodeScalars.map { u -> Character in
                let ok = (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9")
                    || u == "-" || u == "." || u == "=" || u == ","
                return ok ? Character(u) : "-"
            })
        }.joined(separator: "_")
    }
}

/// A runner that refuses every command (used for plain file access inside a snapshot).
public struct NoCommands: CommandRunner {
    public init() {}
    public func run(_ argv: [String], timeout: Double, outputLimit: Int) throws(HostAccessError) -> CommandResult {
        throw HostAccessError.commandNotFound(command: argv.first ?? "")
    }
}

/// How an argv array is shown to a person: words joined by blanks, each word that a POSIX
/// shell would not read back verbatim put in single quotes. For display and copy-paste only:
/// commands are always run from the argv array itself, never through a shell.
public enum ShellWords {
    public static func display(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    public static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || "_-.,/:=@+%".utf8.contains(b)
        }
        return plain ? word : "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }
}
