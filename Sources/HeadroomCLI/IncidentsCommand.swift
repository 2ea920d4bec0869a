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
        var trimmed = stateDirectory ?? IncidentStore.defaultStateDirectory
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
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

/// The readable form of an incident file, from its JSON so that any schema 1 file renders,
/// whichever version of headroom wrote it. Missing values show as "?".
enum IncidentText {
    static func render(_ doc: JSONValue) -> String {
        var out: [String] = []
        let id = doc.text("id") ?? "?"
        var title = "Incident \(id)"
        if let host = doc.text("host") { title += " on \(host)" }
        if let started = doc.text("started_at") { title += ", \(started)" }
        if doc.value("dry_run") == .bool(true) { title += " (dry run)" }
        out.append(title)
        out.append("")
        out.append(doc.text("narrative") ?? "(no narrative)")
        out.append("")

        let trigger = doc.value("trigger")
        var triggerLine = "Trigger    " + (trigger?.text("sentence") ?? "?")
        if let signal = trigger?.text("signal") {
            triggerLine += " [\(signal)"
            if let held = trigger?.double("held_seconds") { triggerLine += ", held \(seconds(held))" }
            triggerLine += "]"
        }
        out.append(triggerLine)
        out.append("Level      \(doc.text("level") ?? "?"), kind \(doc.text("kind") ?? "?")")
        if let system = doc.value("system") {
            var line = "System     available \(size(system.double("mem_available_bytes"))) of "
                + "\(size(system.double("mem_total_bytes")))"
            if let total = system.double("swap_total_bytes"), total > 0, let free = system.double("swap_free_bytes") {
                line += ", swap \(size(total - free)) used of \(size(total))"
            }
            if let some = system.value("pressure")?.value("some")?.double("avg10"),
               let full = system.value("pressure")?.value("full")?.double("avg10") {
                line += ", PSI some \(twoDecimals(some)) % full \(twoDecimals(full)) %"
            }
            if let forecast = system.double("forecast_seconds") { line += ", forecast \(seconds(forecast))" }
            out.append(line)
        }
        out.append("Culprit    " + (doc.text("culprit") ?? "none"))

        let candidates = doc.value("candidates")?.items ?? []
        out.append("")
        if candidates.isEmpty {
            out.append("Candidates: none")
        } else {
            out.append("Candidates (score and its parts):")
            var table = TextTable(header: ["UNIT", "CATEGORY", "SCORE", "WORKING SET", "OVER", "GROWTH", "WINDOW",
                                           "SWAP", "PSI SOME10", "WEIGHT", "EXCLUDED"],
                                  rightAligned: [2, 3, 4, 5, 6, 7, 8, 9])
            for candidate in candidates {
                let parts = candidate.value("parts")
                var row: [String] = []
                row.append(candidate.text("unit") ?? "?")
                row.append(candidate.text("category") ?? "?")
                row.append(candidate.double("score").map(twoDecimals) ?? "?")
                row.append(size(parts?.double("working_set_bytes")))
                row.append(size(parts?.double("over_bytes")))
                row.append(size(parts?.double("growth_bytes")))
                row.append(parts?.double("growth_window_seconds").map(seconds) ?? "?")
                row.append(size(parts?.double("swap_bytes")))
                row.append(parts?.double("pressure_some_avg10").map(twoDecimals) ?? "?")
                row.append(parts?.double("weight").map(twoDecimals) ?? "?")
                row.append(candidate.text("excluded_reason") ?? "-")
                table.add(row)
            }
            out.append(table.render(indent: "  "))
        }

        let actions = doc.value("actions")?.items ?? []
        out.append("")
        if actions.isEmpty {
            out.append("Actions: none")
        } else {
            out.append("Actions:")
            var table = TextTable(header: ["ACTION", "UNIT", "ISSUED", "FINISHED", "RESULT", "DRY RUN"])
            for action in actions {
                table.add([action.text("kind") ?? "?", action.text("unit") ?? "?",
                           action.integer("issued_at_ms").map(RFC3339.utc) ?? "?",
                           action.integer("finished_at_ms").map(RFC3339.utc) ?? "-",
                           action.text("result") ?? "pending",
                           action.value("dry_run") == .bool(true) ? "yes" : "no"])
            }
            out.append(table.render(indent: "  "))
        }

        out.append("")
        var outcome = "Outcome    " + (doc.text("outcome") ?? "?")
        if let released = doc.double("memory_released_bytes") {
            outcome += "; memory released: " + (released < 0 ? "-" + size(-released) : size(released))
        }
        out.append(outcome)
        let kills = doc.integer("kernel_oom_kills_during") ?? 0
        let killed = doc.value("kernel_oom_killed_units")?.items.compactMap { $0.text() } ?? []
        if kills > 0 || !killed.isEmpty {
            out.append("Kernel OOM kills during the incident: \(kills)"
                + (killed.isEmpty ? "" : " (in \(killed.joined(separator: ", ")))"))
        }
        if let updated = doc.text("updated_at") { out.append("Updated    \(updated)") }
        return out.joined(separator: "\n")
    }

    private static func size(_ bytes: Double?) -> String {
        guard let bytes, bytes >= 0, bytes < 1.8e19 else { return "?" }
        return ByteSize.format(UInt64(bytes))
    }

    private static func seconds(_ value: Double) -> String { "\(Int(value.rounded())) s" }

    /// "12.34", as the kernel prints PSI averages.
    static func twoDecimals(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "?" }
        let hundredths = Int64((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let fraction = abs(hundredths) % 100
        return "\(sign)\(abs(hundredths) / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

private extension JSONValue {
    func value(_ key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    func text(_ key: String? = nil) -> String? {
        let item = key.map { value($0) } ?? self
        if case .string(let text)? = item { return text }
        return nil
    }

    func integer(_ key: String) -> Int64? {
        if case .integer(let number)? = value(key) { return number }
        return nil
    }

    func double(_ key: String) -> Double? {
        switch value(key) {
        case .integer(let number)?: Double(number)
        case .number(let number)?: number
        default: nil
        }
    }

    var items: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }
}
