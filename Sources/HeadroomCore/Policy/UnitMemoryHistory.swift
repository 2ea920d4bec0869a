/// What Headroom remembers about one unit across ticks, restarts and hours (DESIGN §3).
///
/// Three rings of its working set give growth at three resolutions: every tick over the
/// last ~30 s (a fast leak), one point per 10 s over 10 min and one per minute over 2 h
/// (a creep of a few MiB a minute, invisible in 30 s). The unit's start time, supplied by
/// the shell each tick, gives its age and reveals restarts (ours, or systemd's after its
/// own OOM); at each restart the level it had reached is kept, so a leak that grows back
/// past it is known to regrow. Allocation-free per tick after `init`.
public struct UnitMemoryHistory: Sendable {
    /// The unit's latest figures from its cgroup.
    public struct Figures: Equatable, Sendable {
        public var workingSetBytes: UInt64 = 0
        public var anonBytes: UInt64 = 0
        public var swapBytes: UInt64 = 0
        public var shmemBytes: UInt64 = 0
        /// Its own PSI some avg10.
        public var pressureSomeAvg10: Double = 0

        public init() {}

        /// What it holds: working set plus swap.
        public var footprintBytes: UInt64 { workingSetBytes + swapBytes }
    }

    public let unit: String
    public private(set) var latest = Figures()
    public private(set) var latestTime: Double?
    /// When its current run started (the shell's clock, same as `time`).
    public private(set) var startedAt: Double?
    /// Restarts seen while Headroom watched (a start time that moved forward).
    public private(set) var restarts = 0
    /// The most it held (working set plus swap) in the run that ended at its last restart.
    public private(set) var levelAtLastRestart: UInt64?
    /// How fast that run grew on average, from its start to its peak (bytes per second).
    public private(set) var rateBeforeRestart: Double?
    /// Since when it has grown without a pause (over the last second at `growthMinimumBytes`
    /// per 30 s or faster); nil while it does not grow.
    public private(set) var growingSince: Double?
    /// The most it held in the current run, and when.
    private var runPeakBytes: UInt64 = 0
    private var runPeakTime: Double?
    /// Working set at its first sample of the current run.
    public private(set) var startBytes: UInt64?
    /// What it settled at in the current run: its working set when its short growth first
    /// flattened, or at `settleSeconds` if it never did.
    public private(set) var settledBytes: UInt64?
    /// What it settled at in an earlier run.
    public private(set) var earlierSettledBytes: UInt64?
    /// One point per 0.45 s at most: at the fastest tick (0.25 s) 64 points cover ~30 s (every
    /// tick kept, they covered 16 s, and a creep never showed 20 s of steady growth).
    private var short = TrendRing(capacity: 64, spacing: 0.45)
    private var medium = TrendRing(capacity: 61, spacing: 10)
    private var long = TrendRing(capacity: 121, spacing: 60)
    /// Its processes' reservation (`VmData`) on the ticks the shell read it: only while it is
    /// young and grows under pressure, so a few seconds are enough.
    private var reserved = TrendRing(capacity: 16, spacing: 0.2)
    /// The latest reservation read while it filled its mapping: what was untouched then, when,
    /// and what it held then.
    private var filling: (untouched: UInt64, time: Double, footprint: UInt64)?

    /// At most this far back for the recent rate's three samples while the tick is the calm 1 s
    /// (a loaded VM's ticks come late; see `recentWindowStart`).
    static let sparseRecentWindow = 3.5
    /// `recentWindow`: 2 s, five or more samples at the 250 ms tick under pressure; at the calm
    /// 1 s tick it holds two, so `recentWindowStart` reaches back to a third.
    static let recentWindow = 2.0, burstWindow = 6.0, steadyWindow = 20.0, shortWindow = 30.0, mediumWindow = 600.0, longWindow = 7200.0

    public init(unit: String) { self.unit = unit }

    mutating func restore(_ memory: Remembered) {
        startedAt = memory.startedAt
        restarts = memory.restarts
        levelAtLastRestart = memory.levelAtLastRestart
        settledBytes = memory.settledBytes
        earlierSettledBytes = memory.earlierSettledBytes
        rateBeforeRestart = memory.rateBeforeRestart
    }

