/// The shell's results of the steps, back into the supervisor (called by the daemon's
/// `ActionExecutor` as the results arrive).
extension Supervisor {
    /// The restart job on `unit` ended (JobRemoved), or could not be issued.
    public mutating func jobFinished(unit: String, result: JobResult, time: Double, wallClockMs: Int64)
        -> [SupervisorAction] {
        policy.restartFinished(unit: unit)
        return actions.finished(.restart, unit: unit, result: result.recordText, succeeded: result.succeeded,
                                time: time, wallClockMs: wallClockMs)
    }

    /// `SetUnitProperties` for `purpose` on `unit` returned (a lift's result is only logged).
    /// A limit that could not be set is forgotten by the ladder, so the next step is decided
    /// afresh instead of counting on a limit that is not there.
    public mutating func unitLimitsApplied(unit: String, purpose: RuntimeLimitPurpose, result: JobResult, time: Double,
                                           wallClockMs: Int64) -> [SupervisorAction] {
        var out: [SupervisorAction] = []
        if !result.succeeded {
            _ = policy.release(unit: unit)
            out.append(.log(.error, "\(unit): the \(purpose.rawValue) limits could not be set (\(result.recordText))"))
        }
        let kind: Incident.ActionRecord.Kind = purpose == .throttle ? .throttle : .contain
        return out + actions.finished(kind, unit: unit, result: result.recordText, succeeded: result.succeeded,
                                      time: time, wallClockMs: wallClockMs)
    }

    /// The runaway of login session `scope` was dealt with. `outcome` is the shell's word
    /// (`terminated`, `killed`, `gone`, or a reason no process was chosen such as
    /// `not_growing`); one starting with `error` or `failed` is a failure. `pid`/`command`
    /// name the process when one was chosen.
    public mutating func runawayTerminated(scope: String, pid: Int32?, command: String?, outcome: String, time: Double,
                                           wallClockMs: Int64) -> [SupervisorAction] {
        let failed = outcome.hasPrefix("error") || outcome.hasPrefix("failed")
        let process = pid.map { "pid \($0) (\(command ?? "?"))" } ?? "no process chosen"
        return actions.finished(.terminateProcess, unit: scope, result: outcome, succeeded: !failed,
                                detail: process, time: time, wallClockMs: wallClockMs)
    }

    /// `headroom release UNIT` lifted what Headroom set on `unit` (noticed through the runtime
    /// limit record): the ladder goes back to the bottom and the open incident records it.
    public mutating func released(unit: String, wallClockMs: Int64 = 0) -> [SupervisorAction] {
        guard policy.release(unit: unit) != nil else {
            return [.log(.info, "\(unit): released; the policy held no step on it")]
        }
        var out: [SupervisorAction] = [.log(.notice, "\(unit): its runtime limits were lifted (headroom release)")]
        actions.note(.release, unit: unit, detail: "headroom release \(unit)", wallClockMs: wallClockMs, into: &out)
        return out
    }
}
