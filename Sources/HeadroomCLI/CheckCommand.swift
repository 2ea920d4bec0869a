import ArgumentParser
import HeadroomCore
import HeadroomLinux

/// `headroom check`: a Nagios/Sensu check (docs/MONITORING.md). Runs as any user in the
/// incident directory's group: incident files are 0640, kernel files and the status file are
/// world-readable.
struct CheckCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Nagios/Sensu check: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        discussion: """
            CRITICAL: an incident in the last --fresh-minutes whose outcome was a kernel OOM kill or a failed \
            restart. WARNING: any other fresh incident, a budget category over its expectation by more than \
            --budget-tolerance, or the daemon not running (by its status file). UNKNOWN: a file it needs \
            cannot be read (the output names it). The first line is the status with Nagios perfdata after '|'.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var location: IncidentLocation
    @OptionGroup var status: DaemonStatusLocation

    @Option(help: ArgumentHelp("An incident started or updated this many minutes ago or less is fresh.",
                               valueName: "MINUTES"))
    var freshMinutes = 60

    @Option(help: ArgumentHelp("A category counts as over budget only when over by more than SIZE "
                                   + "(e.g. 64MiB).", valueName: "SIZE"))
    var budgetTolerance = "0"

    @Flag(help: "Do not check the budget (nor read the kernel's memory figures).")
    var noBudget = false

    @Flag(help: "A daemon that is not running is mentioned, not a WARNING.")
    var daemonOptional = false

    func validate() throws {
        guard freshMinutes > 0 else { throw ValidationError("--fresh-minutes must be at least 1") }
        if case .failure(let error) = ByteSize.parse(budgetTolerance) {
            throw ValidationError("--budget-tolerance: \(error)")
        }
    }

    func execute(_ output: inout CommandOutput) -> Int32 {
        var unreadable: [String] = []

        let store = IncidentStore(directory: location.directory)
        let (entries, problems) = store.entries()
        var incidents: [IncidentSummary]? = entries.map(\.summary)
        for problem in problems {
            if problem.path == store.directory { incidents = nil }
            unreadable.append("cannot read incidents: \(problem)")
        }

        var budget: BudgetReport?
        var system: SystemSample?
        if !noBudget {
            switch Readings.read(common) {
            case .success(let readings):
                budget = readings.budget()
                system = readings.system
            case .failure(let problem):
                unreadable.append(problem.sentence)
            }
        }

        let daemon: HealthCheck.DaemonFinding
        do {
            switch try status.file(common).read() {
            case .running(let status): daemon = .running(status)
            case .notRunning(let reason): daemon = .notRunning(reason: reason)
            }
        } catch {
            daemon = .unreadable("cannot read the daemon's status: \(error)")
        }

        let tolerance = (try? ByteSize.parse(budgetTolerance).get()) ?? 0
        let outcome = HealthCheck.evaluate(
            HealthCheck.Inputs(nowMs: Clock.wallClockMs(), incidents: incidents, budget: budget, system: system,
                               daemon: daemon, unreadable: unreadable),
            settings: HealthCheck.Settings(freshMinutes: freshMinutes, budgetToleranceBytes: tolerance,
                                           checkBudget: !noBudget, requireDaemon: !daemonOptional))
        output.print(outcome.render())
        return outcome.status.rawValue
    }
}