    /// One tick of this unit.
    /// - Parameters:
    ///   - startedAt: the start of its current run (systemd's ExecMainStartTimestamp or the
    ///     cgroup's creation, on the tick clock); nil when unknown (age is then unknown and
    ///     the unit is never treated as young).
    public mutating func observe(time: Double, sample: ServiceSample, startedAt: Double?,
                                 settings: PolicySettings) {
        if let startedAt, let previous = self.startedAt, startedAt > previous + 0.5 { noteRestart() }
        self.startedAt = startedAt ?? self.startedAt
        latest.workingSetBytes = sample.workingSet
        latest.anonBytes = sample.stat.anon
        latest.swapBytes = sample.swapCurrent ?? 0
        latest.shmemBytes = sample.stat.shmem
        latest.pressureSomeAvg10 = sample.pressure?.some.avg10 ?? 0
        latestTime = time
        // Growth is of what it holds, RAM and swap: a throttled leak keeps growing into its swap.
        let value = Double(latest.footprintBytes)
        short.add(time: time, value: value)
        medium.add(time: time, value: value)
        long.add(time: time, value: value)
        let firstOfRun = startBytes == nil
        if firstOfRun { startBytes = latest.footprintBytes }
        let minimumRate = Double(settings.candidates.growthMinimumBytes) / Self.shortWindow
        if let rate = short.slope(since: recentWindowStart(at: time), minimumSpan: 0.9) {
            growingSince = rate >= minimumRate ? (growingSince ?? time) : nil
        } else if firstOfRun, let start = self.startedAt, time - start > 0.5,
                  Double(latest.footprintBytes) / (time - start) >= minimumRate {
            // First seen after its start (units are listed every few seconds while calm): what
            // it holds already grew since its start at least that fast.
            growingSince = start
        }
        if let read = sample.reservation { noteReservation(read, at: time) }
        if latest.footprintBytes >= runPeakBytes {
            runPeakBytes = latest.footprintBytes
            runPeakTime = time
        }
        noteSettling(time: time, settings: settings)
    }

    private mutating func noteRestart() {
        // The run's own peak, not the last seconds: the samples just before a restart is seen
        // may already be the dying or the new process. No peak (a restored history's first
        // sample: restarted while no daemon watched): the restored level stays.
        if runPeakBytes > 0 { levelAtLastRestart = runPeakBytes }
        if let start = self.startedAt, let peakTime = runPeakTime, peakTime > start + 1, let startBytes {
            rateBeforeRestart = (Double(runPeakBytes) - Double(startBytes)) / (peakTime - start)
        }
        runPeakBytes = 0
        runPeakTime = nil
        growingSince = nil
        restarts += 1
        earlierSettledBytes = settledBytes ?? earlierSettledBytes
        settledBytes = nil
        startBytes = nil
        short.reset()
        medium.reset()
        long.reset()
        reserved.reset()
        filling = nil
    }

    /// A reading counts when what it grows into was mapped before: over the recent window its
    /// reservation grew by at most a quarter of what it holds grew. A leak maps as it grows, so
    /// its reservation keeps pace, and a unit that does not grow fills nothing.
    private mutating func noteReservation(_ read: AddressReservation, at time: Double) {
        reserved.add(time: time, value: Double(read.dataBytes))
        let since = recentWindowStart(at: time)
        guard let holds = short.slope(since: since, minimumSpan: 0.9), holds > 0,
              let mapped = reserved.slope(since: since, minimumSpan: 0.9), mapped <= holds / 4 else {
            filling = nil
            return
        }
        filling = (read.untouchedBytes, time, latest.footprintBytes)
    }

    private mutating func noteSettling(time: Double, settings: PolicySettings) {
        guard settledBytes == nil, let age = age(at: time) else { return }
        let flat = short.slope(since: time - 10, minimumSpan: 5).map {
            $0 * Self.shortWindow < Double(settings.candidates.growthMinimumBytes) / 4
        } ?? false
        if flat || age >= settings.ladder.settleSeconds { settledBytes = latest.footprintBytes }
    }

    /// Seconds since its own start; nil when the start is unknown.
    public func age(at time: Double) -> Double? {
        startedAt.map { Swift.max(0, time - $0) }
    }

    /// The size it normally has: what it settled at (this run or an earlier one), else its start size.
    public var normalBytes: UInt64? { earlierSettledBytes ?? settledBytes ?? startBytes }

    /// After a restart it grows again: back to `regrowPercent` of the level it was restarted
    /// at, or by at least `growthMinimumBytes` since this run's start at half the rate or more
    /// of its run before the restart (a leak that comes back is seen on its way up,
    /// before the VM is short again). A unit that came back at its normal size and stays
    /// there is not regrowing.
    public func isRegrowing(settings: PolicySettings.Candidates) -> Bool {
        guard restarts > 0, let level = levelAtLastRestart else { return false }
        let now = latest.footprintBytes
        if Double(now) >= Double(level) * settings.regrowPercent / 100 { return true }
        guard let startBytes, now >= startBytes + settings.growthMinimumBytes,
              let before = rateBeforeRestart, before > 0,
              let rate = short.slope(since: (latestTime ?? 0) - 10, minimumSpan: 2) else { return false }
        return rate >= before / 2
    }

