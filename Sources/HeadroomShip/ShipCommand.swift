#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import ArgumentParser
import HeadroomCore
import HeadroomLinux

/// `headroom-ship`: delivers the incidents of the spool to `tickets.url`, then exits.
/// Started by `headroom-ship.path` when an incident file changes and by `headroom-ship.timer`
/// for retries (docs/TICKETS.md).
public struct ShipCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "headroom-ship",
        abstract: "Deliver Headroom's incidents to the ticket webhook (tickets.url), then exit.",
        discussion: """
            Each incident whose outcome is known (or that has been pending longer than the grace period) \
            is POSTed once as its JSON file, with Idempotency-Key: <incident id>. A 2xx marks it delivered \
            (STATE/tickets/ID.delivered); any other answer is retried with back-off from \
            tickets.retry_initial_seconds, doubling up to tickets.retry_maximum_seconds. See docs/TICKETS.md.

            Exit status: 0 every due incident delivered, or none due, or delivery off (tickets.url null); \
            1 some were not delivered (they are retried later) or were pruned before delivery; \
            2 invalid config or usage.
            """)

    @Option(name: .long, help: ArgumentHelp(
        "The config file (default \(HeadroomConfig.defaultPath); absent default file = all defaults).",
        valueName: "FILE"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp(
        "The daemon's state directory: incidents are read from DIR/incidents, delivery state kept in DIR/tickets.",
        valueName: "DIR"))
    var stateDir: String = IncidentStore.defaultStateDirectory

    @Option(name: .long, help: ArgumentHelp(
        "Send an incident still 'pending' once it has not been updated for this long.",
        valueName: "SECONDS"))
    var pendingGrace: Double = DeliveryPolicy.defaultPendingGraceSeconds

    @Flag(name: .long, help: "Try every undelivered incident now, whatever its back-off (after fixing the receiver).")
    var ignoreBackoff = false

    public init() {}

    public func validate() throws {
        guard pendingGrace.isFinite, pendingGrace >= 0 else {
            throw ValidationError("--pending-grace: expected a number of seconds ≥ 0, found \(pendingGrace)")
        }
        guard !stateDir.isEmpty else { throw ValidationError("--state-dir: expected a directory") }
    }

    /// The run, given the poster: (exit code, stdout, stderr).
    public func execute(poster: any TicketPoster = CurlPoster()) -> (code: Int32, output: String, errors: String) {
        let loaded: HeadroomConfig
        do {
            loaded = try ConfigLoader.load(path: config)
        } catch {
            return (2, "", "headroom-ship: invalid config: \(error)\n")
        }
        guard let url = loaded.tickets.url else {
            return (0, "ticket delivery is off (tickets.url is null in \(config ?? HeadroomConfig.defaultPath)); "
                + "nothing sent\n", "")
        }
        var settings = loaded.tickets
        var warnings = ""
        do {
            let secrets = try TicketSecrets.headers(url: url, settings: settings,
                                                    configFile: config ?? HeadroomConfig.defaultPath,
                                                    credentialsDirectory: environment("CREDENTIALS_DIRECTORY"))
            settings.headers = secrets.headers
            warnings = secrets.warnings.map { "warning: \($0)\n" }.joined()
        } catch {
            return (2, "", "headroom-ship: \(error)\n")
        }
        let shipper = Shipper(url: url, settings: settings, stateDirectory: stateDir,
                              policy: DeliveryPolicy(pendingGraceSeconds: pendingGrace, ignoreBackoff: ignoreBackoff),
                              poster: poster)
        let report = shipper.run()
        let output = (report.output + [report.summary]).map { $0 + "\n" }.joined()
        let errors = warnings + report.errors.map { $0 + "\n" }.joined()
        return (report.exitCode, output, errors)
    }

    private func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    public func run() throws {
        let result = execute()
        print(result.output, terminator: "")
        if !result.errors.isEmpty { ShipMain.writeStandardError(result.errors) }
        if result.code != 0 { throw ExitCode(result.code) }
    }
}

/// The executable's entry point: usage errors exit 2 (ArgumentParser's default would be 64).
public enum ShipMain {
    public static func main(_ arguments: [String]) -> Int32 {
        let command: ShipCommand
        do {
            command = try ShipCommand.parse(arguments)
        } catch {
            let code = ShipCommand.exitCode(for: error)
            let message = ShipCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            writeStandardError("headroom-ship: " + message + "\n")
            return 2
        }
        let result = command.execute()
        print(result.output, terminator: "")
        if !result.errors.isEmpty { writeStandardError(result.errors) }
        return result.code
    }

    static func writeStandardError(_ text: String) {
        var remaining = Array(text.utf8)[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if written <= 0 { break }
            remaining = remaining.dropFirst(written)
        }
    }
}
