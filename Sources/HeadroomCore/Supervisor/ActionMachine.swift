/// The ladder's steps and the incident they are recorded in. The open incident lives in the
/// states, so it cannot outlive them: `idle` has none, `acting` and `coolingDown` have one.
///
/// Events: `act` (the policy chose a step), `kill` (a restart past its deadline), `observe`
/// (a tick: a lost result, the end of the cool-down), `finished` (the shell's result), `stop`.
/// One incident per episode: a step taken after the incident closed but within the same
/// episode reopens it (`lastClosed`, forgotten when the episode ends), so a ladder's steps
/// are actions of one incident, not new files.
public struct ActionMachine: Sendable {
    public enum State: Equatable, Sendable {
        case idle
        case acting(Incident, Remedy)
        case coolingDown(Incident, CoolDown)
    }

    public private(set) var state: State = .idle
    var settings: SupervisorSettings
    private(set) var lastClosed: Incident?

    /// A step with no result after this many restart deadlines is given up on.
    static let lostJobResultFactor = 6.0

    init(settings: SupervisorSettings) { self.settings = settings }

    public var openIncident: Incident? {
        switch state {
        case .idle: nil
        case .acting(let incident, _), .coolingDown(let incident, _): incident
        }
    }

    public var isIdle: Bool { state == .idle }

    /// The restart whose job result is awaited, if any.
    var pendingRestart: String? {
        if case .acting(_, let remedy) = state, remedy.kind == .restart { remedy.unit } else { nil }
    }

    // MARK: Steps

    /// Records `remedy` in the episode's incident (the open one, the one closed earlier in this
    /// episode, or `opening()`), and issues `calls(incidentID)` unless in dry run.
    mutating func act(_ remedy: Remedy, detail: String?, calls: (String) -> [SupervisorAction],
                      opening: () -> Incident, wallClockMs: Int64, into actions: inout [SupervisorAction]) {
        var incident = openIncident ?? reopened() ?? opening()
        if incident.culprit == nil || remedy.incidentKind.rank > incident.kind.rank {
            incident.kind = remedy.incidentKind
            incident.culprit = remedy.unit
        }
        append(remedy.recordKind, unit: remedy.unit, detail: detail, wallClockMs: wallClockMs, to: &incident)
        if settings.dryRun {
            incident.outcome = .dryRun
            incident.actions[incident.actions.count - 1].result = JobResult.dryRunRecordText
            renarrate(&incident)
            incident.journaled = true
            actions.append(.writeIncident(incident))
            actions.append(.journalIncident(incident))
            state = .coolingDown(incident, coolDown(from: remedy.since, available: remedy.availableAtStart))
            return
        }
        renarrate(&incident)
        // The bus calls first: writing the incident (fsync) took 180 ms in the guest.
        actions += calls(incident.id)
        actions.append(.writeIncident(incident))
        // A restart still awaiting its job stays the remedy: its result ends the wait.
        if case .acting(_, let pending) = state, pending.kind == .restart, pending.unit != remedy.unit {
            state = .acting(incident, pending)
        } else {
            state = .acting(incident, remedy)
        }
    }

    /// The ladder escalated a late restart: SIGKILL to all its processes.
    mutating func kill(_ unit: String, wallClockMs: Int64, into actions: inout [SupervisorAction]) {
        guard var incident = openIncident else { return }
        append(.kill, unit: unit, detail: nil, wallClockMs: wallClockMs, to: &incident)
        actions.append(.log(.warning, "\(unit): restart did not finish within "
            + "\(Int(settings.policy.ladder.restartDeadlineSeconds)) s while memory was short; "
            + "sending SIGKILL to all its processes"))
        // The kill before the incident's write (an fsync).
        if !settings.dryRun { actions.append(.killUnit(unit)) }
        renarrate(&incident)
        actions.append(.writeIncident(incident))
        replace(incident)
    }

    /// A step that needs no result (`headroom release` noticed): recorded in the open incident.
    mutating func note(_ kind: Incident.ActionRecord.Kind, unit: String, detail: String, wallClockMs: Int64,
                       into actions: inout [SupervisorAction]) {
        guard var incident = openIncident else { return }
        append(kind, unit: unit, detail: detail, wallClockMs: wallClockMs, to: &incident)
        incident.actions[incident.actions.count - 1].result = JobResult.done.recordText
        actions.append(.writeIncident(incident))
        replace(incident)
    }

    /// The episode ended: the next step opens a new incident.
    mutating func episodeEnded() { lastClosed = nil }

    private mutating func reopened() -> Incident? {
        guard var incident = lastClosed else { return nil }
        lastClosed = nil
        incident.outcome = .pending
        incident.journaled = false
        incident.memoryReleasedBytes = nil
        return incident
    }

    private mutating func replace(_ incident: Incident) {
        switch state {
        case .idle: break
        case .acting(_, let remedy): state = .acting(incident, remedy)
        case .coolingDown(_, let coolDown): state = .coolingDown(incident, coolDown)
        }
    }

    // MARK: Ticks

