import ArgumentParser

/// Exit statuses, documented in `--help` and the README.
enum ExitStatus {
    static let success = ExitCode.success
    /// Input (a pasted lspci file) could not be understood.
    static let invalidInput = ExitCode(2)
    /// The machine (or snapshot) could not be read.
    static let unreadableHost = ExitCode(3)
    /// Usage errors use ArgumentParser's validation status.
    static let usage = ExitCode.validationFailure
}
