#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// A unit's start without D-Bus: the start time of the oldest process in its cgroup. A
/// restart replaces every process of the unit (and systemd recreates the cgroup), so after a
/// restart this is the new start; for a scope it is its first process. Read it when the unit's
/// cgroup is (re)opened, not per tick; it is off only for a unit whose processes outlive its
/// restart (`KillMode=none`), where `SystemdUnitProperties.startTimes` is right.
public enum UnitProcessStart {
    /// The oldest process's start in CLOCK_MONOTONIC seconds (the clock of `EventLoop.now` and of
    /// systemd's `*TimestampMonotonic`); nil when the cgroup has no readable process.
    public static func monotonicSeconds(cgroupDirectory: String,
                                        reader: ProcessSnapshotReader = ProcessSnapshotReader()) -> Double? {
        guard let pids = try? reader.pids(cgroupDirectory: cgroupDirectory) else { return nil }
        var oldest: UInt64?
        for pid in pids {
            guard let ticks = reader.startTicks(pid: pid) else { continue }
            oldest = min(oldest ?? ticks, ticks)
        }
        return oldest.map(monotonicSeconds(startTicks:))
    }

    /// `/proc/PID/stat` start times count clock ticks on CLOCK_BOOTTIME (Linux 5.3+), which runs
    /// ahead of CLOCK_MONOTONIC by the time spent suspended: converted here.
    public static func monotonicSeconds(startTicks: UInt64) -> Double {
        let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        return Double(startTicks) / ticksPerSecond - (Clock.seconds(CLOCK_BOOTTIME) - Clock.seconds(CLOCK_MONOTONIC))
    }

}
