/// One step in progress on one unit: what was done, to whom, and since when. Its result comes
/// back from the shell (`jobFinished`, `unitLimitsApplied`, `runawayTerminated`).
public struct Remedy: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        /// Runtime `MemoryHigh=` (`setUnitLimits`, purpose throttle); lifted when the pressure passes.
        case throttle
        /// `RestartUnit(unit, "replace")`, escalated to `KillUnit(SIGKILL)` by the ladder past its deadline.
        case restart
        /// Runtime `MemoryMax=`/`MemoryHigh=`/`MemorySwapMax=`; lifted by `headroom release UNIT`.
        case contain
        /// SIGTERM then SIGKILL to the runaway process of a protected login session.
        case terminate
    }

    public var kind: Kind
    public var unit: String
    /// Monotonic seconds when it was issued.
    public var since: Double
    /// MemAvailable when it was issued, to report what it released.
    public var availableAtStart: UInt64

    /// The incident's record of issuing it.
    var recordKind: Incident.ActionRecord.Kind {
        switch kind {
        case .throttle: .throttle
        case .restart: .restart
        case .contain: .contain
        case .terminate: .terminateProcess
        }
    }

    /// The incident kind it makes: the highest step of an episode names the incident.
    var incidentKind: Incident.Kind {
        switch kind {
        case .throttle: .throttle
        case .restart: .restart
        case .contain: .contain
        case .terminate: .runawayProcess
        }
    }
}

/// After a remedy: wait for memory to come back before the incident is closed, unless a new
/// critical episode starts (the level left critical and rose again).
public struct CoolDown: Equatable, Sendable {
    public var since: Double
    public var until: Double
    public var availableAtStart: UInt64
}

extension Incident.Kind {
    /// Order of the ladder's steps: an incident takes the kind of its highest step.
    var rank: Int {
        switch self {
        case .noActionableCulprit, .kernelOomKill: 0
        case .throttle: 1
        case .restart: 2
        case .runawayProcess: 3
        case .contain: 4
        }
    }
}
