import Foundation
import HeadroomCore
import Testing

/// The daemon's shell pieces of issue 12 through the real `headroom daemon` on a fixture root:
/// the budget record, and incidents a killed daemon left pending.
@Suite("headroom daemon: budget record and left-over incidents", .serialized)
struct DaemonShellWiringTests {
    typealias Root = DaemonFixtureRootTests.Root
    typealias RunningDaemon = DaemonFixtureRootTests.RunningDaemon
    static let mib: UInt64 = 1 << 20

    /// Polls `condition` every 100 ms for up to `seconds`.
    static func wait(seconds: Double, _ condition: () -> Bool) -> Bool {
        for _ in 0..<Int(seconds * 10) {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition()
    }

    @Test("the daemon keeps the budget record: `headroom budget` shows a unit's peak after it shrank")
    func budgetRecordFromTheDaemon() throws {
        let scratch = try ScratchDirectory()
        let root = try Root.make(in: scratch)
        let config = try scratch.write("config.json",
                                       #"{"supervisor": {"tick_seconds": 0.25}, "budget": {"record_interval_seconds": 1}}"#)
        try root.unit("app.service", current: 300 * Self.mib)
        try root.system(available: root.memTotal / 2)
        let daemon = try RunningDaemon(["--root", root.path, "--dry-run", "--state-dir", scratch.path + "/state",
                                        "--config", config])
        let recordPath = root.path + "/run/headroom/budget"
        let peakSeen = Self.wait(seconds: 8) {
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: recordPath)),
                  let record = try? BudgetRecord.parse(Array(data)) else { return false }
            return record.units["app.service"]?.peakBytes == 300 * Self.mib
        }
        try root.unit("app.service", current: 100 * Self.mib)
        // At least one more observation (every second) with the smaller size.
        Thread.sleep(forTimeInterval: 1.5)
        let (status, log) = daemon.stop()
        #expect(status == 0, "log:\n\(log)")
        #expect(peakSeen, "no peak of app.service in \(recordPath); log:\n\(log)")
        // Left in place on stop: the next daemon of this boot continues it.
        #expect(FileManager.default.fileExists(atPath: recordPath))

        let result = headroom("budget", "--root", root.path, "--json")
        #expect(result.code == 0, "\(result.stderr)")
        let units = try result.json()["application"]?["units"]
        let app = try #require(Self.items(units).first { $0["unit"]?.string == "app.service" }, "\(result.stdout)")
        #expect(app["actual_bytes"]?.int == Int64(100 * Self.mib))
        #expect(app["peak_bytes"]?.int == Int64(300 * Self.mib))
    }

    static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    @Test("an incident left pending by a killed daemon is finished as interrupted at the next start, once")
    func pendingIncidentFinishedAtStart() throws {
        let scratch = try ScratchDirectory()
        let root = try Root.make(in: scratch)
        let state = scratch.path + "/state"
        try root.unit("app.service", current: 100 * Self.mib)
        try root.system(available: root.memTotal / 2)
        let pending = """
            {"schema": 1, "id": "20261129T020000Z-1", "kind": "restart", "host": "vm", "boot_id": "b",
             "started_at": "2026-11-29T02:00:00Z", "updated_at": "2026-11-29T02:00:00Z",
             "started_at_ms": 1795917600000, "updated_at_ms": 1795917600000, "level": "critical", "dry_run": false,
             "culprit": "leak.service", "outcome": "pending", "narrative": "leak.service is being restarted."}
            """
        let file = try scratch.write("state/incidents/20261129T020000Z-1.json", pending)
        let first = try RunningDaemon(["--root", root.path, "--dry-run", "--state-dir", state])
        let finished = Self.wait(seconds: 5) {
            ((try? Data(contentsOf: URL(fileURLWithPath: file))).flatMap { try? JSONValue.parse(Array($0)) })?["outcome"]?
                .string == "interrupted"
        }
        let (_, log) = first.stop()
        #expect(finished, "log:\n\(log)")
        let json = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        #expect(json["narrative"]?.string == "leak.service is being restarted. Headroom stopped (killed, or the VM went down) "
            + "before the outcome was seen.")
        #expect(json["culprit"]?.string == "leak.service")
        #expect((json["updated_at_ms"]?.int ?? 0) > 1795917600000)
        #expect(log.contains("incident 20261129T020000Z-1 was left pending by a daemon that did not stop; now interrupted"))
        // `incidents list` reads it back; the next start leaves it alone.
        let second = try RunningDaemon(["--root", root.path, "--dry-run", "--state-dir", state])
        Thread.sleep(forTimeInterval: 0.8)
        let (_, again) = second.stop()
        #expect(!again.contains("20261129T020000Z-1"), "log:\n\(again)")
    }
}
