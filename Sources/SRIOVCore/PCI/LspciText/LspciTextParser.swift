/// Reads saved `lspci` output, as people paste it into tickets, into the same model as the
/// sysfs inventory (source "lspci").
///
/// Accepted: `lspci -v`/`-vv`/`-vvv` with or without `-n`/`-nn`/`-D`/`-k`, `-k`/`-nnk` without
/// `-v`, and `-x`/`-xxx`/`-xxxx` hex dumps (alone or after the text of each function); pciutils
/// wordings from 2008 on; CRLF, tabs or spaces, NBSP, terminal padding, stderr lines, shell
/// prompt lines and markdown fences; and pastes from mail and forums: indentation stripped,
/// `>` quoting at any depth, `format=flowed` and hard-wrapped lines, `...` elisions, Markdown
/// list indentation, shell transcripts with other commands' output around lspci's. Lines
/// pasted without a device line become an `UnaddressedFunction`. Lines that are not lspci
/// output are skipped with a note; input with no lspci output at all is refused with the
/// line number of its first line.
///
/// Where a function has both text and a hex dump, the text wins and the dump fills gaps
/// (source "lspci-hex" for values that came from the dump only).
public enum LspciTextParser {
    public static let source = "lspci"
    static let textSource = "lspci"
    static let hexSource = "lspci-hex"

    /// Parses `lspci -v/-vv/-vvv` output with or without -n/-nn/-D/-k, and -x/-xxx/-xxxx hex dumps.
    /// `names` (pci.ids) fills vendor, device and class names where the output has IDs only.
    public static func parse(_ text: String, names: PCIIDs? = nil) throws(LspciParseError) -> Inventory {
        var reader = LspciDocumentReader()
        for line in LspciLines.split(text) { try reader.consume(line) }
        let drafts = try reader.finish()
        var assembly = LspciAssembly(context: LspciFunctionBuilder.Context(extendedSpaceSeen: drafts.contains { $0.hasExtendedCapability }),
                                     issues: reader.issues)
        for draft in drafts { assembly.add(draft) }
        return assembly.inventory(names: names)
    }

    /// pci.ids names come first where the output has IDs: they split vendor from device, which
    /// the printed text cannot; the printed text stays where pci.ids has nothing.
    static func resolveNames(_ functions: inout [PCIFunction], names: PCIIDs?) {
        guard let names else { return }
        var resolved = functions
        for i in resolved.indices where resolved[i].vendorID != nil {
            resolved[i].vendorName = nil
            resolved[i].deviceName = nil
            if resolved[i].classCode != nil { resolved[i].className = nil }
        }
        names.resolveNames(&resolved)
        for i in functions.indices {
            let printed = functions[i], found = resolved[i]
            let vendor = found.vendorName ?? printed.vendorName
            var device = found.deviceName ?? printed.deviceName
            // A printed "vendor device" label loses the vendor part once the vendor is known.
            if found.deviceName == nil, let vendor, let label = device, label.hasPrefix(vendor + " ") {
                device = String(label.dropFirst(vendor.count + 1))
            }
            functions[i].vendorName = vendor
            functions[i].deviceName = device
            functions[i].className = found.className ?? printed.className
        }
    }

    /// Issues kept, at most: a damaged paste must not bury the output in warnings.
    static let issueLimit = 50

    static func capped(_ issues: [InventoryIssue]) -> [InventoryIssue] {
        guard issues.count > issueLimit else { return issues }
        return Array(issues.prefix(issueLimit)) + [InventoryIssue(path: "", message: "\(issues.count - issueLimit) more warnings like these not shown")]
    }

    /// `TotalVFs 64, NumVFs 0, VF device ID 10ed`, with `?` for what the lines did not say.
    public static func sriovFigures(_ sriov: SRIOVState) -> String {
        "TotalVFs " + (sriov.totalVFs.map(String.init) ?? "?") + ", NumVFs " + (sriov.numVFs.map(String.init) ?? "?")
            + ", VF device ID " + (sriov.vfDeviceID.map { hex($0, 4) } ?? "?")
    }

    static func fragmentNote(_ fragment: UnaddressedFunction) -> InventoryIssue {
        var what = "no SR-IOV capability among them"
        if let sriov = fragment.sriov { what = "SR-IOV capability, " + sriovFigures(sriov) }
        let line = fragment.firstLine
        return InventoryIssue(path: "line \(line)", message: "line \(line): these lines have no device line ('BB:DD.F class: vendor device') above them, so the function's address is unknown; kept apart (\(what))")
    }
}
