import ArgumentParser
import HeadroomCore
import HeadroomLinux

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Read every kernel path under DIR (DIR/proc/..., DIR/sys/..., cgroup v2 at DIR/sys/fs/cgroup).",
        valueName: "DIR"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp(
        "The config file (default \(HeadroomConfig.defaultPath); absent default file = all defaults).",
        valueName: "FILE"))
    var config: String?

    var paths: KernelPaths { KernelPaths(root: root) }
}

/// A command whose work is a function of its options: testable without a process.
protocol ReportingCommand: ParsableCommand {
    /// - Returns: the exit code.
    func execute(_ output: inout CommandOutput) -> Int32
}

extension ReportingCommand {
    func run() throws {
        var output = CommandOutput()
        let code = execute(&output)
        output.flush()
        if code != 0 { throw ExitCode(code) }
    }
}

/// The figures every read command starts from.
struct Readings {
    var config: HeadroomConfig
    var system: SystemSample
    var scan: ServiceScan

    /// Loads config and samples; on failure prints the reason and returns nil.
    static func load(_ options: CommonOptions, _ output: inout CommandOutput) -> Readings? {
        switch read(options) {
        case .success(let readings): return readings
        case .failure(let problem):
            output.error(problem.sentence)
            return nil
        }
    }

    /// Why the readings could not be had: a sentence naming the config file or the kernel file.
    struct Problem: Error {
        let sentence: String
    }

    static func read(_ options: CommonOptions) -> Result<Readings, Problem> {
        let config: HeadroomConfig
        do {
            config = try ConfigLoader.load(path: options.config)
        } catch {
            return .failure(Problem(sentence: "invalid config: \(error)"))
        }
        let paths = options.paths
        let system: SystemSample
        do {
            system = try SystemSampler(paths: paths).sample()
        } catch {
            return .failure(Problem(sentence: "cannot read the system's memory figures: \(error)"))
        }
        let scan = ServiceSampler(visibility: CgroupDiscovery.discover(paths: paths)).scan()
        return .success(Readings(config: config, system: system, scan: scan))
    }

    func budget() -> BudgetReport {
        BudgetReport.compute(system: system, services: scan.services, perServiceAvailable: scan.visibility.isAvailable,
                             config: config.budget)
    }
}

/// Where the daemon's status file is.
struct DaemonStatusLocation: ParsableArguments {
    @Option(name: .customLong("status-file"), help: ArgumentHelp(
        "The daemon's status file (default \(DaemonStatusFile.defaultPath), under --root DIR: "
            + "DIR\(DaemonStatusFile.defaultPath)).",
        valueName: "FILE"))
    var statusFile: String?

    func file(_ common: CommonOptions) -> DaemonStatusFile { DaemonStatusFile(paths: common.paths, path: statusFile) }
}

/// Where the daemon's budget record (peaks, overage starts) is.
struct BudgetRecordLocation: ParsableArguments {
    @Option(name: .customLong("budget-record"), help: ArgumentHelp(
        "The daemon's budget record (default \(BudgetRecordFile.defaultPath), under --root DIR: "
            + "DIR\(BudgetRecordFile.defaultPath)).",
        valueName: "FILE"))
    var budgetRecord: String?

    /// The record, nil when there is none; a sentence naming the file when it cannot be read.
    func read(_ common: CommonOptions) -> (record: BudgetRecord?, problem: String?) {
        do {
            return (try BudgetRecordFile(paths: common.paths, path: budgetRecord).read(), nil)
        } catch {
            return (nil, "budget record unreadable, peaks and durations unknown: \(error)")
        }
    }
}
