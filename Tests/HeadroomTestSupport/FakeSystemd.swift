import HeadroomCore
import HeadroomLinux

/// Stands in for systemd's manager: keeps each unit's MemoryHigh/MemoryMax as systemd would
/// and logs every SetUnitProperties call, so tests can check what Headroom sent.
public final class FakeSystemd: UnitPropertyAccess {
    public var units: [String: [UnitMemoryProperty: UInt64]]
    public var calls: [String] = []
    /// Units for which SetUnitProperties fails with AccessDenied.
    public var refusing: Set<String> = []

    public init(units: [String: [UnitMemoryProperty: UInt64]]) { self.units = units }

    public func set(unit: String, _ assignments: [(property: UnitMemoryProperty, value: UInt64)]) throws(UnitPropertyError) {
        calls.append("\(unit): " + assignments.map { RuntimeLimit.describe($0.property, $0.value) }.joined(separator: ", "))
        guard units[unit] != nil else { throw Self.noSuchUnit(unit) }
        if refusing.contains(unit) {
            throw UnitPropertyError(kind: .busError, unit: unit, operation: "set", busError: "org.freedesktop.DBus.Error.AccessDenied",
                                    message: "Access denied")
        }
        for (property, value) in assignments { units[unit]![property] = value }
    }

    public func memoryLimits(unit: String) throws(UnitPropertyError) -> [UnitMemoryProperty: UInt64] {
        guard let limits = units[unit] else { throw Self.noSuchUnit(unit) }
        return limits
    }

    static func noSuchUnit(_ unit: String) -> UnitPropertyError {
        UnitPropertyError(kind: .noSuchUnit, unit: unit, operation: "set", busError: "org.freedesktop.systemd1.NoSuchUnit",
                          message: "Unit \(unit) not loaded.")
    }

    public static let unlimited: [UnitMemoryProperty: UInt64] = [.memoryHigh: RuntimeLimit.infinity, .memoryMax: RuntimeLimit.infinity]
}
