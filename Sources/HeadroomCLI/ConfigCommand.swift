import ArgumentParser
import HeadroomCore
import HeadroomLinux

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a config file or show the effective config.",
        subcommands: [ConfigCheckCommand.self, ConfigShowCommand.self])
}

struct ConfigCheckCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a config file: exit 0 when valid, 1 with the reason on stderr when not.",
        discussion: """
            Also refuses what headroom-ship would refuse at every run (a secret header, Authorization or \
            tickets.headers_file, to a plain http:// tickets.url without tickets.allow_insecure_http) and \
            warns when the file holds tickets.headers and every user can read it.
            """)

    @Argument(help: ArgumentHelp("The file to check (default: --config, else \(HeadroomConfig.defaultPath)).",
                                 valueName: "FILE"))
    var file: String?

    @OptionGroup var common: CommonOptions

    func execute(_ output: inout CommandOutput) -> Int32 {
        let path = file ?? common.config
        if path == nil && !KernelFileReader.exists(HeadroomConfig.defaultPath) {
            // The daemon runs on the defaults without this file: that is a valid setup, not an error.
            output.print("\(HeadroomConfig.defaultPath) does not exist: the defaults apply (headroom config show)")
            return 0
        }
        let file = path ?? HeadroomConfig.defaultPath
        do {
            let tickets = try ConfigLoader.load(path: file).tickets
            // What headroom-ship would refuse at every run is refused here, where it is fixed.
            var secret = TicketSecretChecks.secretHeaders(tickets)
            if let headersFile = tickets.headersFile { secret.append("the headers of tickets.headers_file \(headersFile)") }
            if let refusal = TicketSecretChecks.insecureHTTP(url: tickets.url, secret: secret, settings: tickets) {
                output.error("invalid config: \(file): \(refusal)")
                return 1
            }
            if let warning = TicketSecretChecks.worldReadableHeaders(tickets, configFile: file) {
                output.error("warning: \(warning)")
            }
            output.print("\(file): valid")
            return 0
        } catch {
            output.error("invalid config: \(error)")
            return 1
        }
    }
}

struct ConfigShowCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the effective config (the file merged over the defaults) as JSON.")

    @OptionGroup var common: CommonOptions

    func execute(_ output: inout CommandOutput) -> Int32 {
        do {
            output.print(try ConfigLoader.load(path: common.config).renderJSON())
            return 0
        } catch {
            output.error("invalid config: \(error)")
            return 1
        }
    }
}
