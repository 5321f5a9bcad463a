import HostAccess
import SRIOVCore

/// Where the interactive wizard stopped, so that after the reboot a BIOS or kernel change
/// needs it resumes there (and first re-verifies that stage). Kept only for a live host,
/// in /var/lib/sriov-wizard/wizard-state.json.
struct WizardState: Equatable {
    var stage: StageID
    var skipped: [StageID]

    static let path = "/var/lib/sriov-wizard/wizard-state.json"

    static func load(_ machine: Machine) -> WizardState? {
        guard let text = try? machine.readText(path, limit: 64 * 1024) else { return nil }
        // A tiny fixed format written by `save`; anything else is ignored (start over).
        func value(_ key: String) -> String? {
            guard let range = text.range(of: "\"\(key)\": \"") else { return nil }
            let rest = text[range.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { return nil }
            return String(rest[..<end])
        }
        guard let stage = value("stage").flatMap(StageID.init(rawValue:)) else { return nil }
        let skipped = (value("skipped") ?? "").split(separator: ",").compactMap { StageID(rawValue: String($0)) }
        return WizardState(stage: stage, skipped: skipped)
    }

    func save(root: String) throws(HostAccessError) {
        let json = JSONValue.object([
            ("stage", .string(stage.rawValue)),
            ("skipped", .string(skipped.map(\.rawValue).joined(separator: ","))),
        ])
        try TreeWriter(root: root).write(json.serialised() + "\n", to: WizardState.path)
    }

    static func clear(root: String) {
        try? TreeWriter(root: root).remove(path)
    }
}
