/// A unit young relative to its own start that grows (and then flattens) is warming up:
/// a database touching its heap, a JVM, a cache filled at start. It is not a leak while the
/// VM can absorb it, so it may be throttled (it survives that) but never restarted or
/// contained (DESIGN §5). Once it is old, only the growth after its warm-up counts.
public enum WarmUpRule {
    /// Why the VM cannot absorb more growth; nil from `absorbLimit` means it can.
    public enum AbsorbLimit: String, Equatable, Sendable {
        /// PSI full says tasks already stall.
        case stall
        /// Available memory plus usable swap is below the reserve kept for everyone else.
        case roomBelowReserve = "room_below_reserve"
        /// MemAvailable itself is below half the reserve and still falls steadily (at least
        /// `floorLossBytesPerSecond` over the fast window and the last 30 s) beyond what swap is
        /// seen to take: the kernel is evicting everyone's cache and code; stall follows.
        case ramExhausted = "ram_exhausted"
        /// Growth beyond what swap can take will empty RAM within `ramCriticalSeconds`.
        case ramRunningOut = "ram_running_out"
        /// At the current rate the room falls below the reserve within `absorbLookaheadSeconds`.
        case growthOutrunsRoom = "growth_outruns_room"
        /// MemAvailable is below half the reserve, swap is not seen taking pages, and it does
        /// not fall steadily either: at the floor the
        /// kernel's reclaim and swap-out keep it roughly level while a creep goes on (measured:
        /// a 1.4 MiB/s creep moved it by 0.1-0.6 MiB/s over 30 s, until the stall). Only a unit
        /// that grows steadily there (`UnitCandidate.creepsSteadily`) is acted on; nothing is filed.
        case ramAtFloor = "ram_at_floor"

        /// Stall or no room left: even a young unit is restarted. The other limits are
        /// forecasts; a young unit is throttled first (a warm-up survives that, a leak does not stop).
        public var isHard: Bool { self == .stall || self == .roomBelowReserve || self == .ramExhausted }
        /// The VM already stalls or has no room left: a young unit still growing is restarted
        /// without waiting for its burst allowance.
        public var isAtOnce: Bool { self == .stall || self == .roomBelowReserve }
    }

    public enum Verdict: Equatable, Sendable {
        /// Older than `youngSeconds`, its start unknown, growing back after a restart, or a
        /// platform unit past its budget: judged on its growth.
        case notYoung
        /// Young, and the VM absorbs it: left alone.
        case warmingUp
        /// Young, but the VM cannot take more: treated like any grower.
        case cannotAbsorb(AbsorbLimit)

        public var shieldsFromRestart: Bool { self == .warmingUp }
    }

    /// The room the VM keeps for everyone else: max(minimum, percent of MemTotal).
    public static func reserveBytes(memTotal: UInt64, settings: PolicySettings.WarmUp) -> UInt64 {
        Swift.max(settings.absorbReserveMinimumBytes, UInt64(Double(memTotal) * settings.absorbReservePercent / 100))
    }

    /// "Can absorb": not stalling, RAM not about to run out faster than swap can take the excess,
    /// and the room (available + usable swap) stays above the reserve for the next
    /// `absorbLookaheadSeconds` at the VM's current consumption.
    public static func absorbLimit(_ horizon: ExhaustionHorizon.Reading, memTotal: UInt64,
                                   settings: PolicySettings.WarmUp) -> AbsorbLimit? {
        if horizon.stalled { return .stall }
        let reserve = Double(reserveBytes(memTotal: memTotal, settings: settings))
        let room = Double(horizon.roomBytes)
        if room < reserve { return .roomBelowReserve }
        // At the floor and still falling steadily beyond what swap is seen to take: where swap
        // keeps up, MemAvailable holds at the floor and the room decides. How soon RAM would
        // reach 0 does not matter: the stall comes at the floor, when the last hot file pages
        // go (measured: a 1.4 MiB/s creep on 2 GiB stalled at ~24 MiB available, swapping only
        // then; with a 10 s rule it was met 1.46 s into the stall).
        if Double(horizon.availableBytes) < reserve / 2,
           horizon.steadyRamLossBytesPerSecond >= Self.floorLossBytesPerSecond { return .ramExhausted }
        if let ram = horizon.ramSecondsNow ?? horizon.ramSeconds, ram < settings.ramCriticalSeconds { return .ramRunningOut }
        if room - horizon.consumptionBytesPerSecond * settings.absorbLookaheadSeconds < reserve {
            return .growthOutrunsRoom
        }
        // At the floor with swap seen taking pages, the room decides; with swap idle, the
        // kernel swaps only once it stalls (measured in the guest).
        if Double(horizon.availableBytes) < reserve / 2,
           horizon.swapOutBytesPerSecond < Self.floorLossBytesPerSecond { return .ramAtFloor }
        return nil
    }

    /// At the floor, MemAvailable falling at least this fast beyond swap is RAM running out:
    /// 30 MiB a minute, above the kernel's reclaim moving it by a few MiB now and then.
    static let floorLossBytesPerSecond = Double(1 << 19)

    public static func verdict(_ history: UnitMemoryHistory, at time: Double, horizon: ExhaustionHorizon.Reading,
                               memTotal: UInt64, settings: PolicySettings.WarmUp) -> Verdict {
        guard let age = history.age(at: time), age < settings.youngSeconds else { return .notYoung }
        if let limit = absorbLimit(horizon, memTotal: memTotal, settings: settings) { return .cannotAbsorb(limit) }
        return .warmingUp
    }

    /// Growth that counts for an old unit starts when its warm-up ended, so a heap touched at
    /// start is not mistaken for a creep hours later.
    public static func growthCountsSince(_ history: UnitMemoryHistory, settings: PolicySettings.WarmUp) -> Double {
        history.startedAt.map { $0 + settings.youngSeconds } ?? -.infinity
    }
}
