import ArgumentParser
import HeadroomCore
import HeadroomLinux

/// `headroom release UNIT | --all`: lifts the runtime MemoryHigh/MemoryMax Headroom set.
struct ReleaseCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Lift the runtime MemoryHigh/MemoryMax Headroom set on a unit (throttle or containment).",
        discussion: "Each property Headroom set goes back, at runtime, to the value the unit had before "
            + "(usually infinity); the unit is then forgotten from STATE_DIR/\(RuntimeLimitStore.fileName). "
            + "Works with or without the daemon running; needs systemd's D-Bus API (root).")

    @Argument(help: ArgumentHelp("The unit, e.g. web.service.", valueName: "UNIT"))
    var unit: String?

    @Flag(help: "Release every unit Headroom has limited.")
    var all = false

    @OptionGroup var state: StateDirectoryOption

    func validate() throws {
        if all == (unit != nil) { throw ValidationError("name one UNIT or give --all") }
        if let unit, let problem = UnitName.validationError(unit) { throw ValidationError("UNIT '\(unit)': \(problem)") }
    }

    func execute(_ output: inout CommandOutput) -> Int32 {
        execute(&output) { () throws(UnitPropertyError) -> any UnitPropertyAccess in try SystemdUnitProperties() }
    }

    /// - Parameter connect: reaches systemd; only called when there is something to ask it.
    func execute(_ output: inout CommandOutput,
                 connect: () throws(UnitPropertyError) -> any UnitPropertyAccess) -> Int32 {
        let store = RuntimeLimitStore(stateDirectory: state.directory)
        let record: RuntimeLimitRecord
        do { record = try store.load() } catch {
            output.error("\(error)")
            return 1
        }
        let units = unit.map { [$0] } ?? record.sorted.map(\.unit)
        if all && units.isEmpty {
            output.print("Headroom has no runtime limits recorded in \(store.path): nothing to release")
            return 0
        }
        if let unit, record[unit] == nil {
            output.error(Self.notRecorded(unit, connect: connect))
            return 1
        }
        let systemd: any UnitPropertyAccess
        do { systemd = try connect() } catch {
            output.error("\(error); nothing was released")
            return 1
        }
        let keeper = RuntimeLimitKeeper(systemd: systemd, store: store)
        var failed = false
        for unit in units {
            do throws(RuntimeLimitError) {
                output.print(try keeper.release(unit: unit).sentence)
            } catch {
                output.error("\(error)")
                failed = true
            }
        }
        return failed ? 1 : 0
    }

    /// Says whether systemd knows the unit at all, and what is set on it, when it can be asked.
    static func notRecorded(_ unit: String, connect: () throws(UnitPropertyError) -> any UnitPropertyAccess) -> String {
        let base = "Headroom has set no runtime limit on \(unit), nothing to release"
        do throws(UnitPropertyError) {
            let limits = try connect().memoryLimits(unit: unit)
            let shown = UnitMemoryProperty.allCases.compactMap { property in
                limits[property].map { RuntimeLimit.describe(property, $0) }
            }.joined(separator: ", ")
            return base + " (its \(shown) come from its unit files or another tool)"
        } catch where error.kind == .noSuchUnit {
            return base + "; systemd does not know the unit either (\(error.busError ?? "no such unit"))"
        } catch {
            return base
        }
    }
}

/// Headroom's state directory, as for `headroom daemon --state-dir`.
struct StateDirectoryOption: ParsableArguments {
    @Option(name: .customLong("state-dir"), help: ArgumentHelp(
        "Headroom's state directory (default \(IncidentStore.defaultStateDirectory), as for `headroom daemon`).",
        valueName: "DIR"))
    var stateDirectory: String?

    var directory: String { stateDirectory ?? IncidentStore.defaultStateDirectory }
}
