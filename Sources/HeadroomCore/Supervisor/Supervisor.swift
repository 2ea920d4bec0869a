/// The decision core: observations and job results in, actions out. No I/O, no clocks.
///
/// Levels rise at once and fall after `calmAfterSeconds` without pressure (hysteresis).
/// In `critical`, held for `dwellSeconds`, it restarts the best-scoring eligible unit,
/// one action at a time, escalates to SIGKILL past the deadline, cools down, and records
/// every step in an incident.
public struct Supervisor: Sendable {
    enum ActingState: Equatable, Sendable {
        case idle
        case restarting(unit: String, since: Double, killed: Bool)
        /// After an action: wait for memory to come back before the next one, unless a new
        /// critical episode starts (the level left critical and rose again).
        case coolingDown(since: Double, until: Double)
    }

    public private(set) var settings: SupervisorSettings
    public private(set) var budget: BudgetConfig
    public private(set) var level: PressureLevel = .calm
    public private(set) var openIncident: Incident?
    var state: ActingState = .idle
    private var criticalSince: Double?
    private var lastPressureAt = -Double.infinity
    private var forecast: Forecast
    private var growth: [String: Forecast] = [:]
    private var restartTimes: [String: [Double]] = [:]
    private var availableAtAction: UInt64 = 0
    private var lastOomKills: UInt64?
    private var lastUnitOomKills: [String: UInt64] = [:]
    private var lastSwapTotal: UInt64?
    private var swappinessApplied: Int?
    private var tickApplied: Double?
    private var noCulpritFiledThisEpisode = false
    private var loopLogged: Set<String> = []
    private var sequence = 0

    /// A restart job with no result after this many restart deadlines is given up on.
    static let lostJobResultFactor = 6.0

    public init(settings: SupervisorSettings, budget: BudgetConfig) {
        self.settings = settings
        self.budget = budget
        forecast = Forecast(window: settings.forecastWindowSeconds)
    }

    /// A reloaded config: thresholds change, state (history, open incident) stays.
    public mutating func reconfigure(settings: SupervisorSettings, budget: BudgetConfig) {
        self.settings = settings
        self.budget = budget
        swappinessApplied = nil
        tickApplied = nil
    }

    var rules: LevelRules { LevelRules(settings: settings) }

    // MARK: Observations

    public mutating func observe(_ o: Observation) -> [SupervisorAction] {
        var actions: [SupervisorAction] = []
        let info = o.system.meminfo
        if let previous = lastSwapTotal, previous != info.swapTotal {
            actions.append(.log(.notice, "swap changed from \(ByteSize.format(previous)) to \(ByteSize.format(info.swapTotal))"))
            forecast.reset()
        }
        lastSwapTotal = info.swapTotal
        forecast.add(time: o.time, value: Double(info.memAvailable))
        for service in o.services {
            // Mutated in place through `values[index]`: the tick must not allocate per unit.
            if let index = growth.index(forKey: service.unit) {
                growth.values[index].add(time: o.time, value: Double(service.workingSet))
            } else {
                var history = Forecast(window: settings.growthWindowSeconds)
                history.add(time: o.time, value: Double(service.workingSet))
                growth[service.unit] = history
            }
        }
        if growth.count > o.services.count * 2 + 16 {
            let present = Set(o.services.map(\.unit))
            growth = growth.filter { present.contains($0.key) }
        }

        let signals = LevelRules.signals(o.system, forecastSeconds: forecast.secondsUntilZero)
        noteKernelOomKills(o, signals: signals, into: &actions)
        updateLevel(o, signals: signals, into: &actions)
        act(o, signals: signals, into: &actions)
        return actions
    }

