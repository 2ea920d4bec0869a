@testable import HeadroomCore
import Testing

/// An incident as the supervisor would file it after restarting a leaking service.
enum SampleIncident {
    static let mib: UInt64 = 1 << 20

    static var system: SystemSample {
        var info = Meminfo()
        info.memTotal = 2048 * mib
        info.memAvailable = 40 * mib
        info.swapTotal = 1024 * mib
        info.swapFree = 1000 * mib
        info.activeFile = 10 * mib
        var vmstat = Vmstat()
        vmstat.oomKill = 3
        return SystemSample(meminfo: info,
                            pressure: Pressure(some: PressureLine(avg10: 61.5, avg60: 20.25, avg300: 5, totalMicroseconds: 1234),
                                               full: PressureLine(avg10: 42.75, avg60: 10, avg300: 2.5, totalMicroseconds: 567)),
                            vmstat: vmstat, swaps: [], swappiness: 10,
                            installed: InstalledMemory(bytes: 2048 * mib + 150 * mib, source: .memoryBlocks))
    }

    static let leaky = Candidate(unit: "leaky.service", category: .application, workingSetBytes: 900 * mib,
                                 overBytes: 0, growthBytes: 600 * mib, growthWindowSeconds: 60, swapBytes: 24 * mib,
                                 pressureSomeAvg10: 12.5, weight: 1, score: 2037.5, exclusion: nil)
    static let sshd = Candidate(unit: "sshd.service", category: .userland, workingSetBytes: 8 * mib, overBytes: 0,
                                growthBytes: 0, growthWindowSeconds: 60, swapBytes: 0, pressureSomeAvg10: 0,
                                weight: 0.25, score: 0.5, exclusion: .protected)

    static func make(id: String = "1800000000-1", startedAtMs: Int64 = 1_800_000_000_123,
                     forecast: Double? = 12.4, withBudget: Bool = true) -> Incident {
        let trigger = Trigger(signal: .available, value: 1.95, threshold: 3, heldSeconds: 4.5)
        var incident = Incident(
            id: id, kind: .restart, startedAtMs: startedAtMs, updatedAtMs: startedAtMs + 2500, level: .critical,
            trigger: trigger, system: Incident.SystemSnapshot(system, forecastSeconds: forecast),
            budget: withBudget ? BudgetReport.compute(system: system, services: [], perServiceAvailable: true,
                                                      config: .platformDefault) : nil,
            candidates: [leaky, sshd], culprit: "leaky.service", outcome: .recovered,
            narrative: "leaky.service was restarted: it grew 600 MiB in 60 s, and \(trigger.sentence).",
            dryRun: false)
        incident.actions = [Incident.ActionRecord(kind: .restart, unit: "leaky.service", issuedAtMs: startedAtMs,
                                                  result: "done", finishedAtMs: startedAtMs + 2000, dryRun: false)]
        incident.memoryReleasedBytes = 850 * Int64(mib)
        incident.kernelOomKilledUnits = ["other.service"]
        incident.kernelOomKillsDuring = 1
        return incident
    }
}

