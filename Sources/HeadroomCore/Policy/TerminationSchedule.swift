/// SIGTERM, then SIGKILL past a grace period: the process gets the chance to exit cleanly,
/// and the VM does not wait on a process that ignores it.
public struct TerminationSchedule: Equatable, Sendable {
    public enum Signal: Int32, Equatable, Sendable {
        case term = 15
        case kill = 9
    }

    public let pid: Int32
    public let startedAt: Double
    public private(set) var killed = false
    public private(set) var finished = false

    /// Starts with SIGTERM: send `Signal.term` now.
    public init(pid: Int32, at time: Double) {
        self.pid = pid
        startedAt = time
    }

    /// - Parameter stillRunning: the pid still exists with the same start time.
    /// - Returns: the signal to send now, if any.
    public mutating func tick(at time: Double, stillRunning: Bool, settings: PolicySettings.Runaway) -> Signal? {
        guard !finished else { return nil }
        guard stillRunning else {
            finished = true
            return nil
        }
        guard !killed, time - startedAt >= settings.termGraceSeconds else { return nil }
        killed = true
        return .kill
    }
}
