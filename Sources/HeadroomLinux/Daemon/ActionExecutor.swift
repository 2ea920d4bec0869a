import HeadroomCore

/// Calls into systemd for the remedies. `SystemdUnitControl` is the real one; tests pass a fake.
public protocol UnitControl: AnyObject {
    /// `RestartUnit(unit, "replace")`; `finished` is called once with the job's result, later,
    /// or at once when the call cannot be issued.
    func restart(unit: String, finished: @escaping (JobResult) -> Void)
    /// `KillUnit(unit, "all", SIGKILL)`.
    func kill(unit: String)
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

        public init(setSwappiness: @escaping (Int) -> Void, setTick: @escaping (Double) -> Void,
                    log: @escaping (LogLevel, String) -> Void) {
            self.setSwappiness = setSwappiness
            self.setTick = setTick
            self.log = log
        }
    }

    /// A result for the core, from the shell.
    public enum Event: Equatable, Sendable {
        case jobFinished(unit: String, result: JobResult)
    }

    var units: UnitControl?
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

    private func execute(_ actions: [SupervisorAction]) {
        for action in actions where action.isBusCall { execute(action) }
        for action in actions where !action.isBusCall { execute(action) }
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
        case .setUnitLimits, .liftUnitLimits, .terminateRunaway:
            // TODO(integration): carried out by the runtime-limit keeper and the process terminator.
            effects.log(.error, "not carried out yet: \(action)")
        }
    }
}
