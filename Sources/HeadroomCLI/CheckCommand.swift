import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
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
            restart. WARNING: any other fresh incident; a unit or category over its budget by more than \
            --budget-tolerance while memory is short (the daemon's level is not calm, or MemAvailable is at \
            or below supervisor.elevated.available_percent of MemTotal) or for budget.warn_after_minutes by \
            the daemon's budget record; or the daemon not running (by its status file). UNKNOWN: a file it \
            needs cannot be read (the output names it). The first line is the status with Nagios perfdata \
            after '|'.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var location: IncidentLocation
    @OptionGroup var status: DaemonStatusLocation
    @OptionGroup var record: BudgetRecordLocation

    @Option(help: ArgumentHelp("An incident started or updated this many minutes ago or less is fresh.",
                               valueName: "MINUTES"))
    var freshMinutes = 60

    @Option(help: ArgumentHelp("A unit or category counts as over budget only when over by more than SIZE "
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
        var budgetRecord: BudgetRecord?
        var budgetSettings = BudgetCheck.Settings(toleranceBytes: (try? ByteSize.parse(budgetTolerance).get()) ?? 0)
        var recordProblem: String?
        if !noBudget {
            switch Readings.read(common) {
            case .success(let readings):
                budget = readings.budget()
                system = readings.system
                budgetSettings.warnAfterMs = Int64(readings.config.budget.warnAfterMinutes * 60_000)
                budgetSettings.shortAvailablePercent = readings.config.supervisor.elevated.availablePercent
            case .failure(let problem):
                unreadable.append(problem.sentence)
            }
            (budgetRecord, recordProblem) = record.read(common)
        }

        let daemon: HealthCheck.DaemonFinding
        let statusFile = status.file(common)
        do {
            switch try statusFile.read() {
            case .running(let status): daemon = .running(status)
            case .notRunning(let reason): daemon = .notRunning(reason: reason)
            }
        } catch {
            daemon = .unreadable("cannot read the daemon's status: \(error)")
        }

        var outcome = HealthCheck.evaluate(
            HealthCheck.Inputs(nowMs: Clock.wallClockMs(), incidents: incidents, budget: budget,
                               budgetRecord: budgetRecord, system: system, daemon: daemon, unreadable: unreadable),
            settings: HealthCheck.Settings(freshMinutes: freshMinutes, budget: budgetSettings,
                                           checkBudget: !noBudget,
                                           requireDaemon: !daemonOptional && !Self.isCaptureWithoutStatus(common, statusFile)))
        if let recordProblem { outcome.notes.append(recordProblem) }
        output.print(outcome.render())
        return outcome.status.rawValue
    }

    /// A capture (`--root DIR`) holds the kernel's files but rarely the daemon's /run: the missing
    /// status file says nothing about the VM, so it is a note there. A stale one still warns.
    static func isCaptureWithoutStatus(_ common: CommonOptions, _ statusFile: DaemonStatusFile) -> Bool {
        common.root != nil && access(statusFile.path, F_OK) != 0
    }
}
