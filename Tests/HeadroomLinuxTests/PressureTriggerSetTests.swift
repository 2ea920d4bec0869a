#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore
import HeadroomLinux
import Testing

/// Pipes stand in for trigger fds: closing a pipe's read end makes the kernel report EPOLLERR on
/// its write end for ever, as it does on the trigger fd of a removed cgroup.
final class PipeTriggers {
    var pipes: [String: (read: Int32, write: Int32, inode: UInt)] = [:]

    func arm(_ path: String) -> Result<(fd: Int32, window: UInt64), PressureTriggerError> {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return .failure(PressureTriggerError(path: path, code: errno)) }
        var info = stat()
        fstat(ends[1], &info)
        pipes[path] = (ends[0], ends[1], UInt(info.st_ino))
        return .success((ends[1], 2_000_000))
    }

    /// Whether the write end handed out for `path` is still open (the same pipe: tests running in
    /// parallel reuse fd numbers at once).
    func isOpen(_ path: String) -> Bool {
        var info = stat()
        return fstat(pipes[path]!.write, &info) == 0 && UInt(info.st_ino) == pipes[path]!.inode
    }
}

@Suite("PressureTriggerSet: removed and new slices")
struct PressureTriggerSetTests {
    @Test("EPOLLERR on a trigger (its slice removed): disabled and closed at once, the loop does not spin")
    func errorDisarms() throws {
        let loop = try EventLoop()
        let pipes = PipeTriggers()
        var logged: [String] = []
        var wakes = 0
        let set = PressureTriggerSet(loop: loop, arm: pipes.arm, log: { _, line in logged.append(line) },
                                     onPressure: { wakes += 1 })
        set.update(paths: ["/proc/pressure/memory", "/sys/fs/cgroup/gone.slice/memory.pressure"])
        close(pipes.pipes["/sys/fs/cgroup/gone.slice/memory.pressure"]!.read)
        var dispatched = 0
        for _ in 0..<50 where loop.runOnce(timeout: 0.01) > 0 { dispatched += 1 }
        #expect(dispatched == 1)
        #expect(wakes == 0)
        #expect(set.armedPaths == ["/proc/pressure/memory"])
        #expect(!pipes.isOpen("/sys/fs/cgroup/gone.slice/memory.pressure"))
        #expect(logged.count == 1 && logged[0].contains("gone.slice/memory.pressure closed"))
    }

    @Test("a slice created after the start gets a trigger at the next listing; one no longer listed is closed")
    func listingFollowsSlices() throws {
        let loop = try EventLoop()
        let pipes = PipeTriggers()
        let set = PressureTriggerSet(loop: loop, arm: pipes.arm, log: { _, _ in }, onPressure: {})
        let system = "/proc/pressure/memory"
        let early = "/sys/fs/cgroup/system.slice/memory.pressure"
        let late = "/sys/fs/cgroup/machine.slice/memory.pressure"
        #expect(set.update(paths: [system, early]).count == 2)
        #expect(set.update(paths: [system, early]).isEmpty)
        let added = set.update(paths: [system, late])
        #expect(added == ["\(late) (some 150 ms per 2000 ms)"])
        #expect(set.armedPaths == [system, late].sorted())
        #expect(!pipes.isOpen(early))
    }

    @Test("a failure to arm is logged once, not at every listing")
    func failureLoggedOnce() throws {
        let loop = try EventLoop()
        var logged = 0
        let set = PressureTriggerSet(loop: loop, arm: { .failure(PressureTriggerError(path: $0, code: EACCES)) },
                                     log: { _, _ in logged += 1 }, onPressure: {})
        for _ in 0..<3 { set.update(paths: ["/sys/fs/cgroup/a.slice/memory.pressure"]) }
        #expect(logged == 1)
        #expect(set.armedPaths.isEmpty)
    }
}
