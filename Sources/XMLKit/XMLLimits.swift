/// Bounds on the shape of untrusted XML, checked by a byte scan before libxml2 builds anything.
///
/// Why a scan of our own and not libxml2's reader or SAX: libxml2 itself is what is slow on
/// hostile shapes (400,000 `xmlns:` declarations on one start tag make its duplicate-prefix
/// check quadratic: over 60 s for 9 MB), and a tree of 16 MiB of `<a/>` costs it over 1 GB
/// before any callback could stop it. The scan is linear, keeps no state beyond counters and
/// stops at the first limit crossed, so a hostile file is refused in milliseconds.
///
/// The scan is lexical (tags, quoted attribute values, comments, CDATA, processing
/// instructions); it never accepts a document, it only refuses early. A file it passes is then
/// parsed and validated by libxml2 as before.
public struct XMLLimits: Sendable, Equatable {
    /// Elements in the document.
    public var elements: Int
    /// Attributes in the document, namespace declarations included.
    public var attributes: Int
    /// Attributes (and namespace declarations) on one element.
    public var attributesPerElement: Int
    /// Nesting depth of elements.
    public var depth: Int

    public init(elements: Int, attributes: Int, attributesPerElement: Int, depth: Int) {
        self.elements = elements
        self.attributes = attributes
        self.attributesPerElement = attributesPerElement
        self.depth = depth
    }

    /// Refuses `bytes` with `.limitExceeded` at the first limit crossed.
    public func check(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        let n = bytes.count
        var i = 0
        var line = 1
        var depth = 0
        var elements = 0
        var attributes = 0

        func fail(_ what: String, _ limit: Int) throws -> Never {
            throw XMLKitError.limitExceeded(what: what, limit: limit, line: line)
        }
        /// Moves `i` past the first occurrence of `end` at or after `i`, counting lines.
        func skip(past end: [UInt8]) {
            while i < n {
                if bytes[i] == 0x0a { line += 1 }
                if bytes[i] == end[0], i + end.count <= n {
                    var match = true
                    for k in 1..<end.count where bytes[i + k] != end[k] { match = false; break }
                    if match { i += end.count; return }
                }
                i += 1
            }
        }
        func startsWith(_ s: [UInt8]) -> Bool {
            guard i + s.count <= n else { return false }
            for k in 0..<s.count where bytes[i + k] != s[k] { return false }
            return true
        }

        while i < n {
            let b = bytes[i]
            if b == 0x0a { line += 1; i += 1; continue }
            guard b == 0x3c else { i += 1; continue }  // '<'
            guard i + 1 < n else { break }
            switch bytes[i + 1] {
            case 0x2f:  // "</": an end tag
                depth -= 1
                skip(past: [0x3e])
            case 0x3f:  // "<?"
                skip(past: [0x3f, 0x3e])
            case 0x21:  // "<!"
                if startsWith(Array("<!--".utf8)) { skip(past: Array("-->".utf8)) }
                else if startsWith(Array("<![CDATA[".utf8)) { skip(past: Array("]]>".utf8)) }
                else { skip(past: [0x3e]) }
            default:  // a start tag
                elements += 1
                if elements > self.elements { try fail("elements", self.elements) }
                i += 1
                var quote: UInt8 = 0
                var onThis = 0
                var last: UInt8 = 0
                while i < n {
                    let c = bytes[i]
                    if c == 0x0a { line += 1 }
                    if quote != 0 {
                        if c == quote { quote = 0 }
                    } else if c == 0x22 || c == 0x27 {
                        quote = c
                    } else if c == 0x3d {  // '=' outside a value: one attribute
                        onThis += 1
                        attributes += 1
                        if onThis > attributesPerElement { try fail("attributes and namespace declarations on one element", attributesPerElement) }
                        if attributes > self.attributes { try fail("attributes and namespace declarations", self.attributes) }
                    } else if c == 0x3e {
                        break
                    }
                    if c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d { last = c }
                    i += 1
                }
                i += 1
                if last != 0x2f {  // not "<a/>"
                    depth += 1
                    if depth > self.depth { try fail("levels of nested elements", self.depth) }
                }
            }
        }
    }

    public func check(_ text: String) throws {
        var text = text
        try text.withUTF8 { try check($0) }
    }
}
