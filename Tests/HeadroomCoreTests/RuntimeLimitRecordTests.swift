import HeadroomCore
import Testing

@Suite("RuntimeLimitRecord: what Headroom set and how to lift it")
struct RuntimeLimitRecordTests {
    static let mib: UInt64 = 1 << 20

    @Test("lifting puts back the unit's own value, infinity when none was recorded, only for properties set")
    func liftAssignments() {
        let limit = RuntimeLimit(unit: "web.service", purpose: .contain,
                                 values: [.memoryHigh: 600 * Self.mib, .memoryMax: 700 * Self.mib],
                                 previous: [.memoryHigh: 900 * Self.mib], setAtMs: 1)
        #expect(limit.liftAssignments.map(\.property) == [.memoryHigh, .memoryMax])
        #expect(limit.liftAssignments.map(\.value) == [900 * Self.mib, RuntimeLimit.infinity])
        let throttle = RuntimeLimit(unit: "a.service", purpose: .throttle, values: [.memoryHigh: 5], previous: [:], setAtMs: 1)
        #expect(throttle.liftAssignments.map(\.property) == [.memoryHigh])
    }

    @Test("a throttle then a containment: the unit's first values stay the ones to restore; contain wins")
    func mergeKeepsFirstPrevious() {
        var record = RuntimeLimitRecord()
        record.record(RuntimeLimit(unit: "w.service", purpose: .throttle, values: [.memoryHigh: 500 * Self.mib],
                                   previous: [.memoryHigh: RuntimeLimit.infinity], setAtMs: 1, incidentID: "i1"))
        // Read after the throttle: systemd reports Headroom's own 500 MiB as the "previous" value.
        record.record(RuntimeLimit(unit: "w.service", purpose: .contain, values: [.memoryMax: 700 * Self.mib],
                                   previous: [.memoryHigh: 500 * Self.mib, .memoryMax: RuntimeLimit.infinity], setAtMs: 2))
        let merged = record["w.service"]!
        #expect(merged.purpose == .contain && merged.setAtMs == 2 && merged.incidentID == "i1")
        #expect(merged.values == [.memoryHigh: 500 * Self.mib, .memoryMax: 700 * Self.mib])
        #expect(merged.previous == [.memoryHigh: RuntimeLimit.infinity, .memoryMax: RuntimeLimit.infinity])
        // A later throttle does not turn a containment back into something the daemon's stop would lift.
        record.record(RuntimeLimit(unit: "w.service", purpose: .throttle, values: [.memoryHigh: 400 * Self.mib],
                                   previous: [:], setAtMs: 3))
        #expect(record["w.service"]!.purpose == .contain)
        #expect(record.limits(for: .throttle).isEmpty && record.limits(for: .contain).count == 1)
    }

    @Test("JSON round trip, infinity as a string")
    func roundTrip() throws {
        let record = RuntimeLimitRecord([
            RuntimeLimit(unit: "b.service", purpose: .throttle, values: [.memoryHigh: 300 * Self.mib],
                         previous: [.memoryHigh: RuntimeLimit.infinity], setAtMs: 1_800_000_000_000),
            RuntimeLimit(unit: "a.scope", purpose: .contain, values: [.memoryHigh: 1, .memoryMax: 2],
                         previous: [.memoryHigh: 3, .memoryMax: RuntimeLimit.infinity], setAtMs: 5, incidentID: "x-1"),
        ])
        let text = record.jsonValue.rendered()
        #expect(text.contains("\"infinity\""))
        #expect(try RuntimeLimitRecord.parse(Array(text.utf8), path: "r.json") == record)
        #expect(record.sorted.map(\.unit) == ["a.scope", "b.service"])
    }

    @Test("damaged records are refused naming the file and the entry", arguments: [
        ("{", "not valid JSON"),
        ("{\"version\": 2, \"units\": []}", "version 2 is not supported"),
        ("{\"units\": []}", "expected {\"version\": 1"),
        ("{\"version\":1,\"units\":[{\"unit\":\"bad name\",\"purpose\":\"contain\",\"set\":{},\"previous\":{},\"set_at_ms\":1}]}",
         "units[0]: unit 'bad name'"),
        ("{\"version\":1,\"units\":[{\"unit\":\"a.service\",\"purpose\":\"evict\",\"set\":{},\"previous\":{},\"set_at_ms\":1}]}",
         "units[0]: 'purpose' must be one of"),
        ("{\"version\":1,\"units\":[{\"unit\":\"a.service\",\"purpose\":\"contain\",\"set\":{\"MemoryLow\":1},\"previous\":{},\"set_at_ms\":1}]}",
         "'set.MemoryLow': unknown property"),
        ("{\"version\":1,\"units\":[{\"unit\":\"a.service\",\"purpose\":\"contain\",\"set\":{\"MemoryMax\":-1},\"previous\":{},\"set_at_ms\":1}]}",
         "'set.MemoryMax' must be a number of bytes"),
    ])
    func damaged(text: String, expected: String) {
        do {
            _ = try RuntimeLimitRecord.parse(Array(text.utf8), path: "/var/lib/headroom/runtime-limits.json")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix("/var/lib/headroom/runtime-limits.json: "))
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test("describe: bytes for people, infinity by name")
    func describe() {
        #expect(RuntimeLimit.describe(.memoryMax, 700 * Self.mib) == "MemoryMax=700 MiB")
        #expect(RuntimeLimit.describe(.memoryHigh, RuntimeLimit.infinity) == "MemoryHigh=infinity")
    }
}
