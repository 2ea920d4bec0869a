/// A strict JSON reader (RFC 8259) for the config, incident, status and ticket files.
///
/// Stricter than Foundation's decoder where that hid mistakes: a key given twice in one object
/// is an error (the decoder kept the first silently), a number too large for a Double (`1e400`)
/// is an error naming its key, nesting deeper than 64 levels is refused (no stack to exhaust),
/// and strings must be valid UTF-8. Errors say where: line, column and the JSON path.
struct JSONParser {
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0
    /// The keys and indexes from the document down to the value being read, for messages.
    private var path: [PathStep] = []

    private enum PathStep {
        case key(String)
        case index(Int)
    }

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte order mark is allowed before the document and ignored.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    mutating func document() throws(JSONValue.SyntaxError) -> JSONValue {
        let result = try value()
        skipSpace()
        guard position == bytes.count else { throw error("unexpected text after the JSON document") }
        return result
    }

    private mutating func value() throws(JSONValue.SyntaxError) -> JSONValue {
        skipSpace()
        guard position < bytes.count else { throw error("the document ends where a value was expected") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("expected a value (object, array, string, number, true, false or null)")
        }
    }

    private mutating func object() throws(JSONValue.SyntaxError) -> JSONValue {
        try enter()
        var fields: [String: JSONValue] = [:]
        skipSpace()
        if consume(UInt8(ascii: "}")) { return .object(fields) }
        repeat {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw error("expected a key in double quotes")
            }
            let keyStart = position
            let key = try string()
            skipSpace()
            guard consume(UInt8(ascii: ":")) else { throw error("expected ':' after the key") }
            path.append(.key(key))
            let member = try value()
            path.removeLast()
            guard fields.updateValue(member, forKey: key) == nil else {
                position = keyStart
                path.append(.key(key))
                throw error("the key '\(key)' is given twice in this object; keep one", valid: true)
            }
            skipSpace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw error("expected ',' or '}' in the object") }
        return .object(fields)
    }

    private mutating func array() throws(JSONValue.SyntaxError) -> JSONValue {
        try enter()
        var elements: [JSONValue] = []
        skipSpace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        repeat {
            path.append(.index(elements.count))
            elements.append(try value())
            path.removeLast()
            skipSpace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw error("expected ',' or ']' in the array") }
        return .array(elements)
    }

    private mutating func enter() throws(JSONValue.SyntaxError) {
        guard path.count < Self.maximumDepth else {
            throw error("nested deeper than \(Self.maximumDepth) levels", valid: true)
        }
        position += 1
    }

    private mutating func literal(_ word: StaticString) throws(JSONValue.SyntaxError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count,
              KernelText.bytes(bytes, position..<position + count, equal: word) else {
            throw error("expected a value (object, array, string, number, true, false or null)")
        }
        position += count
    }
}

extension JSONParser {
    /// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`; whole numbers that fit are `.integer`.
    private mutating func number() throws(JSONValue.SyntaxError) -> JSONValue {
        let start = position
        _ = consume(UInt8(ascii: "-"))
        let integerStart = position
        guard digits() > 0 else { throw error("expected a digit in the number") }
        if bytes[integerStart] == UInt8(ascii: "0") && position - integerStart > 1 {
            position = integerStart
            throw error("a number may not start with 0")
        }
        var isWhole = true
        if consume(UInt8(ascii: ".")) {
            isWhole = false
            guard digits() > 0 else { throw error("expected a digit after the decimal point") }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            isWhole = false
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard digits() > 0 else { throw error("expected a digit in the exponent") }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isWhole, let integer = Int64(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else {
            position = start
            throw error("the number \(text) is out of range (at most about 1.8e308)", valid: true)
        }
        // As Foundation's decoder did: 2.0 and 1e3 are whole numbers.
        if double == double.rounded(), abs(double) < 9_007_199_254_740_992 { return .integer(Int64(double)) }
        return .number(double)
    }

    private mutating func digits() -> Int {
        let start = position
        while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            position += 1
        }
        return position - start
    }

    private mutating func string() throws(JSONValue.SyntaxError) -> String {
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard position < bytes.count else { throw error("the string is not closed") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw error("the string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"): try escape(into: &utf8)
            case 0..<0x20:
                position -= 1
                throw error("a control character must be escaped in a string")
            default: utf8.append(byte)
            }
        }
    }

    private mutating func escape(into utf8: inout [UInt8]) throws(JSONValue.SyntaxError) {
        guard position < bytes.count else { throw error("the string is not closed") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var code = UInt32(try hexQuad())
            if (0xD800..<0xDC00).contains(code) {
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else {
                    throw error("a \\u escape of a high surrogate must be followed by a low one")
                }
                let low = UInt32(try hexQuad())
                guard (0xDC00..<0xE000).contains(low) else { throw error("expected a low surrogate \\uDC00-\\uDFFF") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("a lone low surrogate in a \\u escape") }
            utf8.append(contentsOf: String(Character(scalar)).utf8)
        default:
            position -= 1
            throw error("unknown escape in a string")
        }
    }

    private mutating func hexQuad() throws(JSONValue.SyntaxError) -> UInt16 {
        // parseHex would take "0x12" as a prefixed number.
        guard position + 4 <= bytes.count, bytes[position + 1] | 0x20 != UInt8(ascii: "x"),
              let value = KernelText.parseHex(bytes, position..<position + 4) else {
            throw error("expected 4 hexadecimal digits after \\u")
        }
        position += 4
        return UInt16(value)
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    /// The message with where it happened: line and column (1-based) and the JSON path.
    /// - Parameter valid: false for JSON that is well formed but not accepted (a key twice, a number out of range).
    private func error(_ message: String, valid: Bool = false) -> JSONValue.SyntaxError {
        var line = 1
        var lineStart = 0
        for index in 0..<min(position, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        var jsonPath = ""
        for step in path {
            switch step {
            case .key(let key): jsonPath += jsonPath.isEmpty ? key : ".\(key)"
            case .index(let index): jsonPath += "[\(index)]"
            }
        }
        let place = "line \(line), column \(position - lineStart + 1): \(message)"
        return JSONValue.SyntaxError(message: valid ? place : "not valid JSON: " + place,
                                     path: jsonPath)
    }
}
