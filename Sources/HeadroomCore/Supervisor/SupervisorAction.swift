/// One sampling of the system: what the I/O shell read, and when.
public struct Observation: Sendable {
    /// Monotonic seconds (CLOCK_MONOTONIC); all durations are measured on it.
    public var time: Double
    /// Wall clock, Unix milliseconds, for incident times only.
    public var wallClockMs: Int64
    public var system: SystemSample
    public var services: [ServiceSample]
    public var perServiceAvailable: Bool

    public init(time: Double, wallClockMs: Int64, system: SystemSample, services: [ServiceSample],
                perServiceAvailable: Bool = true) {
        self.time = time
        self.wallClockMs = wallClockMs
        self.system = system
        self.services = services
        self.perServiceAvailable = perServiceAvailable
    }
}

/// What the supervisor decides; the I/O shell only carries these out.
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
}

public enum LogLevel: String, Equatable, Sendable {
    case debug, info, notice, warning, error
}
