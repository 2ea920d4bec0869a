import CSystemd
#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// systemd's manager over D-Bus: RestartUnit, KillUnit and the JobRemoved signal,
/// attached to the event loop so replies never block the daemon.
public final class SystemdBus {
    private var bus: OpaquePointer?
    private let loop: EventLoop
    private var jobRemoved: JobRemovedBox?
    /// Called with (unit, job path, result) for every job systemd finishes.
    public var onJobRemoved: (String, String, String) -> Void = { _, _, _ in }

    final class Reply {
        let completion: (Result<String?, BusCallError>) -> Void
        init(_ completion: @escaping (Result<String?, BusCallError>) -> Void) { self.completion = completion }
    }

    final class JobRemovedBox {
        weak var owner: SystemdBus?
    }

    public init(loop: EventLoop) {
        self.loop = loop
    }

    deinit { if let bus { sd_bus_flush_close_unref(bus) } }

    public var isConnected: Bool { bus.map { sd_bus_is_open($0) > 0 } ?? false }

    /// Connects to the system bus, subscribes to systemd's job signals.
    public func connect() throws(SystemdError) {
        if let bus { sd_bus_flush_close_unref(bus); self.bus = nil }
        var connection: OpaquePointer?
        var result = sd_bus_open_system(&connection)
        guard result >= 0, let connection else { throw SystemdError(call: "sd_bus_open_system", code: result) }
        sd_bus_set_exit_on_disconnect(connection, 0)
        result = sd_bus_attach_event(connection, loop.event, 0)
        guard result >= 0 else {
            sd_bus_flush_close_unref(connection)
            throw SystemdError(call: "sd_bus_attach_event", code: result)
        }
        bus = connection
        let box = JobRemovedBox()
        box.owner = self
        jobRemoved = box
        let match = "type='signal',sender='org.freedesktop.systemd1',path='/org/freedesktop/systemd1',"
            + "interface='org.freedesktop.systemd1.Manager',member='JobRemoved'"
        result = sd_bus_add_match(connection, nil, match, { message, userdata, _ in
            let box = Unmanaged<JobRemovedBox>.fromOpaque(userdata!).takeUnretainedValue()
            var id: UInt32 = 0
            var job: UnsafePointer<CChar>?
            var unit: UnsafePointer<CChar>?
            var result: UnsafePointer<CChar>?
            guard sd_bus_message_read_basic(message, CChar(UInt8(ascii: "u")), &id) >= 0,
                  sd_bus_message_read_basic(message, CChar(UInt8(ascii: "o")), &job) >= 0,
                  sd_bus_message_read_basic(message, CChar(UInt8(ascii: "s")), &unit) >= 0,
                  sd_bus_message_read_basic(message, CChar(UInt8(ascii: "s")), &result) >= 0,
                  let job, let unit, let result else {
                DaemonLog.write(.warning, "ignored a malformed JobRemoved signal from systemd")
                return 0
            }
            box.owner?.onJobRemoved(String(cString: unit), String(cString: job), String(cString: result))
            return 0
        }, Unmanaged.passUnretained(box).toOpaque())
        guard result >= 0 else { throw SystemdError(call: "sd_bus_add_match(JobRemoved)", code: result) }
        call("Subscribe", arguments: []) { outcome in
            if case .failure(let error) = outcome { DaemonLog.write(.warning, "systemd Subscribe failed: \(error)") }
        }
    }

    /// `RestartUnit(unit, "replace")`; completes with the job's object path.
    public func restart(unit: String, completion: @escaping (Result<String?, BusCallError>) -> Void) {
        call("RestartUnit", arguments: [.string(unit), .string("replace")], unit: unit, completion: completion)
    }

    /// `KillUnit(unit, "all", SIGKILL)`.
    public func kill(unit: String, completion: @escaping (Result<String?, BusCallError>) -> Void) {
        call("KillUnit", arguments: [.string(unit), .string("all"), .int32(SIGKILL)], unit: unit, completion: completion)
    }

    /// `SetUnitProperties(unit, runtime=true, assignments)` without blocking the loop (PID 1 can be
    /// slow under memory pressure). Recording it is the caller's: `RuntimeLimitStore.update`.
    public func setMemoryProperties(unit: String, _ assignments: [(property: UnitMemoryProperty, value: UInt64)],
                                    completion: @escaping (Result<String?, BusCallError>) -> Void) {
        call(SetUnitPropertiesMessage.member, arguments: [.appended { SetUnitPropertiesMessage.append(to: $0, unit: unit, assignments) }],
             unit: unit, completion: completion)
    }

    enum Argument {
        case string(String)
        case int32(Int32)
        /// Appends its own arguments (containers) to the message; returns the sd-bus result.
        case appended((OpaquePointer) -> Int32)
    }

    private func call(_ member: String, arguments: [Argument], unit: String? = nil,
                      completion: @escaping (Result<String?, BusCallError>) -> Void) {
        if let unit, let problem = UnitName.validationError(unit) {
            completion(.failure(BusCallError(method: member, message: "refused unit name '\(unit)': \(problem)")))
            return
        }
        guard let bus, sd_bus_is_open(bus) > 0 else {
            completion(.failure(BusCallError(method: member, message: "not connected to the system bus")))
            return
        }
        var message: OpaquePointer?
        var result = sd_bus_message_new_method_call(bus, &message, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                                    "org.freedesktop.systemd1.Manager", member)
        guard result >= 0, let message else {
            completion(.failure(BusCallError(method: member, message: SystemdError(call: "new_method_call", code: result).description)))
            return
        }
        defer { sd_bus_message_unref(message) }
        for argument in arguments {
            switch argument {
            case .string(let text):
                result = text.withCString { sd_bus_message_append_basic(message, CChar(UInt8(ascii: "s")), $0) }
            case .int32(var number):
                result = sd_bus_message_append_basic(message, CChar(UInt8(ascii: "i")), &number)
            case .appended(let append):
                result = append(message)
            }
            guard result >= 0 else {
                completion(.failure(BusCallError(method: member, message: SystemdError(call: "append", code: result).description)))
                return
            }
        }
        let reply = Reply(completion)
        result = sd_bus_call_async(bus, nil, message, { message, userdata, _ in
            let reply = Unmanaged<Reply>.fromOpaque(userdata!).takeRetainedValue()
            if let error = sd_bus_message_get_error(message), sd_bus_error_is_set(error) > 0 {
                let name = error.pointee.name.map { String(cString: $0) } ?? "error"
                let text = error.pointee.message.map { String(cString: $0) } ?? ""
                reply.completion(.failure(BusCallError(method: "", message: "\(name): \(text)")))
                return 0
            }
            var path: UnsafePointer<CChar>?
            if sd_bus_message_read_basic(message, CChar(UInt8(ascii: "o")), &path) > 0, let path {
                reply.completion(.success(String(cString: path)))
            } else {
                reply.completion(.success(nil))
            }
            return 0
        }, Unmanaged.passRetained(reply).toOpaque(), 25_000_000)
        if result < 0 {
            Unmanaged.passUnretained(reply).release()
            completion(.failure(BusCallError(method: member, message: SystemdError(call: "sd_bus_call_async", code: result).description)))
        }
    }
}

public struct BusCallError: Error, CustomStringConvertible, Sendable {
    public let method: String
    public let message: String

    public var description: String { method.isEmpty ? message : "\(method): \(message)" }
}
