import Foundation
import HeadroomCore
import Testing

/// `headroom daemon --root R`: the policy's memory (`STATE_DIR/policy-state.json`) is restored
/// before the first tick and written at stop; another boot's file is ignored.
@Suite("headroom daemon: policy-state.json across restarts", .serialized)
struct DaemonPolicyStateTests {
    typealias Root = DaemonFixtureRootTests.Root
    typealias RunningDaemon = DaemonFixtureRootTests.RunningDaemon
    static let mib: UInt64 = 1 << 20
    /// The fixture root's boot id (`Root.make`).
    static let boot = "0d1b2c3a-0000-4000-8000-000000000001"

    static func stateFile(boot: String) -> String {
        """
        {"version": 1, "boot_id": "\(boot)",
         "units": [{"unit": "app.service", "restarts": 2, "level_at_last_restart_bytes": 734003200,
                    "settled_bytes": 83886080, "started_at_s": 1200.5}],
         "ladders": [{"unit": "app.service", "step": "contained", "memory_max_bytes": 524288000,
                      "memory_high_bytes": 471859200, "since_s": 1300}]}
        """
    }

    /// Starts the daemon on a calm fixture root with `state` prepared, lets it tick, stops it.
    static func runOnce(state: String, in scratch: ScratchDirectory) throws -> (log: String, file: JSONValue) {
        let root = try Root.make(in: scratch)
        let config = try scratch.write("config.json", #"{"supervisor": {"tick_seconds": 0.25}}"#)
        try root.unit("app.service", current: 100 * mib)
        try root.system(available: root.memTotal / 2)
        let daemon = try RunningDaemon(["--root", root.path, "--state-dir", state, "--config", config])
        Thread.sleep(forTimeInterval: 1)
        let (status, log) = daemon.stop()
        #expect(status == 0, "log:\n\(log)")
        let written = try Data(contentsOf: URL(fileURLWithPath: state + "/policy-state.json"))
        return (log, try JSONValue.parse(Array(written)))
    }

    @Test("same boot: the unit's restarts come back; a containment no longer in runtime-limits.json is left out")
    func restoredAndWrittenAtStop() throws {
        let scratch = try ScratchDirectory()
        let state = scratch.path + "/state"
        _ = try scratch.write("state/policy-state.json", Self.stateFile(boot: Self.boot))
        let (log, file) = try Self.runOnce(state: state, in: scratch)
        #expect(log.contains("app.service: its containment is no longer in the record of runtime limits"), "\(log)")
        #expect(log.contains("restored from \(state)/policy-state.json: 1 unit histories (2 restarts), 0 ladder steps"),
                "\(log)")
        #expect(file["boot_id"]?.string == Self.boot)
        guard case .array(let units)? = file["units"], case .array(let ladders)? = file["ladders"] else {
            Issue.record("not a policy state: \(file)")
            return
        }
        #expect(ladders.isEmpty)
        let app = try #require(units.first { $0["unit"]?.string == "app.service" })
        #expect(app["restarts"]?.int == 2)
        #expect(app["level_at_last_restart_bytes"]?.int == 734_003_200)
    }

    @Test("a containment still in runtime-limits.json is restored and kept at stop")
    func containmentKept() throws {
        let scratch = try ScratchDirectory()
        let state = scratch.path + "/state"
        _ = try scratch.write("state/policy-state.json", Self.stateFile(boot: Self.boot))
        _ = try scratch.write("state/runtime-limits.json", """
            {"version": 1, "units": [{"unit": "app.service", "purpose": "contain",
              "set": {"MemoryMax": 524288000, "MemoryHigh": 471859200}, "previous": {"MemoryMax": "infinity",
              "MemoryHigh": "infinity"}, "set_at_ms": 1800000000000}]}
            """)
        let (log, file) = try Self.runOnce(state: state, in: scratch)
        #expect(log.contains("1 unit histories (2 restarts), 1 ladder steps"), "\(log)")
        guard case .array(let ladders)? = file["ladders"] else {
            Issue.record("not a policy state: \(file)")
            return
        }
        #expect(ladders.count == 1)
        #expect(ladders.first?["step"]?.string == "contained" && ladders.first?["memory_max_bytes"]?.int == 524_288_000)
        #expect(ladders.first?["since_s"]?.int == 1300)
    }

    @Test("another boot's file: one info line, not restored; the stop writes this boot's")
    func anotherBootIgnored() throws {
        let scratch = try ScratchDirectory()
        let state = scratch.path + "/state"
        let other = "0d1b2c3a-0000-4000-8000-0000000000ff"
        _ = try scratch.write("state/policy-state.json", Self.stateFile(boot: other))
        let (log, file) = try Self.runOnce(state: state, in: scratch)
        #expect(log.contains("it is from another boot (\(other); this one is \(Self.boot))"), "\(log)")
        #expect(!log.contains("restored from"))
        #expect(file["boot_id"]?.string == Self.boot)
        guard case .array(let units)? = file["units"] else {
            Issue.record("not a policy state: \(file)")
            return
        }
        #expect(units.first { $0["unit"]?.string == "app.service" }?["restarts"]?.int == 0)
    }
}
