// Placeholder for the shell's issue-12 events on the `wiring` branch: the `integrate` branch
// carries the real ones (PolicyEngine wired into the Supervisor), and this file is dropped
// at that merge. Until then the events are only logged, so the daemon's routing compiles and
// can be tested end to end.
extension Supervisor {
    /// The result of a `setUnitLimits` (SetUnitProperties) the shell carried out.
    public mutating func unitLimitsApplied(unit: String, purpose: RuntimeLimitPurpose, result: JobResult,
                                           time: Double, wallClockMs: Int64) -> [SupervisorAction] {
        [.log(result.succeeded ? .notice : .error,
              "runtime limit (\(purpose.rawValue)) on \(unit): \(result.recordText)")]
    }

    /// How the shell's `terminateRunaway` ended.
    public mutating func runawayTerminated(scope: String, pid: Int32?, command: String?, outcome: String,
                                           time: Double, wallClockMs: Int64) -> [SupervisorAction] {
        [.log(.notice, "runaway in \(scope): \(outcome)" + (pid.map { " (pid \($0)\(command.map { ", \($0)" } ?? ""))" } ?? ""))]
    }

    /// `headroom release UNIT` lifted Headroom's runtime limit on the unit.
    public mutating func released(unit: String) -> [SupervisorAction] {
        [.log(.notice, "runtime limit on \(unit) released by an operator")]
    }
}
