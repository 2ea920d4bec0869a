import CSystemd
#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Runtime memory properties of units through systemd's manager, with blocking calls on
/// its own system-bus connection: for `headroom release`, for the daemon's start and stop,
/// and for decisions taken once (not per tick). Every unit name is validated before use.
public final class SystemdUnitProperties {
    let busHandle: OpaquePointer
    /// Per call; systemd answers property calls in milliseconds unless it is wedged.
    public var timeoutMicroseconds: UInt64 = 5_000_000

    static let destination = "org.freedesktop.systemd1"
    static let managerPath = "/org/freedesktop/systemd1"
    static let managerInterface = "org.freedesktop.systemd1.Manager"

    /// Connects to the system bus.
    /// - Throws: `UnitPropertyError` of kind `.noBus` when there is no system bus (no systemd).
    public init() throws(UnitPropertyError) {
        var connection: OpaquePointer?
        let result = sd_bus_open_system(&connection)
        guard result >= 0, let connection else {
            throw UnitPropertyError(kind: .noBus, unit: "the system bus", operation: "connect",
                                    message: "\(String(cString: strerror(-result))) (is systemd running, with D-Bus?)")
        }
        busHandle = connection
    }

    deinit { sd_bus_flush_close_unref(busHandle) }

    /// `SetUnitProperties(unit, runtime=true, assignments)`: lost at reboot, written by systemd
    /// under /run/systemd/system.control/UNIT.d/.
    public func set(unit: String, _ assignments: [(property: UnitMemoryProperty, value: UInt64)]) throws(UnitPropertyError) {
        let operation = "set " + SetUnitPropertiesMessage.describe(assignments)
        try validate(unit, operation)
        let reply = try callManager(SetUnitPropertiesMessage.member, unit: unit, operation: operation) { message in
            SetUnitPropertiesMessage.append(to: message, unit: unit, assignments)
        }
        sd_bus_message_unref(reply)
    }

    /// The unit's current `MemoryHigh` and `MemoryMax` (UInt64.max = infinity).
    public func memoryLimits(unit: String) throws(UnitPropertyError) -> [UnitMemoryProperty: UInt64] {
        let path = try unitPath(unit, operation: "read MemoryHigh and MemoryMax")
        guard let interface = Self.cgroupInterface(of: unit) else {
            throw UnitPropertyError(kind: .invalidName, unit: unit, operation: "read MemoryHigh and MemoryMax",
                                    message: "only services, scopes and slices have memory properties")
        }
        var limits: [UnitMemoryProperty: UInt64] = [:]
        for property in UnitMemoryProperty.allCases {
            limits[property] = try readUnsigned(unit, path, interface, property.rawValue)
        }
        return limits
    }

    /// When the unit last started (`ExecMainStartTimestampMonotonic` for services,
    /// `ActiveEnterTimestampMonotonic`): call on relist, not per tick.
    public func startTimes(unit: String) throws(UnitPropertyError) -> UnitStartTimes {
        let path = try unitPath(unit, operation: "read its start time")
        let active = try readUnsigned(unit, path, "org.freedesktop.systemd1.Unit", "ActiveEnterTimestampMonotonic")
        let exec = UnitName.typeSuffix(of: unit) == "service"
            ? try readUnsigned(unit, path, "org.freedesktop.systemd1.Service", "ExecMainStartTimestampMonotonic") : 0
        return UnitStartTimes(activeEnterMicroseconds: active, execMainStartMicroseconds: exec)
    }

    /// The unit's cgroup below the cgroup v2 mount (`ControlGroup`, e.g. "/system.slice/web.service");
    /// nil when it has none (not running).
    public func controlGroup(unit: String) throws(UnitPropertyError) -> String? {
        let path = try unitPath(unit, operation: "read ControlGroup")
        guard let interface = Self.cgroupInterface(of: unit) else { return nil }
        let value = try readString(unit, path, interface, "ControlGroup")
        return value.isEmpty ? nil : value
    }

    /// The D-Bus interface holding a unit type's cgroup properties.
    static func cgroupInterface(of unit: String) -> String? {
        switch UnitName.typeSuffix(of: unit) {
        case "service": "org.freedesktop.systemd1.Service"
        case "scope": "org.freedesktop.systemd1.Scope"
        case "slice": "org.freedesktop.systemd1.Slice"
        default: nil
        }
    }

    private func validate(_ unit: String, _ operation: String) throws(UnitPropertyError) {
        if let problem = UnitName.validationError(unit) {
            throw UnitPropertyError(kind: .invalidName, unit: "'\(unit)'", operation: operation, message: problem)
        }
    }

    /// `GetUnit(unit)`: the object path of a loaded unit; `.noSuchUnit` when systemd has not loaded it.
    private func unitPath(_ unit: String, operation: String) throws(UnitPropertyError) -> String {
        try validate(unit, operation)
        let reply = try callManager("GetUnit", unit: unit, operation: operation) { message in
            unit.withCString { sd_bus_message_append_basic(message, SetUnitPropertiesMessage.type("s"), $0) }
        }
        defer { sd_bus_message_unref(reply) }
        var path: UnsafePointer<CChar>?
        guard sd_bus_message_read_basic(reply, SetUnitPropertiesMessage.type("o"), &path) > 0, let path else {
            throw UnitPropertyError(kind: .busError, unit: unit, operation: operation,
                                    message: "GetUnit's reply holds no object path")
        }
        return String(cString: path)
    }
}
