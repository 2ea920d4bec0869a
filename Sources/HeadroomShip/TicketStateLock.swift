#if canImport(Glibc)
import Glibc
#endif

/// The delivery state's exclusive lock (`flock` on `.lock`); closing the descriptor releases it.
public final class TicketStateLock {
    private let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }
}
