/// One unit as the decision sees it at one moment: its figures, budget, age, growth on
/// every horizon, restart history, and what acting on it would and would not achieve.
///
/// Built from `UnitMemoryHistory` only when Headroom has to decide (not every tick).
public struct UnitCandidate: Equatable, Sendable {
    /// The harm order of DESIGN §5, least harmful to act on first.
    public enum HarmClass: Int, Comparable, Sendable {
        /// A platform unit (monitoring, management, userland) over its own budget.
        case platformOverBudget = 0
        /// A platform unit growing (within its budget, or with none of its own).
        case platformGrowing = 1
        /// A customer application over its own `expected`.
        case applicationOverBudget = 2
        /// A customer application growing.
        case applicationGrowing = 3

        public static func < (lhs: HarmClass, rhs: HarmClass) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Why a unit is not acted on at all.
    public enum Exclusion: String, Equatable, Sendable {
        case protected
        /// Working set below `minimumWorkingSetBytes`: acting would free nothing.
        case tooSmall = "too_small"
        /// Neither over its budget nor growing on any horizon, nor regrowing: a bystander.
        case steady
    }

    /// Why a unit may be throttled but not restarted or contained.
    public enum RestartBlocker: Equatable, Sendable {
        /// Young and the VM absorbs its growth.
        case warmingUp
        /// A platform unit inside what the platform reserved for it.
        case withinPlatformBudget
        /// A scope (or a unit that refuses restarts): systemd cannot restart it.
        case notRestartable
        /// Most of its memory is shmem/tmpfs, which a restart does not free.
        case sharedMemory(bytes: UInt64)
    }

    public var unit: String
    public var category: BudgetCategory
    public var expectedBytes: UInt64?
    public var overBytes: UInt64
    public var figures: UnitMemoryHistory.Figures
    public var growth: UnitGrowth
    public var ageSeconds: Double?
    /// Young since its own start, not growing back after a restart, not a platform unit past
    /// its budget: it may be warming up, so it is never throttled and restarted only when the
    /// VM cannot absorb it.
    public var mayBeWarmingUp: Bool
    /// How long it has grown without a pause (0 when it does not grow now).
    public var growingForSeconds: Double = 0
    /// While it may be warming up and grows into memory it mapped beforehand: how much of that
    /// it has not touched yet (`UnitMemoryHistory.untouchedReservation`). Its start stops there.
    public var untouchedReservationBytes: UInt64?
    /// What the other units that fill their own mappings have still to touch: the same free RAM
    /// must hold all of it.
    public var othersUntouchedReservationBytes: UInt64 = 0
    public var warmUp: WarmUpRule.Verdict
    public var regrowing: Bool
    public var restarts: Int
    /// What it settled at (this or an earlier run), else its start size.
    public var normalBytes: UInt64?
    /// What it settled at in this or an earlier run; nil while no run of it has settled (each
    /// was cut while it still grew, e.g. restarted during its start): its normal size is unknown.
    public var settledBytes: UInt64?
    public var harmClass: HarmClass?
    public var exclusion: Exclusion?
    public var restartBlocker: RestartBlocker?
    /// What a restart would give back: its working set less shmem, plus swap, less what it
    /// will take again after starting (its normal size).
    public var restartFreesBytes: UInt64
    /// Over budget, plus growth over the throttle horizon, plus half its swap, times the
    /// prefer/avoid weight: "the one most responsible" within a harm class.
    public var responsibility: Double

    /// Whether the unit counts as growing on any horizon.
    public var isGrowing: Bool { harmClass == .platformGrowing || harmClass == .applicationGrowing || regrowing }
}

extension UnitCandidate {
    /// The unit's category and expectation. A category with only a reserve (management:
    /// 1.1 GiB for tools that never run in parallel) lends that reserve to each of its units.
    public static func expectation(for unit: String, budget: BudgetConfig) -> (BudgetCategory, UInt64?) {
        let (category, expected) = budget.classify(unit: unit)
        return (category, expected ?? budget.units(of: category)?.reserveBytes)
    }

