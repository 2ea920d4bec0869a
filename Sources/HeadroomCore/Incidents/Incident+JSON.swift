/// The incident file (schema 1, docs/JSON.md "Incidents") and the summary read back from it.
extension Incident {
    /// The schema number written into every incident file.
    public static let fileSchema: Int64 = 1

    /// The incident file's document. `host` and `bootId` say where it happened; times are
    /// written twice, as RFC 3339 UTC strings for people and as Unix milliseconds for programs.
    public func jsonValue(host: String, bootId: String) -> JSONValue {
        .object([
            IncidentKey.schema: .integer(Incident.fileSchema),
            IncidentKey.id: .string(id),
            IncidentKey.kind: .string(kind.rawValue),
            IncidentKey.host: .string(host),
            IncidentKey.bootId: .string(bootId),
            IncidentKey.startedAt: .string(RFC3339.utc(milliseconds: startedAtMs)),
            IncidentKey.updatedAt: .string(RFC3339.utc(milliseconds: updatedAtMs)),
            IncidentKey.startedAtMs: .integer(startedAtMs),
            IncidentKey.updatedAtMs: .integer(updatedAtMs),
            IncidentKey.level: .string(level.rawValue),
            IncidentKey.dryRun: .bool(dryRun),
            IncidentKey.trigger: .object([
                IncidentKey.signal: .string(trigger.signal.rawValue),
                IncidentKey.value: .finite(trigger.value),
                IncidentKey.threshold: .finite(trigger.threshold),
                IncidentKey.heldSeconds: .finite(trigger.heldSeconds),
                IncidentKey.sentence: .string(trigger.sentence),
            ]),
            IncidentKey.system: .object([
                IncidentKey.memTotalBytes: .bytes(system.memTotalBytes),
                IncidentKey.memAvailableBytes: .bytes(system.memAvailableBytes),
                IncidentKey.swapTotalBytes: .bytes(system.swapTotalBytes),
                IncidentKey.swapFreeBytes: .bytes(system.swapFreeBytes),
                IncidentKey.swappiness: .integer(Int64(system.swappiness)),
                IncidentKey.pressure: system.pressure.jsonValue,
                IncidentKey.forecastSeconds: system.forecastSeconds.map(JSONValue.finite) ?? .null,
                IncidentKey.kernelOomKills: .bytes(system.kernelOomKills),
            ]),
            IncidentKey.budget: budget?.jsonValue(unavailable: []) ?? .null,
            IncidentKey.candidates: .array(candidates.map(\.incidentJSON)),
            IncidentKey.culprit: culprit.map(JSONValue.string) ?? .null,
            IncidentKey.actions: .array(actions.map(\.jsonValue)),
            IncidentKey.memoryReleasedBytes: .bytes(memoryReleasedBytes),
            IncidentKey.outcome: .string(outcome.rawValue),
            IncidentKey.kernelOomKilledUnits: .array(kernelOomKilledUnits.map(JSONValue.string)),
            IncidentKey.kernelOomKillsDuring: .bytes(kernelOomKillsDuring),
            IncidentKey.narrative: .string(narrative),
        ])
    }
}

extension Candidate {
    var incidentJSON: JSONValue {
        .object([
            IncidentKey.unit: .string(unit),
            IncidentKey.category: .string(category.rawValue),
            IncidentKey.score: .finite(score),
            IncidentKey.excludedReason: excludedReason.map(JSONValue.string) ?? .null,
            IncidentKey.parts: .object([
                IncidentKey.workingSetBytes: .bytes(workingSetBytes),
                IncidentKey.overBytes: .bytes(overBytes),
                IncidentKey.growthBytes: .bytes(growthBytes),
                IncidentKey.growthWindowSeconds: .finite(growthWindowSeconds),
                IncidentKey.swapBytes: .bytes(swapBytes),
                IncidentKey.pressureSomeAvg10: .finite(pressureSomeAvg10),
                IncidentKey.weight: .finite(weight),
            ]),
        ])
    }
}

