/// Host-wide figures read in one pass over procfs and sysfs.
public struct SystemSample: Equatable, Sendable {
    public var meminfo: Meminfo
    public var pressure: Pressure
    public var vmstat: Vmstat
    public var swaps: [SwapDevice]
    public var swappiness: Int
    public var installed: InstalledMemory

    public init(meminfo: Meminfo, pressure: Pressure, vmstat: Vmstat, swaps: [SwapDevice], swappiness: Int,
                installed: InstalledMemory) {
        self.meminfo = meminfo
        self.pressure = pressure
        self.vmstat = vmstat
        self.swaps = swaps
        self.swappiness = swappiness
        self.installed = installed
    }
}

/// One systemd unit's cgroup v2 memory figures.
public struct ServiceSample: Equatable, Sendable {
    public var unit: String
    /// Path relative to the cgroup root, e.g. `system.slice/system-getty.slice/getty@tty1.service`.
    public var cgroupPath: String
    public var current: UInt64
    /// nil when swap accounting is off (no `memory.swap.current`).
    public var swapCurrent: UInt64?
    public var stat: CgroupMemoryStat
    /// nil when the kernel has no per-cgroup PSI.
    public var pressure: Pressure?
    public var events: CgroupMemoryEvents
    public var min: MemoryLimit
    public var low: MemoryLimit
    public var high: MemoryLimit
    public var max: MemoryLimit
    /// When the unit's current run started, in seconds on the tick clock (CLOCK_MONOTONIC);
    /// nil when unknown. Read by the shell when the unit's cgroup is (re)opened, so a warm-up
    /// after the unit's own start can be told from a leak.
    public var startedAt: Double?
    /// Its processes' reservation, read by the shell only for a young unit that grows under
    /// pressure (`UnitCgroupFiles`); nil when not read on this tick.
    public var reservation: AddressReservation?

    public init(unit: String, cgroupPath: String, current: UInt64, swapCurrent: UInt64?, stat: CgroupMemoryStat,
                pressure: Pressure?, events: CgroupMemoryEvents, min: MemoryLimit = .bytes(0),
                low: MemoryLimit = .bytes(0), high: MemoryLimit = .unlimited, max: MemoryLimit = .unlimited,
                startedAt: Double? = nil, reservation: AddressReservation? = nil) {
        self.startedAt = startedAt
        self.reservation = reservation
        self.unit = unit
        self.cgroupPath = cgroupPath
        self.current = current
        self.swapCurrent = swapCurrent
        self.stat = stat
        self.pressure = pressure
        self.events = events
        self.min = min
        self.low = low
        self.high = high
        self.max = max
    }

    /// What the unit really needs: memory.current less the page cache the kernel
    /// would drop first (inactive_file), the same measure systemd-oomd and cAdvisor use.
    public var workingSet: UInt64 {
        current > stat.inactiveFile ? current - stat.inactiveFile : 0
    }
}

/// Whether per-service (cgroup v2 memory) figures can be read on this host.
public enum ServiceVisibility: Equatable, Sendable {
    case available(cgroupRoot: String)
    /// A sentence for the operator saying what is missing and where.
    case unavailable(reason: String)

    public var isAvailable: Bool {
        if case .available = self { return true }
        return false
    }
}

/// The services found in the cgroup tree, and what got in the way.
public struct ServiceScan: Equatable, Sendable {
    public var visibility: ServiceVisibility
    public var services: [ServiceSample]
    /// Cgroups that went away between listing and reading (normal: units stop).
    public var vanished: [String]
    /// Files that could not be parsed; the unit is left out and the error reported.
    public var problems: [KernelFileError]

    public init(visibility: ServiceVisibility, services: [ServiceSample] = [], vanished: [String] = [],
                problems: [KernelFileError] = []) {
        self.visibility = visibility
        self.services = services
        self.vanished = vanished
        self.problems = problems
    }
}
