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
