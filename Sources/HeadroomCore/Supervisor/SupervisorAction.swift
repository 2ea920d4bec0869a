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
        case .restartUnit, .killUnit: true
        default: false
        }
    }
}
