/// What the running daemon publishes about itself in its status file (`/run/headroom/status`,
/// see `DaemonStatusFile`): which process it is and its current level.
///
/// The file is one line of JSON, e.g.
/// `{"schema":1,"pid":812,"comm":"headroom","level":"elevated","since_ms":1800000000123,"started_at_ms":1799999000000}`
public struct DaemonStatus: Equatable, Sendable {
    public static let schema: Int64 = 1

    public var pid: Int32
    /// The daemon's `/proc/<pid>/comm` when it wrote the file ("headroom"; a wrapper may rename it):
    /// a reader checks that the pid still names this program.
    public var comm: String
    public var level: PressureLevel
    /// When the level was entered, Unix milliseconds.
    public var sinceMs: Int64
    /// When the daemon started, Unix milliseconds.
    public var startedAtMs: Int64

    public init(pid: Int32, comm: String, level: PressureLevel, sinceMs: Int64, startedAtMs: Int64) {
        self.pid = pid
        self.comm = comm
        self.level = level
        self.sinceMs = sinceMs
        self.startedAtMs = startedAtMs
    }

    /// Appends the file's line (with its newline) to `buffer`. Digits are formatted in place, so
    /// with a buffer whose capacity has been reserved this allocates nothing.
    public func render(into buffer: inout [UInt8]) {
        Self.append("{\"schema\":", &buffer)
        Self.append(Self.schema, &buffer)
        Self.append(",\"pid\":", &buffer)
        Self.append(Int64(pid), &buffer)
        Self.append(",\"comm\":\"", &buffer)
        // comm is at most 15 bytes; anything JSON would have to escape is left out.
        for byte in comm.utf8 where byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
            buffer.append(byte)
        }
        Self.append("\",\"level\":\"", &buffer)
        switch level {
        case .calm: Self.append("calm", &buffer)
        case .elevated: Self.append("elevated", &buffer)
        case .critical: Self.append("critical", &buffer)
        }
        Self.append("\",\"since_ms\":", &buffer)
        Self.append(sinceMs, &buffer)
        Self.append(",\"started_at_ms\":", &buffer)
        Self.append(startedAtMs, &buffer)
        Self.append("}\n", &buffer)
    }

    /// Reads a status file's contents.
    /// - Throws: `DaemonStatusFormatError` naming the key that is missing or wrong.
    public static func parse(_ bytes: [UInt8]) throws(DaemonStatusFormatError) -> DaemonStatus {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw DaemonStatusFormatError(reason: error.message)
        }
        guard case .object(let fields) = json else {
            throw DaemonStatusFormatError(reason: "expected a JSON object, found \(json.kindName)")
        }
        func integer(_ key: String) throws(DaemonStatusFormatError) -> Int64 {
            guard case .integer(let value)? = fields[key] else {
                throw DaemonStatusFormatError(reason: "\(key): " + (fields[key].map { "expected a whole number, found \($0.kindName)" } ?? "missing"))
            }
            return value
        }
        func string(_ key: String) throws(DaemonStatusFormatError) -> String {
            guard case .string(let value)? = fields[key] else {
                throw DaemonStatusFormatError(reason: "\(key): " + (fields[key].map { "expected a string, found \($0.kindName)" } ?? "missing"))
            }
            return value
        }
        let schema = try integer("schema")
        guard schema == Self.schema else {
            throw DaemonStatusFormatError(reason: "schema \(schema) is not supported (this headroom reads schema \(Self.schema))")
        }
        let pid = try integer("pid")
        guard pid > 0, pid <= Int64(Int32.max) else { throw DaemonStatusFormatError(reason: "pid: \(pid) is not a process id") }
        let levelText = try string("level")
        guard let level = PressureLevel(rawValue: levelText) else {
            throw DaemonStatusFormatError(reason: "level: '\(levelText)' is not one of calm, elevated, critical")
        }
        return DaemonStatus(pid: Int32(pid), comm: try string("comm"), level: level, sinceMs: try integer("since_ms"),
                            startedAtMs: try integer("started_at_ms"))
    }

    private static func append(_ literal: StaticString, _ buffer: inout [UInt8]) {
        literal.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    private static func append(_ value: Int64, _ buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }
}

/// A status file whose contents are not a daemon status.
public struct DaemonStatusFormatError: Error, Equatable, Sendable {
    public var reason: String

    public init(reason: String) { self.reason = reason }
}
