/// Who to act on: the least harmful candidate whose action restores the horizon (DESIGN §5).
///
/// Candidates are taken in harm order (platform over budget, platform growing, applications
/// over budget, applications growing), the most responsible first within each class. A
/// restart must help: it has to free enough and stop enough of the consumption that the
/// horizon comes back above the throttle horizon. When none suffices alone, the least
/// harmful responsible one is still taken (it helps, and the next follows after the cool-down),
/// unless the real consumer cannot be acted on: then nobody else pays for it, the choice is
/// to file, and the reason says where the memory is.
public enum CulpritChooser {
    public enum Mode: Equatable, Sendable {
        /// Throttling takes nothing back (MemoryHigh at what the unit already has), so shmem
        /// holders and scopes may be throttled; units that may be warming up, platform units
        /// inside their reserve and units growing faster than swap takes pages are not.
        case throttle
        /// Restart or contain: restart blockers apply.
        case restart
    }

    /// Why Headroom files instead of acting; one cause per 10 min (`NoActionLimiter`).
    public enum NoActionReason: Hashable, Sendable {
        /// The real consumer is protected (`session-*.scope`, journald, ...): nobody else pays.
        case consumerProtected(unit: String)
        /// The real consumer cannot be restarted (a scope, or it refuses restarts).
        case consumerNotRestartable(unit: String)
        /// The real consumer's memory is in shmem/tmpfs: a restart would not free it.
        case memoryInSharedMemory(unit: String, bytes: UInt64)
        /// The only growers are warm-ups the VM still absorbs.
        case onlyWarmUps
        /// Nothing is over budget or growing: the VM is simply too full for its load.
        case noResponsibleUnit
    }

    public enum Choice: Equatable, Sendable {
        /// Act on `unit`; `restoresHorizon` says whether it suffices alone.
        case act(unit: String, harm: UnitCandidate.HarmClass, restoresHorizon: Bool)
        case fileInstead(NoActionReason)
    }

    /// - Parameters:
    ///   - skipping: units already at this step (throttled ones, when throttling).
    public static func choose(_ candidates: [UnitCandidate], horizon: ExhaustionHorizon.Reading, memTotal: UInt64,
                              mode: Mode, skipping: [String] = [], settings: PolicySettings) -> Choice {
        let responsible = candidates.filter { $0.exclusion == nil && $0.harmClass != nil && !skipping.contains($0.unit) }
            .sorted(by: inHarmOrder)
        let consumer = realConsumer(candidates)
        if mode == .throttle {
            // A warm-up the VM absorbs and a platform unit inside its reserve are left alone entirely.
            let throttleable = responsible.filter { $0.restartBlocker != .warmingUp
                && $0.restartBlocker != .withinPlatformBudget && $0.throttleHelps(settings: settings) }
            guard let first = throttleable.first else { return .fileInstead(consumer.map(reason) ?? .noResponsibleUnit) }
            return .act(unit: first.unit, harm: first.harmClass!, restoresHorizon: false)
        }
        // A unit that may be warming up comes after every other one, even one whose restart
        // alone would not suffice: the others are acted on first (the cool-down ends early while
        // the VM still cannot absorb), and the warm-up is taken only if that was not enough.
        let eligible = responsible.filter { $0.restartBlocker == nil && !$0.mayBeWarmingUp }
            + responsible.filter { $0.restartBlocker == nil && $0.mayBeWarmingUp }
        let settled = eligible.filter { !$0.mayBeWarmingUp }
        let reserve = WarmUpRule.reserveBytes(memTotal: memTotal, settings: settings.warmUp)
        let sufficient = { (candidate: UnitCandidate) in
            restores(candidate, horizon: horizon, reserve: reserve, settings: settings)
        }
        if let first = settled.first(where: sufficient) {
            return .act(unit: first.unit, harm: first.harmClass!, restoresHorizon: true)
        }
        if let consumer, consumer.exclusion == .protected || consumer.blocksOthers {
            return .fileInstead(reason(consumer))
        }
        if let first = settled.first { return .act(unit: first.unit, harm: first.harmClass!, restoresHorizon: false) }
        if let first = eligible.first(where: sufficient) {
            return .act(unit: first.unit, harm: first.harmClass!, restoresHorizon: true)
        }
        if let first = eligible.first { return .act(unit: first.unit, harm: first.harmClass!, restoresHorizon: false) }
        if responsible.contains(where: { $0.restartBlocker == .warmingUp }) { return .fileInstead(.onlyWarmUps) }
        return .fileInstead(consumer.map(reason) ?? .noResponsibleUnit)
    }

    /// Harm class first, then responsibility, then name (stable).
    static func inHarmOrder(_ a: UnitCandidate, _ b: UnitCandidate) -> Bool {
        if a.harmClass != b.harmClass { return (a.harmClass?.rawValue ?? 9) < (b.harmClass?.rawValue ?? 9) }
        if a.responsibility != b.responsibility { return a.responsibility > b.responsibility }
        return a.unit < b.unit
    }

    /// The most responsible unit over budget or growing, protected or not.
    static func realConsumer(_ candidates: [UnitCandidate]) -> UnitCandidate? {
        candidates.filter { $0.harmClass != nil && $0.exclusion != .tooSmall }
            .max { $0.responsibility != $1.responsibility ? $0.responsibility < $1.responsibility : $0.unit > $1.unit }
    }

    static func reason(_ consumer: UnitCandidate) -> NoActionReason {
        if consumer.exclusion == .protected { return .consumerProtected(unit: consumer.unit) }
        switch consumer.restartBlocker {
        case .notRestartable: return .consumerNotRestartable(unit: consumer.unit)
        case .sharedMemory(let bytes): return .memoryInSharedMemory(unit: consumer.unit, bytes: bytes)
        case .warmingUp: return .onlyWarmUps
        case .withinPlatformBudget, nil: return .noResponsibleUnit
        }
    }

    /// After restarting `candidate`, would the room last `throttleHorizonSeconds` above the reserve?
    /// Its consumption stops and what it held comes back.
    public static func restores(_ candidate: UnitCandidate, horizon: ExhaustionHorizon.Reading, reserve: UInt64,
                                settings: PolicySettings) -> Bool {
        let room = Double(horizon.roomBytes) + Double(candidate.restartFreesBytes) - Double(reserve)
        guard room > 0 else { return false }
        let remaining = horizon.consumptionBytesPerSecond - candidate.growth.fastestBytesPerSecond
        guard remaining > 0 else { return true }
        return room / remaining >= settings.ladder.throttleHorizonSeconds
    }
}

extension CulpritChooser.NoActionReason {
    /// The reason names the unit that holds the memory (and Headroom must not act on it).
    public var namesAConsumer: Bool {
        switch self {
        case .consumerProtected, .consumerNotRestartable, .memoryInSharedMemory: true
        case .onlyWarmUps, .noResponsibleUnit: false
        }
    }
}

extension UnitCandidate {
    /// A consumer whose memory acting cannot free: nobody else may be taken in its place.
    var blocksOthers: Bool {
        switch restartBlocker {
        case .notRestartable, .sharedMemory: true
        case .warmingUp, .withinPlatformBudget, nil: false
        }
    }
}
