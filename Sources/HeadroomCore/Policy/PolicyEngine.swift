/// The policy pieces composed into one per-tick decision: horizon, unit histories, warm-up
/// rule, chooser, ladders, "no action" limiter. Samples and time in, decisions out.
///
/// The integrator calls `observe` every tick and carries out the `Decision`s (systemd calls,
/// incident records); `restartFinished` and `release` report events back. On a calm tick
/// (horizon long, no ladder step open) it allocates nothing: it only updates rings in place
/// and returns an empty array.
public struct PolicyEngine: Sendable {
    public enum Decision: Equatable, Sendable {
        /// Carry out a ladder action; `candidate` is the unit as chosen (nil for a lift, kill or
        /// release that comes from the ladder's own tick), `horizon` the reading it was based on.
        case act(UnitLadder.Action, candidate: UnitCandidate?, horizon: ExhaustionHorizon.Reading)
        /// Record (once per cause per `noActionRepeatSeconds`) that Headroom could not act.
        case fileInstead(CulpritChooser.NoActionReason, candidates: [UnitCandidate],
                         horizon: ExhaustionHorizon.Reading)
        /// The real consumer is a protected login session: snapshot its processes, pick one with
        /// `RunawayProcess.choose` and terminate it with `TerminationSchedule` (SIGTERM, SIGKILL).
        case terminateRunawayIn(unit: String, cgroupPath: String, horizon: ExhaustionHorizon.Reading)
    }

    public private(set) var settings: PolicySettings
    public private(set) var budget: BudgetConfig
    private var isProtected: @Sendable (String) -> Bool
    private var cooldownSeconds: Double
    private var horizon: ExhaustionHorizon
    public private(set) var histories: [String: UnitMemoryHistory] = [:]
    public private(set) var ladders: [String: UnitLadder] = [:]
    private var limiter: NoActionLimiter
    private var busyUntil = -Double.infinity
    public private(set) var lastReading: ExhaustionHorizon.Reading?
    /// Every unit as the last decision weighed it (for the incident's candidate list).
    public private(set) var lastCandidates: [UnitCandidate] = []
    /// The tick on which the units were last weighed, and the absorb limit they were weighed at.
    public private(set) var lastWeighed: (time: Double, limit: WarmUpRule.AbsorbLimit?)?
    /// Since when the horizon has been within the throttle horizon.
    private var shortSince: Double?

    /// A short horizon is acted on (short of a limit the VM cannot absorb) once it has lasted
    /// this long and the room still shrinks: a step that stopped within a second (a spike that
    /// frees itself) is nobody's leak, while a leak keeps shrinking the room.
    static let sustainSeconds = 1.0
    /// - Parameters:
    ///   - isProtected: the supervisor's protected set (core set plus `extra_protected`).
    ///   - cooldownSeconds: after a restart or containment, no other one for this long, unless
    ///     the VM cannot absorb (`WarmUpRule.absorbLimit`).
    public init(settings: PolicySettings, budget: BudgetConfig, cooldownSeconds: Double,
                isProtected: @escaping @Sendable (String) -> Bool) {
        self.settings = settings
        self.budget = budget
        self.cooldownSeconds = cooldownSeconds
        self.isProtected = isProtected
        horizon = ExhaustionHorizon(settings: settings.horizon)
        limiter = NoActionLimiter(repeatSeconds: settings.noActionRepeatSeconds)
    }

    /// A reloaded config: settings change, histories and ladders stay.
    public mutating func reconfigure(settings: PolicySettings, budget: BudgetConfig, cooldownSeconds: Double,
                                     isProtected: @escaping @Sendable (String) -> Bool) {
        if settings.horizon != self.settings.horizon { horizon = ExhaustionHorizon(settings: settings.horizon) }
        if settings.noActionRepeatSeconds != self.settings.noActionRepeatSeconds {
            limiter = NoActionLimiter(repeatSeconds: settings.noActionRepeatSeconds)
        }
        self.settings = settings
        self.budget = budget
        self.cooldownSeconds = cooldownSeconds
        self.isProtected = isProtected
    }

