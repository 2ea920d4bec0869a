/// One remedy in progress on one unit: what was done, to whom, and since when.
///
/// Only `restart` exists today. The next kinds (issue 12: throttle with a runtime
/// MemoryHigh lifted later, contain with runtime MemoryMax/MemoryHigh, terminate one
/// process) are further cases here; `ActionMachine` keeps one remedy per open incident
/// and calls back on its deadline through `deadlineSeconds` and `escalation`.
public struct Remedy: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        /// `RestartUnit(unit, "replace")`, escalated to `KillUnit(SIGKILL)` past the deadline.
        case restart
    }

    public var kind: Kind
    public var unit: String
    /// Monotonic seconds when it was issued.
    public var since: Double
    /// MemAvailable when it was issued, to report what it released.
    public var availableAtStart: UInt64
    /// The escalation past the deadline (SIGKILL for a restart) has been issued.
    public var escalated = false

    /// The incident's record of issuing it.
    var recordKind: Incident.ActionRecord.Kind {
        switch kind {
        case .restart: .restart
        }
    }

    /// The shell's call that carries it out.
    var call: SupervisorAction {
        switch kind {
        case .restart: .restartUnit(unit)
        }
    }
}

/// After a remedy: wait for memory to come back before the next one, unless a new critical
/// episode starts (the level left critical and rose again).
public struct CoolDown: Equatable, Sendable {
    public var since: Double
    public var until: Double
    public var availableAtStart: UInt64
}
