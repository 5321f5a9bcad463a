/// Saved lspci output that could not be understood: the 1-based line where reading stopped and
/// what was expected there.
public struct LspciParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    /// What was expected there, in English and Spanish.
    public var text: LocalizedText
    /// The English text.
    public var message: String { text.en }

    public init(line: Int, text: LocalizedText) {
        self.line = line
        self.text = text
    }

    public var description: String { "line \(line): \(message)" }
    public func description(_ language: Language) -> String {
        language == .es ? "línea \(line): \(text.es)" : description
    }
}
