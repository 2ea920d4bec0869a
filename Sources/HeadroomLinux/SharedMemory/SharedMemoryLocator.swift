#if canImport(Glibc)
import Glibc
#endif
import HeadroomCore

/// Says where a unit's shared memory lives: its `memory.stat` `shmem`, and the tmpfs mounts
/// its processes see (through `/proc/PID/root`, so a `PrivateTmp=` of the unit is included),
/// with their usage from statvfs. tmpfs pages are charged to the cgroup that first touched
/// them, so a mount's usage is a lead for the incident, not a proof of who wrote it.
public struct SharedMemoryLocator: Sendable {
    public let paths: KernelPaths

    public init(paths: KernelPaths = KernelPaths()) { self.paths = paths }

    /// - Parameters:
    ///   - cgroupDirectory: the unit's cgroup directory, for `memory.stat`.
    ///   - pid: one of the unit's processes, whose mount namespace is looked at; nil: Headroom's own.
    /// - Throws: `KernelFileError` when `memory.stat` or the mount table cannot be read or parsed.
    public func locate(cgroupDirectory: String, pid: Int32?) throws(KernelFileError) -> SharedMemoryReport {
        let stat = try CgroupMemoryStat.parse(KernelFileReader.read(cgroupDirectory + "/memory.stat"))
        return SharedMemoryReport(unitShmemBytes: stat.shmem, mounts: try tmpfsMounts(pid: pid))
    }

    /// The tmpfs mounts seen by `pid` (nil: this process) with what each holds.
    public func tmpfsMounts(pid: Int32?) throws(KernelFileError) -> [SharedMemoryReport.Mount] {
        let process = pid.map { "/proc/\($0)" } ?? "/proc/self"
        let points = try TmpfsMounts.parse(KernelFileReader.read(paths.path(process + "/mountinfo")))
        return points.compactMap { point in
            // Through the process's root, so the path is resolved in its mount namespace.
            let path = pid == nil ? paths.path(point) : paths.path(process + "/root" + (point == "/" ? "" : point))
            var info = statvfs()
            guard statvfs(path, &info) == 0 else { return nil }
            let used = UInt64(info.f_blocks &- info.f_bfree) &* UInt64(info.f_frsize)
            return SharedMemoryReport.Mount(mountPoint: point, usedBytes: info.f_blocks >= info.f_bfree ? used : 0)
        }
    }
}
