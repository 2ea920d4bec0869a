/// The remedies and the incident they are recorded in. The open incident lives in the
/// states, so it cannot outlive them: `idle` has none, `acting` and `coolingDown` have one.
///
/// Events: `start` (the supervisor chose a culprit), `observe` (a tick: deadlines, the end of
/// the cool-down), `jobFinished` (the shell's result), `stop` (the daemon is stopping).
/// Each returns the actions for the shell. Illegal transitions log an error and change nothing.
public struct ActionMachine: Sendable {
    public enum State: Equatable, Sendable {
        case idle
        case acting(Incident, Remedy)
        case coolingDown(Incident, CoolDown)
    }

    public private(set) var state: State = .idle
    var settings: SupervisorSettings

    /// A job with no result after this many restart deadlines is given up on.
    static let lostJobResultFactor = 6.0

    init(settings: SupervisorSettings) { self.settings = settings }

    public var openIncident: Incident? {
        switch state {
        case .idle: nil
        case .acting(let incident, _), .coolingDown(let incident, _): incident
        }
    }

    public var isIdle: Bool { state == .idle }

    // MARK: Start

    /// Opens `incident` with `remedy` on its culprit. Only from `idle`.
    mutating func start(_ incident: Incident, remedy: Remedy, culprit: Candidate, wallClockMs: Int64,
                        into actions: inout [SupervisorAction]) {
        guard case .idle = state else {
            actions.append(.log(.error, "internal: a remedy for \(remedy.unit) was chosen while another is open; ignored"))
            return
        }
        var incident = incident
        incident.culprit = remedy.unit
        append(remedy.recordKind, unit: remedy.unit, wallClockMs: wallClockMs, to: &incident)
        if settings.dryRun {
            incident.outcome = .dryRun
            incident.actions[incident.actions.count - 1].result = JobResult.dryRunRecordText
            incident.narrative = Narrative.restart(incident, culprit: culprit, settings: settings)
            incident.journaled = true
            actions.append(.writeIncident(incident))
            actions.append(.journalIncident(incident))
            state = .coolingDown(incident, coolDown(from: remedy.since, available: remedy.availableAtStart))
            return
        }
        incident.narrative = Narrative.restart(incident, culprit: culprit, settings: settings)
        // The D-Bus call first: writing the incident (fsync) took 180 ms in the guest, before it.
        actions.append(remedy.call)
        actions.append(.writeIncident(incident))
        state = .acting(incident, remedy)
    }

    // MARK: Ticks

    mutating func observe(_ o: Observation, level: PressureLevel, criticalSince: Double?,
                          into actions: inout [SupervisorAction]) {
        switch state {
        case .idle:
            break
        case .acting(var incident, var remedy):
            let deadline = settings.restartDeadlineSeconds
            if !remedy.escalated && level == .critical && o.time - remedy.since >= deadline {
                remedy.escalated = true
                escalate(&incident, remedy: remedy, wallClockMs: o.wallClockMs, into: &actions)
                state = .acting(incident, remedy)
            } else if o.time - remedy.since >= deadline * Self.lostJobResultFactor {
                // The job's JobRemoved signal can be lost with a D-Bus connection; without this
                // the supervisor would wait for it forever and never act again.
                let waited = Int(deadline * Self.lostJobResultFactor)
                actions.append(.log(.warning, "no result for the restart job of \(remedy.unit) after \(waited) s; "
                    + "closing the action as unconfirmed"))
                actions += jobFinished(unit: remedy.unit, result: .unconfirmed(waitedSeconds: waited), time: o.time,
                                       wallClockMs: o.wallClockMs)
            }
        case .coolingDown(let incident, let coolDown):
            let newEpisode = level == .critical && (criticalSince.map { $0 > coolDown.since } ?? false)
            if o.time >= coolDown.until || newEpisode {
                finish(incident, coolDown: coolDown, o, level: level, into: &actions)
            }
        }
    }

    private func escalate(_ incident: inout Incident, remedy: Remedy, wallClockMs: Int64,
                          into actions: inout [SupervisorAction]) {
        append(.kill, unit: remedy.unit, wallClockMs: wallClockMs, to: &incident)
        actions.append(.log(.warning, "\(remedy.unit): restart did not finish within "
            + "\(Int(settings.restartDeadlineSeconds)) s while critical; sending SIGKILL to all its processes"))
        // The kill before the incident's write (an fsync).
        if !settings.dryRun { actions.append(.killUnit(remedy.unit)) }
        actions.append(.writeIncident(incident))
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
        actions.append(.log(.info, "incident \(incident.id) closed: \(incident.outcome.rawValue), memory released "
            + ByteSize.format(signed: incident.memoryReleasedBytes ?? 0)))
    }

    // MARK: Job results

    /// The remedy's job on `unit` ended with `result`.
    mutating func jobFinished(unit: String, result: JobResult, time: Double, wallClockMs: Int64)
        -> [SupervisorAction] {
        guard case .acting(var incident, let remedy) = state, remedy.unit == unit else {
            return [.log(.debug, "job result for \(unit) (\(result.recordText)) arrived with no restart pending")]
        }
        if let index = incident.actions.lastIndex(where: { $0.kind == remedy.recordKind && $0.result == nil }) {
            incident.actions[index].result = result.recordText
            incident.actions[index].finishedAtMs = wallClockMs
        }
        incident.updatedAtMs = wallClockMs
        if !result.succeeded { incident.outcome = .failed }
        renarrate(&incident)
        state = .coolingDown(incident, coolDown(from: time, available: remedy.availableAtStart))
        // A failed restart is told at once; a done one when the cool-down shows what came back.
        guard !result.succeeded else { return [.writeIncident(incident)] }
        incident.journaled = true
        state = .coolingDown(incident, coolDown(from: time, available: remedy.availableAtStart))
        return [.writeIncident(incident), .journalIncident(incident)]
    }

    // MARK: Kernel OOM kills and stop

    mutating func noteKernelOomKills(_ kills: UInt64) {
        switch state {
        case .idle:
            break
        case .acting(var incident, let remedy):
            incident.kernelOomKillsDuring = incident.kernelOomKillsDuring.saturatingAdd(kills)
            state = .acting(incident, remedy)
        case .coolingDown(var incident, let coolDown):
            incident.kernelOomKillsDuring = incident.kernelOomKillsDuring.saturatingAdd(kills)
            state = .coolingDown(incident, coolDown)
        }
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
        guard incident.kind == .restart,
              let culprit = incident.candidates.first(where: { $0.unit == incident.culprit }) else { return }
        incident.narrative = Narrative.restart(incident, culprit: culprit, settings: settings)
    }

    private func append(_ kind: Incident.ActionRecord.Kind, unit: String, wallClockMs: Int64,
                        to incident: inout Incident) {
        incident.actions.append(Incident.ActionRecord(kind: kind, unit: unit, issuedAtMs: wallClockMs,
                                                      result: nil, finishedAtMs: nil, dryRun: settings.dryRun))
        incident.updatedAtMs = wallClockMs
    }

    private func coolDown(from time: Double, available: UInt64) -> CoolDown {
        CoolDown(since: time, until: time + settings.cooldownSeconds, availableAtStart: available)
    }
}
