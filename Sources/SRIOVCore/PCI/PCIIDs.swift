import HostAccess

/// Names from the pci.ids database (Debian package `pci.ids`, `/usr/share/misc/pci.ids`),
/// the same file lspci reads. A missing file gives IDs without names, never an error.
public struct PCIIDs: Sendable {
    /// Where Debian, Fedora/hwdata and older systems keep the database.
    public static let defaultPaths = ["/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"]
    public static let sizeLimit = 16 << 20

    let bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Loads the first database found; `machine` is the machine the tool runs on (pci.ids
    /// belongs to the tool, not to the inspected snapshot).
    public static func load(from machine: Machine, path: String? = nil) -> PCIIDs? {
        for candidate in path.map({ [$0] }) ?? defaultPaths {
            if let bytes = try? machine.read(candidate, limit: sizeLimit) { return PCIIDs(bytes: bytes) }
        }
        return nil
    }

    public struct Key: Hashable { var a: UInt16; var b: UInt16 }

    /// Fills vendorName/deviceName/className where still nil, in one pass over the file that
    /// only remembers the IDs asked for (fast on hosts with thousands of functions).
    public func resolveNames(_ functions: inout [PCIFunction]) {
        var vendors = Set<UInt16>(), devices = Set<Key>(), classes = Set<Key>()
        for f in functions {
            if let v = f.vendorID {
                vendors.insert(v)
                if let d = f.deviceID { devices.insert(Key(a: v, b: d)) }
            }
            if let c = f.classCode { classes.insert(Key(a: UInt16(c >> 16), b: UInt16((c >> 8) & 0xff))) }
        }
        let names = lookup(vendors: vendors, devices: devices, classes: classes)
        for i in functions.indices {
            let f = functions[i]
            if f.vendorName == nil, let v = f.vendorID { functions[i].vendorName = names.vendors[v] }
            if f.deviceName == nil, let v = f.vendorID, let d = f.deviceID {
                functions[i].deviceName = names.devices[Key(a: v, b: d)]
            }
            if f.className == nil, let c = f.classCode {
                let key = Key(a: UInt16(c >> 16), b: UInt16((c >> 8) & 0xff))
                functions[i].className = names.subclasses[key] ?? names.classes[key.a]
            }
        }
    }

    public struct Names {
        public var vendors: [UInt16: String] = [:]
        public var devices: [Key: String] = [:]
        public var classes: [UInt16: String] = [:]
        public var subclasses: [Key: String] = [:]
    }

    public func lookup(vendors: Set<UInt16>, devices: Set<Key>, classes: Set<Key>) -> Names {
        var names = Names()
        let classBases = Set(classes.map(\.a))
        var currentVendor: UInt16?
        var currentClass: UInt16?
        var inClassSection = false
        var lineStart = 0
        let n = bytes.count
        bytes.withUnsafeBufferPointer { buf in
            while lineStart < n {
                let lineEnd = PCIIDs.newline(buf, from: lineStart)
                defer { lineStart = lineEnd + 1 }
                guard lineEnd > lineStart else { continue }
                let first = buf[lineStart]
                if first == UInt8(ascii: "#") { continue }
                if first == UInt8(ascii: "\t") {
                    let second = lineStart + 1 < lineEnd ? buf[lineStart + 1] : 0
                    if second == UInt8(ascii: "\t") { continue }  // subsystem / prog-if lines
                    if inClassSection {
                        guard let c = currentClass, let sub = PCIIDs.hexValue(buf, lineStart + 1, 2, lineEnd) else { continue }
                        let key = Key(a: c, b: sub)
                        if classes.contains(key) { names.subclasses[key] = PCIIDs.name(buf, lineStart + 3, lineEnd) }
                    } else {
                        guard let v = currentVendor, let d = PCIIDs.hexValue(buf, lineStart + 1, 4, lineEnd) else { continue }
                        let key = Key(a: v, b: d)
                        if devices.contains(key) { names.devices[key] = PCIIDs.name(buf, lineStart + 5, lineEnd) }
                    }
                    continue
                }
                if first == UInt8(ascii: "C"), lineStart + 1 < lineEnd, buf[lineStart + 1] == UInt8(ascii: " ") {
                    inClassSection = true
                    currentVendor = nil
                    if let c = PCIIDs.hexValue(buf, lineStart + 2, 2, lineEnd), classBases.contains(c) {
                        currentClass = c
                        names.classes[c] = PCIIDs.name(buf, lineStart + 4, lineEnd)
                    } else {
                        currentClass = nil
                    }
                    continue
                }
                if let v = PCIIDs.hexValue(buf, lineStart, 4, lineEnd), !inClassSection {
                    if vendors.contains(v) {
                        currentVendor = v
                        names.vendors[v] = PCIIDs.name(buf, lineStart + 4, lineEnd)
                    } else {
                        currentVendor = nil
                    }
                } else {
                    // Another section (device types "D", languages "L", ...): ignore its lines.
                    if first != UInt8(ascii: "C") { inClassSection = true; currentClass = nil; currentVendor = nil }
                }
            }
        }
        return names
    }

    /// The index of the first LF at or after `start`, or `buf.count`. Eight bytes at a time
    /// (the zero-byte test of "Bit Twiddling Hacks" on the word XOR 0x0a0a...): finding line
    /// ends byte by byte was 17% of `devices` on the sample host, which reads 1.3 MB of
    /// pci.ids for a dozen names (issue 15).
    static func newline(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = buf.count
        var i = start
        if let base = buf.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080, lfs: UInt64 = 0x0a0a_0a0a_0a0a_0a0a
            while i + 8 <= n {
                let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ lfs
                let found = (x &- ones) & ~x & highs
                // The lowest flagged byte is always a real zero byte (false flags only sit above one).
                if found != 0 { return i + found.trailingZeroBitCount / 8 }
                i += 8
            }
        }
        while i < n && buf[i] != 0x0a { i += 1 }
        return i
    }

    static func hexValue(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ width: Int, _ end: Int) -> UInt16? {
        guard start + width <= end else { return nil }
        var value: UInt16 = 0
        for i in start..<(start + width) {
            let c = buf[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        // The ID must be followed by whitespace.
        if start + width < end {
            let next = buf[start + width]
            if next != UInt8(ascii: " ") && next != UInt8(ascii: "\t") { return nil }
        }
        return value
    }

    static func name(_ buf: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String? {
        var s = start
        var e = end
        while s < e, buf[s] == UInt8(ascii: " ") || buf[s] == UInt8(ascii: "\t") { s += 1 }
        while e > s, buf[e - 1] == UInt8(ascii: " ") || buf[e - 1] == UInt8(ascii: "\r") { e -= 1 }
        guard e > s else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[s..<e]), as: UTF8.self)
    }
}
