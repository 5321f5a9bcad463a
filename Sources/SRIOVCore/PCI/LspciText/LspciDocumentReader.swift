/// Reads the lines of a saved lspci output into one draft per function. Device lines and hex
/// dump lines sit at the left margin; detail lines are indented, or at the margin in a paste
/// that lost its indentation, where they keep their `Key:` shape. Lines that are not lspci
/// output (prose, other commands of a shell transcript, mail signatures) are skipped with a
/// note; only input with no lspci output at all is refused, at its first line that is not.
struct LspciDocumentReader {
    private(set) var drafts: [LspciDeviceDraft] = []
    private(set) var issues: [InventoryIssue] = []
    private var current: LspciDeviceDraft?
    private var firstTextLine: Int?
    /// The last line, held until the next one shows whether it continues it (a mail client
    /// wrapped it).
    private var held: LspciLine?
    /// Why the first line that is not lspci output was refused: the error when nothing is.
    private var firstRefusal: LspciParseError?
    /// A `virtfn` link listing seen: the error then says what it is.
    private var virtfnRefusal: LspciParseError?
    /// The run of skipped lines not reported yet, and the command whose output they are.
    private var skipped: (first: Int, last: Int, command: Substring?)?
    /// The command of the last shell prompt line that was not lspci.
    private var otherCommand: Substring?

    /// Lines this long or longer may have been wrapped by a mail client (72 to 78 columns,
    /// broken at the last blank before the limit; a long word after the break leaves less).
    static let wrapWidth = 40

    /// The last line was blank.
    private var blank = false
    /// The last line read was skipped: what follows is not taken for loose detail lines.
    private var interrupted = false

    mutating func consume(_ line: LspciLine) throws(LspciParseError) {
        if let previous = held {
            if Self.continues(line, previous) {
                held = Self.joined(previous, line)
                return
            }
            held = nil
            try read(previous)
        }
        if line.isBlank {
            blank = true
        } else {
            held = line
            held?.afterBlank = blank
            blank = false
        }
    }

    /// Whether `next` is the rest of `previous`, wrapped: it starts at the margin (or one
    /// blank in, as some clients indent wrapped text), `previous` was long or ended in a
    /// blank (`format=flowed`), and `next` does not start anything lspci prints at the margin.
    static func continues(_ next: LspciLine, _ previous: LspciLine) -> Bool {
        guard !next.isBlank, next.indent <= 1, previous.endsWithBlank || previous.width >= wrapWidth,
              LspciHexDump.parse(previous.text) == nil, !LspciNoise.isNoise(previous.text),
              LspciNoise.promptCommand(previous.text) == nil, !LspciNoise.isElision(previous.text) else { return false }
        return !startsALine(next.text) || completesAKey(previous.text, next.text)
    }

    /// `Initial VFs: 7, ..., Function` + `Link: 00`, `IOVCap: Migration-, Interrupt Message` +
    /// `Number: 000`: the wrap cut a `Key: value` list inside a key, so the rest starts with
    /// what looks like a key of its own. lspci's own keys at such a place are register names
    /// (`DevSta:`, `IOVCtl:`), never a plain word.
    static func completesAKey(_ previous: Substring, _ next: Substring) -> Bool {
        let segment = previous.split(separator: ",", omittingEmptySubsequences: false).last ?? previous
        guard !segment.contains(":"), let last = segment.utf8.last, LspciFields.isLetter(last) else { return false }
        let word = next.prefix { $0 != ":" && $0 != " " }
        guard next.dropFirst(word.count).first == ":", let first = word.utf8.first, LspciFields.isLetter(first) else { return false }
        if word.utf8.count <= 3 { return true }
        return (0x41...0x5a).contains(first) && word.utf8.dropFirst().allSatisfy { (0x61...0x7a).contains($0) }
            && !LspciDeviceDraft.topLevelKeys.contains(String(word) + ":")
    }

    /// What lspci or a paste of it starts a line with: a device line, a hex dump line, a
    /// detail key, a capability, a shell prompt, a paste artefact.
    static func startsALine(_ text: Substring) -> Bool {
        LspciHeader.address(at: text) != nil || LspciHexDump.parse(text) != nil || LspciDeviceDraft.isKnownDetail(text)
            || LspciNoise.isNoise(text) || LspciNoise.isElision(text) || LspciNoise.promptCommand(text) != nil
            || LspciNoise.virtfnLink(text) != nil
    }

    static func joined(_ first: LspciLine, _ rest: LspciLine) -> LspciLine {
        var line = first
        line.text = Substring(String(first.text) + " " + String(rest.text))
        line.endsWithBlank = rest.endsWithBlank
        return line
    }

