/// Seconds until the VM runs out of what it really has: MemAvailable plus the swap it can
/// still use (DESIGN §3), from a fast and a robust trend, together with stall (PSI).
///
/// Why three readings and not one slope of MemAvailable:
/// - a warm-up absorbed by swap shrinks MemAvailable fast but leaves plenty of *room*
///   (available + usable swap); judged on room, it is not an emergency;
/// - a fast leak grows faster than swap can take pages (`swapAbsorbBytesPerSecond`): the
///   excess must fit in RAM, so its horizon is RAM's, and it is still acted on before a stall;
/// - a slow leak barely moves a 5 s window; the 120 s trend carries it while the fast trend
///   still falls; once the growth stops the fast trend goes flat and the long one is not used,
///   so a warm-up that stopped is not extrapolated.
/// PSI full at or above `stallFullAvg10`, with stall time still accruing, while RAM is short or
/// steadily used up, means it is already happening: horizon 0.
public struct ExhaustionHorizon: Sendable {
    /// Which reading gave the horizon (named in incidents).
    public enum Basis: String, Equatable, Sendable {
        case stall, fastTrend = "fast_trend", longTrend = "long_trend", ramBeyondSwapRate = "ram_beyond_swap_rate"
        case notShrinking = "not_shrinking"
    }

    public struct Reading: Equatable, Sendable {
        public var availableBytes: UInt64
        /// SwapFree less the reserve.
        public var usableSwapBytes: UInt64
        /// available + usable swap.
        public var roomBytes: UInt64
        /// Room per second over the fast and the long window (negative: shrinking).
        public var fastSlope: Double?
        public var longSlope: Double?
        /// Seconds until RAM alone runs out with growth beyond what swap takes; nil when swap keeps up.
        public var ramSeconds: Double?
        /// The horizon: the shortest of the readings; nil when nothing shrinks.
        public var seconds: Double?
        /// Room per second over the last second: a step that stopped (a spike) is flat here
        /// while a leak still shrinks the room.
        public var recentSlope: Double?
        public var basis: Basis
        public var stalled: Bool
        /// Seconds until RAM runs out counting only what swap is seen to take now (not what it
        /// could): what "RAM is running out" (`WarmUpRule`) is judged on.
        public var ramSecondsNow: Double? = nil
        /// How fast MemAvailable falls beyond what swap is seen to take, over both the fast
        /// window and the last 30 s (the slower of the two): a fall that is steady, not the
        /// kernel's reclaim moving MemAvailable by a few MiB at its floor. 0 when not falling.
        public var steadyRamLossBytesPerSecond: Double = 0
        /// What swap is seen to take now (SwapFree's fall over the fast window, at most what
        /// it can take).
        public var swapOutBytesPerSecond: Double = 0

        /// How fast room is being used, in bytes per second (0 when not shrinking).
        public var consumptionBytesPerSecond: Double {
            max(0, -(fastSlope ?? 0), -(longSlope ?? 0))
        }

        mutating func consider(_ candidate: Double?, _ reason: Basis) {
            guard let candidate, candidate < (seconds ?? .infinity) else { return }
            seconds = candidate
            basis = reason
        }
    }

    public let settings: PolicySettings.Horizon
    private var fastRoom: TrendRing
    private var longRoom: TrendRing
    private var fastAvailable: TrendRing
    /// SwapFree over the fast window: how much swap really takes now.
    private var fastSwapFree: TrendRing
    /// MemAvailable, one point a second over `steadyWindowSeconds`.
    private var steadyAvailable: TrendRing
    static let steadyWindowSeconds = 30.0
    private var lastSwapTotal: UInt64?
    /// PSI full's total at the previous observation: avg10 lags by seconds, so a stall that
    /// ended (the culprit restarted, memory back) still reads high; only a total that still
    /// grows says the VM stalls now.
    private var lastFullTotal: UInt64?

    public init(settings: PolicySettings.Horizon) {
        self.settings = settings
        // Capacities cover the windows at the fastest tick (0.25 s) without allocating later.
        let fastPoints = Swift.max(8, Int((settings.fastWindowSeconds / 0.25).rounded(.up)) + 1)
        fastRoom = TrendRing(capacity: fastPoints, spacing: 0)
        fastAvailable = TrendRing(capacity: fastPoints, spacing: 0)
        fastSwapFree = TrendRing(capacity: fastPoints, spacing: 0)
        longRoom = TrendRing(capacity: Swift.max(8, Int(settings.longWindowSeconds / 2) + 1), spacing: 2)
        steadyAvailable = TrendRing(capacity: Int(Self.steadyWindowSeconds) + 2, spacing: 1)
    }

    /// Swap added or removed: the old room is not comparable.
    public mutating func reset() {
        fastRoom.reset()
        longRoom.reset()
        fastAvailable.reset()
        fastSwapFree.reset()
        steadyAvailable.reset()
    }

