/// Where a unit's shared memory (tmpfs files, shm segments) is, so an incident can say
/// "600 MiB in tmpfs at /dev/shm" instead of restarting a unit whose memory a restart
/// would not free.
public struct SharedMemoryReport: Equatable, Sendable {
    /// One tmpfs mount as the unit's processes see it.
    public struct Mount: Equatable, Sendable {
        public var mountPoint: String
        public var usedBytes: UInt64

        public init(mountPoint: String, usedBytes: UInt64) {
            self.mountPoint = mountPoint
            self.usedBytes = usedBytes
        }
    }

    /// `shmem` in the unit's `memory.stat`: shared memory charged to the unit's cgroup.
    public var unitShmemBytes: UInt64
    /// tmpfs mounts seen from the unit's namespace (its own `PrivateTmp=` included), the
    /// fullest first. Usage is the whole mount's, not only what the unit wrote.
    public var mounts: [Mount]

    public init(unitShmemBytes: UInt64, mounts: [Mount]) {
        self.unitShmemBytes = unitShmemBytes
        self.mounts = mounts.sorted { ($0.usedBytes, $1.mountPoint) > ($1.usedBytes, $0.mountPoint) }
    }

    /// Mounts holding at least `minimumBytes`: the candidates for where the shmem lives.
    public func significantMounts(minimumBytes: UInt64) -> [Mount] {
        mounts.filter { $0.usedBytes >= minimumBytes && $0.usedBytes > 0 }
    }

    /// One sentence for the incident: "412 MiB of the unit's memory is shared memory, which a
    /// restart does not free; tmpfs in use: 400 MiB at /dev/shm, 12 MiB at /tmp".
    /// Below `minimumBytes` of shmem in the unit, the mounts are not named: they are someone else's.
    public func sentence(minimumBytes: UInt64 = 16 << 20) -> String {
        if unitShmemBytes < minimumBytes {
            return "the unit holds \(ByteSize.format(unitShmemBytes)) of shared memory (tmpfs or shm)"
        }
        var text = "\(ByteSize.format(unitShmemBytes)) of the unit's memory is shared memory (tmpfs or shm), "
            + "which a restart does not free"
        let shown = significantMounts(minimumBytes: minimumBytes)
        if shown.isEmpty { return text + "; no tmpfs mount holds \(ByteSize.format(minimumBytes)) or more" }
        text += "; tmpfs in use: " + shown.map { "\(ByteSize.format($0.usedBytes)) at \($0.mountPoint)" }
            .joined(separator: ", ")
        return text
    }
}