    private mutating func updateLevel(_ o: Observation, signals: LevelRules.Signals,
                                      into actions: inout [SupervisorAction]) {
        let critical = rules.critical(signals)
        let elevated = critical ?? rules.elevated(signals)
        if critical != nil { criticalSince = criticalSince ?? o.time } else { criticalSince = nil }
        if elevated != nil { lastPressureAt = o.time }
        let next: PressureLevel
        if critical != nil { next = .critical }
        else if elevated != nil { next = .elevated }
        else if level != .calm && o.time - lastPressureAt < settings.calmAfterSeconds { next = .elevated }
        else { next = .calm }

        if next != level {
            let reason = (critical ?? elevated)?.sentence
                ?? (next == .calm ? "no pressure for \(Int(settings.calmAfterSeconds)) s"
                                  : "critical conditions cleared; staying elevated for \(Int(settings.calmAfterSeconds)) s")
            actions.append(.log(next > level ? .warning : .info, "memory level \(level.rawValue) -> \(next.rawValue): \(reason)"))
            if next != .critical { noCulpritFiledThisEpisode = false }
            level = next
        }
        let swappiness = level == .calm ? settings.calmSwappiness : settings.pressureSwappiness
        if swappinessApplied != swappiness {
            swappinessApplied = swappiness
            if settings.dryRun {
                actions.append(.log(.info, "dry run: would set vm.swappiness to \(swappiness)"))
            } else if o.system.swappiness != swappiness {
                actions.append(.setSwappiness(swappiness))
            }
        }
        let tick = level == .calm ? settings.tickSeconds : settings.fastTickSeconds
        if tickApplied != tick {
            actions.append(.setTick(tick))
            tickApplied = tick
        }
    }

    private mutating func act(_ o: Observation, signals: LevelRules.Signals, into actions: inout [SupervisorAction]) {
        switch state {
        case .restarting(let unit, let since, let killed):
            if !killed && level == .critical && o.time - since >= settings.restartDeadlineSeconds {
                state = .restarting(unit: unit, since: since, killed: true)
                record(.kill, unit: unit, at: o, into: &actions)
                if !settings.dryRun { actions.append(.killUnit(unit)) }
            } else if o.time - since >= settings.restartDeadlineSeconds * Self.lostJobResultFactor {
                // The job's JobRemoved signal can be lost with a D-Bus connection; without this
                // the supervisor would wait for it forever and never act again.
                let waited = Int(settings.restartDeadlineSeconds * Self.lostJobResultFactor)
                actions.append(.log(.warning, "no result for the restart job of \(unit) after \(waited) s; "
                    + "closing the action as unconfirmed"))
                actions.append(contentsOf: jobFinished(unit: unit, result: "unconfirmed: no job result from systemd "
                    + "within \(waited) s", time: o.time, wallClockMs: o.wallClockMs))
            }
        case .coolingDown(let start, let until):
            if o.time >= until {
                finishIncident(o, into: &actions)
            } else if level == .critical, let since = criticalSince, since > start {
                finishIncident(o, into: &actions)
            }
        case .idle:
            break
        }
        guard state == .idle, level == .critical, let since = criticalSince,
              o.time - since >= settings.critical.dwellSeconds,
              var trigger = rules.critical(signals) else { return }
        trigger.heldSeconds = o.time - since

        let candidates = rank(o)
        noteRestartLoops(candidates, into: &actions)
        let report = BudgetReport.compute(system: o.system, services: o.services,
                                          perServiceAvailable: o.perServiceAvailable, config: budget)
        guard let culprit = candidates.first(where: { $0.excludedReason == nil }) else {
            if !noCulpritFiledThisEpisode {
                noCulpritFiledThisEpisode = true
                var incident = newIncident(.noActionableCulprit, o, trigger: trigger, signals: signals,
                                           candidates: candidates, budget: report)
                incident.outcome = .noAction
                incident.narrative = Narrative.noCulprit(trigger: trigger, candidates: candidates)
                incident.journaled = true
                actions.append(.writeIncident(incident))
                actions.append(.journalIncident(incident))
            }
            return
        }
        var incident = newIncident(.restart, o, trigger: trigger, signals: signals, candidates: candidates,
                                   budget: report)
        incident.culprit = culprit.unit
        openIncident = incident
        availableAtAction = o.system.meminfo.memAvailable
        restartTimes[culprit.unit, default: []].append(o.time)
        record(.restart, unit: culprit.unit, at: o, into: &actions)
        guard var opened = openIncident else { return }
        if settings.dryRun {
            opened.outcome = .dryRun
            opened.actions[opened.actions.count - 1].result = "dry_run"
            opened.narrative = Narrative.restart(opened, culprit: culprit, settings: settings)
            opened.journaled = true
            actions.append(.writeIncident(opened))
            actions.append(.journalIncident(opened))
            state = .coolingDown(since: o.time, until: o.time + settings.cooldownSeconds)
        } else {
            opened.narrative = Narrative.restart(opened, culprit: culprit, settings: settings)
            // The D-Bus call first: writing the incident (fsync) took 180 ms in the guest, before it.
            actions.append(.restartUnit(culprit.unit))
            actions.append(.writeIncident(opened))
            state = .restarting(unit: culprit.unit, since: o.time, killed: false)
        }
        openIncident = opened
    }

