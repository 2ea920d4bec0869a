/// What the supervisor decides; the I/O shell only carries these out (`ActionExecutor`).
///
/// Within one batch the executor issues the D-Bus calls (`restartUnit`, `killUnit`) before
/// anything that may fsync (`writeIncident`), whatever their order in the batch.
public enum SupervisorAction: Equatable, Sendable {
    case setSwappiness(Int)
    /// `RestartUnit(unit, "replace")`; the shell reports the job's end with `jobFinished`.
    case restartUnit(String)
    /// `KillUnit(unit, "all", SIGKILL)`.
    case killUnit(String)
    /// `SetUnitProperties(unit, runtime=true, ...)`: a throttle (`MemoryHigh`) or a containment
    /// (`MemoryMax`, `MemoryHigh`, `MemorySwapMax`); nil leaves a property alone. The shell
    /// records it in the state directory (`RuntimeLimitKeeper`) so `headroom release` and a
    /// restarted daemon know what to lift, and reports with `unitLimitsApplied`.
    case setUnitLimits(unit: String, purpose: RuntimeLimitPurpose, memoryHigh: UInt64?, memoryMax: UInt64?,
                       memorySwapMax: UInt64?, incidentID: String)
    /// Restore the unit's own values for what Headroom set for `purpose`.
    case liftUnitLimits(unit: String, purpose: RuntimeLimitPurpose)
    /// Terminate the runaway process of a protected login session scope (SIGTERM, then SIGKILL
    /// after `deadlineSeconds`); the shell snapshots the scope's processes, picks the process with
    /// `RunawayProcess.choose`, and reports with `runawayTerminated`.
    case terminateRunaway(scope: String, cgroupPath: String, deadlineSeconds: Double, incidentID: String)
    /// Create or update the incident's file.
    case writeIncident(Incident)
    /// The incident's one journal entry, once its narrative is final.
    case journalIncident(Incident)
    case log(LogLevel, String)
    /// Sample every this many seconds from now on.
    case setTick(Double)

    /// A call to systemd that must not wait behind a file write.
    public var isBusCall: Bool {
        switch self {
        case .restartUnit, .killUnit, .setUnitLimits, .liftUnitLimits, .terminateRunaway: true
        default: false
        }
    }
}