    /// - Parameter startedAt: each unit's start of its current run on the tick clock, nil if unknown;
    ///   asked only for a sample without its own `startedAt`.
    public mutating func observe(time: Double, system: SystemSample, services: [ServiceSample],
                                 startedAt: (String) -> Double?) -> [Decision] {
        let reading = horizon.observe(time: time, meminfo: system.meminfo, pressure: system.pressure)
        lastReading = reading
        for service in services {
            // In place through the index: the tick must not copy the rings.
            if let index = histories.index(forKey: service.unit) {
                histories.values[index].observe(time: time, sample: service,
                                                startedAt: service.startedAt ?? startedAt(service.unit), settings: settings)
            } else {
                var history = UnitMemoryHistory(unit: service.unit)
                history.observe(time: time, sample: service, startedAt: service.startedAt ?? startedAt(service.unit),
                                settings: settings)
                histories[service.unit] = history
            }
        }
        if histories.count > services.count * 2 + 16 { forgetVanished(services) }
        let memTotal = system.meminfo.memTotal
        let seconds = reading.seconds ?? .infinity
        let short = seconds <= settings.ladder.throttleHorizonSeconds
        shortSince = short ? (shortSince ?? time) : nil
        let sustained = short && time - (shortSince ?? time) >= Self.sustainSeconds && (reading.recentSlope ?? 0) < 0
        var limit = WarmUpRule.absorbLimit(reading, memTotal: memTotal, settings: settings.warmUp)
        // A forecast (not a stall, not room already below the reserve) must hold like a short
        // horizon; RAM at its floor is a state, judged per unit on its last 30 s.
        if let forecast = limit, !forecast.isHard, forecast != .ramAtFloor, !sustained { limit = nil }
        var decisions: [Decision] = []
        // Not `for index in ladders.indices`: the indices hold the storage, so the first ladder
        // changed in place would copy it (a malloc every tick while a unit is contained).
        var index = ladders.startIndex
        while index != ladders.endIndex {
            if ladders.values[index].step != .idle,
               let action = ladders.values[index].tick(horizon: reading, absorbLimit: limit, at: time,
                                                       settings: settings) {
                decisions.append(.act(action, candidate: nil, horizon: reading))
            }
            ladders.formIndex(after: &index)
        }
        // The cool-down lets memory come back after an action; it ends early when the VM cannot
        // absorb again (a leak regrowing at once must not get 15 s to take the VM down).
        let containing = containmentDue
        guard limit != nil || sustained || containing, time >= busyUntil || limit != nil || containing,
              !ladders.values.contains(where: { if case .restarting = $0.step { true } else { false } }) else {
            return decisions
        }
        decide(time: time, reading: reading, limit: limit, services: services, memTotal: memTotal, into: &decisions)
        return decisions
    }

