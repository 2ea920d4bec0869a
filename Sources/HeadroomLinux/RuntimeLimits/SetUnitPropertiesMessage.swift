import CSystemd
import HeadroomCore

/// The arguments of `SetUnitProperties(s name, b runtime, a(sv) properties)` for memory
/// properties (all of D-Bus type `t`), appended to a method call; shared by the blocking
/// client and `SystemdBus`.
enum SetUnitPropertiesMessage {
    static let member = "SetUnitProperties"

    /// - Returns: a negative errno from sd-bus on failure, as sd-bus functions do.
    static func append(to message: OpaquePointer, unit: String,
                       _ assignments: [(property: UnitMemoryProperty, value: UInt64)]) -> Int32 {
        var result = unit.withCString { sd_bus_message_append_basic(message, type("s"), $0) }
        var runtime: Int32 = 1
        if result >= 0 { result = sd_bus_message_append_basic(message, type("b"), &runtime) }
        if result >= 0 { result = sd_bus_message_open_container(message, type("a"), "(sv)") }
        for (property, value) in assignments where result >= 0 {
            var number = value
            result = sd_bus_message_open_container(message, type("r"), "sv")
            if result >= 0 { result = property.rawValue.withCString { sd_bus_message_append_basic(message, type("s"), $0) } }
            if result >= 0 { result = sd_bus_message_open_container(message, type("v"), "t") }
            if result >= 0 { result = sd_bus_message_append_basic(message, type("t"), &number) }
            if result >= 0 { result = sd_bus_message_close_container(message) }
            if result >= 0 { result = sd_bus_message_close_container(message) }
        }
        if result >= 0 { result = sd_bus_message_close_container(message) }
        return result
    }

    static func type(_ code: Unicode.Scalar) -> CChar { CChar(UInt8(ascii: code)) }

    /// "MemoryHigh=512 MiB, MemoryMax=infinity".
    static func describe(_ assignments: [(property: UnitMemoryProperty, value: UInt64)]) -> String {
        assignments.map { RuntimeLimit.describe($0.property, $0.value) }.joined(separator: ", ")
    }
}