    private mutating func read(_ line: LspciLine) throws(LspciParseError) {
        if firstTextLine == nil { firstTextLine = line.number }
        if LspciNoise.isElision(line.text) {
            current?.elided = true
            return
        }
        if let command = LspciNoise.promptCommand(line.text) {
            // A transcript: what follows is the output of this command.
            finishCurrent()
            otherCommand = LspciNoise.isLspci(command) ? nil : command
            return
        }
        if line.indent < LspciLine.tabStop, try consumeMarginLine(line) { return }
        if current == nil, !Self.startsFragment(line) {
            let found = Self.excerpt(line.text)
            if let (name, target) = LspciNoise.virtfnLink(line.text) {
                noteVirtfnListing(line, name: name, target: target)
            }
            return skip(line, LspciParseError(line: line.number, text: LocalizedText(
                en: "expected lspci output: a device line such as '00:00.0 Host bridge: Intel Corporation ...' (lspci -vv), found: \(found)",
                es: "se esperaba salida de lspci: una línea de dispositivo como '00:00.0 Host bridge: Intel Corporation ...' (lspci -vv); se encontró: \(found)")))
        }
        // At the margin (a paste that lost its indentation) a detail line keeps its shape: a
        // key (`Page Request Capacity: ...`) or the flags that continue a register line. After
        // a blank line (the end of a block) only keys lspci prints go on: `Signed-off-by:`
        // under a pasted output is not one.
        if line.indent == 0, !LspciDeviceDraft.isKnownDetail(line.text),
           current == nil || line.afterBlank || interrupted || !(LspciFields.isKeyShaped(line.text) || LspciFields.isFlagList(line.text)) {
            return skip(line, LspciParseError(line: line.number, text: LocalizedText(
                en: "expected a device line ('BB:DD.F class: vendor device'), an indented detail line or a hex dump line ('00: 86 80 ...'), found: \(Self.excerpt(line.text))",
                es: "se esperaba una línea de dispositivo ('BB:DD.F clase: fabricante dispositivo'), una línea de detalle con sangría o una línea de volcado hexadecimal ('00: 86 80 ...'); se encontró: \(Self.excerpt(line.text))")))
        }
        if current == nil { current = LspciDeviceDraft(header: nil, firstLine: line.number) }
        flushSkipped()
        interrupted = false
        current?.consume(line)
    }

