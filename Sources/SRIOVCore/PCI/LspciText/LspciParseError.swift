/// Saved lspci output that could not be understood: the 1-based line where reading stopped and
/// what was expected there.
public struct LspciParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