extension Incident.ActionRecord {
    var jsonValue: JSONValue {
        .object([
            IncidentKey.kind: .string(kind.rawValue),
            IncidentKey.unit: .string(unit),
            IncidentKey.issuedAtMs: .integer(issuedAtMs),
            IncidentKey.result: result.map(JSONValue.string) ?? .null,
            IncidentKey.finishedAtMs: finishedAtMs.map(JSONValue.integer) ?? .null,
            IncidentKey.dryRun: .bool(dryRun),
        ])
    }
}

extension JSONValue {
    /// A number, or null when it is NaN or infinite: JSON has no such numbers, and one of them
    /// would make the encoder fail and the whole incident file come out as `null`.
    static func finite(_ value: Double) -> JSONValue { value.isFinite ? .number(value) : .null }
}

/// RFC 3339 timestamps in UTC with milliseconds ("2026-11-26T17:35:00.123Z"), computed from
/// Unix milliseconds without Foundation's date formatting (proleptic Gregorian calendar).
public enum RFC3339 {
    public static func utc(milliseconds: Int64) -> String {
        let msPerDay: Int64 = 86_400_000
        // Floor division, so times before 1970 land on the right day.
        var days = milliseconds / msPerDay
        var inDay = milliseconds % msPerDay
        if inDay < 0 {
            inDay += msPerDay
            days -= 1
        }
        let date = civil(fromDays: days)
        let hour = inDay / 3_600_000
        let minute = inDay / 60_000 % 60
        let second = inDay / 1000 % 60
        let millis = inDay % 1000
        let year = date.year < 0 ? "-" + pad(-date.year, 4) : pad(date.year, 4)
        return "\(year)-\(pad(date.month, 2))-\(pad(date.day, 2))T\(pad(hour, 2)):\(pad(minute, 2))"
            + ":\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    /// Year, month (1-12) and day (1-31) of the day `days` after 1970-01-01
    /// (Howard Hinnant's `civil_from_days`, in eras of 400 years = 146097 days).
    public static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468                                  // days since 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097                        // 0 ... 146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // from March 1st
        let shiftedMonth = (5 * dayOfYear + 2) / 153            // 0 = March ... 11 = February
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// An incident file that cannot be read as schema 1: names the file, and the key where one is to blame.
public struct IncidentFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    /// The key that is missing or has the wrong type or value; nil when the whole file is to blame.
    public var key: String?
    public var reason: String

    public init(file: String, key: String? = nil, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        if let key { return "\(file): \(key): \(reason)" }
        return "\(file): \(reason)"
    }
}

/// What `headroom incidents list` shows of one incident file.
public struct IncidentSummary: Equatable, Sendable {
    public var id: String
    public var kind: Incident.Kind
    public var startedAtMs: Int64
    public var updatedAtMs: Int64
    public var culprit: String?
    public var outcome: Incident.Outcome
    public var dryRun: Bool
    public var narrative: String

    public init(id: String, kind: Incident.Kind, startedAtMs: Int64, updatedAtMs: Int64, culprit: String?,
                outcome: Incident.Outcome, dryRun: Bool, narrative: String) {
        self.id = id
        self.kind = kind
        self.startedAtMs = startedAtMs
        self.updatedAtMs = updatedAtMs
        self.culprit = culprit
        self.outcome = outcome
        self.dryRun = dryRun
        self.narrative = narrative
    }

    /// Reads the summary fields of an incident file's document.
    /// - Parameter file: the file's path, for the error.
    /// - Throws: `IncidentFileError` naming the file and the missing or wrong key; a file of
    ///   another schema says which schema it has.
    public init(json: JSONValue, file: String) throws(IncidentFileError) {
        guard case .object(let fields) = json else {
            throw IncidentFileError(file: file, reason: "expected a JSON object, found \(json.kindName)")
        }
        let reader = FieldReader(fields: fields, file: file)
        let schema = try reader.integer(IncidentKey.schema)
        guard schema == Incident.fileSchema else {
            throw IncidentFileError(file: file, key: IncidentKey.schema,
                                    reason: "schema \(schema) is not supported (this headroom reads schema "
                                        + "\(Incident.fileSchema))")
        }
        id = try reader.string(IncidentKey.id)
        kind = try reader.enumeration(IncidentKey.kind, Incident.Kind.known)
        startedAtMs = try reader.integer(IncidentKey.startedAtMs)
        updatedAtMs = try reader.integer(IncidentKey.updatedAtMs)
        culprit = try reader.optionalString(IncidentKey.culprit)
        outcome = try reader.enumeration(IncidentKey.outcome, Incident.Outcome.known)
        dryRun = try reader.bool(IncidentKey.dryRun)
        narrative = try reader.string(IncidentKey.narrative)
    }

