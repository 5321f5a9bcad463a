/// Builds the inventory from the drafts in output order: one function per address (a second
/// block for the same address fills the gaps of the first), unaddressed fragments apart, then
/// names and roles.
struct LspciAssembly {
    /// Blocks for the same address merged into the first one, at most: real pastes repeat a
    /// function once or twice, and merging is not free.
    static let duplicateLimit = 8

    let context: LspciFunctionBuilder.Context
    var issues: [InventoryIssue]
    private var functions: [PCIFunction] = []
    private var hints: [LspciRoles.Hints] = []
    private var position: [PCIAddress: Int] = [:]
    private var repeats: [PCIAddress: Int] = [:]
    private var unaddressed: [UnaddressedFunction] = []

    init(context: LspciFunctionBuilder.Context, issues: [InventoryIssue]) {
        self.context = context
        self.issues = issues
    }

    mutating func add(_ draft: LspciDeviceDraft) {
        guard let address = draft.header?.address else {
            let fragment = LspciFunctionBuilder.unaddressed(from: draft, context: context)
            issues.append(LspciTextParser.fragmentNote(fragment))
            unaddressed.append(fragment)
            return
        }
        let function = LspciFunctionBuilder.function(from: draft, address: address, context: context)
        let hint = LspciRoles.Hints(allRegionsVirtual: draft.regionCount > 0 && draft.virtualRegionCount == draft.regionCount)
        guard let existing = position[address] else {
            position[address] = functions.count
            functions.append(function)
            hints.append(hint)
            return
        }
        repeats[address, default: 0] += 1
        guard repeats[address, default: 0] <= Self.duplicateLimit else { return }
        LspciMerge.fillGaps(&functions[existing], from: function)
        hints[existing].allRegionsVirtual = hints[existing].allRegionsVirtual || hint.allRegionsVirtual
        let line = draft.firstLine
        issues.append(InventoryIssue(path: "line \(line)", message: "line \(line): \(address.shortDescription) appears again; what this block adds is merged into the first one"))
    }

    func inventory(names: PCIIDs?) -> Inventory {
        var functions = functions
        var issues = issues
        LspciTextParser.resolveNames(&functions, names: names)
        for note in LspciRoles.assign(&functions, hints: hints) {
            issues.append(InventoryIssue(path: "", note: note))
        }
        return Inventory(functions: functions, issues: LspciTextParser.capped(issues), source: LspciTextParser.source,
                         unaddressedFunctions: unaddressed)
    }
}
