import HeadroomCore

/// A unit property could not be set or read: which unit, what Headroom tried, and the
/// D-Bus error systemd answered with (or why the bus was not reached).
public struct UnitPropertyError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The name is not a valid unit name; nothing was sent.
        case invalidName
        /// The system bus could not be reached (no systemd, no D-Bus, no permission).
        case noBus
        /// systemd does not know the unit (`org.freedesktop.systemd1.NoSuchUnit`, not loaded).
        case noSuchUnit
        /// Any other D-Bus error: its name is in `busError`.
        case busError
    }

    public var kind: Kind
    public var unit: String
    /// What was tried: "set MemoryHigh=512 MiB", "read MemoryMax".
    public var operation: String
    /// The D-Bus error name, e.g. `org.freedesktop.DBus.Error.AccessDenied`.
    public var busError: String?
    public var message: String

    public init(kind: Kind, unit: String, operation: String, busError: String? = nil, message: String) {
        self.kind = kind
        self.unit = unit
        self.operation = operation
        self.busError = busError
        self.message = message
    }

    public var description: String {
        if kind == .noBus { return "cannot reach systemd on the system bus: \(message)" }
        return "cannot \(operation) on \(unit): " + (busError.map { "\($0): " } ?? "") + message
    }

    static let noSuchUnitNames: Set<String> = ["org.freedesktop.systemd1.NoSuchUnit", "org.freedesktop.systemd1.LoadFailed"]
}
