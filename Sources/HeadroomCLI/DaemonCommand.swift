import ArgumentParser
import HeadroomCore
import HeadroomLinux

struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the supervisor (systemd Type=notify): watch memory pressure, restart the culprit "
            + "before the kernel OOM killer acts, file incidents.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Decide and record everything (incidents, journal), change nothing on the system.")
    var dryRun = false

    @Option(help: ArgumentHelp("Where incidents and the original swappiness are kept.", valueName: "DIR"))
    var stateDir = "/var/lib/headroom"

    func run() throws {
        do {
            if let fixed = try StateDirectory.prepare(stateDir) { DaemonLog.write(.warning, fixed) }
        } catch {
            DaemonLog.write(.error, "cannot start: \(error)")
            throw ExitCode(1)
        }
        let (config, configProblem) = LastGoodConfig(stateDirectory: stateDir).loadForStart(path: common.config)
        if let configProblem { DaemonLog.write(.error, configProblem) }
        let store = IncidentStore(directory: stateDir + "/incidents", keepCount: config.incidents.keepCount,
                                  keepDays: config.incidents.keepDays)
        let host = HostIdentity.hostname()
        let bootID = HostIdentity.bootID(paths: common.paths)
        let options = Daemon.Options(paths: common.paths, configPath: common.config, stateDirectory: stateDir,
                                     dryRun: dryRun)
        let daemon: Daemon
        do {
            daemon = try Daemon(
                options: options, config: config,
                writeIncident: { incident in
                    Result { () throws(IncidentStoreError) -> String in
                        try store.write(incident, host: host, bootId: bootID)
                    }.mapError { $0 as any Error }
                },
                pruneIncidents: {
                    let nowMs = Clock.wallClockMs()
                    for removed in store.prune(nowMs: nowMs, boot: .current(paths: common.paths, nowMs: nowMs)) {
                        DaemonLog.write(.info, "incident retention: removed \(removed)")
                    }
                })
        } catch {
            DaemonLog.write(.error, "cannot start: \(error)")
            throw ExitCode(1)
        }
        let code = daemon.run()
        if code != 0 { throw ExitCode(code) }
    }
}
