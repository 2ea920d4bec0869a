#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// `headroom daemon`: one sd-event loop that runs a `Tick` (sample -> decide) on a timer and
/// on PSI triggers, and hands the decided actions to the `ActionExecutor`.
///
/// Everything runs on the loop's thread; the daemon owns its state outright. The parts:
/// `Tick` (the core's tick), `ActionExecutor` (ordering, results fed back), `SystemdUnitControl`
/// (D-Bus), `IncidentRecorder` (files, journal), `StatusPublisher`, `MetricsPublisher`.
public final class Daemon {
    public struct Options: Sendable {
        public var paths: KernelPaths
        public var configPath: String?
        public var stateDirectory: String
        public var dryRun: Bool

        public init(paths: KernelPaths, configPath: String?, stateDirectory: String, dryRun: Bool) {
            self.paths = paths
            self.configPath = configPath
            self.stateDirectory = stateDirectory
            self.dryRun = dryRun
        }
    }

    let options: Options
    let loop: EventLoop
    var config: HeadroomConfig
    let tick: Tick
    let recorder: IncidentRecorder
    let status: StatusPublisher
    var metrics: MetricsPublisher?
    var units: SystemdUnitControl?
    var executor: ActionExecutor!
    let pruneIncidents: () -> Void
    var swappiness: SwappinessKeeper?
    var pressureTriggers: PressureTriggerSet?
    var timer: OpaquePointer?
    var interval: Double
    var lastSampleError: String?
    /// Unit files already reported as malformed, so a broken file is logged once, not every tick.
    var reportedProblems: Set<String> = []
    var lastPrune = -Double.infinity
    var memoryLocked = false
    /// Peaks and overages for `headroom budget` / `headroom check`; made at start.
    var budgetRecorder: BudgetRecorder?
    var lastBudgetObservation = -Double.infinity
    var budgetWriteFailed = false
    /// The policy's memory in the state directory; made at start.
    var policyState: PolicyStateFile?
    /// The blocking systemd client for start and stop (lifting throttles); nil without systemd.
    /// Tests replace it with a fake.
    var unitProperties: () -> (any UnitPropertyAccess)?
    var ready = false
    var stopping = false

    /// Incident retention runs this often.
    static let pruneSeconds = 3600.0

    public init(options: Options, config: HeadroomConfig, writeIncident: @escaping IncidentRecorder.Writer,
                pruneIncidents: @escaping () -> Void) throws(SystemdError) {
        self.options = options
        self.config = config
        loop = try EventLoop()
        var settings = config.supervisor
        settings.dryRun = options.dryRun
        tick = Tick(systemSampler: SystemSampler(paths: options.paths),
                    serviceSampler: ServiceSampler(visibility: CgroupDiscovery.discover(paths: options.paths),
                                                   keepFilesOpen: options.paths.isLiveSystem,
                                                   unitStarts: ProcessSnapshotReader(paths: options.paths),
                                                   youngSeconds: settings.policy.warmUp.youngSeconds),
                    supervisor: Supervisor(settings: settings, budget: config.budget))
        interval = settings.tickSeconds
        recorder = IncidentRecorder(writer: writeIncident, log: DaemonLog.write)
        status = StatusPublisher(paths: options.paths, log: DaemonLog.write)
        self.pruneIncidents = pruneIncidents
        let live = options.paths.isLiveSystem
        unitProperties = { live ? try? SystemdUnitProperties() : nil }
        metrics = makeMetrics(config)
        executor = ActionExecutor(units: nil, incidents: recorder, effects: effects) { [unowned self] event in route(event) }
        attachShellActions()
        recorder.onWritten = { [unowned self] in metrics?.incidentsChanged() }
    }

    /// Runs until SIGTERM/SIGINT. - Returns: the exit code.
    public func run() -> Int32 {
        // A write to a closed journald stream or pipe is an error to handle, not the end of the supervisor.
        signal(SIGPIPE, SIG_IGN)
        takeSwappiness()
        recoverAtStart()
        restorePolicyState()
        if case .unavailable(let reason) = tick.serviceSampler.visibility {
            log(.warning, "per-service figures are unavailable: \(reason); deciding from system figures only, "
                + "no unit can be restarted")
        }
        connectBus()
        pressureTriggers = PressureTriggers.arm(on: loop, paths: options.paths,
                                                visibility: tick.serviceSampler.visibility,
                                                log: DaemonLog.write) { [unowned self] in
            sampleAndDecide(reason: "psi trigger")
        }
        do {
            try loop.addSignals([SIGTERM, SIGINT, SIGHUP]) { [unowned self] signal in
                if signal == SIGHUP { reload() } else { stop(reason: signal == SIGTERM ? "SIGTERM" : "SIGINT") }
            }
            timer = try loop.addTimer(after: 0) { [unowned self] in onTimer() }
        } catch {
            log(.error, "cannot set up the event loop: \(error)")
            restoreSwappiness()
            return 1
        }
        loop.enableWatchdog()
        let result = loop.run()
        savePolicyStateAtStop()
        liftThrottles(when: "stop")
        restoreSwappiness()
        status.remove()
        if result < 0 {
            log(.error, "event loop failed: \(SystemdError(call: "sd_event_loop", code: result))")
            return 1
        }
        return 0
    }

    // MARK: Setup

