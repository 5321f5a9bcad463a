import HostAccess

/// A fix that `apply` can make, as a value made by a planner for one host: the plan (every
/// file edit with its exact bytes, sysfs writes, commands), the request that makes it (for
/// `apply` and the wizard alike), and what it does in one line, in every language. A check's hint is rendered from it,
/// the wizard offers it, `apply --dry-run` prints it: none of them writes a file name, rule
/// line or module list of its own.
public struct Remedy: Sendable, Equatable {
    public var plan: Plan
    /// What `ApplySession` is asked to do to make this change.
    public var request: ApplyRequest
    /// One line: what the change does (`Recreate the 7 VFs of … at every boot with a udev rule`).
    public var explanation: LocalizedText
    /// What is left to do once the plan ran (`then reboot`); empty when nothing is.
    public var afterwards: LocalizedText

    public init(plan: Plan, request: ApplyRequest, explanation: LocalizedText, afterwards: LocalizedText = .none) {
        self.plan = plan
        self.request = request
        self.explanation = explanation
        self.afterwards = afterwards
    }

    /// The `apply` arguments that make this change (`--device 0000:01:00.0 --vfs 7`).
    public var arguments: [String] { request.arguments }

    /// Nothing to change: the fix is already in place.
    public var isEmpty: Bool { plan.isEmpty }

    /// `sriov-wizard apply ARGS`, as the user would type it.
    public var command: String { (["sriov-wizard", "apply"] + arguments).joined(separator: " ") }

    /// The plan's steps in words, with the exact lines written: `create F containing `…`; then run `…``.
    public var steps: LocalizedText {
        let parts = plan.steps.map(Remedy.describe)
        return LocalizedText(en: parts.map(\.en).joined(separator: "; then "), es: parts.map(\.es).joined(separator: "; después "))
    }

    /// The hint a check shows: the explanation, the steps, what is left, and the command that
    /// makes exactly this change.
    public var hint: LocalizedText {
        let s = steps
        let after = afterwards.isEmpty ? LocalizedText.none : LocalizedText(en: "; " + afterwards.en, es: "; " + afterwards.es)
        return LocalizedText(
            en: "\(explanation.en): \(s.en)\(after.en). `\(command)` makes this change (it shows the diff and asks first).",
            es: "\(explanation.es): \(s.es)\(after.es). `\(command)` hace este cambio (antes muestra el diff y pregunta).")
    }

    /// Two remedies for one problem, the first being `apply`'s default.
    public static func either(_ first: Remedy, or second: Remedy) -> LocalizedText {
        let a = first.hint, b = second.hint
        return LocalizedText(en: a.en + " Or: " + b.en, es: a.es + " O bien: " + b.es)
    }

    static func describe(_ step: Plan.Step) -> LocalizedText {
        switch step {
        case .edit(let edit): return describe(edit)
        case .sysfs(let write):
            let command = "`echo \(write.value) > \(write.path)`"
            return LocalizedText(en: "run " + command, es: "ejecute " + command)
        case .command(let command):
            let text = "`" + ShellWords.display(command.argv) + "`"
            return LocalizedText(en: "run " + text, es: "ejecute " + text)
        }
    }

    /// A file edit in words: the lines that change, quoted as they are written.
    static func describe(_ edit: FileEdit) -> LocalizedText {
        let path = edit.path
        guard let after = edit.after else { return LocalizedText(en: "remove \(path)", es: "borre \(path)") }
        let new = lines(after)
        func quoted(_ lines: [String]) -> String { lines.map { "`\($0)`" }.joined(separator: ", ") }
        guard let before = edit.before else {
            let content = quoted(new.filter { !$0.isEmpty && !$0.hasPrefix("#") })
            return LocalizedText(en: "create \(path) containing \(content)", es: "cree \(path) con \(content)")
        }
        let old = lines(before)
        if old.count == new.count {
            let changed = old.indices.filter { old[$0] != new[$0] }
            let lines = changed.map { "\(path):\($0 + 1): `\(old[$0])` → `\(new[$0])`" }.joined(separator: ", ")
            return LocalizedText(en: "edit " + lines, es: "edite " + lines)
        }
        if new.count > old.count, Array(new.prefix(old.count)) == old {
            let added = quoted(Array(new.dropFirst(old.count)).filter { !$0.isEmpty })
            return LocalizedText(en: "add \(added) to the end of \(path)", es: "añada \(added) al final de \(path)")
        }
        let removed = old.filter { !new.contains($0) && !$0.isEmpty }
        let added = new.filter { !old.contains($0) && !$0.isEmpty }
        var en: [String] = [], es: [String] = []
        if !removed.isEmpty { en.append("remove \(quoted(removed))"); es.append("quite \(quoted(removed))") }
        if !added.isEmpty { en.append("add \(quoted(added))"); es.append("añada \(quoted(added))") }
        return LocalizedText(en: "in \(path) " + en.joined(separator: " and "), es: "en \(path) " + es.joined(separator: " y "))
    }

    /// The file's lines as shown: split on LF, a CR before it and trailing blanks dropped.
    static func lines(_ bytes: [UInt8]) -> [String] {
        var text = String(decoding: bytes, as: UTF8.self).unicodeScalars
            .split(separator: "\n", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        if text.last == "" { text.removeLast() }
        return text.map { ($0.hasSuffix("\r") ? String($0.dropLast()) : $0).trimmedSpace() }
    }
}
