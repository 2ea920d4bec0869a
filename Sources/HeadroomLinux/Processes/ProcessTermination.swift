import CSystemd
#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Terminating one process (a runaway in a login session): SIGTERM now, SIGKILL after a
/// deadline, never to a later process that re-used the pid. The process is pinned with a
/// pidfd (Linux 5.3+) opened after its start time matched the snapshot's; without pidfds the
/// start time is checked again right before each signal.
public final class ProcessTermination {
    public let pid: Int32
    public let startTicks: UInt64
    /// The pidfd, readable once the process has exited: an event loop can watch it
    /// instead of polling. nil where pidfds are not available.
    public private(set) var descriptor: Int32?
    let reader: ProcessSnapshotReader

    /// Checks the pid still names the snapshot's process and sends it SIGTERM.
    /// - Parameter expectedStartTicks: the start time read with the snapshot.
    /// - Throws: `.gone` when it exited already, `.replaced` when the pid is another process now,
    ///   `.signal` when the kernel refused (EPERM), `.refused` for pid 1, Headroom's own pid or pid <= 0.
    public init(pid: Int32, expectedStartTicks: UInt64, reader: ProcessSnapshotReader = ProcessSnapshotReader())
        throws(ProcessTerminationError) {
        self.pid = pid
        startTicks = expectedStartTicks
        self.reader = reader
        guard pid > 1 && pid != getpid() else { throw .refused(pid: pid) }
        let fd = headroom_pidfd_open(pid)
        if fd < 0 && errno == ESRCH { throw .gone(pid: pid) }
        if fd >= 0 { descriptor = fd }
        // Checked after opening: from here on the pidfd can only ever signal this process.
        do throws(ProcessTerminationError) {
            try verifyIdentity()
            try send(SIGTERM)
        } catch {
            closeDescriptor()
            throw error
        }
    }

    deinit { closeDescriptor() }

    /// True once the process has exited (a zombie counts: it holds no memory).
    public var hasExited: Bool { waitForExit(seconds: 0) }

    /// Waits up to `seconds` for the process to exit.
    public func waitForExit(seconds: Double) -> Bool {
        if let descriptor {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(max(0, min(seconds * 1000, Double(Int32.max))))
            while true {
                let ready = poll(&entry, 1, milliseconds)
                if ready < 0 && errno == EINTR { continue }
                return ready > 0
            }
        }
        let end = Clock.seconds(CLOCK_MONOTONIC) + seconds
        repeat {
            if isGoneByProcfs { return true }
            usleep(20_000)
        } while Clock.seconds(CLOCK_MONOTONIC) < end
        return isGoneByProcfs
    }

    /// SIGKILL, unless it has exited already.
    /// - Returns: false when the process had exited, true when SIGKILL was sent.
    public func kill() throws(ProcessTerminationError) -> Bool {
        if hasExited { return false }
        do throws(ProcessTerminationError) {
            try verifyIdentity()
            try send(SIGKILL)
        } catch .gone {
            return false
        }
        return true
    }

    private var isGoneByProcfs: Bool {
        guard let text = try? KernelFileReader.read(reader.paths.path("/proc/\(pid)/stat")),
              let stat = try? ProcessStat.parse(text) else { return true }
        return stat.startTicks != startTicks || stat.isZombie
    }

    private func verifyIdentity() throws(ProcessTerminationError) {
        guard let now = reader.startTicks(pid: pid) else { throw .gone(pid: pid) }
        guard now == startTicks else { throw .replaced(pid: pid, expected: startTicks, found: now) }
    }

    private func send(_ signal: Int32) throws(ProcessTerminationError) {
        let result = descriptor.map { headroom_pidfd_send_signal($0, signal) } ?? Glibc.kill(pid, signal)
        guard result != 0 else { return }
        if errno == ESRCH { throw .gone(pid: pid) }
        throw .signal(pid: pid, signal: signal, code: errno)
    }

    private func closeDescriptor() {
        if let descriptor { close(descriptor) }
        descriptor = nil
    }
}

/// Why a process was not (or not fully) terminated.
public enum ProcessTerminationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// It exited before the signal: nothing to do.
    case gone(pid: Int32)
    /// The pid belongs to another process now (its start time differs): nothing was sent.
    case replaced(pid: Int32, expected: UInt64, found: UInt64)
    case signal(pid: Int32, signal: Int32, code: Int32)
    /// PID 1, Headroom itself or a non-positive pid (a process group): never signalled.
    case refused(pid: Int32)

    public var description: String {
        switch self {
        case .gone(let pid): "process \(pid) has already exited"
        case .replaced(let pid, let expected, let found):
            "pid \(pid) now names another process (start time \(found) ticks, the snapshot had \(expected)): not signalled"
        case .refused(let pid): "refused to signal pid \(pid): init, Headroom itself and process groups are never terminated"
        case .signal(let pid, let signal, let code):
            "cannot send signal \(signal) to process \(pid): \(String(cString: strerror(code)))"
        }
    }
}
