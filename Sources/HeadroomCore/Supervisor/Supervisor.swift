/// The decision core: observations and results in, actions out. No I/O, no clocks.
///
/// Composed of value state machines, each owning its state:
/// - `LevelMachine`: level (with hysteresis), swappiness, tick interval, what to scan next;
/// - `PolicyEngine`: the exhaustion horizon (available memory plus usable swap, and stall),
///   per-unit histories, the warm-up rule, the choice by harm and sufficiency, and each unit's
///   ladder (throttle, restart, contain); it decides every step;
/// - `ActionMachine`: the open incident and the step awaiting its result (idle / acting /
///   cooling down); one incident per episode (`IncidentEpisodes`);
/// - `UnitHistory`: per-unit growth and OOM-kill counters for the incidents' evidence;
/// - `KernelOomCounter`: /proc/vmstat's oom_kill, tracked here only.
public struct Supervisor: Sendable {
    public private(set) var levels: LevelMachine
    public internal(set) var actions: ActionMachine
    public internal(set) var policy: PolicyEngine
    public private(set) var budget: BudgetConfig
    var history = UnitHistory()
    private(set) var kernelOomKills = KernelOomCounter()
    /// Kernel OOM kills no unit showed yet, while some unit is contained, and since when.
    private var unplacedKills: (kills: UInt64, since: Double)?
    private var holdTrace = HoldTrace()
    /// systemd restarts a unit 100 ms after its kill by default; the units are listed again
    /// within seconds under pressure.
    static let unplacedKillWaitSeconds = 5.0
    private var episodes: IncidentEpisodes
    var sequence = 0

    public init(settings: SupervisorSettings, budget: BudgetConfig) {
        self.budget = budget
        levels = LevelMachine(settings: settings)
        actions = ActionMachine(settings: settings)
        policy = Self.policyEngine(settings, budget)
        episodes = IncidentEpisodes(quietSeconds: settings.policy.episodeQuietSeconds)
    }

    static func policyEngine(_ settings: SupervisorSettings, _ budget: BudgetConfig) -> PolicyEngine {
        PolicyEngine(settings: settings.policy, budget: budget, cooldownSeconds: settings.cooldownSeconds,
                     isProtected: { settings.isProtected($0) })
    }

    public var settings: SupervisorSettings { levels.settings }
    public var level: PressureLevel { levels.level }
    public var openIncident: Incident? { actions.openIncident }

    /// A reloaded config: thresholds change, state (histories, ladders, open incident) stays.
    public mutating func reconfigure(settings: SupervisorSettings, budget: BudgetConfig) {
        self.budget = budget
        levels.reconfigure(settings)
        actions.settings = settings
        policy.reconfigure(settings: settings.policy, budget: budget, cooldownSeconds: settings.cooldownSeconds,
                           isProtected: { settings.isProtected($0) })
    }

    // MARK: Events

    /// How much the next tick should read, given the system sample it starts with.
    public mutating func plan(now: Double, system: SystemSample) -> ScanPlan {
        levels.plan(now: now, kernelOomKillsChanged: kernelOomKills.changed(system.vmstat.oomKill))
    }

    /// The scan of the planned tick found units gone.
    public mutating func scanned(vanished: Bool) { levels.scanned(vanished: vanished) }

    public mutating func observe(_ o: Observation) -> [SupervisorAction] {
        var out: [SupervisorAction] = []
        history.record(o, growthWindow: settings.growthWindowSeconds)
        let signals = levels.observe(o, into: &out)
        noteKernelOomKills(o, signals: signals, into: &out)
        actions.observe(o, level: level, criticalSince: levels.criticalSince, into: &out)
        finishRestartsNoLongerAwaited()
        let decisions = policy.observe(time: o.time, system: o.system, services: o.services, startedAt: { _ in nil })
        for decision in decisions { carryOut(decision, o, into: &out) }
        traceHold(o, acted: decisions.contains { if case .fileInstead = $0 { false } else { true } }, into: &out)
        if case .ended = episodes.observe(level: episodeActive ? .elevated : .calm, at: o.time) {
            actions.episodeEnded()
        }
        return out
    }

    /// The units were weighed on this tick and none was acted on: say why at debug level.
    private mutating func traceHold(_ o: Observation, acted: Bool, into out: inout [SupervisorAction]) {
        guard !acted, let weighed = policy.lastWeighed, weighed.time == o.time, let reading = policy.lastReading,
              let line = holdTrace.line(at: o.time, reading: reading, limit: weighed.limit,
                                        candidates: policy.lastCandidates, settings: settings.policy) else { return }
        out.append(.log(.debug, line))
    }

    /// The episode lasts while the level is raised or a throttle or restart is in place.
    private var episodeActive: Bool {
        level != .calm || policy.ladders.values.contains { ladder in
            switch ladder.step {
            case .throttled, .restarting: true
            case .idle, .contained: false
            }
        }
    }

    /// A restart whose result will not come (dry run, given up as unconfirmed) ends its ladder step.
    private mutating func finishRestartsNoLongerAwaited() {
        var ended: [String] = []
        for (unit, ladder) in policy.ladders where unit != actions.pendingRestart {
            if case .restarting = ladder.step { ended.append(unit) }
        }
        for unit in ended { policy.restartFinished(unit: unit) }
    }

