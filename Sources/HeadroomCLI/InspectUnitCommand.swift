import ArgumentParser
import HeadroomCore
import HeadroomLinux

/// `headroom inspect-unit UNIT`: what the daemon's actions read about one unit (its runtime
/// limits, its start by systemd and by its processes, its largest processes, where its shared
/// memory is), as JSON. Hidden: for the e2e suite and for checking the readers on a host.
struct InspectUnitCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect-unit",
        abstract: "Print what Headroom reads about a unit before acting on it (JSON; for tests).",
        shouldDisplay: false)

    @Argument(help: ArgumentHelp("The unit, e.g. web.service.", valueName: "UNIT"))
    var unit: String

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let problem = UnitName.validationError(unit) { throw ValidationError("UNIT '\(unit)': \(problem)") }
    }

    func execute(_ output: inout CommandOutput) -> Int32 {
        do {
            let systemd = try SystemdUnitProperties()
            let limits = try systemd.memoryLimits(unit: unit)
            let start = try systemd.startTimes(unit: unit)
            let now = Clock.monotonicSeconds()
            var object: [String: JSONValue] = [
                "unit": .string(unit),
                "limits": .object(Dictionary(uniqueKeysWithValues: limits.map { property, value in
                    (property.rawValue, value == RuntimeLimit.infinity ? .string("infinity") : .integer(Int64(value)))
                })),
                "active_enter_us": .integer(Int64(clamping: start.activeEnterMicroseconds)),
                "exec_main_start_us": .integer(Int64(clamping: start.execMainStartMicroseconds)),
                "age_by_systemd_s": start.age(now: now).map(JSONValue.number) ?? .null,
            ]
            if let group = try systemd.controlGroup(unit: unit) {
                object.merge(Self.cgroupFacts(common.paths.rootCgroupMount + group, now: now)) { _, new in new }
            }
            output.print(JSONValue.object(object).rendered())
            return 0
        } catch {
            output.error("\(error)")
            return 1
        }
    }

    static func cgroupFacts(_ directory: String, now: Double) -> [String: JSONValue] {
        var facts: [String: JSONValue] = ["cgroup": .string(directory)]
        let processStart = UnitProcessStart.monotonicSeconds(cgroupDirectory: directory)
        facts["age_by_processes_s"] = processStart.map { .number(now - $0) } ?? .null
        do {
            let processes = try ProcessSnapshotReader().snapshot(cgroupDirectory: directory, limit: 5)
            facts["processes"] = .array(processes.processes.map(\.jsonValue))
            facts["processes_listed"] = .integer(Int64(processes.listed))
            let shared = try SharedMemoryLocator().locate(cgroupDirectory: directory, pid: processes.processes.first?.pid)
            facts["shared_memory"] = .string(shared.sentence())
        } catch {
            facts["error"] = .string("\(error)")
        }
        return facts
    }
}
