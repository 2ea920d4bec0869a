/// `policy-state.json`: `{"version": 1, "boot_id": "...", "units": [{"unit", "restarts",
/// "started_at_s", "level_at_last_restart_bytes", "settled_bytes", "earlier_settled_bytes"}],
/// "ladders": [{"unit", "step": "throttled" | "restarting" | "contained", ...}]}` (the ladder
/// entries: `UnitLadder+JSON.swift`). Bytes are integers; times (`*_s`) are seconds on the
/// CLOCK_MONOTONIC of boot `boot_id`, as numbers; an unknown value is left out (or null).
extension PolicyMemory {
    public static let fileVersion: Int64 = 1

    public var jsonValue: JSONValue {
        .object([
            "version": .integer(Self.fileVersion),
            "boot_id": .string(bootID),
            "units": .array(histories.map(Self.encode)),
            "ladders": .array(ladders.map(\.jsonValue)),
        ])
    }

    /// - Throws: `PolicyMemoryError` naming the file and the entry and field at fault.
    public static func parse(_ bytes: [UInt8], path: String) throws(PolicyMemoryError) -> PolicyMemory {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw PolicyMemoryError(path: path, reason: error.message + (error.path.isEmpty ? "" : " (at \(error.path))"))
        }
        guard case .object(let top) = root, case .integer(let version)? = top["version"] else {
            throw PolicyMemoryError(path: path, reason: "expected {\"version\": 1, \"boot_id\": ..., \"units\": [...], "
                + "\"ladders\": [...]}")
        }
        guard version == fileVersion else {
            throw PolicyMemoryError(path: path, reason: "version \(version) is not supported (expected \(fileVersion))")
        }
        do {
            let fields = JSONFields(top, at: "")
            let units = try unique(fields.array("units").map(remembered), name: \.unit, list: "units")
            let ladders = try unique(fields.array("ladders").map(UnitLadder.parse), name: \.unit, list: "ladders")
            return PolicyMemory(bootID: try fields.string("boot_id"), histories: units, ladders: ladders)
        } catch {
            throw PolicyMemoryError(path: path, reason: error.description)
        }
    }

    /// A unit given twice would make the file say two things about it.
    private static func unique<Entry>(_ entries: [Entry], name: (Entry) -> String,
                                      list: String) throws(JSONFields.FieldError) -> [Entry] {
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() where !seen.insert(name(entry)).inserted {
            throw JSONFields.FieldError("\(list)[\(index)]: '\(name(entry))' is listed twice")
        }
        return entries
    }

    // MARK: A unit's history

    /// The optional fields of `Remembered` besides `unit` and `restarts`: one line each, so a
    /// field added to `Remembered` is one line here.
    static var rememberedBytes: [(key: String, field: WritableKeyPath<UnitMemoryHistory.Remembered, UInt64?>)] {
        [("level_at_last_restart_bytes", \.levelAtLastRestart),
         ("settled_bytes", \.settledBytes),
         ("earlier_settled_bytes", \.earlierSettledBytes)]
    }
    /// Times in seconds (`*_s`) and rates (`*_per_s`): a rate added to `Remembered`, such as the
    /// history's `rateBeforeRestart`, is `("rate_before_restart_bytes_per_s", \.rateBeforeRestart)`.
    static var rememberedNumbers: [(key: String, field: WritableKeyPath<UnitMemoryHistory.Remembered, Double?>)] {
        [("started_at_s", \.startedAt), ("rate_before_restart_bytes_per_s", \.rateBeforeRestart)]
    }

    static func encode(_ memory: UnitMemoryHistory.Remembered) -> JSONValue {
        var object: [String: JSONValue] = ["unit": .string(memory.unit), "restarts": .integer(Int64(memory.restarts))]
        for (key, field) in rememberedBytes { if let bytes = memory[keyPath: field] { object[key] = .bytes(bytes) } }
        for (key, field) in rememberedNumbers { if let number = memory[keyPath: field] { object[key] = .number(number) } }
        return .object(object)
    }

    static func remembered(_ entry: JSONFields) throws(JSONFields.FieldError) -> UnitMemoryHistory.Remembered {
        let restarts = try entry.integer("restarts")
        guard restarts >= 0, restarts <= Int64(Int32.max) else { throw entry.wrong("restarts", "a count (0 or more)") }
        var memory = UnitMemoryHistory.Remembered(unit: try entry.unitName("unit"), startedAt: nil, restarts: Int(restarts),
                                                  levelAtLastRestart: nil, settledBytes: nil, earlierSettledBytes: nil)
        for (key, field) in rememberedBytes { memory[keyPath: field] = try entry.optionalBytes(key) }
        for (key, field) in rememberedNumbers { memory[keyPath: field] = try entry.optionalNumber(key) }
        return memory
    }
}

/// `policy-state.json` could not be read: the file and what is wrong in it.
public struct PolicyMemoryError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}