    private mutating func decide(time: Double, reading: ExhaustionHorizon.Reading, limit: WarmUpRule.AbsorbLimit?,
                                 services: [ServiceSample], memTotal: UInt64, into decisions: inout [Decision]) {
        // Every unit filling what it mapped draws on the same free RAM.
        let untouched = services.saturatingSum { histories[$0.unit]?.untouchedReservation(at: time) ?? 0 }
        let candidates = services.compactMap { service -> UnitCandidate? in
            guard let history = histories[service.unit] else { return nil }
            let (category, expected) = UnitCandidate.expectation(for: service.unit, budget: budget)
            return UnitCandidate(history: history, at: time, horizon: reading, memTotal: memTotal,
                                 category: category, expected: expected, isProtected: isProtected(service.unit),
                                 allUntouchedReservation: untouched, settings: settings)
        }
        lastCandidates = candidates
        lastWeighed = (time, limit)
        // At the floor without a steady fall, only a unit growing steadily there is acted on
        // (a start's burst that ended there is not), and nothing is filed.
        if limit == .ramAtFloor {
            let creepers = candidates.filter { $0.exclusion == nil && $0.creepsSteadily
                && !contained.contains($0.unit) }
            guard !creepers.isEmpty else { return }
            if case .act(let unit, _, _) = CulpritChooser.choose(creepers, horizon: reading, memTotal: memTotal,
                                                                 mode: .restart, settings: settings),
               let candidate = creepers.first(where: { $0.unit == unit }) {
                escalate(candidate, reading: reading, limit: limit, memTotal: memTotal, time: time, into: &decisions)
            }
            return
        }
        let seconds = reading.seconds ?? .infinity
        let restartDue = limit != nil || seconds <= settings.ladder.restartHorizonSeconds
        // A leak growing back after its restart is contained while it is still small, before
        // any other choice (it is the culprit already known).
        if let regrowing = candidates.first(where: { isContainable($0) }) {
            escalate(regrowing, reading: reading, limit: limit, memTotal: memTotal, time: time, into: &decisions)
            return
        }
        // Platform units past their own budget come first, and their restart does not wait for
        // the restart horizon (the ladder restarts them at the throttle one).
        let agents = candidates.filter(isPlatformRestartable)
        if !restartDue, seconds <= settings.ladder.throttleHorizonSeconds,
           case .act(let unit, _, _) = CulpritChooser.choose(agents, horizon: reading, memTotal: memTotal,
                                                             mode: .restart, settings: settings),
           let agent = agents.first(where: { $0.unit == unit }) {
            escalate(agent, reading: reading, limit: limit, memTotal: memTotal, time: time, into: &decisions)
            return
        }
        // A warm-up is taken only when acting on the others was not enough: during the cool-down
        // of another unit's restart or containment, only a hard limit says so.
        let coolingDown = time < busyUntil && !(limit?.isHard ?? false)
        let warmUps = coolingDown ? candidates.filter(\.mayBeWarmingUp).map(\.unit) : []
        var choice = CulpritChooser.choose(candidates, horizon: reading, memTotal: memTotal,
                                           mode: restartDue ? .restart : .throttle,
                                           skipping: restartDue ? contained + warmUps : stepped, settings: settings)
        if restartDue, case .fileInstead(.onlyWarmUps) = choice {
            choice = CulpritChooser.choose(candidates, horizon: reading, memTotal: memTotal, mode: .throttle,
                                           skipping: stepped, settings: settings)
        }
        switch choice {
        case .act(let unit, _, _):
            guard let candidate = candidates.first(where: { $0.unit == unit }) else { return }
            escalate(candidate, reading: reading, limit: limit, memTotal: memTotal, time: time, into: &decisions)
        case .fileInstead(.consumerProtected(let unit)) where settings.runaway.terminateProcesses:
            guard let service = services.first(where: { $0.unit == unit }),
                  RunawayProcess.isLoginSession(unit: unit, cgroupPath: service.cgroupPath) else {
                fileOnce(.consumerProtected(unit: unit), candidates, reading, time, into: &decisions)
                return
            }
            busyUntil = time + cooldownSeconds
            decisions.append(.terminateRunawayIn(unit: unit, cgroupPath: service.cgroupPath, horizon: reading))
        case .fileInstead(let reason):
            // A VM that can no longer absorb, with nobody to act on, is worth a record; so is a
            // short horizon whose consumer Headroom must not act on (ops can: the record says
            // where the memory is). A warm-up the VM absorbs and nothing left to throttle are not.
            // A forecast with only warm-ups growing is a start in progress, not a ticket.
            if (limit?.isHard ?? false) || reason.namesAConsumer {
                fileOnce(reason, candidates, reading, time, into: &decisions)
            }
        }
    }