    /// One tick. Allocation-free.
    public mutating func observe(time: Double, meminfo: Meminfo, pressure: Pressure) -> Reading {
        if let previous = lastSwapTotal, previous != meminfo.swapTotal { reset() }
        lastSwapTotal = meminfo.swapTotal
        let reserve = UInt64(Double(meminfo.swapTotal) * settings.swapReservePercent / 100)
        let usableSwap = meminfo.swapFree > reserve ? meminfo.swapFree - reserve : 0
        let room = meminfo.memAvailable + usableSwap
        fastRoom.add(time: time, value: Double(room))
        longRoom.add(time: time, value: Double(room))
        fastAvailable.add(time: time, value: Double(meminfo.memAvailable))
        fastSwapFree.add(time: time, value: Double(meminfo.swapFree))
        steadyAvailable.add(time: time, value: Double(meminfo.memAvailable))

        let fast = fastRoom.slope(since: time - settings.fastWindowSeconds, minimumSpan: 0.5)
        var long = longRoom.slope(since: time - settings.longWindowSeconds, minimumSpan: 10)
        // The long trend is for a consumption too slow for the fast window; far steeper than the
        // fast trend it is a burst that has ended (a heap allocated at start), not this growth.
        if let steep = long, let now = fast, steep < 2 * now { long = nil }
        let ramRate = -(fastAvailable.slope(since: time - settings.fastWindowSeconds, minimumSpan: 0.5) ?? 0)
        // The horizon credits swap with what it can take (`swapAbsorbBytesPerSecond`); whether
        // RAM runs out *now* counts only what swap is seen to take: a guest whose swap disk is
        // slow (measured under TCG: ~0-25 MiB/s while RAM ran out) gets no credit it does not
        // earn there. Without usable swap nothing takes the growth off RAM.
        let swappedOut = -(fastSwapFree.slope(since: time - settings.fastWindowSeconds, minimumSpan: 0.5) ?? 0)
        let absorbable = usableSwap > 0 ? Double(settings.swapAbsorbBytesPerSecond) : 0
        let observed = Swift.min(Swift.max(0, swappedOut), absorbable)
        let ramSeconds = Self.until(meminfo.memAvailable, absorbable - ramRate)
        let ramSecondsNow = Self.until(meminfo.memAvailable, observed - ramRate)
        var reading = Reading(availableBytes: meminfo.memAvailable, usableSwapBytes: usableSwap, roomBytes: room,
                              fastSlope: fast, longSlope: long, ramSeconds: ramSeconds, seconds: nil,
                              recentSlope: fastRoom.slope(since: time - 1, minimumSpan: 0.5), basis: .notShrinking,
                              stalled: false)
        let steadyRate = -(steadyAvailable.slope(since: time - Self.steadyWindowSeconds, minimumSpan: 10) ?? 0)
        let steadyRamFall = Swift.max(0, Swift.min(ramRate, steadyRate))
        reading.stalled = stallsNow(pressure.full) && runsShort(meminfo, steadyRamFall: steadyRamFall)
        reading.ramSecondsNow = ramSecondsNow
        reading.steadyRamLossBytesPerSecond = Swift.max(0, steadyRamFall - observed)
        reading.swapOutBytesPerSecond = observed
        if reading.stalled {
            reading.seconds = 0
            reading.basis = .stall
            return reading
        }
        // Three calls, not a loop over an array literal: the tick must not allocate.
        reading.consider(Self.until(room, fast), .fastTrend)
        // The long trend confirms a consumption the fast one still sees; once the fast trend is
        // flat or rising the growth has stopped, and extrapolating the past (a finished warm-up) would lie.
        if (fast ?? -1) < 0 { reading.consider(Self.until(room, long), .longTrend) }
        reading.consider(ramSeconds, .ramBeyondSwapRate)
        return reading
    }

    /// avg10 at or above the threshold and stall time still accruing since the last observation
    /// (the first observation has nothing to compare with and trusts avg10).
    private mutating func stallsNow(_ full: PressureLine) -> Bool {
        defer { lastFullTotal = full.totalMicroseconds }
        guard full.avg10 >= settings.stallFullAvg10 else { return false }
        guard let previous = lastFullTotal else { return true }
        return full.totalMicroseconds > previous
    }

    /// A stall means running out only while RAM is short (`stallAvailablePercent`) or something
    /// steadily uses RAM up; a stall beside plenty of available memory that nobody uses up
    /// (a file streamed through a small cache, a cgroup at its own limit) is not one a restart
    /// or a forecast can help. The fall is RAM's alone, over both the fast and the 30 s window:
    /// there the kernel swapping out a few MiB of cold pages for the cache shrinks the room
    /// without using memory (measured: page-cache on 1.5 GiB filed a no-action incident when
    /// 5 MiB went to swap in 0.5 s with MemAvailable flat at 1159 MiB).
    private func runsShort(_ meminfo: Meminfo, steadyRamFall: Double) -> Bool {
        let short = Double(meminfo.memAvailable) < Double(meminfo.memTotal) * settings.stallAvailablePercent / 100
        return short || steadyRamFall >= Self.consumingBytesPerSecond
    }

    /// Room shrinking at least this fast is consumption, not the noise of a flat room
    /// (MemAvailable moves by ~1 MiB over seconds while nothing grows).
    static let consumingBytesPerSecond = Double(1 << 20)

    private static func until(_ room: UInt64, _ slope: Double?) -> Double? {
        guard let slope, slope < 0 else { return nil }
        return Double(room) / -slope
    }
}
