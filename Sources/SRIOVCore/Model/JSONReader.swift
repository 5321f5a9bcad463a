/// Reads JSON text (RFC 8259) into `JSONValue`, byte by byte: the knowledge files are decoded
/// on every `check`, and `JSONDecoder` spent about 9 M instructions on their 42 KB (a tenth of
/// `check` on a small host). Strict: one value, nothing after it but white space, no comments,
/// no trailing commas, no control characters or invalid UTF-8 in strings, surrogate escapes in
/// pairs. Numbers must be integers that fit `Int` (`JSONValue` has no other kind; the
/// knowledge files hold none); objects keep their members in order, duplicates included.
public enum JSONReader {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// Byte offset of the problem in the input.
        public var offset: Int
        public var message: String
        public var description: String { "JSON error at byte \(offset): \(message)" }
    }

    /// Deeper nesting is refused rather than recursed into.
    public static let depthLimit = 256

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buf) throws(Failure) -> JSONValue in
            var reader = Cursor(buf: buf)
            reader.skipSpace()
            let value = try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.i == buf.count else { throw reader.failure("unexpected text after the value") }
            return value
        }
    }

    struct Cursor {
        let buf: UnsafeBufferPointer<UInt8>
        var i = 0

        func failure(_ message: String) -> Failure { Failure(offset: i, message: message) }

        mutating func skipSpace() {
            while i < buf.count {
                switch buf[i] {
                case 0x20, 0x09, 0x0a, 0x0d: i += 1
                default: return
                }
            }
        }

        mutating func expect(_ word: StaticString) throws(Failure) {
            let start = i
            let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard buf.count - i >= w.count else { throw failure("unexpected end of input") }
            for b in w {
                guard buf[i] == b else { i = start; throw failure("invalid literal") }
                i += 1
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard i < buf.count else { throw failure("unexpected end of input") }
            switch buf[i] {
            case UInt8(ascii: "{"):
                guard depth < JSONReader.depthLimit else { throw failure("nested more than \(JSONReader.depthLimit) levels") }
                i += 1
                var members: [(String, JSONValue)] = []
                skipSpace()
                if i < buf.count, buf[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard i < buf.count, buf[i] == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
                    let key = try string()
                    skipSpace()
                    guard i < buf.count, buf[i] == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
                    i += 1
                    skipSpace()
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < buf.count else { throw failure("unexpected end of input in an object") }
                    if buf[i] == UInt8(ascii: ",") { i += 1; continue }
                    if buf[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                    throw failure("expected ',' or '}' in an object")
                }
            case UInt8(ascii: "["):
                guard depth < JSONReader.depthLimit else { throw failure("nested more than \(JSONReader.depthLimit) levels") }
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < buf.count, buf[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < buf.count else { throw failure("unexpected end of input in an array") }
                    if buf[i] == UInt8(ascii: ",") { i += 1; continue }
                    if buf[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw failure("expected ',' or ']' in an array")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .int(try integer())
            default:
                throw failure("unexpected character")
            }
        }

        /// -?(0|[1-9][0-9]*), in range of Int; a fraction or exponent is refused.
        mutating func integer() throws(Failure) -> Int {
            let start = i
            var negative = false
            if buf[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            guard i < buf.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buf[i]) else { throw failure("expected a digit") }
            if buf[i] == UInt8(ascii: "0"), i + 1 < buf.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buf[i + 1]) {
                throw failure("a number must not start with 0")
            }
            var value = 0
            while i < buf.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buf[i]) {
                let d = Int(buf[i] - UInt8(ascii: "0"))
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
                guard !o1 && !o2 else { i = start; throw failure("number out of range") }
                value = a
                i += 1
            }
            if i < buf.count, buf[i] == UInt8(ascii: ".") || buf[i] | 0x20 == UInt8(ascii: "e") {
                i = start
                throw failure("only integers are read")
            }
            return value
        }

        /// A string from its opening quote; leaves `i` after the closing quote.
        mutating func string() throws(Failure) -> String {
            i += 1
            let start = i
            // Fast path: no escapes (the common case), one validated copy of the bytes.
            while i < buf.count {
                let b = buf[i]
                if b == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: buf[start..<i])
                    guard let s = String(validating: slice, as: UTF8.self) else { i = start; throw failure("invalid UTF-8 in a string") }
                    i += 1
                    return s
                }
                if b == UInt8(ascii: "\\") { break }
                if b < 0x20 { throw failure("control character in a string") }
                i += 1
            }
            var bytes = Array(buf[start..<i])
            while true {
                guard i < buf.count else { throw failure("unterminated string") }
                let b = buf[i]
                if b == UInt8(ascii: "\"") {
                    guard let s = String(validating: bytes, as: UTF8.self) else { i = start; throw failure("invalid UTF-8 in a string") }
                    i += 1
                    return s
                }
                if b < 0x20 { throw failure("control character in a string") }
                if b != UInt8(ascii: "\\") { bytes.append(b); i += 1; continue }
                i += 1
                guard i < buf.count else { throw failure("unterminated string") }
                let e = buf[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0c)
                case UInt8(ascii: "n"): bytes.append(0x0a)
                case UInt8(ascii: "r"): bytes.append(0x0d)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xd800..<0xdc00).contains(scalar) {
                        guard buf.count - i >= 6, buf[i] == UInt8(ascii: "\\"), buf[i + 1] == UInt8(ascii: "u") else {
                            throw failure("a high surrogate escape without its low surrogate")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xdc00..<0xe000).contains(low) else { throw failure("a high surrogate escape without its low surrogate") }
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                    } else if (0xdc00..<0xe000).contains(scalar) {
                        throw failure("a low surrogate escape without its high surrogate")
                    }
                    bytes.append(contentsOf: Unicode.Scalar(scalar)!.utf8)
                default:
                    i -= 1
                    throw failure("invalid escape in a string")
                }
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard buf.count - i >= 4 else { throw failure("unterminated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = buf[i]
                let d: UInt32
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
                default: throw failure("invalid \\u escape")
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }
    }
}
