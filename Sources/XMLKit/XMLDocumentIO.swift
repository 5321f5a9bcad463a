internal import CLibXML2

/// Errors from the libxml2 layer; each carries libxml2's own message where there is one.
public enum XMLKitError: Error, Equatable, CustomStringConvertible {
    case serialisationFailed
    case malformed(line: Int, message: String)
    case schemaInvalid(String)
    case schemaRejected(line: Int, message: String)
    /// The input is larger than the caller's limit; it was not parsed.
    case tooLarge(bytes: Int, limit: Int)
    /// The root element is not the one expected (name and namespace).
    case unexpectedRoot(name: String, namespace: String?, expected: String, expectedNamespace: String?)
    /// The input has more elements, attributes or depth than `XMLLimits` allows; it was not parsed.
    case limitExceeded(what: String, limit: Int, line: Int)

    public var description: String {
        switch self {
        case .serialisationFailed: return "libxml2 could not serialise the document"
        case .malformed(let line, let message): return "not well-formed XML (line \(line)): \(message)"
        case .schemaInvalid(let m): return "the XML schema itself is invalid: \(m)"
        case .schemaRejected(let line, let message): return "does not match the schema (line \(line)): \(message)"
        case .tooLarge(let bytes, let limit): return "\(bytes) bytes, more than the limit of \(limit) bytes"
        case .limitExceeded(let what, let limit, let line):
            return "more than \(limit) \(what) (the limit was crossed at line \(line)); not parsed"
        case .unexpectedRoot(let name, let namespace, let expected, let expectedNamespace):
            return "the root element is <\(name)>" + (namespace.map { " in namespace \($0)" } ?? " without a namespace")
                + ", expected <\(expected)>" + (expectedNamespace.map { " in namespace \($0)" } ?? "")
        }
    }
}

public enum XMLKit {
    /// The libxml2 version this binary was built against, e.g. "2.9.14".
    public static var libxmlVersion: String { String(cString: cxml_version()) }

    /// Serialises `root` as a UTF-8 XML document, indented, with an XML declaration.
    /// `namespace` becomes the default namespace of the root element.
    public static func serialise(_ root: XMLElement, namespace: String? = nil) throws -> String {
        guard let doc = xmlNewDoc("1.0") else { throw XMLKitError.serialisationFailed }
        defer { xmlFreeDoc(doc) }
        guard let rootNode = build(root, in: doc) else { throw XMLKitError.serialisationFailed }
        xmlDocSetRootElement(doc, rootNode)
        if let namespace {
            let ns = xmlNewNs(rootNode, namespace, nil)
            setNamespace(ns, on: rootNode)
        }
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpFormatMemoryEnc(doc, &buffer, &size, "UTF-8", 1)
        guard let buffer else { throw XMLKitError.serialisationFailed }
        defer { cxml_free(buffer) }
        return String(decoding: UnsafeBufferPointer(start: buffer, count: Int(size)), as: UTF8.self)
    }