private extension JSONValue {
    subscript(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    subscript(_ index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    var keys: Set<String> {
        if case .object(let fields) = self { return Set(fields.keys) }
        return []
    }

    func replacing(_ key: String, with value: JSONValue?) -> JSONValue {
        guard case .object(var fields) = self else { return self }
        fields[key] = value
        return .object(fields)
    }
}

@Suite("RFC 3339 timestamps from Unix milliseconds")
struct IncidentRFC3339Tests {
    // Each expected string was checked with Python's datetime (UTC).
    @Test("known instants", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (1_800_000_000_123, "2027-01-15T08:00:00.123Z"),
        (1_795_714_500_123, "2026-11-26T17:35:00.123Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00.000Z"),
        (1_582_934_400_000, "2020-02-29T00:00:00.000Z"),
        (946_684_799_999, "1999-12-31T23:59:59.999Z"),
        (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
    ])
    func knownInstants(milliseconds: Int64, expected: String) {
        #expect(RFC3339.utc(milliseconds: milliseconds) == expected)
    }

    @Test("civil(fromDays:) agrees with counting days one by one from 1900 to 2200")
    func agreesWithDayCounting() {
        func isLeap(_ year: Int64) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
        func length(_ year: Int64, _ month: Int64) -> Int64 {
            switch month {
            case 2: isLeap(year) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }
        // 1900-01-01 is 25567 days before 1970-01-01.
        var (year, month, day): (Int64, Int64, Int64) = (1900, 1, 1)
        var mismatches = 0
        for days in Int64(-25567)..<Int64(84_000) {
            let civil = RFC3339.civil(fromDays: days)
            if civil != (year, month, day) { mismatches += 1 }
            day += 1
            if day > length(year, month) {
                day = 1
                month += 1
                if month > 12 { month = 1; year += 1 }
            }
        }
        #expect(mismatches == 0)
        #expect(year == 2199)
    }
}

@Suite("incident file JSON (schema 1)")
struct IncidentJSONTests {
    @Test("every documented key is present, and no other")
    func keys() {
        let json = SampleIncident.make().jsonValue(host: "vm01", bootId: "b00t")
        #expect(json.keys == ["schema", "id", "kind", "host", "boot_id", "started_at", "updated_at", "started_at_ms",
                              "updated_at_ms", "level", "dry_run", "trigger", "system", "budget", "candidates",
                              "culprit", "actions", "memory_released_bytes", "outcome", "kernel_oom_killed_units",
                              "kernel_oom_kills_during", "reason", "narrative"])
        #expect(json["trigger"]?.keys == ["signal", "value", "threshold", "held_seconds", "sentence"])
        #expect(json["system"]?.keys == ["mem_total_bytes", "mem_available_bytes", "swap_total_bytes",
                                         "swap_free_bytes", "swappiness", "pressure", "forecast_seconds",
                                         "kernel_oom_kills"])
        #expect(json["candidates"]?[0]?.keys == ["unit", "category", "score", "excluded_reason", "parts"])
        #expect(json["candidates"]?[0]?["parts"]?.keys == ["working_set_bytes", "over_bytes", "growth_bytes",
                                                           "growth_window_seconds", "swap_bytes",
                                                           "pressure_some_avg10", "weight"])
        #expect(json["actions"]?[0]?.keys == ["kind", "unit", "issued_at_ms", "result", "finished_at_ms", "dry_run",
                                              "detail"])
    }

    @Test("values: identity, times, trigger, system, candidates, actions, outcome")
    func values() {
        let mib = Int64(SampleIncident.mib)
        let incident = SampleIncident.make()
        let json = incident.jsonValue(host: "vm01", bootId: "b00t")
        #expect(json["schema"] == .integer(1))
        #expect(json["id"] == .string("1800000000-1"))
        #expect(json["kind"] == .string("restart"))
        #expect(json["host"] == .string("vm01"))
        #expect(json["boot_id"] == .string("b00t"))
        #expect(json["started_at"] == .string("2027-01-15T08:00:00.123Z"))
        #expect(json["updated_at"] == .string("2027-01-15T08:00:02.623Z"))
        #expect(json["started_at_ms"] == .integer(1_800_000_000_123))
        #expect(json["updated_at_ms"] == .integer(1_800_000_002_623))
        #expect(json["level"] == .string("critical"))
        #expect(json["dry_run"] == .bool(false))

        #expect(json["trigger"]?["signal"] == .string("available"))
        #expect(json["trigger"]?["value"] == .number(1.95))
        #expect(json["trigger"]?["threshold"] == .number(3))
        #expect(json["trigger"]?["held_seconds"] == .number(4.5))
        #expect(json["trigger"]?["sentence"] == .string("only 1.95 % of memory was available (threshold 3.00 %)"))

        let system = json["system"]
        #expect(system?["mem_total_bytes"] == .integer(2048 * mib))
        #expect(system?["mem_available_bytes"] == .integer(40 * mib))
        #expect(system?["swap_total_bytes"] == .integer(1024 * mib))
        #expect(system?["swap_free_bytes"] == .integer(1000 * mib))
        #expect(system?["swappiness"] == .integer(10))
        #expect(system?["pressure"] == SampleIncident.system.pressure.jsonValue)
        #expect(system?["pressure"]?["full"]?["avg10"] == .number(42.75))
        #expect(system?["forecast_seconds"] == .number(12.4))
        #expect(system?["kernel_oom_kills"] == .integer(3))

        #expect(json["budget"] == incident.budget?.jsonValue(unavailable: []))
        #expect(json["budget"]?["categories"] != nil)

        let leaky = json["candidates"]?[0]
        #expect(leaky?["unit"] == .string("leaky.service"))
        #expect(leaky?["category"] == .string("application"))
        #expect(leaky?["score"] == .number(2037.5))
        #expect(leaky?["excluded_reason"] == .null)
        #expect(leaky?["parts"]?["working_set_bytes"] == .integer(900 * mib))
        #expect(leaky?["parts"]?["over_bytes"] == .integer(0))
        #expect(leaky?["parts"]?["growth_bytes"] == .integer(600 * mib))
        #expect(leaky?["parts"]?["growth_window_seconds"] == .number(60))
        #expect(leaky?["parts"]?["swap_bytes"] == .integer(24 * mib))
        #expect(leaky?["parts"]?["pressure_some_avg10"] == .number(12.5))
        #expect(leaky?["parts"]?["weight"] == .number(1))
        let sshd = json["candidates"]?[1]
        #expect(sshd?["excluded_reason"] == .string("protected"))
        #expect(sshd?["parts"]?["weight"] == .number(0.25))
        #expect(json["culprit"] == .string("leaky.service"))

        #expect(json["actions"] == .array([.object([
            "kind": .string("restart"), "unit": .string("leaky.service"), "issued_at_ms": .integer(1_800_000_000_123),
            "result": .string("done"), "finished_at_ms": .integer(1_800_000_002_123), "dry_run": .bool(false),
            "detail": .null,
        ])]))
        #expect(json["memory_released_bytes"] == .integer(850 * mib))
        #expect(json["outcome"] == .string("recovered"))
        #expect(json["kernel_oom_killed_units"] == .array([.string("other.service")]))
        #expect(json["kernel_oom_kills_during"] == .integer(1))
        #expect(json["narrative"] == .string(incident.narrative))
    }

    @Test("absent values are null: forecast, budget, culprit, memory released, a pending action's result")
    func nulls() {
        var incident = SampleIncident.make(forecast: nil, withBudget: false)
        incident.culprit = nil
        incident.memoryReleasedBytes = nil
        incident.actions[0].result = nil
        incident.actions[0].finishedAtMs = nil
        let json = incident.jsonValue(host: "h", bootId: "b")
        #expect(json["system"]?["forecast_seconds"] == .null)
        #expect(json["budget"] == .null)
        #expect(json["culprit"] == .null)
        #expect(json["memory_released_bytes"] == .null)
        #expect(json["actions"]?[0]?["result"] == .null)
        #expect(json["actions"]?[0]?["finished_at_ms"] == .null)
    }

    @Test("a NaN or infinite number becomes null instead of spoiling the whole file")
    func nonFiniteNumbers() throws {
        var incident = SampleIncident.make(forecast: .infinity)
        incident.candidates[0].score = .nan
        let json = incident.jsonValue(host: "h", bootId: "b")
        #expect(json["system"]?["forecast_seconds"] == .null)
        #expect(json["candidates"]?[0]?["score"] == .null)
        let text = json.rendered()
        #expect(text.hasPrefix("{"))
        #expect(try JSONValue.parse(Array(text.utf8))["id"] == .string("1800000000-1"))
    }
}

