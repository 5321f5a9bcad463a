/// A `Capabilities: ...` line: `[40] Power Management version 3` (standard),
/// `[160 v1] Single Root I/O Virtualization (SR-IOV)` (extended at -vv), `[160] ...` (extended
/// at -v or in 2008-era pciutils), `<access denied>` (not root), `[100 v1] <chain looped>`.
enum LspciCapabilityLine {
    case entry(Capability, name: Substring)
    case accessDenied
    case chainLooped
    case chainBroken
    case malformed

    static let prefix = "Capabilities:"

    static func parse(_ text: Substring) -> LspciCapabilityLine {
        let rest = LspciFields.trim(text.dropFirst(prefix.count))
        if rest.hasASCIIPrefix("<access denied>") || rest.hasASCIIPrefix("<available only to root>") { return .accessDenied }
        guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return .malformed }
        let inside = rest[rest.index(after: rest.startIndex)..<close]
        let name = LspciFields.trim(rest[rest.index(after: close)...])
        let parts = inside.split(separator: " ", omittingEmptySubsequences: true)
        guard let offsetText = parts.first, parts.count <= 2,
              let offset = LspciFields.hex(offsetText, maxDigits: 3, as: UInt16.self) else { return .malformed }
        var version: UInt8?
        if parts.count == 2 {
            guard parts[1].hasASCIIPrefix("v"), let v = LspciFields.decimal(parts[1].dropFirst(), as: UInt8.self) else { return .malformed }
            version = v
        }
        if name.hasASCIIPrefix("<chain looped>") { return .chainLooped }
        if name.hasASCIIPrefix("<chain broken>") { return .chainBroken }
        // lspci prints standard capabilities below 0x100 and extended ones from 0x100 on.
        let space: Capability.Space = offset >= UInt16(PCIRegister.extendedStart) ? .extended : .standard
        let id = LspciCapabilityNames.id(for: name, space: space) ?? LspciCapabilityNames.unrecognized
        return .entry(Capability(space: space, id: id, offset: offset, version: space == .extended ? version : nil), name: name)
    }
}
