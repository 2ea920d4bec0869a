import ArgumentParser
import HeadroomCore

struct StatusCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Memory, swap, swappiness, pressure (PSI) and the services using most memory.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print JSON (shape in docs/JSON.md).")
    var json = false

    @Option(help: "How many services to list, largest working set first.")
    var top = 10

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
    }

    func execute(_ output: inout CommandOutput) -> Int32 {
        guard let readings = Readings.load(common, &output) else { return 1 }
        let report = StatusReport.make(system: readings.system, scan: readings.scan,
                                       config: readings.config.budget, limit: top)
        output.print(json ? report.jsonValue.rendered() : report.renderText())
        return 0
    }
}
