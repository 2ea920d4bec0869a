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
        let config: HeadroomConfig
        do {
            config = try ConfigLoader.load(path: options.config)
        } catch {
            output.error("invalid config: \(error)")
            return nil
        }
        let paths = options.paths
        let system: SystemSample
        do {
            system = try SystemSampler(paths: paths).sample()
        } catch {
            output.error("cannot read the system's memory figures: \(error)")
            return nil
        }
        let scan = ServiceSampler(visibility: CgroupDiscovery.discover(paths: paths)).scan()
        return Readings(config: config, system: system, scan: scan)
    }
}
