/// What one run did: lines for stdout and stderr, counts, and the exit code.
public struct ShipReport: Equatable, Sendable {
    public var output: [String] = []
    public var errors: [String] = []
    public var delivered: [String] = []
    public var failed: [String] = []
    public var awaitingOutcome: [String] = []
    public var backingOff: [String] = []
    /// Due, but not tried: the receiver had already failed `Shipper.consecutiveFailureLimit` times in a row.
    public var deferred: [String] = []
    public var alreadyDelivered = 0
    public var lost: [String] = []
    /// Incident files that are not schema 1 incidents (or whose id is not their name).
    public var unreadable: [String] = []
    /// The run could not start (state or spool directory unusable): nothing was sent.
    public var stopped = false

    /// 0: every due incident delivered (or none due); 1: something was not delivered or was lost.
    public var exitCode: Int32 {
        failed.isEmpty && deferred.isEmpty && lost.isEmpty && unreadable.isEmpty && !stopped ? 0 : 1
    }

    public var summary: String {
        var parts = ["\(delivered.count) delivered"]
        if !failed.isEmpty { parts.append("\(failed.count) failed (retried later)") }
        if !deferred.isEmpty { parts.append("\(deferred.count) deferred to the next run") }
        if !backingOff.isEmpty { parts.append("\(backingOff.count) waiting to retry") }
        if !awaitingOutcome.isEmpty { parts.append("\(awaitingOutcome.count) awaiting an outcome") }
        if !lost.isEmpty { parts.append("\(lost.count) lost (pruned before delivery)") }
        if !unreadable.isEmpty { parts.append("\(unreadable.count) unreadable") }
        parts.append("\(alreadyDelivered) delivered before")
        return parts.joined(separator: ", ")
    }
}
