#if canImport(Glibc)
import Glibc
#endif

/// A PSI trigger on a pressure file: the kernel wakes the loop (POLLPRI) within the window
/// when stalls exceed the threshold, instead of at the next tick.
public enum PressureTrigger {
    /// Opens `path` and arms "some STALL WINDOW" (microseconds). Without CAP_SYS_RESOURCE the
    /// kernel accepts only windows that are multiples of 2 s, so a 1 s window falls back to 2 s.
    ///
    /// - Returns: the open descriptor, to watch for EPOLLPRI, and the window in effect.
    public static func arm(path: String, stallMicroseconds: UInt64 = 150_000,
                           windowMicroseconds: UInt64 = 1_000_000) -> Result<(fd: Int32, window: UInt64), PressureTriggerError> {
        var lastError: Int32 = 0
        for window in [windowMicroseconds, 2_000_000] {
            let fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { return .failure(PressureTriggerError(path: path, code: errno)) }
            let spec = "some \(stallMicroseconds) \(window)"
            let written = spec.withCString { Glibc.write(fd, $0, strlen($0) + 1) }
            if written >= 0 { return .success((fd, window)) }
            lastError = errno
            close(fd)
        }
        return .failure(PressureTriggerError(path: path, code: lastError))
    }
}

public struct PressureTriggerError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let code: Int32

    public init(path: String, code: Int32) {
        self.path = path
        self.code = code
    }

    public var description: String { "cannot arm a PSI trigger on \(path): \(String(cString: strerror(code)))" }
}
