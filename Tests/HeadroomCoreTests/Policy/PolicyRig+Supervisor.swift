@testable import HeadroomCore

/// The rig driven through the `Supervisor`: its actions are carried out on the simulated VM
/// (and read back as the policy's decisions, so the same expectations hold), and its results
/// are reported back the way the daemon's executor does.
extension PolicyRig {
    static let wallClockBase: Int64 = 1_800_000_000_000

    mutating func superviseTick(_ time: Double, _ step: Double) {
        let wallClock = Self.wallClockBase + Int64(time * 1000)
        for unit in finishRestarts(at: time) {
            record(supervisor!.jobFinished(unit: unit, result: .done, time: time, wallClockMs: wallClock), at: time)
        }
        let (system, samples) = simulate(time, step)
        let observation = Observation(time: time, wallClockMs: wallClock, system: system, services: samples)
        let actions = supervisor!.observe(observation)
        record(actions, at: time)
        for action in actions { carryOut(action, in: actions, at: time, wallClock: wallClock) }
    }

    private mutating func record(_ actions: [SupervisorAction], at time: Double) {
        supervisorActions += actions.map { (time: time, action: $0) }
    }

    private mutating func carryOut(_ action: SupervisorAction, in batch: [SupervisorAction], at time: Double,
                                   wallClock: Int64) {
        let horizon = supervisor!.policy.lastReading!
        switch action {
        case .setUnitLimits(let unit, let purpose, let high, let max, let swapMax, _):
            let ladder: UnitLadder.Action = purpose == .throttle ? .throttle(unit: unit, memoryHigh: high ?? 0)
                : .contain(unit: unit, memoryMax: max ?? 0, memoryHigh: high ?? 0, swapMax: swapMax ?? 0)
            events.append(Event(time: time, decision: .act(ladder, candidate: nil, horizon: horizon)))
            apply(ladder, at: time)
            record(supervisor!.unitLimitsApplied(unit: unit, purpose: purpose, result: .done, time: time,
                                                 wallClockMs: wallClock), at: time)
        case .liftUnitLimits(let unit, let purpose):
            // Lifted together with a restart: the restart resets the unit (as the engine-driven rig does).
            if batch.contains(.restartUnit(unit)) { return }
            let ladder: UnitLadder.Action = purpose == .throttle ? .liftThrottle(unit: unit) : .release(unit: unit)
            events.append(Event(time: time, decision: .act(ladder, candidate: nil, horizon: horizon)))
            apply(ladder, at: time)
        case .restartUnit(let unit):
            events.append(Event(time: time, decision: .act(.restart(unit: unit, liftingThrottle: false),
                                                           candidate: nil, horizon: horizon)))
            pendingRestarts.append((unit, time + 1))
        case .killUnit(let unit):
            events.append(Event(time: time, decision: .act(.kill(unit: unit), candidate: nil, horizon: horizon)))
            pendingRestarts.append((unit, time))
        case .terminateRunaway(let scope, let cgroupPath, _, _):
            events.append(Event(time: time, decision: .terminateRunawayIn(unit: scope, cgroupPath: cgroupPath,
                                                                          horizon: horizon)))
            // The runaway process goes; the session keeps its shell.
            update(scope) { $0.size = Shape.steady(20 * Self.mib); $0.afterRestart = nil }
            record(supervisor!.runawayTerminated(scope: scope, pid: 4242, command: "python3", outcome: "terminated",
                                                 time: time, wallClockMs: wallClock), at: time)
        case .writeIncident(let incident):
            // A "could not act" incident is written once, when filed.
            guard let reason = incident.noActionReason else { return }
            events.append(Event(time: time, decision: .fileInstead(reason, candidates: [], horizon: horizon)))
        default:
            break
        }
    }

    /// The last written version of each incident, in creation order.
    var incidents: [Incident] {
        var order: [String] = []
        var latest: [String: Incident] = [:]
        for (_, action) in supervisorActions {
            guard case .writeIncident(let incident) = action else { continue }
            if latest[incident.id] == nil { order.append(incident.id) }
            latest[incident.id] = incident
        }
        return order.compactMap { latest[$0] }
    }
}
