/// The raw bytes of one kernel file, with the helpers the parsers share.
///
/// Parsing works on byte ranges of the buffer the reader filled, so a steady
/// sampling loop can re-use its buffers: nothing here allocates unless it is
/// building an error.
public struct KernelText: Sendable {
    /// The reader's buffer; only the first `count` bytes are the file's content.
    public let bytes: [UInt8]
    public let count: Int
    public let path: String

    /// - Parameter count: how many of `bytes` were read; all of them when nil.
    public init(bytes: [UInt8], count: Int? = nil, path: String) {
        self.bytes = bytes
        self.count = min(count ?? bytes.count, bytes.count)
        self.path = path
    }

    public init(_ text: String, path: String) {
        self.init(bytes: Array(text.utf8), path: path)
    }

    /// Calls `body` with each line that is not empty, in order.
    public func forEachLine(_ body: (TextLine) throws(KernelFileError) -> Void) throws(KernelFileError) {
        var start = 0
        var number = 1
        while start < count {
            var end = start
            while end < count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            if end > start {
                try body(TextLine(text: self, start: start, end: end, number: number))
            }
            start = end + 1
            number += 1
        }
    }

    /// The whole file as one trimmed value, for single-value files such as `memory.current`.
    public func singleValue() throws(KernelFileError) -> TextLine {
        var value: TextLine?
        try forEachLine { line throws(KernelFileError) in
            let trimmed = line.trimmed()
            guard trimmed.end > trimmed.start else { return }
            if value != nil { throw error("expected a single value, found a second line", at: line) }
            value = trimmed
        }
        guard let value else {
            throw KernelFileError(path: path, kind: .malformed, reason: "file is empty, expected a single value")
        }
        return value
    }

    public func error(_ reason: String, at line: TextLine) -> KernelFileError {
        KernelFileError(path: path, kind: .malformed, lineNumber: line.number, line: line.excerpt, reason: reason)
    }

    /// Byte counts and event counters above this are refused: 2^52 bytes is 4 PiB, far above any
    /// VM, and 2^52 events cannot happen in a machine's lifetime. Everything below it can be
    /// summed a thousand times over in a UInt64 or Int64 without overflowing.
    public static let plausibleLimit: UInt64 = 1 << 52

    /// `value` when it is at most `plausibleLimit`; otherwise an error naming the line and the value.
    public func plausible(_ value: UInt64, at line: TextLine, shown: UInt64? = nil) throws(KernelFileError) -> UInt64 {
        guard value <= Self.plausibleLimit else {
            throw error("\(shown ?? value) is an implausible value (above 2^52, 4 PiB); not trusted", at: line)
        }
        return value
    }

    public func missing(_ key: String) -> KernelFileError {
        KernelFileError(path: path, kind: .missingKey(key), reason: "required key '\(key)' is missing")
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
    }
}

/// One line of a `KernelText`, as a byte range.
public struct TextLine: Sendable {
    public let text: KernelText
    public let start: Int
    public let end: Int
    public let number: Int

    public var string: String { String(decoding: text.bytes[start..<end], as: UTF8.self) }

    /// The line for a message: at most 120 characters, then "…", so a runaway line cannot flood the log.
    public var excerpt: String {
        let limit = 120
        // 4 bytes per character at most: decode no more than needed, then cut at a character.
        let decoded = String(decoding: text.bytes[start..<min(end, start + limit * 4 + 4)], as: UTF8.self)
        guard decoded.count > limit else { return decoded }
        return String(decoded.prefix(limit)) + "…"
    }

    /// The line without leading and trailing blanks.
    func trimmed() -> TextLine {
        var first = start
        var last = end
        while first < last && KernelText.isSpace(text.bytes[first]) { first += 1 }
        while last > first && KernelText.isSpace(text.bytes[last - 1]) { last -= 1 }
        return TextLine(text: text, start: first, end: last, number: number)
    }