@Suite("incident summaries read back from a file")
struct IncidentSummaryTests {
    @Test("decoded from the rendered and re-parsed file")
    func roundTrip() throws {
        let incident = SampleIncident.make()
        let text = incident.jsonValue(host: "vm01", bootId: "b").rendered()
        let summary = try IncidentSummary(json: JSONValue.parse(Array(text.utf8)), file: "x.json")
        #expect(summary == IncidentSummary(id: "1800000000-1", kind: .restart, startedAtMs: 1_800_000_000_123,
                                           updatedAtMs: 1_800_000_002_623, culprit: "leaky.service",
                                           outcome: .recovered, dryRun: false, narrative: incident.narrative))
        let listed = summary.jsonValue
        #expect(listed["started_at"] == .string("2027-01-15T08:00:00.123Z"))
        #expect(listed["culprit"] == .string("leaky.service"))
        #expect(listed["outcome"] == .string("recovered"))
    }

    @Test("no culprit and other kinds and outcomes decode")
    func otherValues() throws {
        var incident = SampleIncident.make()
        incident.kind = .noActionableCulprit
        incident.outcome = .noAction
        incident.culprit = nil
        incident.dryRun = true
        let summary = try IncidentSummary(json: incident.jsonValue(host: "h", bootId: "b"), file: "f")
        #expect(summary.kind == .noActionableCulprit)
        #expect(summary.outcome == .noAction)
        #expect(summary.culprit == nil)
        #expect(summary.dryRun)
    }

    static let good = SampleIncident.make().jsonValue(host: "h", bootId: "b")

    @Test("errors name the file and the key", arguments: [
        (good.replacing("schema", with: .integer(2)), "schema",
         "/i/a.json: schema: schema 2 is not supported (this headroom reads schema 1)"),
        (good.replacing("schema", with: nil), "schema", "/i/a.json: schema: missing"),
        (good.replacing("id", with: nil), "id", "/i/a.json: id: missing"),
        (good.replacing("started_at_ms", with: .string("soon")), "started_at_ms",
         "/i/a.json: started_at_ms: expected a whole number, found a string"),
        (good.replacing("culprit", with: .integer(3)), "culprit",
         "/i/a.json: culprit: expected a string or null, found a number"),
        (good.replacing("dry_run", with: .string("no")), "dry_run",
         "/i/a.json: dry_run: expected true or false, found a string"),
        (good.replacing("kind", with: .string("panic")), "kind",
         "/i/a.json: kind: 'panic' is not one of throttle, restart, contain, runaway_process, no_actionable_culprit, kernel_oom_kill"),
        (good.replacing("outcome", with: .string("meh")), "outcome",
         "/i/a.json: outcome: 'meh' is not one of pending, recovered, not_recovered, failed, dry_run, no_action, "
            + "kernel_oom_kill, interrupted"),
        (good.replacing("narrative", with: .null), "narrative", "/i/a.json: narrative: expected a string, found null"),
    ])
    func errors(json: JSONValue, key: String, message: String) {
        #expect {
            try IncidentSummary(json: json, file: "/i/a.json")
        } throws: { error in
            guard let error = error as? IncidentFileError else { return false }
            return error.file == "/i/a.json" && error.key == key && error.description == message
        }
    }

    @Test("a document that is not an object")
    func notAnObject() {
        #expect(throws: IncidentFileError(file: "f.json", reason: "expected a JSON object, found an array")) {
            try IncidentSummary(json: .array([]), file: "f.json")
        }
    }
}
