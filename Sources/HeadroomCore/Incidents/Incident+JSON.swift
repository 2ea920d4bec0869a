/// The incident file (schema 1, docs/JSON.md "Incidents") and the summary read back from it.
extension Incident {
    /// The schema number written into every incident file.
    public static let fileSchema: Int64 = 1

    /// The incident file's document. `host` and `bootId` say where it happened; times are
    /// written twice, as RFC 3339 UTC strings for people and as Unix milliseconds for programs.
    public func jsonValue(host: String, bootId: String) -> JSONValue {
        guard case .object(var document) = baseJSONValue(host: host, bootId: bootId) else { return .null }
        if let culpritProcesses { document[IncidentKey.culpritProcesses] = .array(culpritProcesses.map(\.jsonValue)) }
        if let sharedMemory { document[IncidentKey.sharedMemory] = sharedMemory.incidentJSON }
        return .object(document)
    }

    private func baseJSONValue(host: String, bootId: String) -> JSONValue {
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
            IncidentKey.reason: noActionReason.map { .string($0.code) } ?? .null,
            IncidentKey.narrative: .string(narrative),
        ])
    }
}

extension SharedMemoryReport {
    var incidentJSON: JSONValue {
        .object([
            IncidentKey.unitShmemBytes: .bytes(unitShmemBytes),
            IncidentKey.tmpfsMounts: .array(mounts.map { mount in
                .object([IncidentKey.mountPoint: .string(mount.mountPoint), IncidentKey.usedBytes: .bytes(mount.usedBytes)])
            }),
            IncidentKey.sentence: .string(sentence()),
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
            IncidentKey.detail: detail.map(JSONValue.string) ?? .null,
        ])
    }
}

extension JSONValue {
    /// A number, or null when it is NaN or infinite: JSON has no such numbers, and one of them
    /// would make the encoder fail and the whole incident file come out as `null`.
    static func finite(_ value: Double) -> JSONValue { value.isFinite ? .number(value) : .null }
}
