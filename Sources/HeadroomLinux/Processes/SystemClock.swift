#if canImport(Glibc)
import Glibc
#endif

/// The kernel's clocks, read where a decision has been made and an action needs a time.
public enum SystemClock {
    /// Seconds on `clock` (CLOCK_MONOTONIC, CLOCK_BOOTTIME, ...).
    public static func seconds(_ clock: clockid_t) -> Double {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// CLOCK_MONOTONIC seconds: the clock of `EventLoop.now` and of systemd's `*TimestampMonotonic`.
    public static func monotonicSeconds() -> Double { seconds(CLOCK_MONOTONIC) }

    /// Wall-clock milliseconds since the epoch, for records people read.
    public static func wallClockMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