    /// Parses XML safely: no network, no DTD loading, no entity expansion (XXE-proof), no
    /// unbounded growth beyond libxml2's default limits.
    public static func parse(_ text: String) throws -> XMLElement {
        let doc = try readDocument(text)
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc) else {
            throw XMLKitError.malformed(line: 1, message: "the document has no root element")
        }
        return convert(root)
    }

    /// Validates `xml` against the XML Schema `xsd`; throws the first violation with its line.
    /// (One document: compiles the schema for it. For many, compile an `XMLSchema` once.)
    public static func validate(_ xml: String, schema xsd: String) throws {
        try XMLSchema(xsd).validate(xml)
    }

    // MARK: - private

    static func readDocument(_ text: String) throws -> xmlDocPtr {
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        // No XML_PARSE_NOENT (entities are not substituted) and no XML_PARSE_DTDLOAD.
        let bytes = Array(text.utf8)
        let doc: xmlDocPtr? = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buf.count, 1)) {
                xmlReadMemory($0, Int32(clamping: buf.count), "input.xml", "UTF-8", options)
            }
        }
        guard let doc else {
            if let err = xmlGetLastError() {
                let message = err.pointee.message.map { String(cString: $0) } ?? "parse error"
                let line = Int(err.pointee.line)
                xmlResetLastError()
                throw XMLKitError.malformed(line: line, message: message.trimmingWhitespace())
            }
            throw XMLKitError.malformed(line: 0, message: "parse error")
        }
        // A document that declares entities is refused: reports never need them, and this
        // closes the door on entity-expansion tricks even where libxml2 would not expand.
        if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil {
            xmlFreeDoc(doc)
            throw XMLKitError.malformed(line: 1, message: "DOCTYPE declarations are not accepted")
        }
        return doc
    }

    /// Text with the characters XML 1.0 forbids (2.2 Char: C0 controls other than TAB, LF and
    /// CR; U+FFFE, U+FFFF) written as visible `\xNN` escapes. libxml2 would serialise them as
    /// character references (`&#x1B;`), which no XML 1.0 parser accepts, so a host name with an
    /// ESC in it would make the report unreadable; this way it stays valid and shows the byte.
    static func xmlSafe(_ text: String) -> String {
        func forbidden(_ s: Unicode.Scalar) -> Bool {
            (s.value < 0x20 && s.value != 0x09 && s.value != 0x0a && s.value != 0x0d) || s.value == 0xfffe || s.value == 0xffff
        }
        guard text.unicodeScalars.contains(where: forbidden) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if forbidden(s) {
                let hex = String(s.value, radix: 16)
                out.append(contentsOf: (s.value < 0x100 ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{" + hex + "}").unicodeScalars)
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    static func build(_ element: XMLElement, in doc: xmlDocPtr) -> xmlNodePtr? {
        guard let node = xmlNewDocNode(doc, nil, element.name, nil) else { return nil }
        for attr in element.attributes {
            xmlNewProp(node, attr.name, xmlSafe(attr.value))  // libxml2 escapes the value
        }
        for child in element.children {
            switch child {
            case .element(let e):
                if let c = build(e, in: doc) { xmlAddChild(node, c) }
            case .text(let t):
                // xmlNewDocText stores raw text; serialisation escapes it.
                if let c = xmlNewDocText(doc, xmlSafe(t)) { xmlAddChild(node, c) }
            }
        }
        return node
    }

    static func setNamespace(_ ns: xmlNsPtr?, on node: xmlNodePtr) {
        xmlSetNs(node, ns)
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { setNamespace(ns, on: c) }
            child = c.pointee.next
        }
    }

    static func convert(_ node: xmlNodePtr) -> XMLElement {
        let name = node.pointee.name.map { String(cString: $0) } ?? ""
        var attributes: [(String, String)] = []
        var attr = node.pointee.properties
        while let a = attr {
            let attrName = a.pointee.name.map { String(cString: $0) } ?? ""
            if let value = xmlNodeGetContent(UnsafeMutableRawPointer(a).assumingMemoryBound(to: xmlNode.self)) {
                attributes.append((attrName, String(cString: value)))
                cxml_free(value)
            }
            attr = a.pointee.next
        }
        var children: [XMLNode] = []
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(.element(convert(c)))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content { children.append(.text(String(cString: content))) }
            default:
                break
            }
            child = c.pointee.next
        }
        return XMLElement(name, attributes: attributes, children: children)
    }
}

/// Collects libxml2 structured errors for one operation.
final class ErrorCollector {
    var errors: [(line: Int, message: String)] = []
    var first: (line: Int, message: String)? { errors.first }
}

let collectError: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let collector = Unmanaged<ErrorCollector>.fromOpaque(context).takeUnretainedValue()
    let message = error.pointee.message.map { String(cString: $0) } ?? "error"
    collector.errors.append((Int(error.pointee.line), message.trimmingWhitespace()))
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
