/// Thresholds and limits of the supervisor (config section `supervisor` and `swap`).
///
/// The defaults are chosen so that (a) a service leaking 128 MiB/s on a 2 GiB VM is
/// restarted before MemAvailable reaches zero, (b) a page-cache-heavy reader is left
/// alone (its cache counts as available), and (c) a spike that leaves memory available
/// does not meet the forecast rule, which also needs available memory to be low.
public struct SupervisorSettings: Equatable, Sendable {
    public struct Elevated: Equatable, Sendable {
        /// MemAvailable at or below this share of MemTotal.
        public var availablePercent: Double = 20
        public var psiSomeAvg10: Double = 10
        /// Forecast of RAM exhaustion at or below this, while available is below `forecastBelowAvailablePercent`.
        public var forecastSeconds: Double = 60
        public var forecastBelowAvailablePercent: Double = 50
        public var swapUsedPercent: Double = 50
    }

    public struct Critical: Equatable, Sendable {
        public var availablePercent: Double = 5
        public var psiFullAvg10: Double = 20
        public var forecastSeconds: Double = 12
        public var forecastBelowAvailablePercent: Double = 35
        public var swapUsedPercent: Double = 80
        /// A critical condition must hold this long before Headroom acts.
        public var dwellSeconds: Double = 0.5
    }

    public var elevated = Elevated()
    public var critical = Critical()
    /// No elevated condition for this long before going back to calm (hysteresis).
    public var calmAfterSeconds: Double = 10
    public var tickSeconds: Double = 1
    public var fastTickSeconds: Double = 0.25
    /// The window over which the slope of available memory gives the forecast.
    public var forecastWindowSeconds: Double = 4
    /// The window over which a unit's growth is measured for culprit scoring.
    public var growthWindowSeconds: Double = 20
    /// Restart jobs that have not finished after this, while critical, escalate to SIGKILL.
    public var restartDeadlineSeconds: Double = 10
    public var cooldownSeconds: Double = 15
    public var maxRestartsPerHour: Int = 3
    /// A unit below this working set is not a culprit, nor is one that grew less than
    /// this over the growth window while within its budget.
    public var minimumCulpritBytes: UInt64 = 32 << 20
    public var protected: [UnitPattern] = ["headroom", "systemd-journald", "dbus", "dbus-broker", "sshd", "ssh",
                                           "systemd-logind", "init.scope", "user@*", "session-*.scope",
                                           "user-runtime-dir@*"].compactMap(UnitPattern.init)
    /// Added to `protected` and the core set (`supervisor.extra_protected`), so adding a unit
    /// does not mean copying the default list.
    public var extraProtected: [UnitPattern] = []
    public var prefer: [UnitPattern] = []
    public var avoid: [UnitPattern] = []
    public var calmSwappiness: Int = 1
    public var pressureSwappiness: Int = 60
    public var dryRun = false
    /// The decision policy (config section `policy`): horizon, warm-up, ladder, runaway.
    public var policy = PolicySettings()

    public init() {}

    public func isProtected(_ unit: String) -> Bool { effectiveProtected.contains { $0.matches(unit) } }
}
