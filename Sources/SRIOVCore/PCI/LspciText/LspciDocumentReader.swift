/// Reads the lines of a saved lspci output into one draft per function. Device lines and hex
/// dump lines sit at the left margin; detail lines are indented; anything else at the margin
/// that is not a known paste artefact stops reading with its line number.
struct LspciDocumentReader {
    private(set) var drafts: [LspciDeviceDraft] = []
    private(set) var issues: [InventoryIssue] = []
    private var current: LspciDeviceDraft?
    private var firstTextLine: Int?

    mutating func consume(_ line: LspciLine) throws(LspciParseError) {
        if line.isBlank { return }
        if firstTextLine == nil { firstTextLine = line.number }
        if line.indent < LspciLine.tabStop, try consumeMarginLine(line) { return }
        if current == nil { try startFragment(line) }
        if line.indent == 0, !LspciDeviceDraft.isKnownDetail(line.text) {
            throw LspciParseError(line: line.number, message: "expected a device line ('BB:DD.F class: vendor device'), an indented detail line or a hex dump line ('00: 86 80 ...'), found: \(Self.excerpt(line.text))")
        }
        current?.consume(line)
    }

    /// Device lines, hex dump lines and paste artefacts; false for anything else.
    private mutating func consumeMarginLine(_ line: LspciLine) throws(LspciParseError) -> Bool {
        if let header = try LspciHeader.parse(line) {
            finishCurrent()
            current = LspciDeviceDraft(header: header, firstLine: line.number)
            return true
        }
        if let hexLine = LspciHexDump.parse(line.text) {
            if current == nil { current = LspciDeviceDraft(header: nil, firstLine: line.number) }
            if let note = current?.hexDump.append(hexLine, lineNumber: line.number) {
                issues.append(InventoryIssue(path: "line \(line.number)", message: "line \(line.number): \(note)"))
            }
            return true
        }
        return LspciNoise.isNoise(line.text)
    }

    /// Detail lines before any device line: a fragment cut out of a longer output. It must start
    /// the way lspci detail lines do.
    private mutating func startFragment(_ line: LspciLine) throws(LspciParseError) {
        let text = line.text
        guard text.hasASCIIPrefix(LspciCapabilityLine.prefix) || (line.indent > 0 && LspciFields.isKeyShaped(text)) else {
            throw LspciParseError(line: line.number, message: "expected lspci output: a device line such as '00:00.0 Host bridge: Intel Corporation ...' (lspci -vv), found: \(Self.excerpt(text))")
        }
        current = LspciDeviceDraft(header: nil, firstLine: line.number)
    }

    private mutating func finishCurrent() {
        guard let draft = current else { return }
        drafts.append(draft)
        issues.append(contentsOf: draft.notes)
        current = nil
    }

    /// Ends reading; throws when nothing was found to build a function from.
    mutating func finish() throws(LspciParseError) -> [LspciDeviceDraft] {
        finishCurrent()
        if let empty = drafts.first(where: { !$0.hasContent }) {
            throw LspciParseError(line: empty.firstLine, message: "expected a device line ('BB:DD.F class: vendor device') or a 'Capabilities:' line before these detail lines")
        }
        guard !drafts.isEmpty else {
            let line = firstTextLine ?? 1
            let message = firstTextLine == nil
                ? "the input is empty: expected the output of `lspci -vv` (device lines such as '00:00.0 Host bridge: ...')"
                : "no PCI device found: expected the output of `lspci -vv` (device lines such as '00:00.0 Host bridge: ...'), found only messages"
            throw LspciParseError(line: line, message: message)
        }
        return drafts
    }

    static func excerpt(_ text: Substring) -> String {
        let cut = text.prefix(60)
        return "'" + cut + (cut.count < text.count ? "...'" : "'")
    }
}

/// Lines people's pastes carry around lspci output that are not lspci output.
enum LspciNoise {
    /// lspci/pcilib messages on stderr (`lspci: Unable to load libkmod resources: error -12`,
    /// `pcilib: sysfs_read_vpd: read failed: No such device`), markdown fences, and the shell
    /// prompt line that ran lspci (`$ sudo lspci -vvv`, `root@host:~# lspci -nnk`).
    static func isNoise(_ text: Substring) -> Bool {
        text.hasASCIIPrefix("lspci:") || text.hasASCIIPrefix("pcilib:") || text.hasASCIIPrefix("```") || text.hasASCIIPrefix("~~~")
            || isLspciCommand(text)
    }

    static func isLspciCommand(_ text: Substring) -> Bool {
        guard let range = text.firstRange(of: "lspci") else { return false }
        let after = text[range.upperBound...]
        guard after.isEmpty || after.first == " " else { return false }
        let before = LspciFields.trim(text[text.startIndex..<range.lowerBound])
        if before.hasSuffix("sudo") { return isPrompt(LspciFields.trim(before.dropLast(4))) }
        return isPrompt(before)
    }

    static func isPrompt(_ text: Substring) -> Bool {
        guard let last = text.last else { return true }
        return last == "$" || last == "#" || last == ">" || last == "%"
    }
}
