/// A PCI function address, `DDDD:BB:DD.F` (domain, bus, device 0-31, function 0-7).
public struct PCIAddress: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var domain: UInt32
    public var bus: UInt8
    public var device: UInt8
    public var function: UInt8

    public init(domain: UInt32 = 0, bus: UInt8, device: UInt8, function: UInt8) {
        self.domain = domain
        self.bus = bus
        self.device = device & 0x1f
        self.function = function & 0x07
    }

    /// Parses `DDDD:BB:DD.F` or `BB:DD.F` (hex, case-insensitive). Returns nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let domainText: Substring, busText: Substring, devfnText: Substring
        switch parts.count {
        case 2: domainText = "0"; busText = Substring(parts[0]); devfnText = Substring(parts[1])
        case 3: domainText = Substring(parts[0]); busText = Substring(parts[1]); devfnText = Substring(parts[2])
        default: return nil
        }
        let devfn = devfnText.split(separator: ".", omittingEmptySubsequences: false)
        guard devfn.count == 2,
              (1...8).contains(domainText.count), (1...2).contains(busText.count),
              (1...2).contains(devfn[0].count), devfn[1].count == 1,
              let d = UInt32(domainText, radix: 16), let b = UInt8(busText, radix: 16),
              let dev = UInt8(devfn[0], radix: 16), dev < 32,
              let fn = UInt8(devfn[1], radix: 16), fn < 8
        else { return nil }
        self.init(domain: d, bus: b, device: dev, function: fn)
    }

    /// Bus number and device/function as one 16-bit routing ID (PCIe "Requester ID").
    public var routingID: UInt16 { UInt16(bus) << 8 | UInt16(device) << 3 | UInt16(function) }

    public init(domain: UInt32, routingID: UInt16) {
        self.init(domain: domain, bus: UInt8(routingID >> 8), device: UInt8((routingID >> 3) & 0x1f),
                  function: UInt8(routingID & 0x7))
    }

    public var description: String {
        hex(domain, 4) + ":" + hex(bus, 2) + ":" + hex(device, 2) + "." + String(function)
    }

    /// `BB:DD.F`, as lspci prints it without -D.
    public var shortDescription: String { hex(bus, 2) + ":" + hex(device, 2) + "." + String(function) }

    public static func < (a: PCIAddress, b: PCIAddress) -> Bool {
        (a.domain, a.bus, a.device, a.function) < (b.domain, b.bus, b.device, b.function)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let a = PCIAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a PCI address: \(text)"))
        }
        self = a
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Lower-case, zero-padded hexadecimal.
public func hex<T: BinaryInteger>(_ value: T, _ width: Int) -> String {
    let s = String(value, radix: 16)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
