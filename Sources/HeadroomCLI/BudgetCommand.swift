import ArgumentParser
import HeadroomCore

struct BudgetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "The platform memory budget: expected against actual per category and unit, "
            + "and what is left for applications.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print JSON (shape in docs/JSON.md).")
    var json = false

    func execute(_ output: inout CommandOutput) -> Int32 {
        guard let readings = Readings.load(common, &output) else { return 1 }
        let report = readings.budget()
        let unavailable = Unavailability.sentences(system: readings.system, scan: readings.scan)
        output.print(json ? report.jsonValue(unavailable: unavailable).rendered()
                          : report.renderText(unavailable: unavailable))
        for problem in readings.scan.problems { output.error("left out: \(problem)") }
        return 0
    }
}
