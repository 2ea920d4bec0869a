import ArgumentParser
import HeadroomCore

struct BudgetCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "The platform memory budget: each category's and unit's budget, actual and peak, "
            + "and what the model leaves for applications.",
        discussion: """
            BUDGET is what the model holds against applications (the cache only beyond the management \
            reserve it shares); PEAK comes from the daemon's budget record (/run/headroom/budget). The model \
            is described in docs/ARCHITECTURE.md.
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var record: BudgetRecordLocation

    @Flag(help: "Print JSON (shape in docs/JSON.md).")
    var json = false

    func execute(_ output: inout CommandOutput) -> Int32 {
        guard let readings = Readings.load(common, &output) else { return 1 }
        var report = readings.budget()
        var unavailable = Unavailability.sentences(system: readings.system, scan: readings.scan)
        let (budgetRecord, problem) = record.read(common)
        if let budgetRecord { report = report.withPeaks(from: budgetRecord) }
        if let problem { unavailable.append(problem) }
        output.print(json ? report.jsonValue(unavailable: unavailable).rendered()
                          : report.renderText(unavailable: unavailable))
        for problem in readings.scan.problems { output.error("left out: \(problem)") }
        return 0
    }
}
