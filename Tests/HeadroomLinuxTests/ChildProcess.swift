#if canImport(Glibc)
import Glibc
#endif

/// A child process for the termination tests, reaped when the test is done.
final class ChildProcess {
    let pid: pid_t
    private var reaped = false

    /// Runs `/bin/sh -c script`.
    init(_ script: String) throws {
        var pid: pid_t = 0
        let arguments = ["/bin/sh", "-c", script]
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        // The test runner may block or ignore SIGTERM; a spawned child would inherit both.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let result = posix_spawn(&pid, "/bin/sh", nil, &attributes, &pointers, environ)
        guard result == 0 else { throw SpawnError(code: result) }
        self.pid = pid
    }

    struct SpawnError: Error { let code: Int32 }

    /// The exit status after it ended (reaps it); nil when it is still running.
    func reap(block: Bool) -> Int32? {
        if reaped { return 0 }
        var status: Int32 = 0
        let result = waitpid(pid, &status, block ? 0 : WNOHANG)
        guard result == pid else { return nil }
        reaped = true
        return status
    }

    /// Waits until the child has executed `name` (posix_spawn returns before the exec).
    func waitForName(_ name: String, seconds: Double = 5) -> Bool {
        for _ in 0..<Int(seconds * 50) {
            let fd = open("/proc/\(pid)/comm", O_RDONLY)
            if fd >= 0 {
                var buffer = [UInt8](repeating: 0, count: 64)
                let count = read(fd, &buffer, 64)
                close(fd)
                if count > 0, String(decoding: buffer[..<count], as: UTF8.self).hasPrefix(name) { return true }
            }
            usleep(20_000)
        }
        return false
    }

    deinit {
        if !reaped {
            kill(pid, SIGKILL)
            _ = reap(block: true)
        }
    }
}
