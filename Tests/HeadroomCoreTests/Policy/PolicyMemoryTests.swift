@testable import HeadroomCore
import Testing

/// `policy-state.json` (`PolicyMemory`): every field and step read back as written, damaged files
/// refused naming the file and the field, another boot's file not used, and steps whose runtime
/// limit was lifted since left out.
@Suite("PolicyMemory: the policy's memory in the state directory")
struct PolicyMemoryTests {
    static let mib = PolicyRig.mib
    static let boot = "0f6e3b4a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

    static func sample() -> PolicyMemory {
        var leaky = UnitMemoryHistory.Remembered(unit: "leaky-worker.service", startedAt: 123_456.789_012_345,
                                                 restarts: 2, levelAtLastRestart: 812 * mib + 3,
                                                 settledBytes: 80 * mib, earlierSettledBytes: 79 * mib + 1)
        leaky.rateBeforeRestart = 96.5 * Double(mib)
        return PolicyMemory(bootID: boot, histories: [
            leaky,
            // Nothing known but the name: every optional field left out.
            .init(unit: "fresh.service", startedAt: nil, restarts: 0, levelAtLastRestart: nil, settledBytes: nil,
                  earlierSettledBytes: nil),
            .init(unit: "session-4.scope", startedAt: 0.1, restarts: 0, levelAtLastRestart: nil,
                  settledBytes: UInt64(Int64.max), earlierSettledBytes: nil),
        ], ladders: [
            UnitLadder(unit: "leaky-worker.service", step: .contained(memoryMax: 700 * mib, memoryHigh: 600 * mib,
                                                                        since: 98_765.432_1)),
            UnitLadder(unit: "db.service", step: .throttled(memoryHigh: 1_500 * mib, since: 5_000.25, quietSince: 5_010.5)),
            UnitLadder(unit: "web.service", step: .throttled(memoryHigh: 300 * mib, since: 7, quietSince: nil)),
            UnitLadder(unit: "app.service", step: .restarting(since: 4_242.125, killed: true)),
            UnitLadder(unit: "api.service", step: .restarting(since: 1e9 + 1.0 / 3, killed: false)),
            UnitLadder(unit: "idle.service"),
        ])
    }

    @Test("round trip of every field and every step; idle ladders are not stored")
    func roundTrip() throws {
        let memory = Self.sample()
        #expect(memory.ladders.count == 5 && !memory.ladders.contains { $0.unit == "idle.service" })
        let text = memory.jsonValue.rendered()
        let read = try PolicyMemory.parse(Array(text.utf8), path: "/s/policy-state.json")
        #expect(read == memory)
        #expect(read.histories.first { $0.unit == "leaky-worker.service" }?.startedAt == 123_456.789_012_345)
        #expect(read.histories.first { $0.unit == "leaky-worker.service" }?.rateBeforeRestart == 96.5 * Double(Self.mib))
        #expect(text.contains("\"boot_id\" : \"\(Self.boot)\""))
        // Written twice, the same text: stable for diffs.
        #expect(read.jsonValue.rendered() == text)
    }

