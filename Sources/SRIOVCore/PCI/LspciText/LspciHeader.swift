/// What the device line of one function says (`lspci`'s `show_terse`):
/// `[DDDD:]BB:DD.F class: vendor device (rev RR) (prog-if PP [name])`, with `-n` as
/// `BB:DD.F CCCC: VVVV:DDDD`, with `-nn` as `... class [CCCC]: vendor device [VVVV:DDDD]`, and
/// in 2008-era pciutils as `Class CCCC: Device VVVV:DDDD` when no names were known.
struct LspciHeader {
    var address: PCIAddress
    /// Base class and subclass (`0200`); the programming interface is `progIf`.
    var classID: UInt16?
    var className: String?
    var progIf: UInt8?
    var revision: UInt8?
    var names = LspciIDText()
}

/// Vendor/device IDs and names from `vendor device [VVVV:DDDD]`-style text (device lines and
/// `Subsystem:` lines).
struct LspciIDText: Equatable {
    var vendorID: UInt16?
    var deviceID: UInt16?
    var vendorName: String?
    /// The name as printed when it cannot be split into vendor and device (pci.ids has the
    /// split, lspci's output does not).
    var label: String?
}

extension LspciHeader {
    /// The address at the start of a device line, or nil when the line does not start with one.
    /// lspci prints `BB:DD.F` or, with -D or a non-zero domain, `DDDD:BB:DD.F`.
    static func address(at text: Substring) -> (PCIAddress, Substring)? {
        let token = text.prefix { $0 != " " && $0 != "\t" }
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.dropLast().last?.utf8.count == 2, parts.last?.utf8.count == 4,
              parts.count == 2 || (4...8).contains(parts[0].utf8.count),
              let address = PCIAddress(token) else { return nil }
        return (address, text.dropFirst(token.count))
    }

    /// Parses a device line. Nil when the line does not start with an address; throws when it
    /// does but is `lspci -m` output, which has another syntax.
    static func parse(_ line: LspciLine) throws(LspciParseError) -> LspciHeader? {
        guard let (address, rest) = address(at: line.text) else { return nil }
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var header = LspciHeader(address: address)
        var body = LspciFields.trim(rest)
        if body.first == "\"" {
            throw LspciParseError(line: line.number, text: LocalizedText(
                en: "this is `lspci -m` (machine-readable) output, which is not supported; save the output of `lspci -vv` (or -vvv, -nn, -k, -xxxx) instead",
                es: "esto es salida de `lspci -m` (para máquinas), que no se admite; guarde en su lugar la salida de `lspci -vv` (o -vvv, -nn, -k, -xxxx)"))
        }
        header.progIf = takeProgIf(&body)
        header.revision = takeRevision(&body)
        // Every device line has `class: ` (`0200: ` with -n); an address followed by other
        // text is another tool's output (`dpdk-devbind --status`, `ls /sys/bus/pci/devices`).
        guard let colon = body.firstRange(of: ": ") ?? (body.hasSuffix(":") ? body.lastRange(of: ":") : nil) else { return nil }
        parseClass(LspciFields.trim(body[body.startIndex..<colon.lowerBound]), into: &header)
        header.names = parseIDText(LspciFields.trim(body[colon.upperBound...]))
        return header
    }

    /// ` (prog-if 02 [NVM Express])` or ` (prog-if 01)` at the end of the line.
    static func takeProgIf(_ body: inout Substring) -> UInt8? {
        guard body.hasSuffix(")"), let open = body.lastRange(of: " (prog-if ") else { return nil }
        let inner = body[open.upperBound...].dropLast()
        let digits = inner.prefix { $0 != " " }
        guard let value = LspciFields.hex(digits, maxDigits: 2, as: UInt8.self) else { return nil }
        body = body[body.startIndex..<open.lowerBound]
        return value
    }

    /// ` (rev 01)` at the end of what is left.
    static func takeRevision(_ body: inout Substring) -> UInt8? {
        guard body.hasSuffix(")"), let open = body.lastRange(of: " (rev "),
              let value = LspciFields.hex(body[open.upperBound...].dropLast(), maxDigits: 2, as: UInt8.self) else { return nil }
        body = body[body.startIndex..<open.lowerBound]
        return value
    }

    /// `0200` (-n), `Class 0200` (2008), `Ethernet controller [0200]` (-nn, or a class pci.ids
    /// does not name), `Ethernet controller`.
    static func parseClass(_ text: Substring, into header: inout LspciHeader) {
        if let id = LspciFields.hex(text, maxDigits: 4, as: UInt16.self), text.utf8.count == 4 {
            header.classID = id
        } else if text.hasPrefix("Class "), let id = LspciFields.hex(text.dropFirst(6), maxDigits: 4, as: UInt16.self) {
            header.classID = id
        } else if let (name, id) = bracketedSuffix(text), id.utf8.count == 4, let value = LspciFields.hex(id, as: UInt16.self) {
            header.classID = value
            header.className = name.isEmpty ? nil : String(name)
        } else if !text.isEmpty {
            header.className = String(text)
        }
    }

    /// `8086:10c9` (-n), `Device 8086:10c9` (2008), `Intel Corporation I350 ... [8086:1520]`
    /// (-nn), `Freescale Semiconductor Inc Device e100` (no name in pci.ids), or a name only.
    static func parseIDText(_ text: Substring) -> LspciIDText {
        var result = LspciIDText()
        var rest = text
        if let (vendor, device) = idPair(text) ?? (text.hasPrefix("Device ") ? idPair(text.dropFirst(7)) : nil) {
            return LspciIDText(vendorID: vendor, deviceID: device)
        }
        if let (name, ids) = bracketedSuffix(text), let (vendor, device) = idPair(ids) {
            result.vendorID = vendor
            result.deviceID = device
            rest = name
        }
        splitUnknownDevice(rest, into: &result)
        return result
    }

    /// pciutils prints `<vendor> Device <id>` when pci.ids knows the vendor but not the device.
    static func splitUnknownDevice(_ text: Substring, into result: inout LspciIDText) {
        // `Device [1d0f:efa1]`: pci.ids knows neither vendor nor device.
        guard !text.isEmpty, text != "Device" else { return }
        if let range = text.lastRange(of: " Device "),
           let id = LspciFields.hex(text[range.upperBound...], maxDigits: 4, as: UInt16.self),
           text[range.upperBound...].utf8.count == 4 {
            result.vendorName = String(text[text.startIndex..<range.lowerBound])
            if result.deviceID == nil { result.deviceID = id }
        } else if text.hasSuffix(" Device"), result.deviceID != nil {
            result.vendorName = String(text.dropLast(7))
        } else {
            result.label = String(text)
        }
    }

    /// `VVVV:DDDD` exactly.
    static func idPair(_ text: Substring) -> (UInt16, UInt16)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 4, parts[1].utf8.count == 4,
              let a = LspciFields.hex(parts[0], as: UInt16.self), let b = LspciFields.hex(parts[1], as: UInt16.self) else { return nil }
        return (a, b)
    }

    /// `name [inner]` -> (name, inner).
    static func bracketedSuffix(_ text: Substring) -> (Substring, Substring)? {
        guard text.hasSuffix("]"), let open = text.lastIndex(of: "[") else { return nil }
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
        return (LspciFields.trim(text[text.startIndex..<open]), inner)
    }
}