    private var effects: ActionExecutor.Effects {
        ActionExecutor.Effects(
            setSwappiness: { [unowned self] value in setSwappiness(value) },
            setTick: { [unowned self] seconds in interval = seconds },
            log: DaemonLog.write,
            now: { [unowned self] in loop.now },
            wallClockMs: Clock.wallClockMs)
    }

    private func makeMetrics(_ config: HeadroomConfig) -> MetricsPublisher? {
        config.metrics.influxSocket.map {
            MetricsPublisher(socket: $0, interval: config.metrics.intervalSeconds,
                             incidentsDirectory: options.stateDirectory + "/incidents", log: DaemonLog.write)
        }
    }

    private func connectBus() {
        guard !options.dryRun else { return }
        guard options.paths.isLiveSystem else {
            log(.notice, "--root given: not connecting to systemd; restarts will fail and be recorded")
            return
        }
        let control = SystemdUnitControl(loop: loop, log: DaemonLog.write)
        control.connect()
        units = control
        executor.units = control
    }

    // MARK: The loop's work

    private func onTimer() {
        sampleAndDecide(reason: "tick")
        // After the first tick, so that set-up's code is released too (see StartupPages).
        if !memoryLocked {
            memoryLocked = true
            MemoryLock.lock(log: log)
        }
        if let timer, !stopping { loop.rearm(timer, after: interval) }
    }

    func sampleAndDecide(reason: String) {
        let now = loop.now
        units?.wake = (reason, now)
        switch tick.run(now: now, wallClockMs: Clock.wallClockMs()) {
        case .failed(let error):
            if lastSampleError != error.description {
                log(.error, "cannot read the system's memory figures: \(error); will retry")
                lastSampleError = error.description
            }
        case .decided(let decision):
            lastSampleError = nil
            reportProblems(decision.scan)
            if decision.relisted, let pressureTriggers {
                PressureTriggers.follow(pressureTriggers, paths: options.paths,
                                        visibility: tick.serviceSampler.visibility, log: log)
            }
            executor.perform(decision.actions)
            savePolicyStateIfChanged(now: now)
            afterDecision(decision, now: now)
        }
    }

    private func afterDecision(_ decision: Tick.Decision, now: Double) {
        shellWork(decision, now: now)
        let level = tick.supervisor.level
        status.publish(level, system: decision.system, now: now)
        metrics?.push(daemon: status.daemonStatus(level), system: decision.system, scan: decision.scan,
                      budget: config.budget, now: now)
        recorder.retryUnwritten()
        DaemonLog.retryHeld()
        if now - lastPrune > Self.pruneSeconds {
            lastPrune = now
            pruneIncidents()
        }
        units?.keepConnected()
        if !ready {
            ready = true
            SystemdNotify.send("READY=1")
            log(.info, "started: level \(level.rawValue), tick \(interval) s\(options.dryRun ? ", dry run" : "")")
        }
    }

    private func reportProblems(_ scan: ServiceScan) {
        guard !scan.problems.isEmpty || !reportedProblems.isEmpty else { return }
        let problems = Set(scan.problems.map(\.description))
        for problem in problems.subtracting(reportedProblems) { log(.warning, "left out: \(problem)") }
        reportedProblems = problems
    }

    // MARK: Signals

    func reload() {
        do {
            let fresh = try LastGoodConfig(stateDirectory: options.stateDirectory).reload(path: options.configPath)
            var settings = fresh.supervisor
            settings.dryRun = options.dryRun
            tick.supervisor.reconfigure(settings: settings, budget: fresh.budget)
            if fresh.metrics.influxSocket != config.metrics.influxSocket
                || fresh.metrics.intervalSeconds != config.metrics.intervalSeconds {
                metrics = makeMetrics(fresh)
            }
            config = fresh
            log(.notice, "config reloaded")
        } catch {
            log(.error, "config reload refused, keeping the running config: \(error)")
        }
    }

    /// Stops the loop; the open incident is written first, as interrupted, so none stays pending.
    func stop(reason: String) {
        guard !stopping else { return }
        stopping = true
        SystemdNotify.send("STOPPING=1")
        log(.info, "stopping (\(reason))")
        executor.perform(tick.supervisor.stop(wallClockMs: Clock.wallClockMs()))
        loop.exit(code: 0)
    }

    // MARK: Swappiness

    private func takeSwappiness() {
        guard !options.dryRun else {
            log(.info, "dry run: vm.swappiness will not be changed")
            return
        }
        do {
            let (keeper, notes) = try SwappinessKeeper.take(paths: options.paths, stateDirectory: options.stateDirectory)
            swappiness = keeper
            for note in notes { log(.notice, note) }
        } catch {
            log(.warning, "cannot own vm.swappiness: \(error); swap tuning is off")
        }
    }

    private func setSwappiness(_ value: Int) {
        do {
            if try swappiness?.set(value) == true { log(.info, "vm.swappiness set to \(value)") }
        } catch {
            log(.warning, "cannot set vm.swappiness to \(value): \(error)")
        }
    }

    private func restoreSwappiness() {
        guard var keeper = swappiness else { return }
        do {
            if try keeper.restore() { log(.info, "vm.swappiness restored to \(keeper.original)") }
        } catch {
            log(.error, "cannot restore vm.swappiness to \(keeper.original): \(error)")
        }
        swappiness = nil
    }

    func log(_ level: LogLevel, _ message: String) { DaemonLog.write(level, message) }
}