    /// Where the recent window starts: `recentWindow` back, or back to the third-newest sample
    /// when the calm tick (1 s) left only two in it (a slope takes three) and that sample is at
    /// most `sparseRecentWindow` old. Without it a growth that began while the VM was calm was
    /// never "now" until the level rose, and its `growingSince` started seconds late (measured:
    /// fault-sigkill's second leak, 128 MiB/s from a unit up for 17 s, was "growing for 0 s"
    /// at 855 MiB available, kept its burst allowance to 50 MiB and stalled the guest 0.3-0.7 s).
    private func recentWindowStart(at time: Double) -> Double {
        let dense = time - Self.recentWindow
        guard let third = short.time(ofNewest: 3), third < dense, time - third <= Self.sparseRecentWindow else {
            return dense
        }
        return third
    }

    /// What it has mapped and not touched yet, when what it grows into was mapped before
    /// (`noteReservation`), from a reading at most `reservationValidity` old, less what it grew
    /// since. The shell reads only on ticks it grew by a MiB; as its start ends, its 2 s rate
    /// still shows the start for seconds after the reads stopped (measured: creep-b's start
    /// was restarted 0.5 s after its last read, 150 MiB above the floor). nil otherwise.
    public func untouchedReservation(at time: Double) -> UInt64? {
        guard let filling, time - filling.time <= Self.reservationValidity else { return nil }
        return filling.untouched.over(latest.footprintBytes.over(filling.footprint))
    }

    /// How long a reservation read stands for: the recent window twice, by when a start that
    /// ended no longer shows in its 2 s rate.
    static let reservationValidity = 2 * recentWindow

    /// Growth per horizon, counting only time after `since` (e.g. the end of its warm-up).
    public func growth(at time: Double, since: Double = -.infinity) -> UnitGrowth {
        UnitGrowth(recent: Self.rate(short, time, time - recentWindowStart(at: time), since, minimumSpan: 0.9),
                   burst: Self.rate(short, time, Self.burstWindow, since, minimumSpan: 2),
                   steady: Self.rate(short, time, Self.steadyWindow, since, minimumSpan: 2),
                   short: Self.rate(short, time, Self.shortWindow, since, minimumSpan: 2),
                   medium: Self.rate(medium, time, Self.mediumWindow, since, minimumSpan: 60),
                   long: Self.rate(long, time, Self.longWindow, since, minimumSpan: 600))
    }

    private static func rate(_ ring: TrendRing, _ time: Double, _ window: Double, _ since: Double,
                             minimumSpan: Double) -> UnitGrowth.Rate {
        let from = Swift.max(time - window, since)
        guard let slope = ring.slope(since: from, minimumSpan: minimumSpan), let oldest = ring.oldestTime else {
            return UnitGrowth.Rate(bytesPerSecond: 0, seconds: 0)
        }
        return UnitGrowth.Rate(bytesPerSecond: slope, seconds: time - Swift.max(from, oldest))
    }
}

/// A unit's growth over the short (30 s), medium (10 min) and long (2 h) horizon.
public struct UnitGrowth: Equatable, Sendable {
    public struct Rate: Equatable, Sendable {
        public var bytesPerSecond: Double
        /// Seconds the rate covers.
        public var seconds: Double
        /// Growth over the span covered (negative when it shrank).
        public var bytes: Double { bytesPerSecond * seconds }
    }

    /// The last 2 s: whether it still grows now (a warm-up that stopped does not).
    public var recent: Rate
    /// The last 6 s: whether a fast growth slows down now (a start's heap done) or goes on.
    public var burst = Rate(bytesPerSecond: 0, seconds: 0)
    /// The last 20 s: whether it grows at one rate (`isSteadyCreep`).
    public var steady = Rate(bytesPerSecond: 0, seconds: 0)
    public var short: Rate
    public var medium: Rate
    public var long: Rate

    /// The largest growth in bytes over any horizon.
    public var largestBytes: Double { Swift.max(short.bytes, medium.bytes, long.bytes) }
    /// The fastest rate over any horizon that covers enough time to mean something.
    public var fastestBytesPerSecond: Double {
        Swift.max(0, short.bytesPerSecond, medium.bytesPerSecond, long.bytesPerSecond)
    }
}