    /// - Parameters:
    ///   - expected: per-unit expectation (`expectation(for:budget:)`, or an application's `expected`).
    ///   - isProtected: the configured protected set matches it.
    ///   - refusesRestart: the shell knows systemd will not restart it (besides scopes).
    ///   - weight: 2 for `prefer`, 0.25 for `avoid`, 1 otherwise.
    ///   - allUntouchedReservation: what every unit filling its own mapping has still to touch
    ///     (`UnitMemoryHistory.untouchedReservation`), this one included.
    public init(history: UnitMemoryHistory, at time: Double, horizon: ExhaustionHorizon.Reading, memTotal: UInt64,
                category: BudgetCategory, expected: UInt64?, isProtected: Bool, refusesRestart: Bool = false,
                weight: Double = 1, allUntouchedReservation: UInt64 = 0, settings: PolicySettings) {
        let figures = history.latest
        let regrowing = history.isRegrowing(settings: settings.candidates)
        let age = history.age(at: time)
        let young = age.map { $0 < settings.warmUp.youngSeconds } ?? false
        let since = young ? -Double.infinity : WarmUpRule.growthCountsSince(history, settings: settings.warmUp)
        let growth = history.growth(at: time, since: since)
        let over = expected.map { figures.workingSetBytes.over($0) } ?? 0
        let platform = category != .application
        // A platform unit past its own budget is not warming up (its budget says what its start
        // takes), and a unit growing back after a restart is its leak, not a new warm-up.
        let mayWarmUp = young && !regrowing && !(platform && over > 0)
        let warmUp = mayWarmUp
            ? WarmUpRule.verdict(history, at: time, horizon: horizon, memTotal: memTotal, settings: settings.warmUp)
            : .notYoung
        // A steady creep counts before it adds up to `growthMinimumBytes` in 30 s.
        let growing = regrowing || growth.largestBytes >= Double(settings.candidates.growthMinimumBytes)
            || growth.isSteadyCreep
        let harm: HarmClass? = switch (platform, over > 0, growing) {
        case (true, true, _): .platformOverBudget
        case (true, false, true): .platformGrowing
        case (false, true, _): .applicationOverBudget
        case (false, false, true): .applicationGrowing
        default: nil
        }
        self.init(unit: history.unit, category: category, expectedBytes: expected, overBytes: over, figures: figures,
                  growth: growth, ageSeconds: age, mayBeWarmingUp: mayWarmUp, warmUp: warmUp, regrowing: regrowing, restarts: history.restarts,
                  normalBytes: history.normalBytes, settledBytes: history.earlierSettledBytes ?? history.settledBytes,
                  harmClass: harm, exclusion: nil, restartBlocker: nil,
                  restartFreesBytes: Self.freedByRestart(figures, normal: history.normalBytes),
                  responsibility: 0)
        growingForSeconds = history.growingSince.map { Swift.max(0, time - $0) } ?? 0
        let ownUntouched = history.untouchedReservation(at: time)
        untouchedReservationBytes = mayWarmUp ? ownUntouched : nil
        othersUntouchedReservationBytes = allUntouchedReservation.over(ownUntouched ?? 0)
        exclusion = isProtected ? .protected
            : figures.workingSetBytes < settings.candidates.minimumWorkingSetBytes ? .tooSmall
            : harm == nil ? .steady : nil
        restartBlocker = blocker(refusesRestart: refusesRestart, platform: platform, horizon: horizon,
                                 memTotal: memTotal, settings: settings)
        let lookahead = settings.ladder.throttleHorizonSeconds
        responsibility = (Double(over) + growth.fastestBytesPerSecond * lookahead + Double(figures.swapBytes) / 2)
            * weight
    }

    /// Still growing over the last 2 s, at `growthMinimumBytes` per 30 s or faster.
    public func growsNow(settings: PolicySettings) -> Bool {
        growth.recent.bytesPerSecond * UnitMemoryHistory.shortWindow >= Double(settings.candidates.growthMinimumBytes)
    }

    /// May it be restarted although it may be warming up? Only while it still grows: on a
    /// stall or a room below the reserve at once; otherwise (a forecast, or RAM at its floor,
    /// which a heap allocated at start reaches and stops at: 56 MiB left in the guest) once it
    /// has grown for `burstSeconds` and its own rate now would use up what is left (RAM within
    /// `ramCriticalSeconds`, or the room within `absorbLookaheadSeconds`). The VM's trend lags
    /// by its window: after a burst, a slow creep must not inherit the burst's forecast.
    /// Near RAM's floor, a young grower that is slow or whose start is done is judged on its
    /// last 20 s (`creepsSteadily`).
    public func warmUpMayBeRestarted(under limit: WarmUpRule.AbsorbLimit?, horizon: ExhaustionHorizon.Reading,
                                     memTotal: UInt64, settings: PolicySettings) -> Bool {
        guard let limit else { return false }
        let rate = growth.recent.bytesPerSecond
        let reserve = Double(WarmUpRule.reserveBytes(memTotal: memTotal, settings: settings.warmUp))
        // A start that fills what it mapped beforehand ends there: while the rest fits in RAM
        // above the floor it cannot run the VM out, however fast it goes, and no forecast
        // from its rate applies (measured: a 2.4 GiB heap touched at 450 MiB/s on 3 GiB, met
        // by the burst allowance at 7 s with 155 MiB left; it stopped 150 MiB above the floor).
        if !limit.isAtOnce, let untouched = untouchedReservationBytes,
           Double(untouched.saturatingAdd(othersUntouchedReservationBytes)) <= Double(horizon.availableBytes) - reserve / 2 {
            return false
        }
        // Near the floor "its own rate uses up what is left" holds for any rate (what is left is
        // counted down to half the reserve): the VM's forecast may still carry the burst that
        // brought RAM there (a 5 s window), and so may the unit's own 2 s rate. A slow grower,
        // or one whose 2 s rate fell below half its 6 s rate (a start whose heap is done), is
        // judged on its own steady growth instead. (With the floor itself as the bound, a
        // creeper at 66 MiB was restarted 7.5 s after its start; with slow growers alone judged
        // so, creep-a's 2 s rate still held its start's last 1.5 s and a 37 MiB step, 57 MiB/s
        // against 218 over 6 s, and it was restarted at 7.3 s.) A fast leak still going at the
        // floor (its forecast missed during another unit's cool-down) is restarted: left to the
        // stall, whose avg10 lags, it stalled the VM 2.8 s.
        if !limit.isAtOnce, Double(horizon.availableBytes) < reserve,
           rate < Double(settings.horizon.swapAbsorbBytesPerSecond) || rate < growth.burst.bytesPerSecond / 2 {
            return creepsSteadily
        }
        guard growsNow(settings: settings) else { return false }
        if limit.isAtOnce { return true }
        guard growingForSeconds >= settings.warmUp.burstSeconds else { return false }
        return rate * settings.warmUp.ramCriticalSeconds >= Double(horizon.availableBytes) - reserve / 2
            || rate * settings.warmUp.absorbLookaheadSeconds >= Double(horizon.roomBytes) - reserve
    }

