import HeadroomCore

/// What `RuntimeLimitKeeper` needs from systemd; `SystemdUnitProperties` is the real one.
public protocol UnitPropertyAccess: AnyObject {
    func set(unit: String, _ assignments: [(property: UnitMemoryProperty, value: UInt64)]) throws(UnitPropertyError)
    func memoryLimits(unit: String) throws(UnitPropertyError) -> [UnitMemoryProperty: UInt64]
}

extension SystemdUnitProperties: UnitPropertyAccess {}
