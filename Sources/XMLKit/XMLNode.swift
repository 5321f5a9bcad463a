/// A small, value-typed XML tree. Documents are built from these values and handed to
/// libxml2 for escaping and serialisation; nothing is concatenated by hand.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var attributes: [(name: String, value: String)]
    public var children: [XMLNode]

    public init(_ name: String, attributes: [(String, String)] = [], children: [XMLNode] = []) {
        self.name = name
        self.attributes = attributes.map { (name: $0.0, value: $0.1) }
        self.children = children
    }

    /// Convenience: an element holding only text.
    public init(_ name: String, text: String, attributes: [(String, String)] = []) {
        self.init(name, attributes: attributes, children: [.text(text)])
    }

    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        lhs.name == rhs.name && lhs.children == rhs.children
            && lhs.attributes.map(\.name) == rhs.attributes.map(\.name)
            && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }

    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// Child elements, optionally only those with a given name.
    public func elements(_ name: String? = nil) -> [XMLElement] {
        children.compactMap {
            if case .element(let e) = $0, name == nil || e.name == name { return e }
            return nil
        }
    }

    /// The concatenated text of this element and its descendants.
    public var text: String {
        children.map {
            switch $0 {
            case .text(let t): return t
            case .element(let e): return e.text
            }
        }.joined()
    }
}

public enum XMLNode: Sendable, Equatable {
    case element(XMLElement)
    case text(String)
}
