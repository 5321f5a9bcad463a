import HostAccess

/// The changes `apply` recorded on a machine, read from its journals
/// (ROOT/var/lib/sriov-wizard/journal/*/manifest.json), oldest first, for the report's
/// changes section. Applies that were rolled back are left out: their changes are undone.
public enum AppliedChanges {
    public struct Change: Sendable, Equatable {
        /// `<journal id>/<step index>`.
        public var id: String
        /// true: the step completed; false: planned, not run (a snapshot root), or failed.
        public var applied: Bool
        /// When the journal was written (ISO 8601, UTC).
        public var time: String?
        public var file: String?
        public var command: [String]?
        /// The step in words, with how it ended where it did not end done.
        public var description: LocalizedText
    }

    /// nil when the machine has no journal at all (no apply ever recorded).
    public static func read(_ machine: Machine) -> [Change]? {
        let ids = Journal.ids(machine)
        guard !ids.isEmpty else { return nil }
        var changes: [Change] = []
        for id in ids {
            guard let manifest = try? Journal.open(machine, id: id).load(),
                  manifest.state != .rolledBack else { continue }
            for step in manifest.steps where step.state != .rolledBack {
                let error = step.error.map { ": \($0)" } ?? ""
                let failed = step.state == .failed ? LocalizedText(en: " (failed\(error))", es: " (falló\(error))") : LocalizedText.none
                let notRun = step.state == .notRun
                    ? LocalizedText(en: " (not run: the root is a snapshot)", es: " (no ejecutado: la raíz es una instantánea)") : LocalizedText.none
                let words = JournalText.describe(step)
                changes.append(Change(
                    id: "\(manifest.id)/\(step.index)", applied: step.state == .done, time: manifest.created,
                    file: step.kind == .command ? nil : step.path, command: step.kind == .command ? step.argv : nil,
                    description: LocalizedText(en: words.en + failed.en + notRun.en, es: words.es + failed.es + notRun.es)))
            }
        }
        return changes
    }
}

extension AppliedChanges.Change {
    /// The command as a person would type it (`ShellWords.display`), nil for a file step.
    public var commandLine: String? { command.map(ShellWords.display) }
}
