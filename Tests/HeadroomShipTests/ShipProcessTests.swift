import Foundation
import HeadroomCore
import Testing

/// The built `headroom-ship` as a process against a real HTTP server on 127.0.0.1.
@Suite("headroom-ship against a real HTTP receiver", .serialized)
struct ShipProcessTests {
    /// Waits until every `.queued` record's next attempt is in the past.
    static func waitForBackoff(_ fixture: ShipFixture) throws {
        var latest: Int64 = 0
        for id in fixture.ticketFiles(".queued") {
            if let next = try fixture.ticketRecord(id, ".queued")["next_attempt_at_ms"] as? Int64 {
                latest = max(latest, next)
            }
        }
        let wait = Double(latest - ShipFixture.nowMs()) / 1000 + 0.05
        if wait > 0 { Thread.sleep(forTimeInterval: wait) }
    }

    @Test("an outage mid-run: failures retried after the back-off, every incident delivered once after de-duplication")
    func deliveryAcrossAnOutage() throws {
        let fixture = try ShipFixture()
        let base = ShipFixture.nowMs() - 3_600_000
        let finals = ["i1", "i2", "i3", "i4", "i5"]
        for (index, id) in finals.enumerated() {
            try fixture.writeIncident(id, outcome: index % 2 == 0 ? "recovered" : "not_recovered",
                                      startedAtMs: base + Int64(index) * 1000)
        }
        // Still open, updated just now: not sent until its outcome is known.
        try fixture.writeIncident("p6", outcome: "pending", startedAtMs: base + 10_000,
                                  updatedAtMs: ShipFixture.nowMs())

        // The receiver answers i1, takes i2 and never answers it (the ship's 1 s timeout runs out:
        // it was recorded, so its retry is a duplicate), answers i3, then goes down.
        let first = try TicketServer(directory: fixture.path, record: fixture.record,
                                     arguments: ["--die-after", "2", "--hang-once", "i2"])
        try fixture.writeConfig(url: first.url, initial: 3, maximum: 8, timeout: 1,
                                headers: ["Authorization": "Bearer test-token"], allowInsecureHTTP: true)

        let run1 = try fixture.ship()
        first.stop()
        #expect(run1.code == 1, "stdout: \(run1.stdout) stderr: \(run1.stderr)")
        #expect(fixture.ticketFiles(".delivered") == ["i1", "i3"])
        #expect(fixture.ticketFiles(".queued") == ["i2", "i4", "i5", "p6"])
        for id in ["i2", "i4", "i5"] {
            let queued = try fixture.ticketRecord(id, ".queued")
            #expect(queued["attempts"] as? Int == 1)
            let last = try #require(queued["last_attempt_at_ms"] as? Int64)
            #expect(queued["next_attempt_at_ms"] as? Int64 == last + 3000)
            #expect(run1.stderr.contains("incident \(id): POST \(first.url) failed (attempt 1)"), "\(run1.stderr)")
        }
        #expect(try fixture.ticketRecord("p6", ".queued")["attempts"] as? Int == 0)
        #expect(run1.stdout.contains("2 delivered, 3 failed (retried later), 1 awaiting an outcome"), "\(run1.stdout)")

        // Straight away, receiver still down: nothing is due yet, so nothing is tried.
        let run2 = try fixture.ship()
        #expect(run2.code == 0, "stdout: \(run2.stdout) stderr: \(run2.stderr)")
        #expect(run2.stdout.contains("0 delivered, 3 waiting to retry, 1 awaiting an outcome, 2 delivered before"),
                "\(run2.stdout)")
        for id in ["i2", "i4", "i5"] { #expect(try fixture.ticketRecord(id, ".queued")["attempts"] as? Int == 1) }

        // The incident closes; the receiver comes back on the same URL; the back-off runs out.
        try fixture.writeIncident("p6", outcome: "recovered", startedAtMs: base + 10_000,
                                  updatedAtMs: ShipFixture.nowMs())
        let second = try TicketServer(directory: fixture.path, port: first.port, record: fixture.record)
        defer { second.stop() }
        try Self.waitForBackoff(fixture)
        let run3 = try fixture.ship()
        #expect(run3.code == 0, "stdout: \(run3.stdout) stderr: \(run3.stderr)")
        #expect(fixture.ticketFiles(".delivered") == Set(finals + ["p6"]))
        #expect(fixture.ticketFiles(".queued").isEmpty)
        #expect(try fixture.ticketRecord("i2", ".delivered")["attempts"] as? Int == 2)

        // Delivered means never again.
        let before = try TicketServer.requests(in: fixture.record).count
        let run4 = try fixture.ship()
        #expect(run4.code == 0)
        #expect(run4.stdout.contains("0 delivered, 6 delivered before"), "\(run4.stdout)")
        let requests = try TicketServer.requests(in: fixture.record)
        #expect(requests.count == before)

        // The receiver's view: i2 arrived twice (at-least-once), all six once by Idempotency-Key.
        #expect(requests.count == 7)
        var answeredKeys: [String: Int] = [:]
        for request in requests {
            let key = try #require(request["key"] as? String)
            #expect(request["body_id"] as? String == key)
            #expect(request["content_type"] as? String == "application/json")
            #expect(request["authorization"] as? String == "Bearer test-token")
            #expect(request["path"] as? String == "/tickets")
            if request["status"] as? Int == 201 { answeredKeys[key, default: 0] += 1 }
        }
        let keys = (finals + ["p6"]).map { "test-vm/" + $0 }
        #expect(Set(requests.compactMap { $0["key"] as? String }) == Set(keys))
        #expect(answeredKeys == Dictionary(uniqueKeysWithValues: keys.map { ($0, 1) }))
        #expect(requests.filter { $0["key"] as? String == "test-vm/i2" }.count == 2)
    }