    private mutating func record(_ kind: Incident.ActionRecord.Kind, unit: String, at o: Observation,
                                 into actions: inout [SupervisorAction]) {
        openIncident?.actions.append(Incident.ActionRecord(kind: kind, unit: unit, issuedAtMs: o.wallClockMs,
                                                           result: nil, finishedAtMs: nil, dryRun: settings.dryRun))
        openIncident?.updatedAtMs = o.wallClockMs
        if kind == .kill, let incident = openIncident {
            actions.append(.log(.warning, "\(unit): restart did not finish within "
                + "\(Int(settings.restartDeadlineSeconds)) s while critical; sending SIGKILL to all its processes"))
            actions.append(.writeIncident(incident))
        }
    }

    // MARK: Job results

    /// The restart job of `unit` ended with systemd's `result` (`done`, `failed`, ...), or could
    /// not be issued (`result` is then the error).
    public mutating func jobFinished(unit: String, result: String, time: Double, wallClockMs: Int64)
        -> [SupervisorAction] {
        guard case .restarting(let current, _, _) = state, current == unit, var incident = openIncident else {
            return [.log(.debug, "job result for \(unit) (\(result)) arrived with no restart pending")]
        }
        if let index = incident.actions.lastIndex(where: { $0.kind == .restart && $0.result == nil }) {
            incident.actions[index].result = result
            incident.actions[index].finishedAtMs = wallClockMs
        }
        incident.updatedAtMs = wallClockMs
        if result != "done" {
            incident.outcome = .failed
        }
        if let culprit = incident.candidates.first(where: { $0.unit == unit }) {
            incident.narrative = Narrative.restart(incident, culprit: culprit, settings: settings)
        }
        state = .coolingDown(since: time, until: time + settings.cooldownSeconds)
        // A failed restart is told at once; a done one when the cool-down shows what came back.
        guard result != "done" else {
            openIncident = incident
            return [.writeIncident(incident)]
        }
        incident.journaled = true
        openIncident = incident
        return [.writeIncident(incident), .journalIncident(incident)]
    }

    private mutating func finishIncident(_ o: Observation, into actions: inout [SupervisorAction]) {
        state = .idle
        guard var incident = openIncident else { return }
        openIncident = nil
        incident.memoryReleasedBytes = Int64(o.system.meminfo.memAvailable) - Int64(availableAtAction)
        if incident.outcome == .pending {
            incident.outcome = level == .critical ? .notRecovered : .recovered
        }
        incident.updatedAtMs = o.wallClockMs
        if let culprit = incident.candidates.first(where: { $0.unit == incident.culprit }), incident.kind == .restart {
            incident.narrative = Narrative.restart(incident, culprit: culprit, settings: settings)
        }
        actions.append(.writeIncident(incident))
        if !incident.journaled {
            incident.journaled = true
            actions.append(.journalIncident(incident))
        }
        actions.append(.log(.info, "incident \(incident.id) closed: \(incident.outcome.rawValue), memory released "
            + ByteSize.format(signed: incident.memoryReleasedBytes ?? 0)))
    }

    /// A unit entering a restart loop is said once (it stays in the incidents' candidates).
    private mutating func noteRestartLoops(_ candidates: [Candidate], into actions: inout [SupervisorAction]) {
        for candidate in candidates {
            let looping = candidate.excludedReason?.hasPrefix("restart loop") == true
            if looping && !loopLogged.contains(candidate.unit) {
                loopLogged.insert(candidate.unit)
                actions.append(.log(.warning, "\(candidate.unit) is in a restart loop "
                    + "(\(settings.maxRestartsPerHour) restarts in the last hour): left alone, the next candidate is "
                    + "considered; raise its memory limit or fix the leak"))
            } else if !looping {
                loopLogged.remove(candidate.unit)
            }
        }
    }

    // MARK: Candidates

