/// One line of a check's evidence, in every supported language. The record part (paths,
/// values, command lines, quoted file and kernel-log lines) is the same in every language;
/// only the words around it are translated. There is no conversion from a plain `String`, so
/// a check cannot add an English-only sentence by accident: a line is either `.record(...)`
/// (verbatim) or written in both languages.
public struct Evidence: Sendable, Equatable, CustomStringConvertible {
    public var en: String
    public var es: String

    public init(en: String, es: String) {
        self.en = en
        self.es = es
    }

    public init(_ text: LocalizedText) {
        self.init(en: text.en, es: text.es)
    }

    /// A line of the record, the same in every language: `/proc/cmdline: quiet intel_iommu=on`,
    /// `dmesg: DMAR: IOMMU enabled`, `/etc/modules:2: vfio`.
    public static func record(_ line: String) -> Evidence {
        Evidence(en: line, es: line)
    }

    /// `SUBJECT: words`, the subject (a path, a command, an address) as read, the words translated.
    public static func fact(_ subject: String, en: String, es: String) -> Evidence {
        Evidence(en: "\(subject): \(en)", es: "\(subject): \(es)")
    }

    /// `PATH: not readable`.
    public static func notReadable(_ path: String) -> Evidence { fact(path, en: "not readable", es: "no legible") }
    /// `PATH: unreadable` (the older wording some checks print).
    public static func unreadable(_ path: String) -> Evidence { fact(path, en: "unreadable", es: "ilegible") }

    public func text(_ language: Language) -> String {
        switch language {
        case .en: return en
        case .es: return es
        }
    }

    /// Both lines with `other` appended (`line + " (…)"`).
    public static func + (line: Evidence, other: Evidence) -> Evidence {
        Evidence(en: line.en + other.en, es: line.es + other.es)
    }

    public var description: String { en }
}

extension Array where Element == Evidence {
    /// The lines in `language`.
    public func text(_ language: Language) -> [String] { map { $0.text(language) } }
}

extension Evidence {
    /// `unknown` / `desconocido`: a value that could not be read.
    public static let unknownWord = LocalizedText(en: "unknown", es: "desconocido")
}
