import HeadroomCore
import HeadroomShip
import Testing

@Suite("ticket delivery: back-off, due decision, verdicts (pure)")
struct DeliveryLogicTests {
    @Test("back-off doubles from retry_initial_seconds and stops at retry_maximum_seconds")
    func backoffSchedule() {
        let schedule = RetrySchedule(initialSeconds: 30, maximumSeconds: 3600)
        let delays = (0...10).map { schedule.delaySeconds(afterFailures: $0) }
        #expect(delays == [0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600])
        // No overflow however long the endpoint is down.
        #expect(schedule.delaySeconds(afterFailures: 100_000) == 3600)
        #expect(schedule.nextAttemptMs(afterFailures: 3, at: 1_000_000) == 1_000_000 + 120_000)

        let flat = RetrySchedule(initialSeconds: 5, maximumSeconds: 5)
        #expect((1...4).map { flat.delaySeconds(afterFailures: $0) } == [5, 5, 5, 5])
        // The config's defaults.
        let defaults = RetrySchedule(TicketSettings())
        #expect(defaults.delaySeconds(afterFailures: 1) == 30)
        #expect(defaults.delaySeconds(afterFailures: 9) == 3600)
    }

    @Test("Retry-After lengthens the wait, never shortens it, and is capped at the maximum")
    func retryAfter() {
        let schedule = RetrySchedule(initialSeconds: 10, maximumSeconds: 300)
        #expect(schedule.nextAttemptMs(afterFailures: 1, at: 0, retryAfterSeconds: 120) == 120_000)
        #expect(schedule.nextAttemptMs(afterFailures: 2, at: 0, retryAfterSeconds: 5) == 20_000)
        #expect(schedule.nextAttemptMs(afterFailures: 1, at: 0, retryAfterSeconds: 86_400) == 300_000)
    }

    @Test("due: a known outcome at once; pending only after the grace period; back-off; delivered never")
    func dueDecision() {
        let policy = DeliveryPolicy(pendingGraceSeconds: 600)
        let updated: Int64 = 1_000_000
        #expect(policy.decide(outcome: .recovered, updatedAtMs: updated, delivered: false, nextAttemptAtMs: nil,
                              nowMs: updated) == .due(.outcomeKnown))
        #expect(policy.decide(outcome: .dryRun, updatedAtMs: updated, delivered: false, nextAttemptAtMs: nil,
                              nowMs: updated + 1) == .due(.outcomeKnown))
        #expect(policy.decide(outcome: .pending, updatedAtMs: updated, delivered: false, nextAttemptAtMs: nil,
                              nowMs: updated + 599_999) == .awaitingOutcome(untilMs: updated + 600_000))
        #expect(policy.decide(outcome: .pending, updatedAtMs: updated, delivered: false, nextAttemptAtMs: nil,
                              nowMs: updated + 600_000) == .due(.pendingTooLong))
        #expect(policy.decide(outcome: .notRecovered, updatedAtMs: updated, delivered: false,
                              nextAttemptAtMs: updated + 30_000, nowMs: updated + 29_999)
                == .backingOff(untilMs: updated + 30_000))
        #expect(policy.decide(outcome: .notRecovered, updatedAtMs: updated, delivered: false,
                              nextAttemptAtMs: updated + 30_000, nowMs: updated + 30_000) == .due(.outcomeKnown))
        for outcome in [Incident.Outcome.pending, .recovered, .failed] {
            #expect(policy.decide(outcome: outcome, updatedAtMs: updated, delivered: true, nextAttemptAtMs: nil,
                                  nowMs: updated + 10_000_000) == .alreadyDelivered)
        }
        // --ignore-backoff skips the back-off, not the wait for an outcome.
        let eager = DeliveryPolicy(pendingGraceSeconds: 600, ignoreBackoff: true)
        #expect(eager.decide(outcome: .failed, updatedAtMs: updated, delivered: false,
                             nextAttemptAtMs: updated + 3_600_000, nowMs: updated) == .due(.outcomeKnown))
        #expect(eager.decide(outcome: .pending, updatedAtMs: updated, delivered: false, nextAttemptAtMs: nil,
                             nowMs: updated) == .awaitingOutcome(untilMs: updated + 600_000))
    }

    @Test("2xx delivers; 408, 429, 5xx and no answer retry quietly; other 4xx and 3xx retry loudly")
    func verdicts() {
        func verdict(_ status: Int) -> AttemptVerdict {
            AttemptVerdict.of(.response(status: status, retryAfterSeconds: nil, bodyHead: ""))
        }
        for status in [200, 201, 202, 204] { #expect(verdict(status) == .delivered(status: status)) }
        for status in [408, 429, 500, 502, 503, 504] {
            guard case .retry(let reason, let loud) = verdict(status) else {
                Issue.record("\(status) was not retried")
                continue
            }
            #expect(!loud)
            #expect(reason.hasPrefix("HTTP \(status)"))
        }
        for status in [400, 401, 403, 404, 413, 422, 301, 302] {
            guard case .retry(_, let loud) = verdict(status) else {
                Issue.record("\(status) was not retried")
                continue
            }
            #expect(loud)
        }
        #expect(AttemptVerdict.of(.transportFailure("Connection refused"))
                == .retry(reason: "Connection refused", loud: false))
    }

    @Test("the request: Idempotency-Key is host/id; configured headers added, never replacing the key")
    func headerLines() {
        let request = TicketRequest(url: "https://tickets.example/in", incidentId: "1800000000123-1", host: "vm01",
                                    body: [],
                                    attempt: 2,
                                    extraHeaders: [TicketHeader(name: "Authorization", value: "Bearer t0ken"),
                                                   TicketHeader(name: "idempotency-key", value: "mine"),
                                                   TicketHeader(name: "X-Empty", value: "")],
                                    timeoutSeconds: 10)
        let lines = request.headerLines
        #expect(lines.contains("Idempotency-Key: vm01/1800000000123-1"))
        #expect(TicketRequest.idempotencyKey(host: nil, id: "1800000000123-1") == "1800000000123-1")
        #expect(TicketRequest.idempotencyKey(host: "", id: "7-2") == "7-2")
        #expect(!lines.contains { $0.lowercased().contains("mine") })
        #expect(lines.contains("Content-Type: application/json"))
        #expect(lines.contains("Authorization: Bearer t0ken"))
        #expect(lines.contains("X-Headroom-Attempt: 2"))
        #expect(lines.contains("X-Empty;"))

        let typed = TicketRequest(url: "http://x/", incidentId: "a", host: "vm", body: [], attempt: 1,
                                  extraHeaders: [TicketHeader(name: "Content-Type", value: "application/vnd.x+json")],
                                  timeoutSeconds: 10)
        #expect(typed.headerLines.filter { $0.lowercased().hasPrefix("content-type") }
                == ["Content-Type: application/vnd.x+json"])
    }

    @Test("messages name the URL without its password or its query")
    func redaction() {
        #expect(Shipper.redacted("https://ops:secret@tickets.example/in?x=1") == "https://***@tickets.example/in?***")
        #expect(Shipper.redacted("https://hooks.example/in?token=s3cr3t&a=b") == "https://hooks.example/in?***")
        #expect(Shipper.redacted("https://hooks.example/in#sig=s3cr3t") == "https://hooks.example/in#***")
        #expect(Shipper.redacted("https://hooks.example/in?u=a@b") == "https://hooks.example/in?***")
        #expect(Shipper.redacted("http://127.0.0.1:8080/in") == "http://127.0.0.1:8080/in")
        #expect(Shipper.redacted("http://host/path@v2") == "http://host/path@v2")
    }
}
