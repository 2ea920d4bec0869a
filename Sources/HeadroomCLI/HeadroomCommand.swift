import ArgumentParser

/// The `headroom` command line.
public struct HeadroomCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "headroom",
        abstract: "Memory-pressure and OOM supervisor for Linux VMs.",
        discussion: "Read commands work with or without the daemon running. See README.md and docs/.",
        subcommands: [StatusCommand.self, BudgetCommand.self, ConfigCommand.self, IncidentsCommand.self, CheckCommand.self,
                      MetricsCommand.self, DaemonCommand.self, ReleaseCommand.self, SetLimitCommand.self,
                      InspectUnitCommand.self])

    public init() {}
}

/// Runs the command line in-process, as `main` does, but returns what it printed.
public enum HeadroomCLI {
    public static func run(_ arguments: [String]) -> (code: Int32, output: CommandOutput) {
        var output = CommandOutput()
        do {
            let command = try HeadroomCommand.parseAsRoot(arguments)
            guard let reporting = command as? any ReportingCommand else {
                output.standardOutput = HeadroomCommand.helpMessage(for: type(of: command)) + "\n"
                return (0, output)
            }
            return (reporting.execute(&output), output)
        } catch {
            output.standardError = HeadroomCommand.fullMessage(for: error) + "\n"
            return (HeadroomCommand.exitCode(for: error).rawValue, output)
        }
    }
}
