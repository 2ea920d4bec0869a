#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// The PSI triggers the daemon keeps armed: the system file and each top-level slice's
/// `memory.pressure`, kept in step with the slices that exist.
///
/// A slice removed while armed makes the kernel report EPOLLERR on its fd for ever: its
/// source is disabled and the fd closed at the first such event (and on the next listing
/// that no longer has the slice), so the loop never spins on it. A slice created after the
/// start gets its trigger at the next listing.
public final class PressureTriggerSet {
    /// Arms a trigger on a path: the fd to watch and a description for the log.
    public typealias Arm = (String) -> Result<(fd: Int32, window: UInt64), PressureTriggerError>

    let loop: EventLoop
    let arm: Arm
    let onPressure: () -> Void
    let log: (LogLevel, String) -> Void
    private var armed: [String: (fd: Int32, source: OpaquePointer)] = [:]
    /// Paths whose arming failed, so a failure is logged once, not on every listing.
    private var failed: Set<String> = []

    static let pollPriority: UInt32 = 0x002
    static let pollError: UInt32 = 0x008
    static let pollHangUp: UInt32 = 0x010

    public init(loop: EventLoop, arm: @escaping Arm = { PressureTrigger.arm(path: $0) },
                log: @escaping (LogLevel, String) -> Void, onPressure: @escaping () -> Void) {
        self.loop = loop
        self.arm = arm
        self.log = log
        self.onPressure = onPressure
    }

    deinit {
        for path in Array(armed.keys) { disarm(path) }
    }

    /// The paths armed now, sorted.
    public var armedPaths: [String] { armed.keys.sorted() }

    /// Arms what is new in `paths` and disarms what is no longer there.
    /// - Returns: descriptions of the triggers armed by this call ("PATH (some 150 ms per 1000 ms)").
    @discardableResult
    public func update(paths: [String]) -> [String] {
        let wanted = Set(paths)
        for path in armed.keys where !wanted.contains(path) { disarm(path) }
        failed.formIntersection(wanted)
        var added: [String] = []
        for path in paths where armed[path] == nil && !failed.contains(path) {
            switch arm(path) {
            case .success(let (fd, window)):
                do {
                    let source = try loop.addIO(fd: fd, events: Self.pollPriority) { [unowned self] events in
                        handle(path, events)
                    }
                    armed[path] = (fd, source)
                    added.append("\(path) (some 150 ms per \(window / 1000) ms)")
                } catch {
                    close(fd)
                    failed.insert(path)
                    log(.warning, "\(error)")
                }
            case .failure(let error):
                failed.insert(path)
                log(.warning, "\(error)")
            }
        }
        return added
    }

    private func handle(_ path: String, _ events: UInt32) {
        if events & (Self.pollError | Self.pollHangUp) != 0 {
            disarm(path)
            log(.info, "PSI trigger on \(path) closed: the kernel reports an error on it (its cgroup was removed)")
            return
        }
        onPressure()
    }

    private func disarm(_ path: String) {
        guard let trigger = armed.removeValue(forKey: path) else { return }
        loop.removeIO(trigger.source)
        close(trigger.fd)
    }
}
