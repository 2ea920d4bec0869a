/// A ladder step in `policy-state.json` (`PolicyMemory+JSON.swift`). `idle` is never stored.
/// - throttled: `{"unit", "step": "throttled", "memory_high_bytes", "since_s", "quiet_since_s"?}`
///   (a `baseline` object written by earlier versions is ignored)
/// - restarting: `{"unit", "step": "restarting", "since_s", "killed"}`
/// - contained: `{"unit", "step": "contained", "memory_max_bytes", "memory_high_bytes", "since_s"}`
extension UnitLadder {
    static let stepNames = ["throttled", "restarting", "contained"]

    var jsonValue: JSONValue {
        var object: [String: JSONValue] = ["unit": .string(unit)]
        switch step {
        case .idle:
            object["step"] = .string("idle")
        case .throttled(let high, let since, let quietSince):
            object["step"] = .string("throttled")
            object["memory_high_bytes"] = .bytes(high)
            object["since_s"] = .number(since)
            if let quietSince { object["quiet_since_s"] = .number(quietSince) }
        case .restarting(let since, let killed):
            object["step"] = .string("restarting")
            object["since_s"] = .number(since)
            object["killed"] = .bool(killed)
        case .contained(let max, let high, let since):
            object["step"] = .string("contained")
            object["memory_max_bytes"] = .bytes(max)
            object["memory_high_bytes"] = .bytes(high)
            object["since_s"] = .number(since)
        }
        return .object(object)
    }

    static func parse(_ entry: JSONFields) throws(JSONFields.FieldError) -> UnitLadder {
        let unit = try entry.unitName("unit")
        switch try entry.string("step") {
        case "throttled":
            let step = Step.throttled(memoryHigh: try entry.bytes("memory_high_bytes"), since: try entry.seconds("since_s"),
                                      quietSince: try entry.optionalSeconds("quiet_since_s"))
            return UnitLadder(unit: unit, step: step)
        case "restarting":
            return UnitLadder(unit: unit, step: .restarting(since: try entry.seconds("since_s"),
                                                            killed: try entry.bool("killed")))
        case "contained":
            return UnitLadder(unit: unit, step: .contained(memoryMax: try entry.bytes("memory_max_bytes"),
                                                           memoryHigh: try entry.bytes("memory_high_bytes"),
                                                           since: try entry.seconds("since_s")))
        case let other:
            throw JSONFields.FieldError("\(entry.name("step")): '\(other)' is not one of "
                + Self.stepNames.joined(separator: ", "))
        }
    }
}
