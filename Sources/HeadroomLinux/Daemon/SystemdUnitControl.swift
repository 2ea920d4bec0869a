import HeadroomCore

/// The remedies' calls over D-Bus (`SystemdBus`), with reconnection: a lost connection is
/// retried on every tick, and the restart job being waited for is matched to its JobRemoved.
final class SystemdUnitControl: UnitControl {
    let bus: SystemdBus
    let log: (LogLevel, String) -> Void
    /// What woke the loop for the current decision, and when, to report reaction latency.
    var wake: (reason: String, time: Double) = ("start", 0)
    private var awaited: (unit: String, job: String?, finished: (JobResult) -> Void)?
    private var failureLogged = false

    init(loop: EventLoop, log: @escaping (LogLevel, String) -> Void) {
        bus = SystemdBus(loop: loop)
        self.log = log
        bus.onJobRemoved = { [unowned self] unit, job, result in jobRemoved(unit: unit, job: job, result: result) }
    }

    func connect() {
        do {
            try bus.connect()
            failureLogged = false
        } catch {
            if !failureLogged {
                failureLogged = true
                log(.warning, "cannot connect to systemd over D-Bus: \(error); retrying on every tick")
            }
        }
    }

    /// Called every tick: reconnects a lost connection.
    func keepConnected() {
        guard !bus.isConnected else { return }
        if !failureLogged { log(.warning, "D-Bus connection to systemd lost; reconnecting") }
        connect()
        guard bus.isConnected else { return }
        log(.notice, "reconnected to systemd over D-Bus")
        if let awaited {
            // The job's JobRemoved signal may have been lost with the old connection: the
            // supervisor's deadline (SIGKILL, then cool-down) still closes the incident.
            log(.warning, "D-Bus connection was lost while the restart of \(awaited.unit) was pending")
        }
    }

    func restart(unit: String, finished: @escaping (JobResult) -> Void) {
        guard bus.isConnected else {
            finished(.notIssued("not connected to systemd"))
            return
        }
        awaited = (unit, nil, finished)
        bus.restart(unit: unit) { [unowned self] result in
            switch result {
            case .success(let job):
                if let current = awaited, current.unit == unit, current.job == nil { awaited?.job = job }
            case .failure(let error):
                guard let current = awaited, current.unit == unit else { return }
                awaited = nil
                log(.error, "RestartUnit \(unit) failed: \(error)")
                current.finished(.notIssued("\(error)"))
            }
        }
        let latencyMs = (Clock.monotonicSeconds() - wake.time) * 1000
        log(.warning, "RestartUnit(\(unit), replace) issued \(String(format2: latencyMs)) ms after the \(wake.reason) "
            + "woke the loop")
    }

    func kill(unit: String) {
        bus.kill(unit: unit) { [unowned self] result in
            if case .failure(let error) = result { log(.error, "KillUnit \(unit) failed: \(error)") }
        }
    }

    func setMemoryProperties(unit: String, _ assignments: [(property: UnitMemoryProperty, value: UInt64)],
                             finished: @escaping (JobResult) -> Void) {
        guard bus.isConnected else {
            finished(.notIssued("not connected to systemd"))
            return
        }
        bus.setMemoryProperties(unit: unit, assignments) { [unowned self] result in
            switch result {
            case .success: finished(.done)
            case .failure(let error):
                log(.error, "SetUnitProperties \(unit) failed: \(error)")
                finished(.notIssued("\(error)"))
            }
        }
    }

    private func jobRemoved(unit: String, job: String, result: String) {
        guard let current = awaited, current.unit == unit, current.job == nil || current.job == job else { return }
        awaited = nil
        log(.info, "restart job of \(unit) finished: \(result)")
        current.finished(JobResult(systemd: result))
    }
}