    private mutating func escalate(_ candidate: UnitCandidate, reading: ExhaustionHorizon.Reading,
                                   limit: WarmUpRule.AbsorbLimit?, memTotal: UInt64, time: Double,
                                   into decisions: inout [Decision]) {
        var ladder = ladders[candidate.unit] ?? UnitLadder(unit: candidate.unit)
        let outcome = ladder.escalate(candidate, horizon: reading, absorbLimit: limit, memTotal: memTotal,
                                      at: time, settings: settings)
        ladders[candidate.unit] = ladder
        guard case .act(let action) = outcome else { return }
        if case .throttle = action {} else { busyUntil = time + cooldownSeconds }
        decisions.append(.act(action, candidate: candidate, horizon: reading))
    }

    /// A platform unit past its own budget that may be restarted: restarted at the throttle
    /// horizon (`UnitLadder.escalate`), so the choice is a restart's.
    private func isPlatformRestartable(_ candidate: UnitCandidate) -> Bool {
        candidate.harmClass == .platformOverBudget && candidate.exclusion == nil && candidate.restartBlocker == nil
            && !stepped.contains(candidate.unit)
    }

    /// Regrowing after enough restarts, eligible, nothing set on it yet, and small enough for
    /// its containment to be set without reclaim.
    private func isContainable(_ candidate: UnitCandidate) -> Bool {
        candidate.regrowing && candidate.restarts >= settings.ladder.containAfterRestarts
            && candidate.exclusion == nil && candidate.restartBlocker == nil
            && (ladders[candidate.unit]?.step ?? .idle) == .idle
    }

    private mutating func fileOnce(_ reason: CulpritChooser.NoActionReason, _ candidates: [UnitCandidate],
                                   _ reading: ExhaustionHorizon.Reading, _ time: Double,
                                   into decisions: inout [Decision]) {
        if limiter.shouldFile(reason, at: time) {
            decisions.append(.fileInstead(reason, candidates: candidates, horizon: reading))
        }
    }

    /// A unit restarted before grows back while nothing is set on it: it is contained now,
    /// while it is small, whatever the horizon (the cool-down is for memory to come back, and
    /// a leak coming back at once is the answer already).
    private var containmentDue: Bool {
        histories.values.contains { history in
            history.restarts >= settings.ladder.containAfterRestarts
                && (ladders[history.unit]?.step ?? .idle) == .idle
                && history.isRegrowing(settings: settings.candidates)
        }
    }

    /// Units with a throttle or containment in place.
    private var stepped: [String] { ladders.values.filter { $0.step != .idle }.map(\.unit) }
    /// At the top of their ladder: nothing more is done to them, and choosing one would hold
    /// everyone else (measured: a contained agent cycling at its limit held a second agent's
    /// restart until RAM ran out, 2.1 s of full stall).
    private var contained: [String] {
        ladders.values.filter { if case .contained = $0.step { true } else { false } }.map(\.unit)
    }

    /// Histories and ladder steps to keep in the state directory.
    public var remembered: (histories: [UnitMemoryHistory.Remembered], ladders: [UnitLadder]) {
        (histories.values.map(\.remembered), ladders.values.filter { $0.step != .idle })
    }

    /// After a daemon restart: what was kept. A containment stays in force (systemd keeps the
    /// runtime properties), so its ladder must come back with it.
    public mutating func restore(histories kept: [UnitMemoryHistory.Remembered], ladders steps: [UnitLadder]) {
        for memory in kept { histories[memory.unit] = UnitMemoryHistory(restoring: memory) }
        for ladder in steps { ladders[ladder.unit] = ladder }
    }

    /// The restart job of `unit` ended (JobRemoved, any result).
    public mutating func restartFinished(unit: String) {
        ladders[unit]?.restartFinished()
    }

    /// `headroom release UNIT`.
    public mutating func release(unit: String) -> UnitLadder.Action? {
        ladders[unit]?.release()
    }

    private mutating func forgetVanished(_ services: [ServiceSample]) {
        let present = Set(services.map(\.unit))
        for unit in histories.keys where !present.contains(unit) { forget(unit: unit) }
    }

    /// Units that vanished are forgotten (their history with them).
    public mutating func forget(unit: String) {
        histories[unit] = nil
        if ladders[unit]?.step == .idle { ladders[unit] = nil }
    }
}