    /// A cursor over the whitespace-separated fields of this line.
    public func fields() -> FieldCursor { FieldCursor(line: self, position: start) }

    /// Splits "key: rest" at the first colon; nil when there is none.
    public func splitAtColon() -> (key: Range<Int>, rest: TextLine)? {
        var index = start
        while index < end {
            if text.bytes[index] == UInt8(ascii: ":") {
                return (start..<index, TextLine(text: text, start: index + 1, end: end, number: number))
            }
            index += 1
        }
        return nil
    }

    public func isEqual(_ range: Range<Int>, to literal: StaticString) -> Bool {
        KernelText.bytes(text.bytes, range, equal: literal)
    }

    public func isEqual(to literal: StaticString) -> Bool {
        KernelText.bytes(text.bytes, start..<end, equal: literal)
    }

    public func unsigned(_ range: Range<Int>) -> UInt64? { KernelText.parseUnsigned(text.bytes, range) }

    /// A byte count or counter that parses and is plausible; nil when it is not a number at all.
    public func plausibleUnsigned(_ range: Range<Int>) throws(KernelFileError) -> UInt64? {
        guard let value = unsigned(range) else { return nil }
        return try text.plausible(value, at: self)
    }
    public func signed(_ range: Range<Int>) -> Int64? { KernelText.parseSigned(text.bytes, range) }
    public func decimal(_ range: Range<Int>) -> Double? { KernelText.parseDecimal(text.bytes, range) }
    public func substring(_ range: Range<Int>) -> String { String(decoding: text.bytes[range], as: UTF8.self) }
}

/// Walks the whitespace-separated fields of a line without allocating.
public struct FieldCursor {
    let line: TextLine
    var position: Int

    public mutating func next() -> Range<Int>? {
        let bytes = line.text.bytes
        while position < line.end && KernelText.isSpace(bytes[position]) { position += 1 }
        guard position < line.end else { return nil }
        let fieldStart = position
        while position < line.end && !KernelText.isSpace(bytes[position]) { position += 1 }
        return fieldStart..<position
    }

    /// True when no field is left.
    public mutating func isAtEnd() -> Bool { next() == nil }
}

extension KernelText {
    static func bytes(_ bytes: [UInt8], _ range: Range<Int>, equal literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            var offset = 0
            for index in range {
                if bytes[index] != expected[offset] { return false }
                offset += 1
            }
            return true
        }
    }

    static func parseUnsigned(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64? {
        guard !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    static func parseSigned(_ bytes: [UInt8], _ range: Range<Int>) -> Int64? {
        guard !range.isEmpty else { return nil }
        if bytes[range.lowerBound] == UInt8(ascii: "-") {
            guard let magnitude = parseUnsigned(bytes, range.lowerBound + 1..<range.upperBound),
                  magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard let value = parseUnsigned(bytes, range), value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    /// Parses "123" or "123.45" (the PSI averages); no sign, no exponent.
    static func parseDecimal(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        var dot: Int?
        for index in range where bytes[index] == UInt8(ascii: ".") {
            if dot != nil { return nil }
            dot = index
        }
        guard let dot else {
            return parseUnsigned(bytes, range).map(Double.init)
        }
        guard let whole = parseUnsigned(bytes, range.lowerBound..<dot),
              let fraction = parseUnsigned(bytes, dot + 1..<range.upperBound) else { return nil }
        var scale = 1.0
        for _ in (dot + 1)..<range.upperBound { scale *= 10 }
        return Double(whole) + Double(fraction) / scale
    }

    static func parseHex(_ bytes: [UInt8], _ range: Range<Int>) -> UInt64? {
        var range = range
        if range.count > 2 && bytes[range.lowerBound] == UInt8(ascii: "0")
            && (bytes[range.lowerBound + 1] | 0x20) == UInt8(ascii: "x") {
            range = range.lowerBound + 2..<range.upperBound
        }
        guard !range.isEmpty, range.count <= 16 else { return nil }
        var value: UInt64 = 0
        for index in range {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
