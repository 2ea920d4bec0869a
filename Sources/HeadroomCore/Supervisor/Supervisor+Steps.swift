/// The policy's decisions carried out: each step becomes the shell's calls and an action of
/// the episode's incident; the shell's results come back here.
extension Supervisor {
    mutating func carryOut(_ decision: PolicyEngine.Decision, _ o: Observation, into out: inout [SupervisorAction]) {
        switch decision {
        case .act(let action, _, let reading):
            carryOut(action, o, trigger: trigger(reading, o), forecast: reading.seconds, into: &out)
        case .fileInstead(let reason, _, let reading):
            fileNoAction(reason, o, trigger: trigger(reading, o), forecast: reading.seconds, into: &out)
        case .terminateRunawayIn(let scope, let cgroupPath, let reading):
            let grace = settings.policy.runaway.termGraceSeconds
            step(.terminate, scope, o, trigger: trigger(reading, o), forecast: reading.seconds,
                 detail: "the process holding the most private memory and still growing; SIGTERM, SIGKILL after "
                    + "\(Int(grace)) s", into: &out) { id in
                [.terminateRunaway(scope: scope, cgroupPath: cgroupPath, deadlineSeconds: grace, incidentID: id)]
            }
        }
    }

    private mutating func carryOut(_ action: UnitLadder.Action, _ o: Observation, trigger: Trigger, forecast: Double?,
                                   into out: inout [SupervisorAction]) {
        switch action {
        case .throttle(let unit, let high):
            step(.throttle, unit, o, trigger: trigger, forecast: forecast,
                 detail: "MemoryHigh=\(ByteSize.format(high)) at runtime; lifted when the pressure passes",
                 into: &out) { id in
                [.setUnitLimits(unit: unit, purpose: .throttle, memoryHigh: high, memoryMax: nil, memorySwapMax: nil,
                                incidentID: id)]
            }
        case .liftThrottle(let unit):
            if !settings.dryRun { out.append(.liftUnitLimits(unit: unit, purpose: .throttle)) }
            out.append(.log(.info, "\(unit): throttle lifted, the memory pressure has passed"))
        case .restart(let unit, let liftingThrottle):
            history.noteRestart(unit, at: o.time)
            step(.restart, unit, o, trigger: trigger, forecast: forecast,
                 detail: liftingThrottle ? "its throttle lifted first" : nil, into: &out) { _ in
                liftingThrottle ? [.liftUnitLimits(unit: unit, purpose: .throttle), .restartUnit(unit)]
                    : [.restartUnit(unit)]
            }
        case .kill(let unit):
            actions.kill(unit, wallClockMs: o.wallClockMs, into: &out)
        case .contain(let unit, let max, let high, let swapMax):
            let detail = "MemoryMax=\(ByteSize.format(max)) MemoryHigh=\(ByteSize.format(high)) "
                + "MemorySwapMax=\(ByteSize.format(swapMax)) at runtime, because it grew back after its restart; "
                + "lift with: headroom release \(unit)"
            step(.contain, unit, o, trigger: trigger, forecast: forecast, detail: detail, into: &out) { id in
                [.setUnitLimits(unit: unit, purpose: .contain, memoryHigh: high, memoryMax: max,
                                memorySwapMax: swapMax, incidentID: id)]
            }
        case .release(let unit):
            out.append(.log(.debug, "\(unit): release from the policy's tick ignored; it comes from headroom release"))
        }
    }

    private mutating func step(_ kind: Remedy.Kind, _ unit: String, _ o: Observation, trigger: Trigger,
                               forecast: Double?, detail: String?, into out: inout [SupervisorAction],
                               calls: (String) -> [SupervisorAction]) {
        let remedy = Remedy(kind: kind, unit: unit, since: o.time, availableAtStart: o.system.meminfo.memAvailable)
        let opened = newIncident(remedy.incidentKind, o, trigger: trigger, forecastSeconds: forecast, fromPolicy: true)
        actions.act(remedy, detail: detail, calls: calls, opening: { opened }, wallClockMs: o.wallClockMs,
                    into: &out)
    }

    /// Headroom could not act (the limiter already holds repeats back to one per cause per 10 min).
    private mutating func fileNoAction(_ reason: CulpritChooser.NoActionReason, _ o: Observation, trigger: Trigger,
                                       forecast: Double?, into out: inout [SupervisorAction]) {
        var incident = newIncident(.noActionableCulprit, o, trigger: trigger, forecastSeconds: forecast,
                                   fromPolicy: true)
        incident.outcome = .noAction
        incident.noActionReason = reason
        incident.narrative = Narrative.noAction(reason, trigger: trigger, candidates: incident.candidates)
        incident.journaled = true
        out.append(.writeIncident(incident))
        out.append(.journalIncident(incident))
    }

    /// The trigger named in the incident: the horizon that counts usable swap, or the stall.
    func trigger(_ reading: ExhaustionHorizon.Reading, _ o: Observation) -> Trigger {
        let policy = settings.policy
        if reading.stalled {
            return Trigger(signal: .psiFull, value: o.system.pressure.full.avg10,
                           threshold: policy.horizon.stallFullAvg10, heldSeconds: 0)
        }
        if let seconds = reading.seconds {
            let restart = policy.ladder.restartHorizonSeconds
            return Trigger(signal: .horizon, value: seconds,
                           threshold: seconds <= restart ? restart : policy.ladder.throttleHorizonSeconds, heldSeconds: 0)
        }
        let total = Double(max(1, o.system.meminfo.memTotal))
        let reserve = WarmUpRule.reserveBytes(memTotal: o.system.meminfo.memTotal, settings: policy.warmUp)
        return Trigger(signal: .available, value: Double(reading.availableBytes) / total * 100,
                       threshold: Double(reserve) / total * 100, heldSeconds: 0)
    }
}
