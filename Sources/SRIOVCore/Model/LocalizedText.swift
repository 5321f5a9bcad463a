/// The languages every summary and hint exists in.
public enum Language: String, Sendable, CaseIterable {
    case en, es

    /// From LC_ALL, LC_MESSAGES, then LANG (`es_ES.UTF-8` -> es); English otherwise.
    public static func from(environment: [String: String]) -> Language {
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            return value.lowercased().hasPrefix("es") ? .es : .en
        }
        return .en
    }
}

/// A sentence in every supported language. Checks build these; renderers pick one.
public struct LocalizedText: Sendable, Equatable {
    public var en: String
    public var es: String

    public init(en: String, es: String) {
        self.en = en
        self.es = es
    }

    public func text(_ language: Language) -> String {
        switch language {
        case .en: return en
        case .es: return es
        }
    }

    public var isEmpty: Bool { en.isEmpty && es.isEmpty }
    public static let none = LocalizedText(en: "", es: "")
}