    /// The daemon is stopping: the open incident is written as interrupted.
    public mutating func stop(wallClockMs: Int64) -> [SupervisorAction] {
        actions.stop(wallClockMs: wallClockMs)
    }

    // MARK: State across daemon restarts

    /// Per-unit histories and ladder steps (throttles, containments) to keep in the state
    /// directory, so that regrowth and a containment are still known after a daemon restart.
    public var remembered: (histories: [UnitMemoryHistory.Remembered], ladders: [UnitLadder]) { policy.remembered }

    /// After a daemon restart: what `remembered` kept.
    public mutating func restore(histories: [UnitMemoryHistory.Remembered], ladders: [UnitLadder]) {
        policy.restore(histories: histories, ladders: ladders)
    }

    func rank(_ o: Observation) -> [Candidate] {
        CulpritRanking(settings: settings, budget: budget, history: history).rank(o)
    }

    // MARK: Kernel OOM kills

    private mutating func noteKernelOomKills(_ o: Observation, signals: LevelRules.Signals,
                                             into out: inout [SupervisorAction]) {
        var killedUnits = history.unitsKilledByKernel(o.services)
        let fresh = kernelOomKills.observe(o.system.vmstat.oomKill)
        if let fresh { actions.noteKernelOomKills(fresh) }
        guard fresh != nil || unplacedKills != nil else { return }
        let held = unplacedKills
        unplacedKills = nil
        let kills = (fresh ?? 0) + (held?.kills ?? 0)
        if killedUnits.isEmpty { killedUnits = containedUnitsStartedAgain(o.services) }
        // The daemon sees a recreated cgroup (and its new start) only once systemd has started
        // the unit again and the units are listed: while a unit is contained, a kill no unit
        // shows yet waits for that, up to `unplacedKillWaitSeconds`.
        if killedUnits.isEmpty, o.time - (held?.since ?? o.time) < Self.unplacedKillWaitSeconds,
           policy.ladders.values.contains(where: { if case .contained = $0.step { true } else { false } }) {
            unplacedKills = (kills, held?.since ?? o.time)
            return
        }
        // A contained unit OOM-killed at its own limit is containment working (its incident says
        // so, systemd's Restart= starts it again): not a new incident each time.
        let contained = killedUnits.filter { unit in
            if case .contained = policy.ladders[unit]?.step ?? .idle { true } else { false }
        }
        if !killedUnits.isEmpty, contained.count == killedUnits.count {
            out.append(.log(.info, "\(killedUnits.joined(separator: ", ")) OOM-killed at its contained limit "
                            + "(\(kills) kill(s)): containment holding, no new incident"))
            return
        }
        let trigger = Trigger(signal: .kernelOomKill, value: Double(kills), threshold: 0, heldSeconds: 0)
        var incident = newIncident(.kernelOomKill, o, trigger: trigger, forecastSeconds: signals.forecastSeconds)
        incident.kernelOomKilledUnits = killedUnits
        incident.kernelOomKillsDuring = kills
        incident.culprit = killedUnits.first
        incident.outcome = .kernelOomKill
        incident.narrative = Narrative.kernelOomKill(kills: kills, units: killedUnits)
        incident.journaled = true
        out.append(.writeIncident(incident))
        out.append(.journalIncident(incident))
    }

    /// Contained units that started again since the policy last saw them. systemd's `Restart=`
    /// after an OOM kill at the unit's limit removes its cgroup and creates a new one, so the
    /// kill is in no unit's memory.events (measured: 6 of 9 such kills in the guest came as
    /// "Headroom did not prevent it"); only /proc/vmstat and the unit's new start say it.
    /// Called before the policy sees this observation's starts.
    private func containedUnitsStartedAgain(_ services: [ServiceSample]) -> [String] {
        services.compactMap { service in
            guard case .contained = policy.ladders[service.unit]?.step ?? .idle,
                  let started = service.startedAt, let known = policy.histories[service.unit]?.startedAt,
                  started > known + 0.5 else { return nil }
            return service.unit
        }
    }

    /// - Parameter fromPolicy: list the candidates as the policy's last decision weighed them
    ///   (an action or a "could not act"); otherwise (a kernel OOM kill) rank this observation.
    mutating func newIncident(_ kind: Incident.Kind, _ o: Observation, trigger: Trigger,
                              forecastSeconds: Double?, fromPolicy: Bool = false) -> Incident {
        sequence += 1
        let report = BudgetReport.compute(system: o.system, services: o.services,
                                          perServiceAvailable: o.perServiceAvailable, config: budget)
        return Incident(
            id: "\(o.wallClockMs)-\(sequence)", kind: kind, startedAtMs: o.wallClockMs,
            updatedAtMs: o.wallClockMs, level: level, trigger: trigger,
            system: Incident.SystemSnapshot(o.system, forecastSeconds: forecastSeconds),
            budget: report, candidates: fromPolicy && !policy.lastCandidates.isEmpty
                ? Candidate.fromPolicy(policy.lastCandidates, settings: settings.policy) : rank(o), culprit: nil, outcome: .pending, narrative: "",
            dryRun: settings.dryRun)
    }
}
