import HeadroomCore

/// The shell's issue-12 pieces: runtime limits and their record, runaway processes, the
/// incident's evidence, the budget record, and what a previous daemon left behind.
extension Daemon {
    /// Gives the executor what it needs for limits, runaways and evidence.
    func attachShellActions() {
        let sampler = tick.serviceSampler
        let reader = ProcessSnapshotReader(paths: options.paths)
        executor.limits = UnitLimitActions(store: RuntimeLimitStore(stateDirectory: options.stateDirectory),
                                           currentValues: { unit in Self.cgroupLimits(sampler.cgroupDirectory(unit: unit)) },
                                           log: DaemonLog.write)
        executor.runaways = RunawayTerminations(reader: reader, cgroupDirectory: { sampler.cgroupDirectory(relativePath: $0) },
                                                log: DaemonLog.write)
        executor.evidence = IncidentEvidence(processes: reader, sharedMemory: SharedMemoryLocator(paths: options.paths),
                                             cgroupDirectory: { sampler.cgroupDirectory(unit: $0) }, log: DaemonLog.write)
    }

    /// Routes an event from the shell to the supervisor.
    func route(_ event: ActionExecutor.Event) -> [SupervisorAction] {
        let now = loop.now
        let wallClockMs = Clock.wallClockMs()
        switch event {
        case .jobFinished(let unit, let result):
            return tick.supervisor.jobFinished(unit: unit, result: result, time: now, wallClockMs: wallClockMs)
        case .limitsApplied(let unit, let purpose, let result):
            return tick.supervisor.unitLimitsApplied(unit: unit, purpose: purpose, result: result, time: now,
                                                     wallClockMs: wallClockMs)
        case .runawayTerminated(let scope, let pid, let command, let outcome):
            return tick.supervisor.runawayTerminated(scope: scope, pid: pid, command: command, outcome: outcome,
                                                     time: now, wallClockMs: wallClockMs)
        case .released(let unit):
            return tick.supervisor.released(unit: unit)
        }
    }

    /// The unit's own memory.high, memory.max and memory.swap.max (infinity for `max`): what a lift restores.
    static func cgroupLimits(_ directory: String?) -> [UnitMemoryProperty: UInt64] {
        guard let directory else { return [:] }
        var values: [UnitMemoryProperty: UInt64] = [:]
        for (property, file) in [(UnitMemoryProperty.memoryHigh, "memory.high"), (.memoryMax, "memory.max"),
                                 (.memorySwapMax, "memory.swap.max")] {
            guard let text = try? KernelFileReader.readIfPresent(directory + "/" + file),
                  let limit = try? MemoryLimit.parse(text) else { continue }
            values[property] = limit.bytes ?? RuntimeLimit.infinity
        }
        return values
    }

    // MARK: Start and stop

    /// At start: what a daemon that was killed left behind.
    func recoverAtStart() {
        finishPendingIncidents()
        liftThrottles(when: "start (left by a daemon that did not stop cleanly)")
        executor.limits?.noteRecordedUnits()
        budgetRecorder = BudgetRecorder(file: BudgetRecordFile(paths: options.paths), nowMs: Clock.wallClockMs())
    }

    private func finishPendingIncidents() {
        let store = IncidentStore(directory: options.stateDirectory + "/incidents")
        let (finished, problems) = store.finishPending(nowMs: Clock.wallClockMs())
        for problem in problems { log(.error, "cannot finish an interrupted incident: \(problem)") }
        for incident in finished {
            log(.notice, "incident \(incident.id) was left pending by a daemon that did not stop; now interrupted")
            recorder.journal(entry: SystemdJournal.fields(forInterrupted: incident), of: incident.id)
        }
    }

    /// A throttle is lifted whenever the daemon is not there to lift it later; containments stay.
    func liftThrottles(when moment: String) {
        guard !options.dryRun, let access = unitProperties() else { return }
        let store = RuntimeLimitStore(stateDirectory: options.stateDirectory)
        guard let record = try? store.load(), !record.limits(for: .throttle).isEmpty else { return }
        do {
            for (unit, result) in try RuntimeLimitKeeper(systemd: access, store: store).releaseAll(purpose: .throttle) {
                switch result {
                case .success(let release): log(.notice, "at \(moment): \(release.sentence)")
                case .failure(let error): log(.error, "at \(moment): cannot lift the throttle on \(unit): \(error)")
                }
            }
        } catch {
            log(.error, "at \(moment): cannot lift throttles: \(error)")
        }
    }

    // MARK: Every tick

    /// After each decision: runaway deadlines, `headroom release`, the budget record.
    func shellWork(_ decision: Tick.Decision, now: Double) {
        executor.poll()
        if let released = executor.limits?.releasedElsewhere(), !released.isEmpty {
            for unit in released { executor.deliver(.released(unit: unit)) }
        }
        guard let budgetRecorder, now - lastBudgetObservation >= config.budget.recordIntervalSeconds else { return }
        lastBudgetObservation = now
        let report = BudgetReport.compute(system: decision.system, services: decision.scan.services,
                                          perServiceAvailable: decision.scan.visibility.isAvailable, config: config.budget)
        let error = budgetRecorder.observe(report, nowMs: Clock.wallClockMs())
        if let error, !budgetWriteFailed { log(.warning, "cannot write the budget record \(budgetRecorder.file.path): \(error.reason)") }
        budgetWriteFailed = error != nil
    }
}

extension SystemdJournal {
    /// The journal entry of an incident finished as interrupted at start.
    static func fields(forInterrupted incident: IncidentStore.Interrupted) -> [String] {
        var fields = [
            "MESSAGE=\(incident.summary.narrative)",
            "MESSAGE_ID=\(incidentMessageID)",
            "PRIORITY=4",
            "SYSLOG_IDENTIFIER=headroom",
            "HEADROOM_INCIDENT_ID=\(incident.id)",
            "HEADROOM_KIND=\(incident.summary.kind.rawValue)",
            "HEADROOM_OUTCOME=\(Incident.Outcome.interrupted.rawValue)",
            "HEADROOM_DRY_RUN=\(incident.summary.dryRun ? 1 : 0)",
            "HEADROOM_INCIDENT_FILE=\(incident.path)",
        ]
        if let culprit = incident.summary.culprit {
            fields.append("OBJECT_SYSTEMD_UNIT=\(culprit)")
            fields.append("HEADROOM_CULPRIT=\(culprit)")
        }
        return fields
    }
}
