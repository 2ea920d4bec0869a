import ArgumentParser
import HeadroomCore
import HeadroomLinux

struct IncidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List the incidents Headroom filed, or show one.",
        subcommands: [IncidentsListCommand.self, IncidentsShowCommand.self])
}

/// Where the incident files are.
struct IncidentLocation: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "Headroom's state directory; incidents are in its 'incidents' subdirectory "
            + "(default \(IncidentStore.defaultStateDirectory), as for `headroom daemon`).",
        valueName: "DIR"))
    var stateDirectory: String?

    /// Not under --root, which is about kernel files: the daemon keeps its state in --state-dir
    /// whatever --root says, and these commands look where it writes.
    var directory: String {
        let trimmed = (stateDirectory ?? IncidentStore.defaultStateDirectory).trimmingTrailingSlashes
        return (trimmed == "/" ? "" : trimmed) + "/incidents"
    }
}

struct IncidentsListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The incidents, newest first, each with its narrative.")

    @OptionGroup var location: IncidentLocation

    @Flag(help: "Print JSON (shape in docs/JSON.md).")
    var json = false

    func execute(_ output: inout CommandOutput) -> Int32 {
        let store = IncidentStore(directory: location.directory)
        do {
            _ = try store.incidentFiles()
        } catch {
            output.error("cannot list incidents: \(error)")
            return 1
        }
        let (summaries, problems) = store.list()
        if json {
            output.print(JSONValue.object([
                "directory": .string(store.directory),
                "incidents": .array(summaries.map(\.jsonValue)),
                "problems": .array(problems.map(JSONValue.string)),
            ]).rendered())
            return 0
        }
        if summaries.isEmpty {
            output.print("no incidents in \(store.directory)")
        } else {
            var table = TextTable(header: ["ID", "STARTED", "KIND", "CULPRIT", "OUTCOME"])
            for summary in summaries {
                table.add([summary.id, RFC3339.utc(milliseconds: summary.startedAtMs), summary.kind.rawValue,
                           summary.culprit ?? "-", summary.outcome.rawValue])
            }
            output.print(table.render())
            for summary in summaries {
                output.print("")
                output.print("\(summary.id):")
                output.print("  " + summary.narrative)
            }
        }
        for problem in problems { output.error("left out: \(problem)") }
        return 0
    }
}

struct IncidentsShowCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "One incident: its narrative, trigger, culprit, candidates with their scores, actions and outcome.")

    @Argument(help: ArgumentHelp("The incident's id, as `headroom incidents list` shows it.", valueName: "ID"))
    var id: String

    @OptionGroup var location: IncidentLocation

    @Flag(help: "Print the incident file's JSON (shape in docs/JSON.md).")
    var json = false

    func execute(_ output: inout CommandOutput) -> Int32 {
        let store = IncidentStore(directory: location.directory)
        let document: JSONValue
        do {
            document = try store.read(id: id)
        } catch {
            switch error.kind {
            case .notFound: output.error("no incident \(id) in \(store.directory)")
            case .invalidId: output.error(error.reason)
            default: output.error("cannot read incident \(id): \(error)")
            }
            return 1
        }
        output.print(json ? document.rendered() : IncidentText.render(document))
        return 0
    }
}