    @Test("connection refused and HTTP 500 are both retried with doubling back-off, then delivered")
    func refusedAndServerErrorRetried() throws {
        let fixture = try ShipFixture()
        try fixture.writeIncident("r1", outcome: "recovered", startedAtMs: ShipFixture.nowMs() - 60_000)
        let port = try TicketServer.closedPort()
        let url = "http://127.0.0.1:\(port)/in"
        try fixture.writeConfig(url: url, initial: 1, maximum: 60)

        let refused = try fixture.ship()
        #expect(refused.code == 1)
        #expect(refused.stderr.contains("incident r1: POST \(url) failed (attempt 1)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("ERROR:"))
        var queued = try fixture.ticketRecord("r1", ".queued")
        #expect(queued["attempts"] as? Int == 1)
        #expect(queued["next_attempt_at_ms"] as? Int64 == (queued["last_attempt_at_ms"] as? Int64).map { $0 + 1000 })

        let failing = try TicketServer(directory: fixture.path, port: port, record: fixture.record,
                                       arguments: ["--status", "500"])
        try Self.waitForBackoff(fixture)
        let serverError = try fixture.ship()
        failing.stop()
        #expect(serverError.code == 1)
        #expect(serverError.stderr.contains("incident r1: POST \(url) failed (attempt 2): HTTP 500"), "\(serverError.stderr)")
        queued = try fixture.ticketRecord("r1", ".queued")
        #expect(queued["attempts"] as? Int == 2)
        #expect(queued["next_attempt_at_ms"] as? Int64 == (queued["last_attempt_at_ms"] as? Int64).map { $0 + 2000 })

        let working = try TicketServer(directory: fixture.path, port: port, record: fixture.record)
        defer { working.stop() }
        try Self.waitForBackoff(fixture)
        let delivered = try fixture.ship()
        #expect(delivered.code == 0, "\(delivered.stderr)")
        #expect(delivered.stdout.contains("incident r1: delivered to \(url) (HTTP 201, attempt 3)"), "\(delivered.stdout)")
        #expect(fixture.ticketFiles(".queued").isEmpty)
        #expect(try fixture.ticketRecord("r1", ".delivered")["attempts"] as? Int == 3)
        let statuses = try TicketServer.requests(in: fixture.record).map { $0["status"] as? Int }
        #expect(statuses == [500, 201])
    }

