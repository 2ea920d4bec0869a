import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// A thin wrapper over sd-event: one thread, one loop that owns all the daemon's state.
/// sd-event delivers EPOLLPRI for PSI triggers (libdispatch and NIO do not), runs the
/// watchdog pings from the loop itself, and carries sd-bus.
public final class EventLoop {
    let event: OpaquePointer
    private var retained: [AnyObject] = []
    private var ioHandlers: [OpaquePointer: Handler] = [:]

    final class Handler {
        let call: (UInt32) -> Void
        init(_ call: @escaping (UInt32) -> Void) { self.call = call }
    }

    public init() throws(SystemdError) {
        var event: OpaquePointer?
        let result = sd_event_new(&event)
        guard result >= 0, let event else { throw SystemdError(call: "sd_event_new", code: result) }
        self.event = event
    }

    deinit {
        for source in ioHandlers.keys { sd_event_source_unref(source) }
        sd_event_unref(event)
    }

    /// Monotonic seconds as the loop sees them.
    public var now: Double {
        var usec: UInt64 = 0
        if sd_event_now(event, CLOCK_MONOTONIC, &usec) < 0 {
            var spec = timespec()
            clock_gettime(CLOCK_MONOTONIC, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        }
        return Double(usec) / 1e6
    }

    /// A one-shot timer; re-arm it with `rearm(_:after:)`.
    public func addTimer(after seconds: Double, _ body: @escaping () -> Void) throws(SystemdError) -> OpaquePointer {
        let handler = Handler { _ in body() }
        retained.append(handler)
        var source: OpaquePointer?
        let result = sd_event_add_time_relative(event, &source, CLOCK_MONOTONIC, Self.usec(seconds), 1000, { _, _, userdata in
            Unmanaged<Handler>.fromOpaque(userdata!).takeUnretainedValue().call(0)
            return 0
        }, Unmanaged.passUnretained(handler).toOpaque())
        guard result >= 0, let source else { throw SystemdError(call: "sd_event_add_time_relative", code: result) }
        return source
    }

    public func rearm(_ source: OpaquePointer, after seconds: Double) {
        sd_event_source_set_time_relative(source, Self.usec(seconds))
        sd_event_source_set_enabled(source, Int32(SD_EVENT_ONESHOT))
    }

    /// Watches `fd`; EPOLLERR and EPOLLHUP are always reported, whatever `events` says, so a
    /// handler that sees them must `removeIO` the source or the loop spins on it.
    /// - Returns: the source, for `removeIO`.
    @discardableResult
    public func addIO(fd: Int32, events: UInt32, _ body: @escaping (UInt32) -> Void) throws(SystemdError) -> OpaquePointer {
        let handler = Handler(body)
        var source: OpaquePointer?
        let result = sd_event_add_io(event, &source, fd, events, { _, _, revents, userdata in
            Unmanaged<Handler>.fromOpaque(userdata!).takeUnretainedValue().call(revents)
            return 0
        }, Unmanaged.passUnretained(handler).toOpaque())
        guard result >= 0, let source else { throw SystemdError(call: "sd_event_add_io", code: result) }
        ioHandlers[source] = handler
        return source
    }

    /// Stops watching: the source is disabled and released (the caller closes the fd).
    public func removeIO(_ source: OpaquePointer) {
        sd_event_source_set_enabled(source, Int32(SD_EVENT_OFF))
        sd_event_source_unref(source)
        ioHandlers[source] = nil
    }

    /// One iteration: waits up to `seconds` for an event and dispatches it. - Returns: sd_event_run's result.
    @discardableResult
    public func runOnce(timeout seconds: Double) -> Int32 { sd_event_run(event, Self.usec(seconds)) }

    /// Blocks the signals and delivers them through the loop.
    public func addSignals(_ signals: [Int32], _ body: @escaping (Int32) -> Void) throws(SystemdError) {
        let blocked = signals.withUnsafeBufferPointer { headroom_block_signals($0.baseAddress, Int32($0.count)) }
        guard blocked == 0 else { throw SystemdError(call: "sigprocmask", code: -errno) }
        for signal in signals {
            let handler = Handler { _ in body(signal) }
            retained.append(handler)
            let result = sd_event_add_signal(event, nil, signal, { _, _, userdata in
                Unmanaged<Handler>.fromOpaque(userdata!).takeUnretainedValue().call(0)
                return 0
            }, Unmanaged.passUnretained(handler).toOpaque())
            guard result >= 0 else { throw SystemdError(call: "sd_event_add_signal(\(signal))", code: result) }
        }
    }

    /// Sends WATCHDOG=1 from the loop when the service has WatchdogSec=.
    public func enableWatchdog() { sd_event_set_watchdog(event, 1) }

    public func run() -> Int32 { sd_event_loop(event) }

    public func exit(code: Int32) { sd_event_exit(event, code) }

    static func usec(_ seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1_000_000) }
}

/// A libsystemd call that failed, with its negative errno.
public struct SystemdError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let code: Int32

    public var description: String { "\(call) failed: \(String(cString: strerror(-code)))" }
}
