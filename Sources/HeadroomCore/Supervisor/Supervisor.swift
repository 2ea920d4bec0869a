/// The decision core: observations and job results in, actions out. No I/O, no clocks.
///
/// Composed of value state machines, each owning its state:
/// - `LevelMachine`: level (with hysteresis), swappiness, tick interval, what to scan next;
/// - `ActionMachine`: the remedy in progress and the open incident (idle / acting / cooling down);
/// - `UnitHistory`: per-unit memory (growth, restarts, OOM-kill counters), pruned as units go;
/// - `KernelOomCounter`: /proc/vmstat's oom_kill, tracked here only.
/// In `critical`, held for `dwellSeconds`, it ranks the units (`CulpritRanking`) and starts a
/// remedy on the best eligible one, one at a time.
public struct Supervisor: Sendable {
    public private(set) var levels: LevelMachine
    public private(set) var actions: ActionMachine
    public private(set) var budget: BudgetConfig
    var history = UnitHistory()
    private(set) var kernelOomKills = KernelOomCounter()
    private var noCulpritFiledThisEpisode = false
    private var sequence = 0

    public init(settings: SupervisorSettings, budget: BudgetConfig) {
        self.budget = budget
        levels = LevelMachine(settings: settings)
        actions = ActionMachine(settings: settings)
    }

    public var settings: SupervisorSettings { levels.settings }
    public var level: PressureLevel { levels.level }
    public var openIncident: Incident? { actions.openIncident }

    /// A reloaded config: thresholds change, state (history, open incident) stays.
    public mutating func reconfigure(settings: SupervisorSettings, budget: BudgetConfig) {
        self.budget = budget
        levels.reconfigure(settings)
        actions.settings = settings
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
        if level != .critical { noCulpritFiledThisEpisode = false }
        actions.observe(o, level: level, criticalSince: levels.criticalSince, into: &out)
        if actions.isIdle, let trigger = levels.actionableTrigger(signals, at: o.time) {
            chooseRemedy(o, trigger: trigger, signals: signals, into: &out)
        }
        return out
    }

    /// The remedy's job on `unit` ended (or could not be issued).
    public mutating func jobFinished(unit: String, result: JobResult, time: Double, wallClockMs: Int64)
        -> [SupervisorAction] {
        actions.jobFinished(unit: unit, result: result, time: time, wallClockMs: wallClockMs)
    }

    /// The daemon is stopping: the open incident is written as interrupted.
    public mutating func stop(wallClockMs: Int64) -> [SupervisorAction] {
        actions.stop(wallClockMs: wallClockMs)
    }

    // MARK: Choosing

    private mutating func chooseRemedy(_ o: Observation, trigger: Trigger, signals: LevelRules.Signals,
                                       into out: inout [SupervisorAction]) {
        let candidates = rank(o)
        noteRestartLoops(candidates, into: &out)
        guard let culprit = candidates.first(where: { $0.exclusion == nil }) else {
            fileNoCulprit(o, trigger: trigger, signals: signals, candidates: candidates, into: &out)
            return
        }
        let incident = newIncident(.restart, o, trigger: trigger, signals: signals, candidates: candidates)
        history.noteRestart(culprit.unit, at: o.time)
        let remedy = Remedy(kind: .restart, unit: culprit.unit, since: o.time,
                            availableAtStart: o.system.meminfo.memAvailable)
        actions.start(incident, remedy: remedy, culprit: culprit, wallClockMs: o.wallClockMs, into: &out)
    }

    private mutating func fileNoCulprit(_ o: Observation, trigger: Trigger, signals: LevelRules.Signals,
                                        candidates: [Candidate], into out: inout [SupervisorAction]) {
        guard !noCulpritFiledThisEpisode else { return }
        noCulpritFiledThisEpisode = true
        var incident = newIncident(.noActionableCulprit, o, trigger: trigger, signals: signals, candidates: candidates)
        incident.outcome = .noAction
        incident.narrative = Narrative.noCulprit(trigger: trigger, candidates: candidates)
        incident.journaled = true
        out.append(.writeIncident(incident))
        out.append(.journalIncident(incident))
    }

    /// A unit entering a restart loop is said once (it stays in the incidents' candidates).
    private mutating func noteRestartLoops(_ candidates: [Candidate], into out: inout [SupervisorAction]) {
        for candidate in candidates {
            if candidate.exclusion?.isRestartLoop == true {
                guard history.noteLoop(candidate.unit) else { continue }
                out.append(.log(.warning, "\(candidate.unit) is in a restart loop "
                    + "(\(settings.maxRestartsPerHour) restarts in the last hour): left alone, the next candidate is "
                    + "considered; raise its memory limit or fix the leak"))
            } else {
                history.loopEnded(candidate.unit)
            }
        }
    }

    func rank(_ o: Observation) -> [Candidate] {
        CulpritRanking(settings: settings, budget: budget, history: history).rank(o)
    }

    // MARK: Kernel OOM kills

    private mutating func noteKernelOomKills(_ o: Observation, signals: LevelRules.Signals,
                                             into out: inout [SupervisorAction]) {
        let killedUnits = history.unitsKilledByKernel(o.services)
        guard let kills = kernelOomKills.observe(o.system.vmstat.oomKill) else { return }
        actions.noteKernelOomKills(kills)
        let trigger = Trigger(signal: .kernelOomKill, value: Double(kills), threshold: 0, heldSeconds: 0)
        var incident = newIncident(.kernelOomKill, o, trigger: trigger, signals: signals, candidates: rank(o))
        incident.kernelOomKilledUnits = killedUnits
        incident.kernelOomKillsDuring = kills
        incident.culprit = killedUnits.first
        incident.outcome = .kernelOomKill
        incident.narrative = Narrative.kernelOomKill(kills: kills, units: killedUnits)
        incident.journaled = true
        out.append(.writeIncident(incident))
        out.append(.journalIncident(incident))
    }

    private mutating func newIncident(_ kind: Incident.Kind, _ o: Observation, trigger: Trigger,
                                      signals: LevelRules.Signals, candidates: [Candidate]) -> Incident {
        sequence += 1
        let report = BudgetReport.compute(system: o.system, services: o.services,
                                          perServiceAvailable: o.perServiceAvailable, config: budget)
        return Incident(
            id: "\(o.wallClockMs)-\(sequence)", kind: kind, startedAtMs: o.wallClockMs,
            updatedAtMs: o.wallClockMs, level: level, trigger: trigger,
            system: Incident.SystemSnapshot(o.system, forecastSeconds: signals.forecastSeconds),
            budget: report, candidates: candidates, culprit: nil, outcome: .pending, narrative: "",
            dryRun: settings.dryRun)
    }
}