    mutating func observe(_ o: Observation, level: PressureLevel, criticalSince: Double?,
                          into actions: inout [SupervisorAction]) {
        switch state {
        case .idle:
            break
        case .acting(_, let remedy):
            let deadline = settings.restartDeadlineSeconds
            guard o.time - remedy.since >= deadline * Self.lostJobResultFactor else { return }
            // A result can be lost with a D-Bus connection; without this the supervisor would
            // wait for it forever and never act again.
            let waited = Int(deadline * Self.lostJobResultFactor)
            actions.append(.log(.warning, "no result for the \(remedy.kind.rawValue) job of \(remedy.unit) after "
                + "\(waited) s; closing the action as unconfirmed"))
            let result = JobResult.unconfirmed(waitedSeconds: waited)
            actions += finished(remedy.recordKind, unit: remedy.unit, result: result.recordText,
                                succeeded: result.succeeded, time: o.time, wallClockMs: o.wallClockMs)
        case .coolingDown(let incident, let coolDown):
            let newEpisode = level == .critical && (criticalSince.map { $0 > coolDown.since } ?? false)
            if o.time >= coolDown.until || newEpisode {
                finish(incident, coolDown: coolDown, o, level: level, into: &actions)
            }
        }
    }

    private mutating func finish(_ incident: Incident, coolDown: CoolDown, _ o: Observation, level: PressureLevel,
                                 into actions: inout [SupervisorAction]) {
        var incident = incident
        incident.memoryReleasedBytes = Int64(saturatingDifference: o.system.meminfo.memAvailable,
                                             coolDown.availableAtStart)
        if incident.outcome == .pending {
            incident.outcome = level == .critical ? .notRecovered : .recovered
        }
        close(&incident, wallClockMs: o.wallClockMs, into: &actions)
        lastClosed = incident
        actions.append(.log(.info, "incident \(incident.id) closed: \(incident.outcome.rawValue), memory released "
            + ByteSize.format(signed: incident.memoryReleasedBytes ?? 0)))
    }

    // MARK: Results

    /// The shell's result for the `kind` step on `unit` (a job's end, limits set, a process
    /// terminated). The step awaited moves the machine to cooling down; a failure is told at once.
    mutating func finished(_ kind: Incident.ActionRecord.Kind, unit: String, result: String, succeeded: Bool,
                           detail: String? = nil, time: Double, wallClockMs: Int64) -> [SupervisorAction] {
        guard var incident = openIncident,
              let index = incident.actions.lastIndex(where: { $0.kind == kind && $0.unit == unit && $0.result == nil })
        else {
            return [.log(.debug, "\(kind.rawValue) result for \(unit) (\(result)) arrived with no such step pending")]
        }
        incident.actions[index].result = result
        incident.actions[index].finishedAtMs = wallClockMs
        if let detail { incident.actions[index].detail = detail }
        incident.updatedAtMs = wallClockMs
        if !succeeded { incident.outcome = .failed }
        renarrate(&incident)
        if case .acting(_, let remedy) = state, remedy.unit == unit, remedy.recordKind == kind
            || (kind == .kill && remedy.kind == .restart) {
            state = .coolingDown(incident, coolDown(from: time, available: remedy.availableAtStart))
        } else {
            replace(incident)
        }
        guard !succeeded else { return [.writeIncident(incident)] }
        incident.journaled = true
        replace(incident)
        return [.writeIncident(incident), .journalIncident(incident)]
    }

    // MARK: Kernel OOM kills and stop

    mutating func noteKernelOomKills(_ kills: UInt64) {
        guard var incident = openIncident else { return }
        incident.kernelOomKillsDuring = incident.kernelOomKillsDuring.saturatingAdd(kills)
        replace(incident)
    }

    /// The daemon is stopping: the open incident is closed as `interrupted` (its outcome was
    /// not seen), so that no incident stays `pending`.
    mutating func stop(wallClockMs: Int64) -> [SupervisorAction] {
        guard var incident = openIncident else { return [] }
        state = .idle
        if incident.outcome == .pending { incident.outcome = .interrupted }
        var actions: [SupervisorAction] = []
        close(&incident, wallClockMs: wallClockMs, into: &actions)
        actions.append(.log(.notice, "incident \(incident.id) closed on stop: \(incident.outcome.rawValue)"))
        return actions
    }

    // MARK: Helpers

    private mutating func close(_ incident: inout Incident, wallClockMs: Int64, into actions: inout [SupervisorAction]) {
        state = .idle
        incident.updatedAtMs = wallClockMs
        renarrate(&incident)
        actions.append(.writeIncident(incident))
        if !incident.journaled {
            incident.journaled = true
            actions.append(.journalIncident(incident))
        }
    }

    private func renarrate(_ incident: inout Incident) {
        if incident.kind == .restart, let culprit = incident.candidates.first(where: { $0.unit == incident.culprit }) {
            incident.narrative = Narrative.restart(incident, culprit: culprit, settings: settings)
        } else if incident.kind != .noActionableCulprit && incident.kind != .kernelOomKill {
            incident.narrative = Narrative.ladder(incident)
        }
    }

    private func append(_ kind: Incident.ActionRecord.Kind, unit: String, detail: String?, wallClockMs: Int64,
                        to incident: inout Incident) {
        incident.actions.append(Incident.ActionRecord(kind: kind, unit: unit, issuedAtMs: wallClockMs, result: nil,
                                                      finishedAtMs: nil, dryRun: settings.dryRun, detail: detail))
        incident.updatedAtMs = wallClockMs
    }

    private func coolDown(from time: Double, available: UInt64) -> CoolDown {
        CoolDown(since: time, until: time + settings.cooldownSeconds, availableAtStart: available)
    }
}