    func rank(_ o: Observation) -> [Candidate] {
        let hourAgo = o.time - 3600
        var candidates: [Candidate] = []
        for service in o.services {
            let (category, expected) = budget.classify(unit: service.unit)
            let workingSet = service.workingSet
            let over = expected.map { workingSet > $0 ? workingSet - $0 : 0 } ?? 0
            var grew: UInt64 = 0
            var window = 0.0
            if let history = growth[service.unit], let slope = history.slope, slope > 0 {
                window = min(settings.growthWindowSeconds, o.time - (history.firstTime ?? o.time))
                grew = UInt64(slope * window)
            }
            let swap = service.swapCurrent ?? 0
            let pressure = service.pressure?.some.avg10 ?? 0
            var weight = 1.0
            if settings.prefer.contains(where: { $0.matches(service.unit) }) { weight = 2 }
            if settings.avoid.contains(where: { $0.matches(service.unit) }) { weight = 0.25 }
            var excluded: String?
            let recent = (restartTimes[service.unit] ?? []).filter { $0 > hourAgo }.count
            if settings.isProtected(service.unit) {
                excluded = "protected"
            } else if recent >= settings.maxRestartsPerHour {
                excluded = "restart loop: restarted \(recent) times in the last hour"
            } else if workingSet < settings.minimumCulpritBytes {
                excluded = "too small (working set below \(ByteSize.format(settings.minimumCulpritBytes)))"
            } else if grew < settings.minimumCulpritBytes && over == 0 {
                // Restarting a steady unit within its budget frees memory but punishes a bystander.
                excluded = "not growing and within its budget"
            }
            candidates.append(Candidate(
                unit: service.unit, category: category, workingSetBytes: workingSet, overBytes: over,
                growthBytes: grew, growthWindowSeconds: window, swapBytes: swap, pressureSomeAvg10: pressure,
                weight: weight,
                score: CulpritScoring.score(over: over, growth: grew, swap: swap, workingSet: workingSet,
                                            pressure: pressure, weight: weight),
                excludedReason: excluded))
        }
        candidates.sort { $0.score != $1.score ? $0.score > $1.score : $0.unit < $1.unit }
        return Array(candidates.prefix(10))
    }

    // MARK: Kernel OOM kills

    private mutating func noteKernelOomKills(_ o: Observation, signals: LevelRules.Signals,
                                             into actions: inout [SupervisorAction]) {
        let total = o.system.vmstat.oomKill
        var killedUnits: [String] = []
        for service in o.services {
            let previous = lastUnitOomKills[service.unit]
            if let previous, service.events.oomKill > previous { killedUnits.append(service.unit) }
            lastUnitOomKills[service.unit] = service.events.oomKill
        }
        defer { lastOomKills = total }
        guard let previous = lastOomKills, total > previous else { return }
        let kills = total - previous
        openIncident?.kernelOomKillsDuring += kills
        let trigger = Trigger(signal: .kernelOomKill, value: Double(kills), threshold: 0, heldSeconds: 0)
        var incident = newIncident(.kernelOomKill, o, trigger: trigger, signals: signals, candidates: rank(o),
                                   budget: BudgetReport.compute(system: o.system, services: o.services,
                                                                perServiceAvailable: o.perServiceAvailable,
                                                                config: budget))
        incident.kernelOomKilledUnits = killedUnits
        incident.kernelOomKillsDuring = kills
        incident.culprit = killedUnits.first
        incident.outcome = .kernelOomKill
        incident.narrative = Narrative.kernelOomKill(kills: kills, units: killedUnits)
        incident.journaled = true
        actions.append(.writeIncident(incident))
        actions.append(.journalIncident(incident))
    }

    private mutating func newIncident(_ kind: Incident.Kind, _ o: Observation, trigger: Trigger,
                                      signals: LevelRules.Signals, candidates: [Candidate],
                                      budget report: BudgetReport) -> Incident {
        sequence += 1
        return Incident(
            id: "\(o.wallClockMs)-\(sequence)", kind: kind, startedAtMs: o.wallClockMs,
            updatedAtMs: o.wallClockMs, level: level, trigger: trigger,
            system: Incident.SystemSnapshot(o.system, forecastSeconds: signals.forecastSeconds),
            budget: report, candidates: candidates, culprit: nil, outcome: .pending, narrative: "",
            dryRun: settings.dryRun)
    }
}

extension Forecast {
    var firstTime: Double? { timesFirst }
}
