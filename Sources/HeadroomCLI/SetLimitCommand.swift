import ArgumentParser
import HeadroomCore
import HeadroomLinux

/// `headroom set-limit UNIT`: sets and records a runtime limit as the daemon's throttle or
/// containment would, so the e2e suite (and an operator trying `release`) can exercise the
/// systemd path without provoking memory pressure. Hidden: the daemon decides these itself.
struct SetLimitCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-limit",
        abstract: "Set and record a runtime MemoryHigh/MemoryMax as Headroom would (for tests; lift with `release`).",
        shouldDisplay: false)

    @Argument(help: ArgumentHelp("The unit, e.g. web.service.", valueName: "UNIT"))
    var unit: String

    @Option(help: ArgumentHelp("throttle or contain.", valueName: "PURPOSE"))
    var purpose: String = RuntimeLimitPurpose.contain.rawValue

    @Option(name: .customLong("memory-high"), help: ArgumentHelp("MemoryHigh, e.g. 512MiB.", valueName: "SIZE"))
    var memoryHigh: String?

    @Option(name: .customLong("memory-max"), help: ArgumentHelp("MemoryMax, e.g. 700MiB.", valueName: "SIZE"))
    var memoryMax: String?

    @Flag(name: .customLong("on-loop"), help: "Send it as the daemon does, through SystemdBus on the event loop.")
    var onLoop = false

    @OptionGroup var state: StateDirectoryOption

    func validate() throws {
        if let problem = UnitName.validationError(unit) { throw ValidationError("UNIT '\(unit)': \(problem)") }
        if RuntimeLimitPurpose(rawValue: purpose) == nil { throw ValidationError("--purpose: expected throttle or contain") }
        if memoryHigh == nil && memoryMax == nil { throw ValidationError("give --memory-high and/or --memory-max") }
        _ = try values()
    }

    func values() throws(ValidationError) -> [UnitMemoryProperty: UInt64] {
        var values: [UnitMemoryProperty: UInt64] = [:]
        for (property, text) in [(UnitMemoryProperty.memoryHigh, memoryHigh), (.memoryMax, memoryMax)] {
            guard let text else { continue }
            switch ByteSize.parse(text) {
            case .success(let bytes): values[property] = bytes
            case .failure(let error): throw ValidationError("--\(property == .memoryHigh ? "memory-high" : "memory-max"): \(error.message)")
            }
        }
        return values
    }

    func execute(_ output: inout CommandOutput) -> Int32 {
        do {
            let systemd = try SystemdUnitProperties()
            let keeper = RuntimeLimitKeeper(systemd: onLoop ? try LoopUnitProperties(reader: systemd) : systemd,
                                            store: RuntimeLimitStore(stateDirectory: state.directory))
            let limit = try keeper.apply(unit: unit, purpose: RuntimeLimitPurpose(rawValue: purpose) ?? .contain,
                                         values: try values(), nowMs: Clock.wallClockMs())
            let set = UnitMemoryProperty.allCases.compactMap { property in
                limit.values[property].map { RuntimeLimit.describe(property, $0) }
            }
            output.print("set \(set.joined(separator: ", ")) on \(unit) (\(limit.purpose.rawValue), runtime); "
                + "lift with: headroom release \(unit)")
            return 0
        } catch {
            output.error("\(error)")
            return 1
        }
    }
}