    /// One entry of `headroom incidents list --json`.
    public var jsonValue: JSONValue {
        .object([
            IncidentKey.id: .string(id),
            IncidentKey.kind: .string(kind.rawValue),
            IncidentKey.startedAt: .string(RFC3339.utc(milliseconds: startedAtMs)),
            IncidentKey.startedAtMs: .integer(startedAtMs),
            IncidentKey.updatedAt: .string(RFC3339.utc(milliseconds: updatedAtMs)),
            IncidentKey.updatedAtMs: .integer(updatedAtMs),
            IncidentKey.culprit: culprit.map(JSONValue.string) ?? .null,
            IncidentKey.outcome: .string(outcome.rawValue),
            IncidentKey.dryRun: .bool(dryRun),
            IncidentKey.narrative: .string(narrative),
        ])
    }
}

extension Incident.Kind {
    /// Every kind, for error messages. The switch stops the build when a kind is added.
    static var known: [Incident.Kind] {
        let all: [Incident.Kind] = [.restart, .noActionableCulprit, .kernelOomKill]
        for kind in all {
            switch kind { case .restart, .noActionableCulprit, .kernelOomKill: break }
        }
        return all
    }
}

extension Incident.Outcome {
    /// Every outcome, for error messages. The switch stops the build when an outcome is added.
    static var known: [Incident.Outcome] {
        let all: [Incident.Outcome] = [.pending, .recovered, .notRecovered, .failed, .dryRun, .noAction,
                                       .kernelOomKill, .interrupted]
        for outcome in all {
            switch outcome {
            case .pending, .recovered, .notRecovered, .failed, .dryRun, .noAction, .kernelOomKill, .interrupted: break
            }
        }
        return all
    }
}

/// Typed access to an incident file's top-level keys, failing with the key's name.
private struct FieldReader {
    let fields: [String: JSONValue]
    let file: String

    func value(_ key: String) throws(IncidentFileError) -> JSONValue {
        guard let value = fields[key] else { throw IncidentFileError(file: file, key: key, reason: "missing") }
        return value
    }

    func wrong(_ key: String, _ expected: String, _ found: JSONValue) -> IncidentFileError {
        IncidentFileError(file: file, key: key, reason: "expected \(expected), found \(found.kindName)")
    }

    func integer(_ key: String) throws(IncidentFileError) -> Int64 {
        let found = try value(key)
        switch found {
        case .integer(let number): return number
        case .number(let number) where number == number.rounded() && abs(number) < 9e18: return Int64(number)
        default: throw wrong(key, "a whole number", found)
        }
    }

    func string(_ key: String) throws(IncidentFileError) -> String {
        let found = try value(key)
        guard case .string(let text) = found else { throw wrong(key, "a string", found) }
        return text
    }

    func optionalString(_ key: String) throws(IncidentFileError) -> String? {
        let found = try value(key)
        switch found {
        case .null: return nil
        case .string(let text): return text
        default: throw wrong(key, "a string or null", found)
        }
    }

    func bool(_ key: String) throws(IncidentFileError) -> Bool {
        let found = try value(key)
        guard case .bool(let flag) = found else { throw wrong(key, "true or false", found) }
        return flag
    }

    func enumeration<Value: RawRepresentable>(_ key: String, _ known: [Value])
        throws(IncidentFileError) -> Value where Value.RawValue == String {
        let text = try string(key)
        guard let value = Value(rawValue: text) else {
            throw IncidentFileError(file: file, key: key, reason: "'\(text)' is not one of "
                + known.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }
}
