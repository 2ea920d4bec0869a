#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Keeps the daemon resident under pressure: start-up pages released, the rest locked as touched.
enum MemoryLock {
    static func lock(log: (LogLevel, String) -> Void) {
        if case .failure(let error) = StartupPages.release() {
            log(.notice, "start-up pages not released (\(error)); the daemon keeps them resident")
        }
        let onFault: Int32 = 4 // MCL_ONFAULT (Linux 4.4+): lock pages as they are touched, not all up front.
        if mlockall(MCL_CURRENT | MCL_FUTURE | onFault) != 0 {
            log(.warning, "mlockall failed (\(String(cString: strerror(errno)))): the daemon may be swapped out "
                + "under pressure; grant CAP_IPC_LOCK")
        }
    }
}
