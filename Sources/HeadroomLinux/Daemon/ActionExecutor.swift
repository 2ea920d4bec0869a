import HeadroomCore

/// Calls into systemd for the remedies. `SystemdUnitControl` is the real one; tests pass a fake.
public protocol UnitControl: AnyObject {
    /// `RestartUnit(unit, "replace")`; `finished` is called once with the job's result, later,
    /// or at once when the call cannot be issued.
    func restart(unit: String, finished: @escaping (JobResult) -> Void)
    /// `KillUnit(unit, "all", SIGKILL)`.
    func kill(unit: String)
    /// `SetUnitProperties(unit, runtime=true, assignments)`, not waited for; `finished` is called
    /// once with `.done` or the error, later, or at once when the call cannot be issued.
    func setMemoryProperties(unit: String, _ assignments: [(property: UnitMemoryProperty, value: UInt64)],
                             finished: @escaping (JobResult) -> Void)
}

/// Where incidents go: a file each (rewritten as they change) and one journal entry.
public protocol IncidentSink: AnyObject {
    func write(_ incident: Incident)
    func journal(_ incident: Incident)
}

/// Carries out the supervisor's actions, in an order that keeps remedies fast and files true:
/// - in each batch, the D-Bus calls (restart, kill) before anything else, so that no remedy
///   waits for an incident's fsync;
/// - results fed back to the core (`deliver`) are queued and processed after the current
///   batch, never inside it: a restart that fails at once cannot be overwritten on disk by
///   the `pending` incident still queued behind it.
public final class ActionExecutor {
    public struct Effects {
        public var setSwappiness: (Int) -> Void
        public var setTick: (Double) -> Void
        public var log: (LogLevel, String) -> Void
        /// The loop's clock (CLOCK_MONOTONIC seconds) and the wall clock, for deadlines and records.
        public var now: () -> Double
        public var wallClockMs: () -> Int64

        public init(setSwappiness: @escaping (Int) -> Void, setTick: @escaping (Double) -> Void,
                    log: @escaping (LogLevel, String) -> Void, now: @escaping () -> Double = { 0 },
                    wallClockMs: @escaping () -> Int64 = { 0 }) {
            self.setSwappiness = setSwappiness
            self.setTick = setTick
            self.log = log
            self.now = now
            self.wallClockMs = wallClockMs
        }
    }

    /// A result for the core, from the shell.
    public enum Event: Equatable, Sendable {
        case jobFinished(unit: String, result: JobResult)
        /// A `setUnitLimits` call's result (`Supervisor.unitLimitsApplied`).
        case limitsApplied(unit: String, purpose: RuntimeLimitPurpose, result: JobResult)
        /// How a `terminateRunaway` ended (`Supervisor.runawayTerminated`).
        case runawayTerminated(scope: String, pid: Int32?, command: String?, outcome: String)
        /// `headroom release` lifted a limit (`Supervisor.released`).
        case released(unit: String)
    }

    var units: UnitControl?
    /// Runtime limits and their record; nil: the actions are logged as not carried out.
    var limits: UnitLimitActions?
    /// Runaway processes being terminated; nil: the action is reported as failed.
    var runaways: RunawayTerminations?
    /// Adds the culprit's processes and shared memory to an incident before it is written.
    var evidence: IncidentEvidence?
    let incidents: IncidentSink
    let effects: Effects
    /// Hands an event to the core; returns the core's actions.
    let feedback: (Event) -> [SupervisorAction]
    private var queue: [Event] = []
    private var deferred: [[SupervisorAction]] = []
    private var running = false

    public init(units: UnitControl?, incidents: IncidentSink, effects: Effects,
                feedback: @escaping (Event) -> [SupervisorAction]) {
        self.units = units
        self.incidents = incidents
        self.effects = effects
        self.feedback = feedback
    }

    /// Carries out one batch, then every event it (or anything before it) produced.
    public func perform(_ actions: [SupervisorAction]) {
        guard !running else {
            // A batch from inside a batch (a callee that calls back synchronously) waits its turn.
            deferred.append(actions)
            return
        }
        running = true
        execute(actions)
        while !queue.isEmpty || !deferred.isEmpty {
            if !queue.isEmpty { execute(feedback(queue.removeFirst())) } else { execute(deferred.removeFirst()) }
        }
        running = false
    }

    /// A result from the shell (a job ended, a call failed): processed after the current batch,
    /// or at once when none runs.
    public func deliver(_ event: Event) {
        queue.append(event)
        if !running { perform([]) }
    }

    /// Record updates of the bus calls just issued, run before the batch's other actions.
    private var afterBusCalls: [() -> Void] = []

    private func execute(_ actions: [SupervisorAction]) {
        guard !actions.isEmpty else { return }
        evidence?.capture(actions)
        for action in actions where action.isBusCall { execute(action) }
        evidence?.completeCommandLines()
        while !afterBusCalls.isEmpty { afterBusCalls.removeFirst()() }
        let enriched = evidence?.enrich(actions) ?? actions
        for action in enriched where !action.isBusCall { execute(action) }
    }

    /// On every tick: SIGKILLs runaways past their deadline and reports those that went.
    public func poll() {
        runaways?.poll(now: effects.now()) { [unowned self] scope, pid, command, outcome in
            deliver(.runawayTerminated(scope: scope, pid: pid, command: command, outcome: outcome))
        }
    }

    private func execute(_ action: SupervisorAction) {
        switch action {
        case .setSwappiness(let value):
            effects.setSwappiness(value)
        case .restartUnit(let unit):
            guard let units else {
                deliver(.jobFinished(unit: unit, result: .notIssued("not connected to systemd")))
                return
            }
            units.restart(unit: unit) { [unowned self] result in deliver(.jobFinished(unit: unit, result: result)) }
        case .killUnit(let unit):
            effects.log(.warning, "KillUnit(\(unit), all, SIGKILL)")
            units?.kill(unit: unit)
        case .writeIncident(let incident):
            incidents.write(incident)
        case .journalIncident(let incident):
            incidents.journal(incident)
        case .log(let level, let message):
            effects.log(level, message)
        case .setTick(let seconds):
            effects.setTick(seconds)
        case .setUnitLimits(let unit, let purpose, let high, let max, let swapMax, let incidentID):
            let values = [UnitMemoryProperty.memoryHigh: high, .memoryMax: max, .memorySwapMax: swapMax].compactMapValues { $0 }
            guard let limits else {
                deliver(.limitsApplied(unit: unit, purpose: purpose, result: .notIssued("no state directory for the record")))
                return
            }
            afterBusCalls.append(limits.set(unit: unit, purpose: purpose, values: values, incidentID: incidentID,
                                            nowMs: effects.wallClockMs(), control: units) { [unowned self] result in
                deliver(.limitsApplied(unit: unit, purpose: purpose, result: result))
            })
        case .liftUnitLimits(let unit, let purpose):
            limits?.lift(unit: unit, purpose: purpose, control: units)
        case .terminateRunaway(let scope, let cgroupPath, let deadline, _):
            guard let runaways else {
                deliver(.runawayTerminated(scope: scope, pid: nil, command: nil, outcome: "failed: process termination is off"))
                return
            }
            runaways.start(scope: scope, cgroupPath: cgroupPath, deadlineSeconds: deadline, now: effects.now()) {
                [unowned self] scope, pid, command, outcome in
                deliver(.runawayTerminated(scope: scope, pid: pid, command: command, outcome: outcome))
            }
        }
    }
}
