#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import HeadroomCore

/// One unit's cgroup memory files, opened when the unit is found and re-read each tick.
///
/// The limits (`memory.min`, `.low`, `.high`, `.max`) change only when the unit's settings
/// do, so they are read when the tree is listed, not on every tick.
final class UnitCgroupFiles {
    let unit: String
    let relativePath: String
    let directory: String
    private let current: KernelFile
    private let stat: KernelFile
    private let events: KernelFile
    private let swap: KernelFile?
    private let pressure: KernelFile?
    private var min = MemoryLimit.bytes(0)
    private var low = MemoryLimit.bytes(0)
    private var high = MemoryLimit.unlimited
    private var max = MemoryLimit.unlimited
    private var last: ServiceSample?
    /// Reads the unit's start when the files are opened (a restart recreates the cgroup, so this
    /// is the current run's); nil: not read.
    private let starts: ProcessSnapshotReader?
    private var startedAt: Double?
    /// When to read its processes' reservation; nil: never.
    private let reservations: ReservationReading?
    /// The directory's inode when the files were opened: a restart recreates the cgroup.
    private let directoryInode: UInt64
    /// A read found the cgroup gone.
    var isGone = false

    /// - Throws: `.missing` when the cgroup has gone; other `KernelFileError`s for malformed limits.
    init(unit: String, relativePath: String, directory: String, keepOpen: Bool,
         starts: ProcessSnapshotReader? = nil, reservations: ReservationReading? = nil) throws(KernelFileError) {
        self.unit = unit
        self.starts = starts
        self.reservations = reservations
        self.relativePath = relativePath
        self.directory = directory
        directoryInode = Self.inode(of: directory) ?? 0
        // Each is one seq_file record (a single show call): one read returns it whole.
        current = try KernelFile(path: directory + "/memory.current", keepOpen: keepOpen, initialCapacity: 64,
                                 oneRecord: true)
        stat = try KernelFile(path: directory + "/memory.stat", keepOpen: keepOpen, initialCapacity: 2048,
                              oneRecord: true)
        events = try KernelFile(path: directory + "/memory.events", keepOpen: keepOpen, initialCapacity: 256,
                                oneRecord: true)
        swap = try KernelFile.openIfPresent(directory + "/memory.swap.current", keepOpen: keepOpen, oneRecord: true)
        pressure = try KernelFile.openIfPresent(directory + "/memory.pressure", keepOpen: keepOpen, oneRecord: true)
        try readLimits()
        readStartIfUnknown()
    }

    /// The start of the unit's oldest process; retried at each listing while the cgroup had none.
    func readStartIfUnknown() {
        guard let starts, startedAt == nil else { return }
        startedAt = UnitProcessStart.monotonicSeconds(cgroupDirectory: directory, reader: starts)
        if startedAt != nil { last?.startedAt = startedAt }
    }

    /// Whether `directory` is still the cgroup these files were opened in.
    var isSameDirectory: Bool { !isGone && Self.inode(of: directory) == directoryInode }

    private static func inode(of path: String) -> UInt64? { inodeOf(path) }

    func readLimits() throws(KernelFileError) {
        min = try limit("memory.min", default: .bytes(0))
        low = try limit("memory.low", default: .bytes(0))
        high = try limit("memory.high", default: .unlimited)
        max = try limit("memory.max", default: .unlimited)
    }

    /// - Parameter detail: which files to read; the others keep their last values (the first
    ///   sample of a unit always reads all).
    /// - Throws: `.missing` when the cgroup has gone (ENODEV/ENOENT); other errors for malformed content.
    func sample(_ detail: ScanDetail = .full) throws(KernelFileError) -> ServiceSample {
        var sample = try read(detail)
        if let reservations, reservations.wanted(detail: detail, startedAt: startedAt, current: sample.current,
                                                 previous: last?.current) {
            sample.reservation = reservations.reader.reservation(cgroupDirectory: directory)
        }
        last = sample
        return sample
    }

    private func read(_ detail: ScanDetail) throws(KernelFileError) -> ServiceSample {
        guard var sample = last, detail != .full else {
            let sample = ServiceSample(
                unit: unit, cgroupPath: relativePath,
                current: try CgroupCounter.parse(current.read()),
                swapCurrent: try swap.map { file throws(KernelFileError) in try CgroupCounter.parse(file.read()) },
                stat: try CgroupMemoryStat.parse(stat.read()),
                pressure: try pressure.map { file throws(KernelFileError) in try Pressure.parse(file.read()) },
                events: try CgroupMemoryEvents.parse(events.read()),
                min: min, low: low, high: high, max: max, startedAt: startedAt)
            return sample
        }
        sample.current = try CgroupCounter.parse(current.read())
        if detail == .currentAndStat { sample.stat = try CgroupMemoryStat.parse(stat.read()) }
        sample.reservation = nil
        return sample
    }

    private func limit(_ name: String, default value: MemoryLimit) throws(KernelFileError) -> MemoryLimit {
        guard let text = try KernelFileReader.readIfPresent(directory + "/" + name) else { return value }
        return try MemoryLimit.parse(text)
    }
}

/// At file scope: inside the class, `stat` names the memory.stat file.
private func inodeOf(_ path: String) -> UInt64? {
    var info = stat()
    return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
}
