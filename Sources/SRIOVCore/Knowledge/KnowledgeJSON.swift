/// The knowledge files read through `JSONReader` into the `Codable` types by hand, with what
/// `JSONDecoder` would refuse refused too: a missing required member, `null` for one, a member
/// of the wrong type, an unknown `method`. Members not named here are ignored, as the
/// synthesised decoders ignore them; an optional member may be missing or `null`.
/// `KnowledgeTests` checks that both decoders give equal values and refuse the same files.
public struct KnowledgeDecodingError: Error, Equatable, CustomStringConvertible {
    /// Where in the file, e.g. `drivers[3].windowsDriver.name`.
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

struct KnowledgeObject {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(KnowledgeDecodingError) {
        guard case .object(let list) = value else { throw KnowledgeDecodingError(path: path, message: "expected an object") }
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(list.count)
        // The first of duplicate keys, as JSONDecoder on Linux (swift-foundation) keeps it.
        for (key, value) in list where members[key] == nil { members[key] = value }
        self.members = members
        self.path = path
    }

    func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func required(_ key: String) throws(KnowledgeDecodingError) -> JSONValue {
        guard let v = members[key] else { throw KnowledgeDecodingError(path: at(key), message: "missing") }
        if case .null = v { throw KnowledgeDecodingError(path: at(key), message: "null where a value is required") }
        return v
    }

    func optional(_ key: String) -> JSONValue? {
        guard let v = members[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    static func string(_ v: JSONValue, _ path: String) throws(KnowledgeDecodingError) -> String {
        guard case .string(let s) = v else { throw KnowledgeDecodingError(path: path, message: "expected a string") }
        return s
    }

    static func array(_ v: JSONValue, _ path: String) throws(KnowledgeDecodingError) -> [JSONValue] {
        guard case .array(let a) = v else { throw KnowledgeDecodingError(path: path, message: "expected an array") }
        return a
    }

    static func strings(_ v: JSONValue, _ path: String) throws(KnowledgeDecodingError) -> [String] {
        var out: [String] = []
        for (i, item) in try array(v, path).enumerated() { out.append(try string(item, "\(path)[\(i)]")) }
        return out
    }

    func string(_ key: String) throws(KnowledgeDecodingError) -> String { try Self.string(required(key), at(key)) }
    func optionalString(_ key: String) throws(KnowledgeDecodingError) -> String? {
        guard let v = optional(key) else { return nil }
        return try Self.string(v, at(key))
    }
    func strings(_ key: String) throws(KnowledgeDecodingError) -> [String] { try Self.strings(required(key), at(key)) }
    func array(_ key: String) throws(KnowledgeDecodingError) -> [JSONValue] { try Self.array(required(key), at(key)) }
    func object(_ key: String) throws(KnowledgeDecodingError) -> KnowledgeObject { try KnowledgeObject(required(key), path: at(key)) }
    func optionalObject(_ key: String) throws(KnowledgeDecodingError) -> KnowledgeObject? {
        guard let v = optional(key) else { return nil }
        return try KnowledgeObject(v, path: at(key))
    }
    func bool(_ key: String) throws(KnowledgeDecodingError) -> Bool {
        guard case .bool(let b) = try required(key) else { throw KnowledgeDecodingError(path: at(key), message: "expected true or false") }
        return b
    }
    func optionalInt(_ key: String) throws(KnowledgeDecodingError) -> Int? {
        guard let v = optional(key) else { return nil }
        guard case .int(let n) = v else { throw KnowledgeDecodingError(path: at(key), message: "expected an integer") }
        return n
    }
    func optionalText(_ key: String) throws(KnowledgeDecodingError) -> KnowledgeText? {
        guard let o = try optionalObject(key) else { return nil }
        return KnowledgeText(en: try o.string("en"), es: try o.string("es"))
    }
}

extension Knowledge {
    /// Parses one knowledge file; the file name goes into the error.
    static func root(_ bytes: [UInt8], file: String) throws(KnowledgeDecodingError) -> KnowledgeObject {
        let value: JSONValue
        do { value = try JSONReader.parse(bytes) } catch { throw KnowledgeDecodingError(path: file, message: error.description) }
        return try KnowledgeObject(value, path: "")
    }

    static func biosVendors(_ file: KnowledgeObject) throws(KnowledgeDecodingError) -> [BIOSVendor] {
        var out: [BIOSVendor] = []
        for (i, item) in try file.array("vendors").enumerated() {
            let v = try KnowledgeObject(item, path: "vendors[\(i)]")
            let settingsObject = try v.object("settings")
            var settings: [String: BIOSSetting] = [:]
            for (key, value) in settingsObject.members {
                let s = try KnowledgeObject(value, path: settingsObject.at(key))
                var paths: [[String]] = []
                for (j, p) in try s.array("paths").enumerated() { paths.append(try KnowledgeObject.strings(p, s.at("paths") + "[\(j)]")) }
                settings[key] = BIOSSetting(paths: paths, value: try s.optionalString("value"), note: try s.optionalText("note"))
            }
            out.append(BIOSVendor(id: try v.string("id"), name: try v.string("name"), match: try v.strings("match"),
                                  settings: settings, notes: try v.optionalText("notes"), sources: try v.strings("sources")))
        }
        return out
    }

    static func drivers(_ file: KnowledgeObject) throws(KnowledgeDecodingError) -> [DriverKnowledge] {
        var out: [DriverKnowledge] = []
        for (i, item) in try file.array("drivers").enumerated() {
            let d = try KnowledgeObject(item, path: "drivers[\(i)]")
            let methodText = try d.string("method")
            guard let method = VFMethod(rawValue: methodText) else {
                throw KnowledgeDecodingError(path: d.at("method"), message: "unknown method '\(methodText)' (moduleOption or sysfs)")
            }
            var windows: WindowsDriver?
            if let w = try d.optionalObject("windowsDriver") {
                windows = WindowsDriver(name: try w.string("name"), url: try w.optionalString("url"), note: try w.optionalText("note"))
            }
            out.append(DriverKnowledge(
                name: try d.string("name"), aliases: try d.strings("aliases"), vendor: try d.string("vendor"),
                devices: try d.optionalString("devices"), sriov: try d.bool("sriov"), method: method,
                moduleOption: try d.optionalString("moduleOption"), vfDriver: try d.optionalString("vfDriver"),
                driverMaxVFs: try d.optionalInt("driverMaxVFs"), windowsDriver: windows,
                firmwareNote: try d.optionalText("firmwareNote"), vfQueues: try d.optionalText("vfQueues"),
                notes: try d.optionalText("notes"), sources: try d.strings("sources")))
        }
        return out
    }
}
