/// The record file's shape (docs/JSON.md, "Budget record"):
/// `{"schema":1,"started_at_ms":..,"updated_at_ms":..,"categories":{NAME: LINE},"units":{UNIT: LINE}}`
/// with LINE `{"peak_bytes":..,"peak_at_ms":..,"over_since_ms":..|null,"last_seen_ms":..}`.
extension BudgetRecord {
    public var jsonValue: JSONValue {
        func lines(_ lines: [String: Line]) -> JSONValue {
            .object(lines.mapValues { line in
                .object([
                    "peak_bytes": .bytes(line.peakBytes),
                    "peak_at_ms": .integer(line.peakAtMs),
                    "over_since_ms": line.overSinceMs.map(JSONValue.integer) ?? .null,
                    "last_seen_ms": .integer(line.lastSeenMs),
                ])
            })
        }
        return .object([
            "schema": .integer(Self.schema),
            "started_at_ms": .integer(startedAtMs),
            "updated_at_ms": .integer(updatedAtMs),
            "categories": lines(categories),
            "units": lines(units),
        ])
    }

    /// - Throws: `BudgetRecordFormatError` naming the key that is missing or wrong.
    public static func parse(_ bytes: [UInt8]) throws(BudgetRecordFormatError) -> BudgetRecord {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw BudgetRecordFormatError(reason: error.message)
        }
        let fields = try object(json, at: "the record")
        guard try integer(fields, "schema", at: "") == schema else {
            throw BudgetRecordFormatError(reason: "schema: only schema \(schema) is read")
        }
        var record = BudgetRecord(startedAtMs: try integer(fields, "started_at_ms", at: ""),
                                  updatedAtMs: try integer(fields, "updated_at_ms", at: ""))
        record.categories = try lines(fields, "categories")
        record.units = try lines(fields, "units")
        return record
    }

    private static func lines(_ fields: [String: JSONValue], _ key: String) throws(BudgetRecordFormatError) -> [String: Line] {
        guard let value = fields[key] else { throw BudgetRecordFormatError(reason: "\(key): missing") }
        var out: [String: Line] = [:]
        for (name, lineValue) in try object(value, at: key) {
            let place = "\(key).\(name)."
            let line = try object(lineValue, at: key + "." + name)
            let peak = try integer(line, "peak_bytes", at: place)
            guard peak >= 0 else { throw BudgetRecordFormatError(reason: place + "peak_bytes: negative") }
            var since: Int64?
            if let value = line["over_since_ms"], value != .null { since = try integer(line, "over_since_ms", at: place) }
            out[name] = Line(peakBytes: UInt64(peak), peakAtMs: try integer(line, "peak_at_ms", at: place),
                             overSinceMs: since, lastSeenMs: try integer(line, "last_seen_ms", at: place))
        }
        return out
    }

    private static func object(_ value: JSONValue, at place: String) throws(BudgetRecordFormatError) -> [String: JSONValue] {
        guard case .object(let fields) = value else {
            throw BudgetRecordFormatError(reason: "\(place): expected an object, found \(value.kindName)")
        }
        return fields
    }

    private static func integer(_ fields: [String: JSONValue], _ key: String,
                                at place: String) throws(BudgetRecordFormatError) -> Int64 {
        guard case .integer(let value)? = fields[key] else {
            throw BudgetRecordFormatError(reason: place + key + ": "
                + (fields[key].map { "expected a whole number, found \($0.kindName)" } ?? "missing"))
        }
        return value
    }
}

/// A budget record file whose contents are not a budget record.
public struct BudgetRecordFormatError: Error, Equatable, Sendable {
    public var reason: String

    public init(reason: String) { self.reason = reason }
}
