internal import CLibXML2

/// A compiled XML Schema, parsed once and reused for many documents (a fleet of reports).
///
/// libxml2 documents an `xmlSchemaPtr` as read-only once parsed, so one schema may validate
/// from several threads; each validation gets its own `xmlSchemaValidCtxt`.
public final class XMLSchema: @unchecked Sendable {
    private let schemaDoc: xmlDocPtr
    private let schema: xmlSchemaPtr

    /// Compiles `xsd`; throws `.schemaInvalid` when it is not a usable schema.
    public init(_ xsd: String) throws {
        let doc: xmlDocPtr
        do { doc = try XMLKit.readDocument(xsd) } catch let e as XMLKitError {
            throw XMLKitError.schemaInvalid(e.description)
        }
        guard let parserCtx = xmlSchemaNewDocParserCtxt(doc) else {
            xmlFreeDoc(doc)
            throw XMLKitError.schemaInvalid("cannot create a schema parser")
        }
        defer { xmlSchemaFreeParserCtxt(parserCtx) }
        let collector = ErrorCollector()
        xmlSchemaSetParserStructuredErrors(parserCtx, collectError, Unmanaged.passUnretained(collector).toOpaque())
        guard let parsed = xmlSchemaParse(parserCtx) else {
            xmlFreeDoc(doc)
            throw XMLKitError.schemaInvalid(collector.first?.message ?? "unknown error")
        }
        schemaDoc = doc
        schema = parsed
    }

    deinit {
        xmlSchemaFree(schema)
        xmlFreeDoc(schemaDoc)
    }

    /// Validates a serialised document; throws the first violation with its line.
    public func validate(_ xml: String) throws {
        let doc = try XMLKit.readDocument(xml)
        defer { xmlFreeDoc(doc) }
        try validate(doc)
    }

    /// Reads untrusted XML for a program: refuses input over `limit` bytes before parsing,
    /// parses without network, DTDs or entity substitution (see `XMLKit.readDocument`),
    /// checks the root element's name and namespace, validates against this schema, and only
    /// then converts the tree to values. `shape` bounds elements, attributes and depth with a
    /// linear scan before libxml2 sees the text (`XMLLimits`).
    public func read(_ text: String, limit: Int, shape: XMLLimits? = nil, root expected: String,
                     namespace expectedNamespace: String?) throws -> XMLElement {
        let size = text.utf8.count
        guard size <= limit else { throw XMLKitError.tooLarge(bytes: size, limit: limit) }
        try shape?.check(text)
        let doc = try XMLKit.readDocument(text)
        defer { xmlFreeDoc(doc) }
        guard let rootNode = xmlDocGetRootElement(doc) else {
            throw XMLKitError.malformed(line: 1, message: "the document has no root element")
        }
        let name = rootNode.pointee.name.map { String(cString: $0) } ?? ""
        let namespace = rootNode.pointee.ns?.pointee.href.map { String(cString: $0) }
        guard name == expected, namespace == expectedNamespace else {
            throw XMLKitError.unexpectedRoot(name: name, namespace: namespace, expected: expected, expectedNamespace: expectedNamespace)
        }
        try validate(doc)
        return XMLKit.convert(rootNode)
    }

    private func validate(_ doc: xmlDocPtr) throws {
        guard let validCtx = xmlSchemaNewValidCtxt(schema) else {
            throw XMLKitError.schemaInvalid("cannot create a validation context")
        }
        defer { xmlSchemaFreeValidCtxt(validCtx) }
        let collector = ErrorCollector()
        xmlSchemaSetValidStructuredErrors(validCtx, collectError, Unmanaged.passUnretained(collector).toOpaque())
        let rc = xmlSchemaValidateDoc(validCtx, doc)
        if rc != 0 {
            let first = collector.first
            throw XMLKitError.schemaRejected(line: first?.line ?? 0, message: first?.message ?? "validation failed (\(rc))")
        }
    }
}

extension XMLKit {
    /// Serialises `root` (an `<html>` element) as an HTML5 document with libxml2's HTML
    /// serialiser (`xmlSaveToBuffer` with `XML_SAVE_AS_HTML`): `<!DOCTYPE html>`, void
    /// elements without end tags, `<style>`/`<script>` contents written raw (HTML has no
    /// escaping inside them), everything else escaped by libxml2.
    ///
    /// The caller must keep `</` out of style and script text; this is checked here, since
    /// such text would end the element early.
    public static func serialiseHTML(_ root: XMLElement) throws -> String {
        try checkRawText(root)
        guard let doc = xmlNewDoc("1.0") else { throw XMLKitError.serialisationFailed }
        defer { xmlFreeDoc(doc) }
        // <!DOCTYPE html>: no public or system identifier (HTML Living Standard 13.1.1).
        guard xmlCreateIntSubset(doc, "html", nil, nil) != nil else { throw XMLKitError.serialisationFailed }
        guard let rootNode = build(root, in: doc) else { throw XMLKitError.serialisationFailed }
        xmlDocSetRootElement(doc, rootNode)
        guard let buffer = xmlBufferCreate() else { throw XMLKitError.serialisationFailed }
        defer { xmlBufferFree(buffer) }
        let options = Int32(XML_SAVE_FORMAT.rawValue | XML_SAVE_AS_HTML.rawValue | XML_SAVE_NO_DECL.rawValue)
        guard let ctxt = xmlSaveToBuffer(buffer, "UTF-8", options) else { throw XMLKitError.serialisationFailed }
        let written = xmlSaveDoc(ctxt, doc)
        xmlSaveClose(ctxt)
        guard written >= 0, let content = xmlBufferContent(buffer) else { throw XMLKitError.serialisationFailed }
        let count = Int(xmlBufferLength(buffer))
        return content.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    private static func checkRawText(_ element: XMLElement) throws {
        let name = element.name.lowercased()
        if name == "script" || name == "style", element.text.contains("</") {
            throw XMLKitError.serialisationFailed
        }
        for child in element.elements() { try checkRawText(child) }
    }
}
