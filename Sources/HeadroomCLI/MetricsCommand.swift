import ArgumentParser
import HeadroomCore
import HeadroomLinux

/// `headroom metrics`: the daemon's level, PSI, memory, swap, the budget, per-unit working sets and
/// incident counts, in InfluxDB line protocol or the Prometheus text format (docs/MONITORING.md).
struct MetricsCommand: ReportingCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case influx, prometheus
    }

    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print metrics in InfluxDB line protocol or the Prometheus text format.",
        discussion: "For telegraf's inputs.exec, node_exporter's textfile collector or any scraper. "
            + "Metric names and labels: docs/MONITORING.md.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var location: IncidentLocation
    @OptionGroup var status: DaemonStatusLocation

    @Option(help: ArgumentHelp("influx (line protocol) or prometheus (text format 0.0.4).", valueName: "FORMAT"))
    var format: Format = .influx

    func execute(_ output: inout CommandOutput) -> Int32 {
        guard let readings = Readings.load(common, &output) else { return 1 }

        var daemon: DaemonStatus?
        do {
            if case .running(let status) = try status.file(common).read() { daemon = status }
        } catch {
            output.error("daemon status unknown, reported as not running: \(error)")
        }

        let store = IncidentStore(directory: location.directory)
        let (entries, problems) = store.entries()
        var tally: IncidentTally? = IncidentTally()
        for entry in entries { tally?.add(entry.summary, document: entry.document) }
        for problem in problems {
            if problem.path == store.directory {
                tally = nil
                output.error("incident counts left out: \(problem)")
            } else {
                tally?.unreadableFiles += 1
                output.error("left out: \(problem)")
            }
        }
        for problem in readings.scan.problems { output.error("left out: \(problem)") }

        let families = MetricsSnapshot(daemon: daemon, system: readings.system, budget: readings.budget(),
                                       incidents: tally).families
        let text = switch format {
        case .influx: MetricsRendering.influx(families)
        case .prometheus: MetricsRendering.prometheus(families)
        }
        output.standardOutput += text
        return 0
    }
}
