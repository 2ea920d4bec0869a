import HeadroomCore
import HeadroomShip
import Testing

/// A poster that records what it was asked to send and answers 200.
final class RecordingPoster: TicketPoster {
    var requests: [TicketRequest] = []
    func post(_ request: TicketRequest) -> PostResult {
        requests.append(request)
        return .response(status: 200, retryAfterSeconds: nil, bodyHead: "")
    }
}

@Suite("ticket delivery when the wall clock was changed")
struct ClockChangeTests {
    @Test("a back-off recorded far in the future is cut to retry_maximum_seconds from now, and kept so")
    func futureBackoffIsBounded() throws {
        let fixture = try ShipFixture()
        let nowMs: Int64 = 1_790_000_000_000
        try fixture.writeIncident("1790000000000-1", outcome: "recovered", startedAtMs: nowMs - 60_000)
        var settings = TicketSettings()
        settings.retryMaximumSeconds = 3600
        let state = TicketStateStore(stateDirectory: fixture.state)
        _ = try state.prepareAndLock()
        // Written while the clock said 2100 (or a clock set back by NTP afterwards).
        try state.write(QueuedRecord(id: "1790000000000-1", firstSeenAtMs: nowMs, attempts: 1,
                                     lastAttemptAtMs: 4_102_444_800_000, nextAttemptAtMs: 4_102_444_830_000))
        let poster = RecordingPoster()
        var clock = nowMs
        func shipper() -> Shipper {
            let now = clock
            return Shipper(url: "https://tickets.example/hook", settings: settings, stateDirectory: fixture.state,
                           policy: DeliveryPolicy(), poster: poster, now: { now })
        }
        let first = shipper().run()
        #expect(first.backingOff == ["1790000000000-1"])
        #expect(first.errors.contains { $0.contains("retry_maximum_seconds") })
        let bounded = try fixture.ticketRecord("1790000000000-1", ".queued")["next_attempt_at_ms"] as? Int
        #expect(bounded == Int(nowMs + 3_600_000))

        clock = nowMs + 1_800_000
        #expect(shipper().run().backingOff == ["1790000000000-1"])
        clock = nowMs + 3_600_001
        let due = shipper().run()
        #expect(due.delivered == ["1790000000000-1"])
        #expect(poster.requests.count == 1)
    }

    @Test("a pending incident updated in the future waits the grace period from when it was first seen, not until then")
    func futurePendingIsBounded() throws {
        let fixture = try ShipFixture()
        let nowMs: Int64 = 1_790_000_000_000
        // Written while the clock said 2100; the daemon was then killed, so it stays pending.
        try fixture.writeIncident("1790000000000-1", outcome: "pending", startedAtMs: nowMs - 60_000,
                                  updatedAtMs: 4_102_444_800_000)
        let poster = RecordingPoster()
        var clock = nowMs
        func shipper() -> Shipper { Self.shipper(fixture, poster, clock) }
        #expect(shipper().run().awaitingOutcome == ["1790000000000-1"])
        clock = nowMs + 599_000
        #expect(shipper().run().awaitingOutcome == ["1790000000000-1"])
        clock = nowMs + 600_000
        #expect(shipper().run().delivered == ["1790000000000-1"])
        #expect(poster.requests.count == 1)
    }

    @Test("a first sight recorded in the future (the clock set back since) is cut to now, and kept so")
    func futureFirstSightIsBounded() throws {
        let fixture = try ShipFixture()
        let nowMs: Int64 = 1_790_000_000_000
        try fixture.writeIncident("1790000000000-1", outcome: "pending", startedAtMs: 4_102_444_800_000)
        let state = TicketStateStore(stateDirectory: fixture.state)
        _ = try state.prepareAndLock()
        try state.write(QueuedRecord(id: "1790000000000-1", firstSeenAtMs: 4_102_444_800_000))
        let poster = RecordingPoster()
        var clock = nowMs
        func shipper() -> Shipper { Self.shipper(fixture, poster, clock) }
        let first = shipper().run()
        #expect(first.awaitingOutcome == ["1790000000000-1"])
        #expect(first.errors.contains { $0.contains("first seen") }, "\(first.errors)")
        clock = nowMs + 600_000
        #expect(shipper().run().delivered == ["1790000000000-1"])
    }

    /// Default settings, a 600 s grace period, the clock stopped at `nowMs`.
    static func shipper(_ fixture: ShipFixture, _ poster: RecordingPoster, _ nowMs: Int64) -> Shipper {
        Shipper(url: "https://tickets.example/hook", settings: TicketSettings(), stateDirectory: fixture.state,
                policy: DeliveryPolicy(pendingGraceSeconds: 600), poster: poster, now: { nowMs })
    }
}
