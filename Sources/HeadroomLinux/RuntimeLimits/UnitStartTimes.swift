/// When a unit last started, as systemd recorded it (CLOCK_MONOTONIC microseconds, 0 = never).
public struct UnitStartTimes: Equatable, Sendable {
    /// `ActiveEnterTimestampMonotonic` (org.freedesktop.systemd1.Unit): entered `active`.
    public var activeEnterMicroseconds: UInt64
    /// `ExecMainStartTimestampMonotonic` (services only): the main process was executed.
    public var execMainStartMicroseconds: UInt64

    public init(activeEnterMicroseconds: UInt64, execMainStartMicroseconds: UInt64) {
        self.activeEnterMicroseconds = activeEnterMicroseconds
        self.execMainStartMicroseconds = execMainStartMicroseconds
    }

    /// The unit's own start in monotonic seconds: the main process's exec when known (a
    /// service's warm-up starts there, not when a `Type=notify` service reports ready),
    /// otherwise entering `active` (scopes); nil when the unit never started.
    public var startSeconds: Double? {
        let microseconds = execMainStartMicroseconds != 0 ? execMainStartMicroseconds : activeEnterMicroseconds
        return microseconds == 0 ? nil : Double(microseconds) / 1e6
    }

    /// Seconds since the unit's own start, at `now` (CLOCK_MONOTONIC seconds, as `EventLoop.now`).
    public func age(now: Double) -> Double? { startSeconds.map { max(0, now - $0) } }
}
