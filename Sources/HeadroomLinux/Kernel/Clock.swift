#if canImport(Glibc)
import Glibc
#endif

/// The one place the shell reads clocks; the core takes times as arguments.
public enum Clock {
    /// Seconds on `clock` (CLOCK_MONOTONIC, CLOCK_BOOTTIME, ...).
    public static func seconds(_ clock: clockid_t) -> Double {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Now on CLOCK_MONOTONIC, not the loop iteration's cached timestamp (`EventLoop.now`); the
    /// clock of systemd's `*TimestampMonotonic`.
    public static func monotonicSeconds() -> Double { seconds(CLOCK_MONOTONIC) }

    /// Wall clock, Unix milliseconds (incident times, status file, retention).
    public static func wallClockMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
