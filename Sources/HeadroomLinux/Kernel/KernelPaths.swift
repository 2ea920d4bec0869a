/// Where the kernel's files are: the real `/proc` and `/sys`, or the same tree
/// under a directory (`--root DIR`) holding fixtures or a copy from another host.
public struct KernelPaths: Sendable, Equatable {
    /// "" for the live system, otherwise the directory standing in for `/`.
    public let root: String

    public init(root: String? = nil) {
        var trimmed = root ?? ""
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed == "/" ? "" : trimmed
    }

    public var isLiveSystem: Bool { root.isEmpty }

    /// `path` is absolute as on a live system, e.g. "/proc/meminfo".
    public func path(_ path: String) -> String { root + path }

    public var meminfo: String { path("/proc/meminfo") }
    public var memoryPressure: String { path("/proc/pressure/memory") }
    public var vmstat: String { path("/proc/vmstat") }
    public var swaps: String { path("/proc/swaps") }
    public var swappiness: String { path("/proc/sys/vm/swappiness") }
    public var memoryBlocks: String { path("/sys/devices/system/memory") }
    /// Under `--root`, the cgroup v2 mount is taken to be `DIR/sys/fs/cgroup`.
    public var rootCgroupMount: String { path("/sys/fs/cgroup") }
    public var mountTable: String { path("/proc/self/mounts") }
}
