import HeadroomCore
import HeadroomLinux

/// Sets properties through `SystemdBus` on an `EventLoop`, as the daemon would, and reads
/// them through the blocking client: `set-limit --on-loop` checks the daemon's path in the guest.
final class LoopUnitProperties: UnitPropertyAccess {
    let reader: SystemdUnitProperties
    let loop: EventLoop
    let bus: SystemdBus

    init(reader: SystemdUnitProperties) throws(SystemdError) {
        self.reader = reader
        loop = try EventLoop()
        bus = SystemdBus(loop: loop)
        try bus.connect()
    }

    func set(unit: String, _ assignments: [(property: UnitMemoryProperty, value: UInt64)]) throws(UnitPropertyError) {
        var outcome: Result<String?, BusCallError>?
        bus.setMemoryProperties(unit: unit, assignments) { [loop] result in
            outcome = result
            loop.exit(code: 0)
        }
        if outcome == nil { _ = loop.run() }
        if case .failure(let error)? = outcome {
            throw UnitPropertyError(kind: .busError, unit: unit, operation: "set on the event loop", message: error.description)
        }
    }

    func memoryLimits(unit: String) throws(UnitPropertyError) -> [UnitMemoryProperty: UInt64] {
        try reader.memoryLimits(unit: unit)
    }
}