    /// Device lines, hex dump lines and paste artefacts; false for anything else.
    private mutating func consumeMarginLine(_ line: LspciLine) throws(LspciParseError) -> Bool {
        if let header = try LspciHeader.parse(line) {
            finishCurrent()
            flushSkipped()
            otherCommand = nil
            interrupted = false
            current = LspciDeviceDraft(header: header, firstLine: line.number)
            return true
        }
        if let hexLine = LspciHexDump.parse(line.text) {
            flushSkipped()
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
    static func startsFragment(_ line: LspciLine) -> Bool {
        line.text.hasASCIIPrefix(LspciCapabilityLine.prefix) || (line.indent > 0 && LspciFields.isKeyShaped(line.text))
    }

    private mutating func skip(_ line: LspciLine, _ refusal: LspciParseError) {
        interrupted = true
        if firstRefusal == nil { firstRefusal = refusal }
        if let run = skipped, run.command == otherCommand {
            skipped = (run.first, line.number, run.command)
        } else {
            flushSkipped()
            skipped = (line.number, line.number, otherCommand)
        }
    }

    private mutating func flushSkipped() {
        guard let run = skipped else { return }
        skipped = nil
        let lines = run.first == run.last ? "line \(run.first)" : "lines \(run.first)-\(run.last)"
        let what = run.command.map { "the output of `\(LspciFields.trim($0).prefix(60))`" } ?? "not lspci output"
        issues.append(InventoryIssue(path: "line \(run.first)", message: "\(lines): \(what), skipped"))
    }

    private mutating func noteVirtfnListing(_ line: LspciLine, name: Substring, target: Substring) {
        guard virtfnRefusal == nil else { return }
        virtfnRefusal = LspciParseError(line: line.number, text: LocalizedText(
            en: "this is a listing of sysfs virtfn links (`ls -l /sys/bus/pci/devices/<PF> | grep virtfn`: \(name) -> \(target)), not lspci output; the links give VF addresses only, without IDs, drivers or TotalVFs. Run `lspci -vvv -s <PF address>` on the host and paste that, or run `sriov-wizard devices` there",
            es: "esto es un listado de enlaces virtfn de sysfs (`ls -l /sys/bus/pci/devices/<PF> | grep virtfn`: \(name) -> \(target)), no salida de lspci; los enlaces solo dan direcciones de VF, sin ID, drivers ni TotalVFs. Ejecute `lspci -vvv -s <dirección de la PF>` en el host y pegue eso, o ejecute allí `sriov-wizard devices`"))
    }

    private mutating func finishCurrent() {
        guard let draft = current else { return }
        current = nil
        guard draft.hasContent else {
            // Key-shaped lines with nothing to build a function from (`systemctl status`
            // output, `Slot:` lines of `lspci -vmm`): not lspci detail lines after all.
            let refusal = LspciParseError(line: draft.firstLine, text: LocalizedText(
                en: "expected a device line ('BB:DD.F class: vendor device') or a 'Capabilities:' line before these detail lines",
                es: "se esperaba una línea de dispositivo ('BB:DD.F clase: fabricante dispositivo') o una línea 'Capabilities:' antes de estas líneas de detalle"))
            if firstRefusal == nil || firstRefusal!.line > draft.firstLine { firstRefusal = refusal }
            issues.append(InventoryIssue(path: "line \(draft.firstLine)", message: "line \(draft.firstLine): detail lines without a device line or a capability, skipped"))
            return
        }
        drafts.append(draft)
        issues.append(contentsOf: draft.notes)
    }

    /// Ends reading; throws when nothing was found to build a function from.
    mutating func finish() throws(LspciParseError) -> [LspciDeviceDraft] {
        if let line = held {
            held = nil
            try read(line)
        }
        finishCurrent()
        flushSkipped()
        guard !drafts.isEmpty else {
            if let refusal = virtfnRefusal ?? firstRefusal { throw refusal }
            let line = firstTextLine ?? 1
            let text = firstTextLine == nil
                ? LocalizedText(en: "the input is empty: expected the output of `lspci -vv` (device lines such as '00:00.0 Host bridge: ...')",
                                es: "la entrada está vacía: se esperaba la salida de `lspci -vv` (líneas de dispositivo como '00:00.0 Host bridge: ...')")
                : LocalizedText(en: "no PCI device found: expected the output of `lspci -vv` (device lines such as '00:00.0 Host bridge: ...'), found only messages",
                                es: "no se encontró ningún dispositivo PCI: se esperaba la salida de `lspci -vv` (líneas de dispositivo como '00:00.0 Host bridge: ...'); solo hay mensajes")
            throw LspciParseError(line: line, text: text)
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
    /// `pcilib: sysfs_read_vpd: read failed: No such device`), markdown fences, and a line
    /// with just the lspci command (`lspci -vvv`, `sudo lspci -nnk`).
    static func isNoise(_ text: Substring) -> Bool {
        text.hasASCIIPrefix("lspci:") || text.hasASCIIPrefix("pcilib:") || text.hasASCIIPrefix("```") || text.hasASCIIPrefix("~~~")
            || isLspci(text)
    }

    /// A command line that runs lspci: `lspci -vvv`, `sudo lspci -s 00:02.0 -vv | less`.
    static func isLspci(_ command: Substring) -> Bool {
        var rest = LspciFields.trim(command)
        if rest.hasASCIIPrefix("sudo ") { rest = LspciFields.trim(rest.dropFirst(5)) }
        guard rest.hasASCIIPrefix("lspci") else { return false }
        let after = rest.dropFirst(5)
        return after.isEmpty || after.first == " "
    }

    /// The command of a shell prompt line (`$ ls`, `# lspci -vvv`, `root@pve:~# dmesg`,
    /// `user@host:~$ sudo lspci`, `[root@fish devices]# lspci`), or nil.
    static func promptCommand(_ text: Substring) -> Substring? {
        let bytes = text.utf8
        guard let first = bytes.first else { return nil }
        var end: Substring.Index?
        if first == UInt8(ascii: "["), let close = text.firstIndex(of: "]") {
            end = close
        } else {
            let token = text.prefix { $0 != " " && $0 != "\t" }
            guard token.utf8.count <= 64, let last = token.utf8.last else { return nil }
            let marks = "$#%>".utf8
            guard marks.contains(last) else { return nil }
            // `$`, `#` alone, or user@host:dir# — a lone `>` or `word#` is not a prompt.
            if token.utf8.count == 1 { guard last != UInt8(ascii: ">") else { return nil } }
            else { guard token.contains("@") || token.contains(":") else { return nil } }
            end = text.index(before: token.endIndex)
        }
        guard let end else { return nil }
        let afterMark = text[text.index(after: end)...]
        var rest = afterMark
        if first == UInt8(ascii: "[") {
            guard let mark = rest.first, "$#%".contains(mark) else { return nil }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { return nil }
        let command = LspciFields.trim(rest)
        return command.isEmpty ? nil : command
    }

    /// `...`, `…`, `(...)`, `[...]`, `[snip]`, `<snip>`, or dots alone: the author cut lines here.
    static func isElision(_ text: Substring) -> Bool {
        if text.isEmpty { return false }
        if text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") }) { return true }
        return ["…", "(...)", "[...]", "[…]", "<...>", "[snip]", "<snip>", "(snip)", "[snipped]", "<snipped>"].contains(String(text))
    }

    /// `lrwxrwxrwx 1 root root 0 Oct  3 14:23 virtfn0 -> ../0000:51:00.4` (`ls -l` of a PF's
    /// sysfs directory): the link name and its target.
    static func virtfnLink(_ text: Substring) -> (Substring, Substring)? {
        guard text.hasASCIIPrefix("l"), let arrow = text.firstRange(of: " -> ") else { return nil }
        let before = text[text.startIndex..<arrow.lowerBound]
        guard let name = before.split(separator: " ").last, name.hasASCIIPrefix("virtfn") || name == "physfn" else { return nil }
        return (name, LspciFields.trim(text[arrow.upperBound...]))
    }
}