    @Test("a 4xx other than 408/429 is kept and retried with back-off, said loudly; 429's Retry-After is honoured")
    func clientErrorsRetried() throws {
        let fixture = try ShipFixture()
        try fixture.writeIncident("c1", outcome: "failed", startedAtMs: ShipFixture.nowMs() - 60_000)
        let refusing = try TicketServer(directory: fixture.path, record: fixture.record, arguments: ["--status", "401"])
        try fixture.writeConfig(url: refusing.url, initial: 1, maximum: 60)
        let unauthorized = try fixture.ship()
        refusing.stop()
        #expect(unauthorized.code == 1)
        #expect(unauthorized.stderr.contains("ERROR: incident c1: POST \(refusing.url) failed (attempt 1): HTTP 401"),
                "\(unauthorized.stderr)")
        #expect(unauthorized.stderr.contains("test server says no"))
        #expect(unauthorized.stderr.contains("check tickets.url and tickets.headers"))
        #expect(try fixture.ticketRecord("c1", ".queued")["attempts"] as? Int == 1)

        let busy = try TicketServer(directory: fixture.path, port: refusing.port, record: fixture.record,
                                    arguments: ["--status", "429", "--retry-after", "30"])
        let throttled = try fixture.ship(["--ignore-backoff"])
        busy.stop()
        #expect(throttled.code == 1)
        #expect(!throttled.stderr.contains("ERROR:"), "\(throttled.stderr)")
        let queued = try fixture.ticketRecord("c1", ".queued")
        #expect(queued["attempts"] as? Int == 2)
        // Back-off alone would be 2 s; the receiver asked for 30.
        #expect(queued["next_attempt_at_ms"] as? Int64 == (queued["last_attempt_at_ms"] as? Int64).map { $0 + 30_000 })

