import ArgumentParser

/// Exit statuses, documented in `--help` and the README.
enum ExitStatus {
    static let success = ExitCode.success
    /// Input (a pasted lspci file) could not be understood.
    static let invalidInput = ExitCode(2)
    /// The machine (or snapshot) could not be read.
    static let unreadableHost = ExitCode(3)
    /// `apply`/`rollback` not confirmed: answered no, or no terminal and no --yes.
    static let notConfirmed = ExitCode(5)
    /// Another apply or rollback holds the lock (EX_TEMPFAIL).
    static let locked = ExitCode(75)
    /// Changing the live host needs root (77, as automake's "skipped"/EX_NOPERM).
    static let needsRoot = ExitCode(77)
    /// Usage errors use ArgumentParser's validation status.
    static let usage = ExitCode.validationFailure
}
