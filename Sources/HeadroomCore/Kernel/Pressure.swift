/// One PSI line: the share of wall time in which tasks stalled on memory.
public struct PressureLine: Equatable, Sendable {
    /// Percent of the last 10, 60 and 300 seconds.
    public var avg10: Double
    public var avg60: Double
    public var avg300: Double
    /// Total stall time since boot, in microseconds.
    public var totalMicroseconds: UInt64

    public init(avg10: Double = 0, avg60: Double = 0, avg300: Double = 0, totalMicroseconds: UInt64 = 0) {
        self.avg10 = avg10
        self.avg60 = avg60
        self.avg300 = avg300
        self.totalMicroseconds = totalMicroseconds
    }
}

/// Memory pressure (PSI) from `/proc/pressure/memory` or a cgroup's `memory.pressure`.
public struct Pressure: Equatable, Sendable {
    /// Some task stalled.
    public var some: PressureLine
    /// All non-idle tasks stalled at once.
    public var full: PressureLine

    public init(some: PressureLine = PressureLine(), full: PressureLine = PressureLine()) {
        self.some = some
        self.full = full
    }

    /// Parses the two lines `some avg10=… avg60=… avg300=… total=…` and `full …`.
    ///
    /// - Throws: `KernelFileError` for a line of another shape, or when the
    ///   `some` or `full` line is missing.
    public static func parse(_ text: KernelText) throws(KernelFileError) -> Pressure {
        var pressure = Pressure()
        var seenSome = false
        var seenFull = false
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            guard let kind = fields.next() else { return }
            let parsed = try parseLine(&fields, line: line)
            if line.isEqual(kind, to: "some") {
                pressure.some = parsed
                seenSome = true
            } else if line.isEqual(kind, to: "full") {
                pressure.full = parsed
                seenFull = true
            } else {
                throw text.error("expected the line to start with 'some' or 'full'", at: line)
            }
        }
        if !seenSome { throw text.missing("some") }
        if !seenFull { throw text.missing("full") }
        return pressure
    }

    private static func parseLine(_ fields: inout FieldCursor, line: TextLine) throws(KernelFileError) -> PressureLine {
        var result = PressureLine()
        var seen = 0
        while let field = fields.next() {
            var equals = field.lowerBound
            while equals < field.upperBound && line.text.bytes[equals] != UInt8(ascii: "=") { equals += 1 }
            guard equals < field.upperBound else {
                throw line.text.error("expected name=value fields", at: line)
            }
            let name = field.lowerBound..<equals
            let value = equals + 1..<field.upperBound
            if line.isEqual(name, to: "total") {
                guard let total = try line.plausibleUnsigned(value) else {
                    throw line.text.error("total must be a whole number of microseconds", at: line)
                }
                result.totalMicroseconds = total
                seen |= 8
                continue
            }
            guard let average = line.decimal(value), average <= 100 else {
                throw line.text.error("averages must be percentages such as 12.34", at: line)
            }
            if line.isEqual(name, to: "avg10") { result.avg10 = average; seen |= 1 }
            else if line.isEqual(name, to: "avg60") { result.avg60 = average; seen |= 2 }
            else if line.isEqual(name, to: "avg300") { result.avg300 = average; seen |= 4 }
            else { throw line.text.error("unknown field (expected avg10, avg60, avg300, total)", at: line) }
        }
        guard seen == 15 else {
            throw line.text.error("expected avg10, avg60, avg300 and total", at: line)
        }
        return result
    }
}