        // Not due for 30 s; --ignore-backoff sends it now.
        let accepting = try TicketServer(directory: fixture.path, port: refusing.port, record: fixture.record)
        defer { accepting.stop() }
        let waiting = try fixture.ship()
        #expect(waiting.code == 0)
        #expect(waiting.stdout.contains("1 waiting to retry"), "\(waiting.stdout)")
        let forced = try fixture.ship(["--ignore-backoff"])
        #expect(forced.code == 0, "\(forced.stderr)")
        #expect(fixture.ticketFiles(".delivered") == ["c1"])
        #expect(try TicketServer.requests(in: fixture.record).map { $0["status"] as? Int } == [401, 429, 201])
    }

    @Test("after 3 failures in a row a run stops trying; the rest stay due for the next run")
    func receiverDownDefersTheRest() throws {
        let fixture = try ShipFixture()
        let base = ShipFixture.nowMs() - 60_000
        let ids = ["d1", "d2", "d3", "d4", "d5"]
        for (index, id) in ids.enumerated() {
            try fixture.writeIncident(id, outcome: "recovered", startedAtMs: base + Int64(index))
        }
        let port = try TicketServer.closedPort()
        try fixture.writeConfig(url: "http://127.0.0.1:\(port)/in", initial: 1, maximum: 2)
        let down = try fixture.ship()
        #expect(down.code == 1)
        #expect(down.stderr.contains("2 due incidents not tried in this run after 3 failures in a row"), "\(down.stderr)")
        #expect(fixture.ticketFiles(".queued") == Set(ids))
        let attempts = try ids.map { try fixture.ticketRecord($0, ".queued")["attempts"] as? Int }
        #expect(attempts == [1, 1, 1, 0, 0])

        let server = try TicketServer(directory: fixture.path, port: port, record: fixture.record)
        defer { server.stop() }
        let up = try fixture.ship(["--ignore-backoff"])
        #expect(up.code == 0, "\(up.stderr)")
        #expect(fixture.ticketFiles(".delivered") == Set(ids))
        #expect(try TicketServer.requests(in: fixture.record).compactMap { $0["key"] as? String }
                == ids.map { "test-vm/" + $0 })
    }

    @Test("an incident pruned from the spool before delivery is reported once")
    func prunedBeforeDelivery() throws {
        let fixture = try ShipFixture()
        try fixture.writeIncident("gone", outcome: "recovered", startedAtMs: ShipFixture.nowMs() - 60_000)
        try fixture.writeIncident("open", outcome: "pending", startedAtMs: ShipFixture.nowMs() - 60_000,
                                  updatedAtMs: ShipFixture.nowMs())
        let port = try TicketServer.closedPort()
        try fixture.writeConfig(url: "http://127.0.0.1:\(port)/in", initial: 1, maximum: 2)
        #expect(try fixture.ship().code == 1)
        #expect(fixture.ticketFiles(".queued") == ["gone", "open"])

        try FileManager.default.removeItem(atPath: fixture.incidents + "/gone.json")
        try FileManager.default.removeItem(atPath: fixture.incidents + "/open.json")
        let noticed = try fixture.ship()
        #expect(noticed.code == 1)
        #expect(noticed.stderr.contains("incident gone was pruned from \(fixture.incidents) before it was delivered to "
            + "http://127.0.0.1:\(port)/in (1 failed attempts; last error:"), "\(noticed.stderr)")
        #expect(noticed.stderr.contains("incident open was pruned"), "\(noticed.stderr)")
        #expect(fixture.ticketFiles(".lost") == ["gone", "open"])
        #expect(fixture.ticketFiles(".queued").isEmpty)
        let again = try fixture.ship()
        #expect(again.code == 0)
        #expect(again.stderr.isEmpty)
    }

    @Test("a pending incident not updated for the grace period is sent as it is")
    func pendingPastGrace() throws {
        let fixture = try ShipFixture()
        let server = try TicketServer(directory: fixture.path, record: fixture.record)
        defer { server.stop() }
        try fixture.writeConfig(url: server.url)
        let updated = ShipFixture.nowMs() - 120_000
        try fixture.writeIncident("stuck", outcome: "pending", startedAtMs: updated - 5000, updatedAtMs: updated)
        let waiting = try fixture.ship(["--pending-grace", "300"])
        #expect(waiting.code == 0)
        #expect(waiting.stdout.contains("1 awaiting an outcome"), "\(waiting.stdout)")
        let sent = try fixture.ship(["--pending-grace", "60"])
        #expect(sent.code == 0)
        #expect(sent.stdout.contains("sent with outcome pending after the grace period"), "\(sent.stdout)")
        #expect(try fixture.ticketRecord("stuck", ".delivered")["outcome"] as? String == "pending")
        #expect(try TicketServer.requests(in: fixture.record).count == 1)
    }

    @Test("delivery off, invalid config, bad usage, help: exit 0, 2, 2, 0")
    func configAndUsage() throws {
        let fixture = try ShipFixture()
        try fixture.writeIncident("x", outcome: "recovered", startedAtMs: ShipFixture.nowMs())
        try fixture.writeConfig(url: nil)
        let off = try fixture.ship()
        #expect(off.code == 0)
        #expect(off.stdout.contains("ticket delivery is off (tickets.url is null in \(fixture.config))"))
        #expect(!fixture.exists("tickets"))

        try Data(#"{"tickets": {"url": "ftp://example"}}"#.utf8).write(to: URL(fileURLWithPath: fixture.config))
        let invalid = try fixture.ship()
        #expect(invalid.code == 2)
        #expect(invalid.stderr.contains("tickets.url"), "\(invalid.stderr)")

        let missing = try fixture.ship(["--config", fixture.path + "/absent.json"], withConfig: false)
        #expect(missing.code == 2)
        #expect(missing.stderr.contains("absent.json"))

        let usage = try fixture.ship(["--no-such-option"])
        #expect(usage.code == 2)
        #expect(usage.stderr.contains("no-such-option"))
        let grace = try fixture.ship(["--pending-grace", "-5"])
        #expect(grace.code == 2)
        let help = try fixture.ship(["--help"], withConfig: false)
        #expect(help.code == 0)
        #expect(help.stdout.contains("--ignore-backoff"), "\(help.stdout)")
    }
}
