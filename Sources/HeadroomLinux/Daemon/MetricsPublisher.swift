import HeadroomCore

/// Every `metrics.interval_seconds`, the same figures as `headroom metrics --format influx`
/// to `metrics.influx_socket`. Never blocks (the pusher drops what the socket will not take);
/// a change of outcome is logged once.
final class MetricsPublisher {
    let pusher: InfluxSocketPusher
    let interval: Double
    let incidentsDirectory: String
    let log: (LogLevel, String) -> Void
    private var lastPush = -Double.infinity
    private var lastResult: InfluxSocketPusher.PushResult?
    /// Recounted from the files after an incident was written.
    private var tally: IncidentTally?

    init(socket: String, interval: Double, incidentsDirectory: String, log: @escaping (LogLevel, String) -> Void) {
        pusher = InfluxSocketPusher(path: socket)
        self.interval = interval
        self.incidentsDirectory = incidentsDirectory
        self.log = log
    }

    func incidentsChanged() { tally = nil }

    func push(daemon: DaemonStatus, system: SystemSample, scan: ServiceScan, budget config: BudgetConfig, now: Double) {
        guard now - lastPush >= interval else { return }
        lastPush = now
        if tally == nil {
            var fresh = IncidentTally()
            let (entries, _) = IncidentStore(directory: incidentsDirectory).entries()
            for entry in entries { fresh.add(entry.summary, document: entry.document) }
            tally = fresh
        }
        let budget = BudgetReport.compute(system: system, services: scan.services,
                                          perServiceAvailable: scan.visibility.isAvailable, config: config)
        let families = MetricsSnapshot(daemon: daemon, system: system, budget: budget, incidents: tally).families
        let result = pusher.push(Array(MetricsRendering.influx(families).utf8))
        if result != lastResult {
            log(result == .sent ? .info : .warning, "metrics to \(pusher.path): \(result)")
            lastResult = result
        }
    }
}
