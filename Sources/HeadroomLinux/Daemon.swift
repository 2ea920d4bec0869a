#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// `headroom daemon`: one sd-event loop that samples, asks the `Supervisor` what to do,
/// and carries out its actions (swappiness, D-Bus, incident files, journal).
///
/// Everything runs on the loop's thread; the daemon owns its state outright.
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

    /// Writes (creates or replaces) an incident file; returns its path.
    public typealias IncidentWriter = (Incident) -> Result<String, any Error>

    let options: Options
    let loop: EventLoop
    var supervisor: Supervisor
    var config: HeadroomConfig
    let systemSampler: SystemSampler
    var serviceSampler: ServiceSampler
    let writeIncident: IncidentWriter
    let pruneIncidents: () -> Void
    var bus: SystemdBus?
    var swappiness: SwappinessKeeper?
    var pressureTriggers: PressureTriggerSet?
    var timer: OpaquePointer?
    var tick: Double
    var awaitedJob: (unit: String, job: String?)?
    var unwrittenIncidents: [String: Incident] = [:]
    var incidentFiles: [String: String] = [:]
    var lastSampleError: String?
    /// Unit files already reported as malformed, so a broken file is logged once, not every tick.
    var reportedProblems: Set<String> = []
    var lastPrune = -Double.infinity
    var lastListing = -Double.infinity
    var lastVanished = false
    var lastStatus = -Double.infinity
    var lastStatusLevel: PressureLevel?
    /// What woke the loop for the current decision, and when (the loop iteration's timestamp),
    /// to report the reaction latency with each restart.
    var wake: (reason: String, time: Double) = ("start", 0)
    var busFailureLogged = false
    var memoryLocked = false
    var lastOomKills: UInt64?
    var calmTicks = 0
    /// `/run/headroom/status`: pid and level, for `headroom check` and `headroom metrics`.
    let statusFile: DaemonStatusFile
    let startedAtMs = Daemon.wallClockMs()
    var publishedLevel: PressureLevel?
    var levelSinceMs: Int64 = 0
    var statusFileFailed = false
    /// InfluxDB line protocol to a local socket (`metrics.influx_socket`), if configured.
    var influx: InfluxSocketPusher?
    var lastPush = -Double.infinity
    var lastPushResult: InfluxSocketPusher.PushResult?
    var incidentTally: IncidentTally?
    var ready = false
    var stopping = false

    /// How often the cgroup tree is listed again while calm.
    static let relistSeconds = 10.0

    public init(options: Options, config: HeadroomConfig, writeIncident: @escaping IncidentWriter,
                pruneIncidents: @escaping () -> Void) throws(SystemdError) {
        self.options = options
        self.config = config
        self.loop = try EventLoop()
        var settings = config.supervisor
        settings.dryRun = options.dryRun
        supervisor = Supervisor(settings: settings, budget: config.budget)
        systemSampler = SystemSampler(paths: options.paths)
        serviceSampler = ServiceSampler(visibility: CgroupDiscovery.discover(paths: options.paths),
                                        keepFilesOpen: options.paths.isLiveSystem)
        self.writeIncident = writeIncident
        self.pruneIncidents = pruneIncidents
        tick = settings.tickSeconds
        statusFile = DaemonStatusFile(paths: options.paths)
        influx = config.metrics.influxSocket.map(InfluxSocketPusher.init(path:))
    }

    /// Runs until SIGTERM/SIGINT. - Returns: the exit code.
    public func run() -> Int32 {
        takeSwappiness()
        if case .unavailable(let reason) = serviceSampler.visibility {
            log(.warning, "per-service figures are unavailable: \(reason); deciding from system figures only, "
                + "no unit can be restarted")
        }
        connectBus()
        armPressureTrigger()
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
        restoreSwappiness()
        do {
            try statusFile.remove()
        } catch {
            log(.warning, "\(error)")
        }
        if result < 0 {
            log(.error, "event loop failed: \(SystemdError(call: "sd_event_loop", code: result))")
            return 1
        }
        return 0
    }

    // MARK: Setup

    private func lockMemory() {
        if case .failure(let error) = StartupPages.release() {
            log(.notice, "start-up pages not released (\(error)); the daemon keeps them resident")
        }
        let onFault: Int32 = 4 // MCL_ONFAULT (Linux 4.4+): lock pages as they are touched, not all up front.
        if mlockall(MCL_CURRENT | MCL_FUTURE | onFault) != 0 {
            log(.warning, "mlockall failed (\(String(cString: strerror(errno)))): the daemon may be swapped out "
                + "under pressure; grant CAP_IPC_LOCK")
        }
    }

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

    private func connectBus() {
        guard !options.dryRun else { return }
        guard options.paths.isLiveSystem else {
            log(.notice, "--root given: not connecting to systemd; restarts will fail and be recorded")
            return
        }
        let reconnecting = self.bus != nil
        let bus = self.bus ?? SystemdBus(loop: loop)
        bus.onJobRemoved = { [unowned self] unit, job, result in jobRemoved(unit: unit, job: job, result: result) }
        do {
            try bus.connect()
            self.bus = bus
            busFailureLogged = false
            if reconnecting { log(.notice, "reconnected to systemd over D-Bus") }
        } catch {
            self.bus = bus
            if !busFailureLogged {
                busFailureLogged = true
                log(.warning, "cannot connect to systemd over D-Bus: \(error); retrying on every tick")
            }
        }
        if reconnecting, let awaited = awaitedJob {
            // The job's JobRemoved signal may have been lost with the old connection: the
            // supervisor's deadline (SIGKILL, then cool-down) still closes the incident.
            log(.warning, "D-Bus connection was lost while the restart of \(awaited.unit) was pending")
        }
    }

    /// PSI triggers on the system file and on each top-level slice's `memory.pressure`
    /// (system.slice, user.slice, ...): a stall wakes the loop within the window instead of
    /// at the next tick. Per unit would cost the kernel a PSI poller per cgroup; the slices
    /// bound that to a handful while still waking on pressure confined to one slice.
    private func armPressureTrigger() {
        guard options.paths.isLiveSystem else {
            log(.notice, "--root given: no PSI trigger on fixture files; sampling on ticks only")
            return
        }
        let triggers = PressureTriggerSet(loop: loop, log: { level, message in DaemonLog.write(level, message) },
                                          onPressure: { [unowned self] in sampleAndDecide(reason: "psi trigger") })
        pressureTriggers = triggers
        let armed = triggers.update(paths: pressureTriggerPaths())
        if armed.isEmpty {
            log(.warning, "no PSI trigger could be armed; sampling on ticks only")
        } else {
            log(.info, "PSI triggers armed on \(armed.joined(separator: ", "))")
        }
    }

    /// The system file and the top-level slices' files, as listed now.
    func pressureTriggerPaths() -> [String] {
        var files = [options.paths.memoryPressure]
        if case .available(let root) = serviceSampler.visibility {
            for name in KernelFileReader.subdirectories(of: root) ?? [] where name.hasSuffix(".slice") {
                files.append("\(root)/\(name)/memory.pressure")
            }
        }
        return files
    }

    // MARK: The loop's work

    private func onTimer() {
        sampleAndDecide(reason: "tick")
        // After the first tick, so that set-up's code is released too (see StartupPages).
        if !memoryLocked {
            memoryLocked = true
            lockMemory()
        }
        if let timer, !stopping { loop.rearm(timer, after: tick) }
    }

    func sampleAndDecide(reason: String) {
        wake = (reason, loop.now)
        let system: SystemSample
        do {
            system = try systemSampler.sample()
            lastSampleError = nil
        } catch {
            if lastSampleError != error.description {
                log(.error, "cannot read the system's memory figures: \(error); will retry")
                lastSampleError = error.description
            }
            return
        }
        let now = loop.now
        // Listing the cgroup tree is the one part of a tick that allocates: done every
        // `relistSeconds` while calm, on every tick under pressure (a new leaker must be seen
        // at once), and after a unit vanished.
        let relist = supervisor.level != .calm || lastVanished || now - lastListing >= Self.relistSeconds
        if relist { lastListing = now }
        // While calm, only memory.current every tick and memory.stat every few (ScanDetail.calm);
        // everything on a relist, under pressure, and when the kernel OOM-killed something
        // (memory.events names the unit).
        let oomKillsChanged = lastOomKills.map { $0 != system.vmstat.oomKill } ?? true
        lastOomKills = system.vmstat.oomKill
        let detail: ScanDetail
        if relist || supervisor.level != .calm || oomKillsChanged {
            detail = .full
            calmTicks = 0
        } else {
            calmTicks += 1
            detail = .calm(tick: calmTicks)
        }
        let scan = serviceSampler.scan(relist: relist, detail: detail)
        if relist, let added = pressureTriggers?.update(paths: pressureTriggerPaths()), !added.isEmpty {
            log(.info, "PSI triggers armed on \(added.joined(separator: ", "))")
        }
        lastVanished = !scan.vanished.isEmpty
        if !scan.problems.isEmpty || !reportedProblems.isEmpty {
            let problems = Set(scan.problems.map(\.description))
            for problem in problems.subtracting(reportedProblems) { log(.warning, "left out: \(problem)") }
            reportedProblems = problems
        }
        let observation = Observation(time: now, wallClockMs: Self.wallClockMs(), system: system,
                                      services: scan.services, perServiceAvailable: scan.visibility.isAvailable)
        execute(supervisor.observe(observation))
        publishLevel()
        pushMetrics(system, scan: scan, now: now)
        retryUnwrittenIncidents()
        if observation.time - lastPrune > 3600 {
            lastPrune = observation.time
            pruneIncidents()
        }
        if bus != nil, bus?.isConnected == false {
            if !busFailureLogged { log(.warning, "D-Bus connection to systemd lost; reconnecting") }
            connectBus()
        }
        if supervisor.level != .calm || lastStatusLevel != supervisor.level || now - lastStatus >= Self.relistSeconds {
            lastStatus = now
            lastStatusLevel = supervisor.level
            SystemdNotify.send(statusLine(system))
        }
        if !ready {
            ready = true
            SystemdNotify.send("READY=1")
            log(.info, "started: level \(supervisor.level.rawValue), tick \(tick) s\(options.dryRun ? ", dry run" : "")")
        }
    }

    func execute(_ actions: [SupervisorAction]) {
        for action in actions {
            switch action {
            case .setSwappiness(let value):
                do {
                    if try swappiness?.set(value) == true { log(.info, "vm.swappiness set to \(value)") }
                } catch {
                    log(.warning, "cannot set vm.swappiness to \(value): \(error)")
                }
            case .restartUnit(let unit):
                restart(unit)
            case .killUnit(let unit):
                log(.warning, "KillUnit(\(unit), all, SIGKILL)")
                guard let bus else { continue }
                bus.kill(unit: unit) { [unowned self] result in
                    if case .failure(let error) = result { log(.error, "KillUnit \(unit) failed: \(error)") }
                }
            case .writeIncident(let incident):
                write(incident)
            case .journalIncident(let incident):
                let file = incidentFiles[incident.id]
                let result = SystemdJournal.send(SystemdJournal.fields(for: incident, file: file))
                // The entry carries _SYSTEMD_UNIT=headroom.service, so `journalctl -u headroom` shows it too.
                if result < 0 {
                    log(.warning, "journal entry for incident \(incident.id) not written (errno \(-result)): "
                        + incident.narrative)
                }
            case .log(let level, let message):
                log(level, message)
            case .setTick(let seconds):
                tick = seconds
            }
        }
    }

    private func restart(_ unit: String) {
        guard let bus, bus.isConnected else {
            execute(supervisor.jobFinished(unit: unit, result: "error: not connected to systemd", time: loop.now,
                                           wallClockMs: Self.wallClockMs()))
            return
        }
        awaitedJob = (unit, nil)
        bus.restart(unit: unit) { [unowned self] result in
            switch result {
            case .success(let job):
                if awaitedJob?.unit == unit && awaitedJob?.job == nil { awaitedJob = (unit, job) }
            case .failure(let error):
                guard awaitedJob?.unit == unit else { return }
                awaitedJob = nil
                log(.error, "RestartUnit \(unit) failed: \(error)")
                execute(supervisor.jobFinished(unit: unit, result: "error: \(error)", time: loop.now,
                                               wallClockMs: Self.wallClockMs()))
            }
        }
        let latencyMs = (Self.monotonicSeconds() - wake.time) * 1000
        log(.warning, "RestartUnit(\(unit), replace) issued \(String(format2: latencyMs)) ms after the \(wake.reason) "
            + "woke the loop")
    }

    private func jobRemoved(unit: String, job: String, result: String) {
        guard let awaited = awaitedJob, awaited.unit == unit, awaited.job == nil || awaited.job == job else { return }
        awaitedJob = nil
        log(.info, "restart job of \(unit) finished: \(result)")
        execute(supervisor.jobFinished(unit: unit, result: result, time: loop.now, wallClockMs: Self.wallClockMs()))
    }

    private func write(_ incident: Incident) {
        switch writeIncident(incident) {
        case .success(let path):
            incidentFiles[incident.id] = path
            unwrittenIncidents[incident.id] = nil
            incidentTally = nil
        case .failure(let error):
            if unwrittenIncidents[incident.id] == nil {
                log(.error, "incident \(incident.id) not written (\(error)); will retry")
            }
            unwrittenIncidents[incident.id] = incident
        }
    }

    private func retryUnwrittenIncidents() {
        for incident in unwrittenIncidents.values { write(incident) }
    }

    // MARK: Status and metrics

    private func publishLevel() {
        guard publishedLevel != supervisor.level else { return }
        if publishedLevel != nil || levelSinceMs == 0 { levelSinceMs = Self.wallClockMs() }
        publishedLevel = supervisor.level
        do {
            try statusFile.write(level: supervisor.level, sinceMs: levelSinceMs, startedAtMs: startedAtMs)
            statusFileFailed = false
        } catch {
            if !statusFileFailed { log(.warning, "status file not written (\(error)); headroom check will say the "
                + "daemon is not running") }
            statusFileFailed = true
            publishedLevel = nil
        }
    }

    /// Every `metrics.interval_seconds`, the same figures as `headroom metrics --format influx`.
    /// Never blocks (the pusher drops what the socket will not take); a change of outcome is logged once.
    private func pushMetrics(_ system: SystemSample, scan: ServiceScan, now: Double) {
        guard let influx, now - lastPush >= config.metrics.intervalSeconds else { return }
        lastPush = now
        if incidentTally == nil {
            var tally = IncidentTally()
            let (entries, _) = IncidentStore(directory: options.stateDirectory + "/incidents").entries()
            for entry in entries { tally.add(entry.summary, document: entry.document) }
            incidentTally = tally
        }
        let daemon = DaemonStatus(pid: getpid(), comm: "headroom", level: supervisor.level,
                                  sinceMs: levelSinceMs, startedAtMs: startedAtMs)
        let budget = BudgetReport.compute(system: system, services: scan.services,
                                          perServiceAvailable: scan.visibility.isAvailable, config: config.budget)
        let families = MetricsSnapshot(daemon: daemon, system: system, budget: budget, incidents: incidentTally).families
        let result = influx.push(Array(MetricsRendering.influx(families).utf8))
        if result != lastPushResult {
            log(result == .sent ? .info : .warning, "metrics to \(influx.path): \(result)")
            lastPushResult = result
        }
    }

    // MARK: Signals

    func reload() {
        do {
            let fresh = try ConfigLoader.load(path: options.configPath)
            var settings = fresh.supervisor
            settings.dryRun = options.dryRun
            supervisor.reconfigure(settings: settings, budget: fresh.budget)
            if fresh.metrics.influxSocket != config.metrics.influxSocket {
                influx = fresh.metrics.influxSocket.map(InfluxSocketPusher.init(path:))
                lastPushResult = nil
            }
            config = fresh
            log(.notice, "config reloaded")
        } catch {
            log(.error, "config reload refused, keeping the running config: \(error)")
        }
    }

    func stop(reason: String) {
        guard !stopping else { return }
        stopping = true
        SystemdNotify.send("STOPPING=1")
        log(.info, "stopping (\(reason))")
        loop.exit(code: 0)
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

    // MARK: Helpers

    func log(_ level: LogLevel, _ message: String) { DaemonLog.write(level, message) }

    private func statusLine(_ system: SystemSample) -> String {
        let info = system.meminfo
        return "STATUS=\(supervisor.level.rawValue): available \(ByteSize.format(info.memAvailable)) of "
            + "\(ByteSize.format(info.memTotal)), swap used \(ByteSize.format(info.swapUsed)), "
            + "PSI some \(system.pressure.some.avg10) full \(system.pressure.full.avg10)"
    }

    /// Now on CLOCK_MONOTONIC, not the loop iteration's cached timestamp (`loop.now`).
    static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public static func wallClockMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