    @Test("a field missing from an older file reads as unknown; null too")
    func optionalFieldsAbsentOrNull() throws {
        let text = """
            {"version": 1, "boot_id": "b", "units": [{"unit": "a.service", "restarts": 1, "settled_bytes": null}],
             "ladders": [{"unit": "a.service", "step": "throttled", "memory_high_bytes": 5, "since_s": 3, "baseline": null}]}
            """
        let memory = try PolicyMemory.parse(Array(text.utf8), path: "p.json")
        #expect(memory.histories == [.init(unit: "a.service", startedAt: nil, restarts: 1, levelAtLastRestart: nil,
                                           settledBytes: nil, earlierSettledBytes: nil)])
        #expect(memory.ladders == [UnitLadder(unit: "a.service", step: .throttled(memoryHigh: 5, since: 3, quietSince: nil))])
    }

    @Test("a throttle baseline written by an earlier version is ignored, not refused")
    func earlierThrottleBaselineIgnored() throws {
        let text = """
            {"version": 1, "boot_id": "b", "units": [],
             "ladders": [{"unit": "db.service", "step": "throttled", "memory_high_bytes": 5, "since_s": 3,
                          "baseline": {"time_s": 3, "footprint_bytes": 4}}]}
            """
        let memory = try PolicyMemory.parse(Array(text.utf8), path: "p.json")
        #expect(memory.ladders == [UnitLadder(unit: "db.service", step: .throttled(memoryHigh: 5, since: 3, quietSince: nil))])
        #expect(!memory.jsonValue.rendered().contains("baseline"))
    }

    static let units = "\"units\": [{\"unit\": \"a.service\", \"restarts\": 1}]"

    @Test("damaged files are refused naming the file and the field", arguments: [
        ("{\"version\": 1, \"boot_id\": \"b\", \"units\": [",
         "/s/policy-state.json: not valid JSON: line 1, column 42: the document ends where a value was expected (at units[0])"),
        ("", "/s/policy-state.json: not valid JSON"),
        ("{\"version\": 2, \"boot_id\": \"b\", \"units\": [], \"ladders\": []}", "version 2 is not supported (expected 1)"),
        ("[1]", "expected {\"version\": 1"),
        ("{\"version\": 1, \"version\": 1}", "the key 'version' is given twice"),
        ("{\"version\": 1, \"boot_id\": \"b\", \"units\": [{\"unit\": \"a.service\", \"restarts\": 1, \"restarts\": 2}], "
            + "\"ladders\": []}", "the key 'restarts' is given twice in this object; keep one (at units[0].restarts)"),
        ("{\"version\": 1, \"units\": [], \"ladders\": []}", "boot_id: expected a string, but it is missing"),
        ("{\"version\": 1, \"boot_id\": \"b\", \"ladders\": []}", "units: expected an array, but it is missing"),
        ("{\"version\": 1, \"boot_id\": \"b\", \(units)}", "ladders: expected an array, but it is missing"),
        ("{\"version\": 1, \"boot_id\": \"b\", \"units\": [3], \"ladders\": []}", "units[0]: expected an object, found a number"),
        ("{\"version\": 1, \"boot_id\": \"b\", \"units\": [{\"unit\": \"bad name\", \"restarts\": 0}], \"ladders\": []}",
         "units[0].unit: 'bad name'"),
        ("{\"version\": 1, \"boot_id\": \"b\", \"units\": [{\"unit\": \"a.service\", \"restarts\": -1}], \"ladders\": []}",
         "units[0].restarts: expected a count (0 or more)"),
        ("{\"version\": 1, \"boot_id\": \"b\", \"units\": [{\"unit\": \"a.service\", \"restarts\": 0, "
            + "\"settled_bytes\": -5}], \"ladders\": []}", "units[0].settled_bytes: expected a number of bytes (0 or more)"),
        ("{\"version\": 1, \"boot_id\": \"b\", \"units\": [{\"unit\": \"a.service\", \"restarts\": 0, "
            + "\"started_at_s\": \"now\"}], \"ladders\": []}", "units[0].started_at_s: expected a number, found a string"),
        ("{\"version\": 1, \"boot_id\": \"b\", \"units\": [{\"unit\": \"a.service\", \"restarts\": 0}, "
            + "{\"unit\": \"a.service\", \"restarts\": 1}], \"ladders\": []}", "units[1]: 'a.service' is listed twice"),
        ("{\"version\": 1, \"boot_id\": \"b\", \(units), \"ladders\": [{\"unit\": \"a.service\", \"step\": \"evicted\"}]}",
         "ladders[0].step: 'evicted' is not one of throttled, restarting, contained"),
        ("{\"version\": 1, \"boot_id\": \"b\", \(units), \"ladders\": [{\"unit\": \"a.service\", \"step\": \"idle\"}]}",
         "ladders[0].step: 'idle' is not one of"),
        ("{\"version\": 1, \"boot_id\": \"b\", \(units), \"ladders\": [{\"unit\": \"a.service\", \"step\": \"contained\", "
            + "\"memory_max_bytes\": 5, \"since_s\": 1}]}", "ladders[0].memory_high_bytes: expected a number of bytes"),
        ("{\"version\": 1, \"boot_id\": \"b\", \(units), \"ladders\": [{\"unit\": \"a.service\", \"step\": \"restarting\", "
            + "\"since_s\": 1}]}", "ladders[0].killed: expected true or false, but it is missing"),
        ("{\"version\": 1, \"boot_id\": \"b\", \(units), \"ladders\": [{\"unit\": \"a.service\", \"step\": \"throttled\", "
            + "\"memory_high_bytes\": 5, \"since_s\": \"soon\"}]}",
         "ladders[0].since_s: expected seconds"),
    ] as [(String, String)])
    func damaged(text: String, message: String) {
        #expect {
            try PolicyMemory.parse(Array(text.utf8), path: "/s/policy-state.json")
        } throws: { error in
            let description = "\(error)"
            return description.hasPrefix("/s/policy-state.json: ") && description.contains(message)
        }
    }

    @Test("a memory from another boot, or of an unknown boot, is not from this one")
    func boots() {
        let memory = Self.sample()
        #expect(memory.isFrom(boot: Self.boot))
        #expect(!memory.isFrom(boot: "11111111-2222-3333-4444-555555555555"))
        var unknown = memory
        unknown.bootID = PolicyMemory.unknownBoot
        #expect(!unknown.isFrom(boot: PolicyMemory.unknownBoot))
    }

    @Test("a throttle or containment no longer in the runtime-limit record is left out; restarts and histories stay")
    func reconciledWithRuntimeLimits() {
        let memory = Self.sample()
        // Only leaky-worker's containment is still set: db's and web's throttles were lifted at stop.
        let record = RuntimeLimitRecord([
            RuntimeLimit(unit: "leaky-worker.service", purpose: .contain, values: [.memoryMax: 700 * Self.mib],
                         previous: [:], setAtMs: 1),
            // A throttle recorded for a unit whose ladder says contained is not its containment.
            RuntimeLimit(unit: "db.service", purpose: .throttle, values: [.memoryHigh: 1], previous: [:], setAtMs: 1),
        ])
        let (kept, dropped) = memory.keeping(limitsIn: record)
        #expect(kept.ladders.map(\.unit) == ["api.service", "app.service", "db.service", "leaky-worker.service"])
        #expect(kept.histories == memory.histories)
        #expect(dropped == ["web.service: its throttle is no longer in the record of runtime limits (lifted since the "
            + "state was saved); its ladder starts again from the bottom"])
        let (none, all) = memory.keeping(limitsIn: RuntimeLimitRecord())
        #expect(none.ladders.map(\.unit) == ["api.service", "app.service"])
        #expect(all.count == 3 && all.contains { $0.hasPrefix("leaky-worker.service: its containment") })
    }
}