    /// At RAM's floor, a slow grower is one the VM cannot absorb once it is past its start
    /// (`startSeconds`) and has grown at about one rate over the whole last 20 s, at least as
    /// fast as the floor's loss (`WarmUpRule.floorLossBytesPerSecond`), and still does (its
    /// rate now at least a third of that): a start that allocated its heap and settles
    /// decelerates, with its burst still in the window, while a creep goes on at one rate.
    /// Seconds of slow growth right after a burst are no evidence of a leak.
    var creepsSteadily: Bool {
        growth.isSteadyCreep && (ageSeconds ?? .infinity) >= Self.startSeconds
    }

    /// An application's own start (heap, caches, connections) takes seconds to tens of seconds;
    /// a creep is not judged before it is this old.
    static let startSeconds = 30.0

    /// Whether a throttle can help: `MemoryHigh` makes the unit reclaim its own pages, which
    /// swap takes at most at `swapAbsorbBytesPerSecond`; a unit growing faster would only stall
    /// itself (its tasks wait in reclaim, which PSI counts as the VM's stall) without slowing
    /// the VM's consumption, and a unit that may be warming up must not be touched at all.
    /// A platform unit past its own budget is not throttled either: its restart is cheap (no
    /// customer's outage) and brings it back to its budget, while a throttle only stalls it in
    /// its own reclaim until the restart comes (measured: a throttled 8 MiB/s agent, 1.54 s of
    /// full stall in a quiet guest). It waits for the restart horizon.
    public func throttleHelps(settings: PolicySettings) -> Bool {
        !mayBeWarmingUp && harmClass != .platformOverBudget
            && growth.short.bytesPerSecond <= Double(settings.horizon.swapAbsorbBytesPerSecond)
    }

    private func blocker(refusesRestart: Bool, platform: Bool, horizon: ExhaustionHorizon.Reading, memTotal: UInt64,
                         settings: PolicySettings) -> RestartBlocker? {
        let shmemShare = Double(figures.shmemBytes) / Double(Swift.max(1, figures.workingSetBytes)) * 100
        if refusesRestart || UnitName.typeSuffix(of: unit) == "scope" { return .notRestartable }
        if shmemShare >= settings.candidates.sharedMemoryDominantPercent {
            return .sharedMemory(bytes: figures.shmemBytes)
        }
        // A warm-up that has stopped growing holds what it needs: restarting it would only
        // make it warm up again, even while the VM still stalls from it.
        if warmUp.shieldsFromRestart
            || (mayBeWarmingUp && !growsNow(settings: settings) && !creepsSteadily) {
            return .warmingUp
        }
        if mayBeWarmingUp, case .cannotAbsorb(let limit) = warmUp, !limit.isAtOnce,
           !warmUpMayBeRestarted(under: limit, horizon: horizon, memTotal: memTotal, settings: settings) {
            return .warmingUp
        }
        if platform && overBytes == 0 && expectedBytes != nil && !regrowing { return .withinPlatformBudget }
        return nil
    }

    private static func freedByRestart(_ figures: UnitMemoryHistory.Figures, normal: UInt64?) -> UInt64 {
        let held = figures.workingSetBytes.over(figures.shmemBytes) + figures.swapBytes
        return held.over(normal ?? 0)
    }
}

extension UnitGrowth {
    /// The whole last 20 s at about one rate (no burst in them: their rate at most 3 times
    /// its rate now) and at least `WarmUpRule.floorLossBytesPerSecond`.
    var isSteadyCreep: Bool {
        steady.seconds >= UnitMemoryHistory.steadyWindow - 1
            && steady.bytesPerSecond >= WarmUpRule.floorLossBytesPerSecond
            && steady.bytesPerSecond <= 3 * recent.bytesPerSecond
    }
}
