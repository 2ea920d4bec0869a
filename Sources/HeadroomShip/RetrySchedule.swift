import HeadroomCore

/// The back-off between attempts to deliver one incident: the first retry waits
/// `retry_initial_seconds`, each further one twice as long, never longer than
/// `retry_maximum_seconds`. Pure: no clock, no I/O.
public struct RetrySchedule: Equatable, Sendable {
    public var initialSeconds: Double
    public var maximumSeconds: Double

    public init(initialSeconds: Double, maximumSeconds: Double) {
        self.initialSeconds = max(0, initialSeconds)
        self.maximumSeconds = max(self.initialSeconds, maximumSeconds)
    }

    public init(_ settings: TicketSettings) {
        self.init(initialSeconds: settings.retryInitialSeconds, maximumSeconds: settings.retryMaximumSeconds)
    }

    /// The wait after `failures` failed attempts in a row: 0 before any failure, then
    /// initial, 2 × initial, 4 × initial, ... capped at the maximum.
    public func delaySeconds(afterFailures failures: Int) -> Double {
        guard failures > 0 else { return 0 }
        var delay = initialSeconds
        var doublings = failures - 1
        while doublings > 0 && delay < maximumSeconds {
            delay *= 2
            doublings -= 1
        }
        return min(delay, maximumSeconds)
    }

    /// When the next attempt is due after the `failures`-th failure at `nowMs`. A receiver's
    /// `Retry-After` may lengthen the wait (never shorten it), still at most the maximum.
    public func nextAttemptMs(afterFailures failures: Int, at nowMs: Int64, retryAfterSeconds: Double? = nil) -> Int64 {
        var delay = delaySeconds(afterFailures: failures)
        if let retryAfterSeconds, retryAfterSeconds.isFinite, retryAfterSeconds > delay {
            delay = min(retryAfterSeconds, maximumSeconds)
        }
        return nowMs + Int64((delay * 1000).rounded())
    }

    /// A recorded next attempt, no further than the maximum back-off from `nowMs`. One further
    /// away was computed under a wrong clock (set back by NTP after the failure, or a clock that
    /// ran ahead): left as it is, the incident would wait for years.
    public func bounded(nextAttemptMs: Int64?, at nowMs: Int64) -> Int64? {
        guard let nextAttemptMs else { return nil }
        let latest = nowMs.addingReportingOverflow(Int64((maximumSeconds * 1000).rounded()))
        return latest.overflow ? nextAttemptMs : min(nextAttemptMs, latest.partialValue)
    }
}
