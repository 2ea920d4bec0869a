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
        let all: [Incident.Kind] = [.throttle, .restart, .contain, .runawayProcess, .noActionableCulprit,
                                    .kernelOomKill]
        for kind in all {
            switch kind {
            case .throttle, .restart, .contain, .runawayProcess, .noActionableCulprit, .kernelOomKill: break
            }
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
