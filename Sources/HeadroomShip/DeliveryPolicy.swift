import HeadroomCore

/// What to do with one incident of the spool on this run.
public enum DeliveryDecision: Equatable, Sendable {
    /// A 2xx was received for it: it is never sent again.
    case alreadyDelivered
    /// Its outcome is still `pending` and it was updated recently: wait for the final document.
    case awaitingOutcome(untilMs: Int64)
    /// An attempt failed; the next one is due at `untilMs`.
    case backingOff(untilMs: Int64)
    /// Send it now.
    case due(DueReason)
}

public enum DueReason: String, Equatable, Sendable {
    /// The outcome is known (anything but `pending`).
    case outcomeKnown = "outcome known"
    /// Still `pending`, but not updated for the grace period (e.g. the daemon died before
    /// closing it): sent as it is, so that it is not held back forever.
    case pendingTooLong = "pending past the grace period"
}

/// The due/pending decision. Pure: the caller passes the time.
public struct DeliveryPolicy: Equatable, Sendable {
    /// Default for `--pending-grace`: an incident normally leaves `pending` within about
    /// 90 s (restart job ≤ 60 s, then the 15 s cool-down).
    public static let defaultPendingGraceSeconds: Double = 600

    public var pendingGraceSeconds: Double
    /// Attempt undelivered incidents now whatever their back-off (`--ignore-backoff`).
    public var ignoreBackoff: Bool

    public init(pendingGraceSeconds: Double = DeliveryPolicy.defaultPendingGraceSeconds, ignoreBackoff: Bool = false) {
        self.pendingGraceSeconds = max(0, pendingGraceSeconds)
        self.ignoreBackoff = ignoreBackoff
    }

    /// - Parameters:
    ///   - outcome: the incident file's `outcome`.
    ///   - updatedAtMs: the incident file's `updated_at_ms`.
    ///   - delivered: whether a `.delivered` marker exists for it.
    ///   - nextAttemptAtMs: from its `.queued` record after a failed attempt; nil before any attempt.
    ///   - firstSeenAtMs: when the shipper first saw it (its `.queued` record; now at first sight).
    ///     The grace period runs from the earlier of this and `updatedAtMs`, so an incident updated
    ///     under a clock that ran ahead (2100) waits the grace period, not until then.
    public func decide(outcome: Incident.Outcome, updatedAtMs: Int64, delivered: Bool, nextAttemptAtMs: Int64?,
                       nowMs: Int64, firstSeenAtMs: Int64? = nil) -> DeliveryDecision {
        if delivered { return .alreadyDelivered }
        var reason = DueReason.outcomeKnown
        if outcome == .pending {
            let since = min(updatedAtMs, firstSeenAtMs ?? updatedAtMs)
            let graceEnd = since.addingReportingOverflow(Int64((pendingGraceSeconds * 1000).rounded())).partialValue
            if nowMs < graceEnd { return .awaitingOutcome(untilMs: graceEnd) }
            reason = .pendingTooLong
        }
        if let nextAttemptAtMs, nowMs < nextAttemptAtMs, !ignoreBackoff {
            return .backingOff(untilMs: nextAttemptAtMs)
        }
        return .due(reason)
    }
}

/// What one HTTP attempt came to.
public enum PostResult: Equatable, Sendable {
    /// The receiver answered. `retryAfterSeconds` is its Retry-After header, if any;
    /// `bodyHead` the first bytes of its answer, for the log.
    case response(status: Int, retryAfterSeconds: Double?, bodyHead: String)
    /// No answer: refused, timed out, DNS, TLS, ... (libcurl's explanation).
    case transportFailure(String)
}

public enum AttemptVerdict: Equatable, Sendable {
    case delivered(status: Int)
    /// Not delivered: retried with back-off. `loud` when it looks like a configuration problem
    /// (a 4xx other than 408/429, a redirect) that will not go away by itself.
    case retry(reason: String, loud: Bool)

    /// 2xx delivers. 408, 429, 5xx and transport failures are transient. Every other status
    /// is retried too (an incident is never dropped), but said loudly.
    public static func of(_ result: PostResult) -> AttemptVerdict {
        switch result {
        case .transportFailure(let reason):
            return .retry(reason: reason, loud: false)
        case .response(let status, _, let bodyHead):
            let answer = bodyHead.isEmpty ? "" : ": \(bodyHead)"
            switch status {
            case 200...299:
                return .delivered(status: status)
            case 408, 429, 500...599:
                return .retry(reason: "HTTP \(status)\(answer)", loud: false)
            case 300...399:
                return .retry(reason: "HTTP \(status)\(answer); redirects are not followed: set tickets.url to the "
                    + "final URL", loud: true)
            case 400...499:
                return .retry(reason: "HTTP \(status)\(answer); the receiver refused the incident: check tickets.url "
                    + "and tickets.headers (e.g. Authorization); it is kept and retried with back-off", loud: true)
            default:
                return .retry(reason: "unexpected HTTP status \(status)\(answer)", loud: true)
            }
        }
    }
}
