#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore
import HeadroomLinux
import Testing

/// Real child processes, real signals.
@Suite("ProcessTerminator on live processes")
struct ProcessTerminationTests {
    let reader = ProcessSnapshotReader()

    @Test("a process that honours SIGTERM exits within the deadline: no SIGKILL")
    func exitsOnTerm() throws {
        let child = try ChildProcess("exec sleep 30")
        #expect(child.waitForName("sleep"))
        let start = try #require(reader.startTicks(pid: child.pid))
        let outcome = try ProcessTerminator.terminate(pid: child.pid, expectedStartTicks: start, deadline: 5)
        #expect(outcome == .exitedAfterTerm)
        let status = try #require(child.reap(block: true))
        #expect(status & 0x7f == SIGTERM)
    }

    @Test("a process that ignores SIGTERM is killed after the deadline")
    func killedAfterDeadline() throws {
        // An ignored signal stays ignored across exec, so sleep itself ignores SIGTERM.
        let child = try ChildProcess("trap '' TERM; exec sleep 30")
        #expect(child.waitForName("sleep"))
        let start = try #require(reader.startTicks(pid: child.pid))
        let began = Clock.seconds(CLOCK_MONOTONIC)
        let outcome = try ProcessTerminator.terminate(pid: child.pid, expectedStartTicks: start, deadline: 0.3)
        let took = Clock.seconds(CLOCK_MONOTONIC) - began
        #expect(outcome == .killed)
        #expect(took >= 0.3)
        let status = try #require(child.reap(block: true))
        #expect(status & 0x7f == SIGKILL)
    }

    @Test("a pid whose start time differs from the snapshot's is another process: nothing is sent")
    func reusedPidIsLeftAlone() throws {
        let child = try ChildProcess("exec sleep 30")
        #expect(child.waitForName("sleep"))
        let start = try #require(reader.startTicks(pid: child.pid))
        #expect(throws: ProcessTerminationError.replaced(pid: child.pid, expected: start + 1, found: start)) {
            _ = try ProcessTerminator.terminate(pid: child.pid, expectedStartTicks: start + 1, deadline: 0.1)
        }
        usleep(100_000)
        #expect(child.reap(block: false) == nil, "the process must still run")
    }

    @Test("a process that has exited already is an outcome, not an error")
    func alreadyGone() throws {
        let child = try ChildProcess("exit 0")
        _ = child.reap(block: true)
        #expect(try ProcessTerminator.terminate(pid: child.pid, expectedStartTicks: 1, deadline: 0.1) == .alreadyGone)
    }

    @Test("the step-wise form: SIGTERM sent at once, exit seen through the pidfd, kill() after exit is a no-op")
    func stepWise() throws {
        let child = try ChildProcess("exec sleep 30")
        #expect(child.waitForName("sleep"))
        let termination = try ProcessTermination(pid: child.pid, expectedStartTicks: try #require(reader.startTicks(pid: child.pid)))
        #expect(termination.waitForExit(seconds: 5))
        #expect(termination.hasExited)
        #expect(try termination.kill() == false)
        #expect(termination.descriptor != nil, "pidfd_open is available on this kernel")
    }

    @Test("init, Headroom itself and process groups are refused before any signal", arguments: [Int32(1), 0, -5])
    func refused(pid: Int32) {
        #expect(throws: ProcessTerminationError.refused(pid: pid)) {
            _ = try ProcessTerminator.terminate(pid: pid, expectedStartTicks: 0, deadline: 0)
        }
    }

    @Test("this process is never terminated by itself")
    func refusesSelf() {
        #expect(throws: ProcessTerminationError.refused(pid: getpid())) {
            _ = try ProcessTermination(pid: getpid(), expectedStartTicks: reader.startTicks(pid: getpid()) ?? 0)
        }
    }
}
