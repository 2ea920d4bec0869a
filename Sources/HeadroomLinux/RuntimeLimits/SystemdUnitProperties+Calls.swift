import CSystemd
#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

extension SystemdUnitProperties {
    /// Calls a manager method and returns the reply, which the caller unrefs.
    func callManager(_ member: String, unit: String, operation: String,
                     append: (OpaquePointer) -> Int32) throws(UnitPropertyError) -> OpaquePointer {
        var message: OpaquePointer?
        var result = sd_bus_message_new_method_call(busHandle, &message, Self.destination, Self.managerPath,
                                                    Self.managerInterface, member)
        guard result >= 0, let message else { throw local(unit, operation, "sd_bus_message_new_method_call", result) }
        defer { sd_bus_message_unref(message) }
        result = append(message)
        guard result >= 0 else { throw local(unit, operation, "building the \(member) call", result) }
        var error = sd_bus_error(name: nil, message: nil, _need_free: 0)
        defer { sd_bus_error_free(&error) }
        var reply: OpaquePointer?
        result = sd_bus_call(busHandle, message, timeoutMicroseconds, &error, &reply)
        guard result >= 0, let reply else { throw Self.failure(unit, operation, error, result) }
        return reply
    }

    /// A `t` property of a unit object.
    func readUnsigned(_ unit: String, _ path: String, _ interface: String, _ name: String) throws(UnitPropertyError) -> UInt64 {
        var error = sd_bus_error(name: nil, message: nil, _need_free: 0)
        defer { sd_bus_error_free(&error) }
        var value: UInt64 = 0
        let result = sd_bus_get_property_trivial(busHandle, Self.destination, path, interface, name, &error,
                                                 SetUnitPropertiesMessage.type("t"), &value)
        guard result >= 0 else { throw Self.failure(unit, "read \(name)", error, result) }
        return value
    }

    /// An `s` property of a unit object.
    func readString(_ unit: String, _ path: String, _ interface: String, _ name: String) throws(UnitPropertyError) -> String {
        var error = sd_bus_error(name: nil, message: nil, _need_free: 0)
        defer { sd_bus_error_free(&error) }
        var value: UnsafeMutablePointer<CChar>?
        let result = sd_bus_get_property_string(busHandle, Self.destination, path, interface, name, &error, &value)
        guard result >= 0, let value else { throw Self.failure(unit, "read \(name)", error, result) }
        defer { free(value) }
        return String(cString: value)
    }

    private func local(_ unit: String, _ operation: String, _ step: String, _ code: Int32) -> UnitPropertyError {
        UnitPropertyError(kind: .busError, unit: unit, operation: operation,
                          message: "\(step) failed: \(String(cString: strerror(-code)))")
    }

    static func failure(_ unit: String, _ operation: String, _ error: sd_bus_error, _ code: Int32) -> UnitPropertyError {
        guard let namePointer = error.name else {
            return UnitPropertyError(kind: .busError, unit: unit, operation: operation,
                                     message: "sd_bus_call failed: \(String(cString: strerror(-code)))")
        }
        let name = String(cString: namePointer)
        let text = error.message.map { String(cString: $0) } ?? ""
        let kind: UnitPropertyError.Kind = UnitPropertyError.noSuchUnitNames.contains(name) ? .noSuchUnit : .busError
        return UnitPropertyError(kind: kind, unit: unit, operation: operation, busError: name, message: text)
    }
}
