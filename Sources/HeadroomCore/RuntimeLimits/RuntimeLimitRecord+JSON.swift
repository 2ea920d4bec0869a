import FoundationEssentials

/// `runtime-limits.json`: `{"version": 1, "units": [{"unit", "purpose", "set": {"MemoryHigh": N},
/// "previous": {"MemoryHigh": "infinity"}, "set_at_ms", "incident"}]}`. Byte values are integers;
/// systemd's infinity is the string "infinity" (UInt64.max does not fit a JSON integer).
extension RuntimeLimitRecord {
    public static let fileVersion: Int64 = 1

    public var jsonValue: JSONValue {
        .object([
            "version": .integer(Self.fileVersion),
            "units": .array(sorted.map { limit in
                var object: [String: JSONValue] = [
                    "unit": .string(limit.unit),
                    "purpose": .string(limit.purpose.rawValue),
                    "set": Self.encode(limit.values),
                    "previous": Self.encode(limit.previous),
                    "set_at_ms": .integer(limit.setAtMs),
                ]
                if let incident = limit.incidentID { object["incident"] = .string(incident) }
                return .object(object)
            }),
        ])
    }

    /// - Throws: `RuntimeLimitRecordError` naming the file and the entry at fault.
    public static func parse(_ bytes: [UInt8], path: String) throws(RuntimeLimitRecordError) -> RuntimeLimitRecord {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw RuntimeLimitRecordError(path: path, reason: error.message)
        }
        guard case .object(let top) = root, case .integer(let version)? = top["version"],
              case .array(let units)? = top["units"] else {
            throw RuntimeLimitRecordError(path: path, reason: "expected {\"version\": 1, \"units\": [...]}")
        }
        guard version == fileVersion else {
            throw RuntimeLimitRecordError(path: path, reason: "version \(version) is not supported (expected \(fileVersion))")
        }
        var record = RuntimeLimitRecord()
        for (index, entry) in units.enumerated() {
            do { record.record(try limit(entry)) } catch {
                throw RuntimeLimitRecordError(path: path, reason: "units[\(index)]: \(error)")
            }
        }
        return record
    }

    static func limit(_ entry: JSONValue) throws(EntryError) -> RuntimeLimit {
        guard case .object(let object) = entry else { throw EntryError("expected an object, found \(entry.kindName)") }
        guard case .string(let unit)? = object["unit"] else { throw EntryError("'unit' must be a string") }
        if let problem = UnitName.validationError(unit) { throw EntryError("unit '\(unit)': \(problem)") }
        guard case .string(let purposeName)? = object["purpose"], let purpose = RuntimeLimitPurpose(rawValue: purposeName) else {
            throw EntryError("'purpose' must be one of \(RuntimeLimitPurpose.allCases.map(\.rawValue))")
        }
        guard case .integer(let setAt)? = object["set_at_ms"] else { throw EntryError("'set_at_ms' must be an integer") }
        var incident: String?
        if case .string(let text)? = object["incident"] { incident = text }
        return RuntimeLimit(unit: unit, purpose: purpose, values: try values(object["set"], key: "set"),
                            previous: try values(object["previous"], key: "previous"), setAtMs: setAt, incidentID: incident)
    }

    static func values(_ value: JSONValue?, key: String) throws(EntryError) -> [UnitMemoryProperty: UInt64] {
        guard case .object(let object)? = value else { throw EntryError("'\(key)' must be an object") }
        var result: [UnitMemoryProperty: UInt64] = [:]
        for (name, number) in object {
            guard let property = UnitMemoryProperty(rawValue: name) else {
                throw EntryError("'\(key).\(name)': unknown property (expected MemoryHigh or MemoryMax)")
            }
            switch number {
            case .string("infinity"): result[property] = RuntimeLimit.infinity
            case .integer(let bytes) where bytes >= 0: result[property] = UInt64(bytes)
            default: throw EntryError("'\(key).\(name)' must be a number of bytes or \"infinity\"")
            }
        }
        return result
    }

    static func encode(_ values: [UnitMemoryProperty: UInt64]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: values.map { property, value in
            (property.rawValue, value == RuntimeLimit.infinity ? .string("infinity") : .integer(Int64(clamping: value)))
        }))
    }

    struct EntryError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// `runtime-limits.json` could not be read: the file and what is wrong in it.
public struct RuntimeLimitRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
