/// A cgroup v2 memory limit (`memory.min`, `.low`, `.high`, `.max`, `.swap.max`).
public enum MemoryLimit: Equatable, Sendable {
    case bytes(UInt64)
    /// The file says `max`.
    case unlimited

    public var bytes: UInt64? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    public static func parse(_ text: KernelText) throws(KernelFileError) -> MemoryLimit {
        let line = try text.singleValue()
        if line.isEqual(to: "max") { return .unlimited }
        guard let value = line.unsigned(line.start..<line.end) else {
            throw text.error("expected a number of bytes or 'max'", at: line)
        }
        // A limit above any possible RAM limits nothing (the kernel shows its own "no limit",
        // 2^63 - 4096, as such a number when it was written by hand).
        return value > KernelText.plausibleLimit ? .unlimited : .bytes(value)
    }
}

/// Single-number cgroup files: `memory.current`, `memory.swap.current`.
public enum CgroupCounter {
    public static func parse(_ text: KernelText) throws(KernelFileError) -> UInt64 {
        let line = try text.singleValue()
        guard let value = try line.plausibleUnsigned(line.start..<line.end) else {
            throw text.error("expected a number of bytes", at: line)
        }
        return value
    }
}

/// The figures Headroom uses from a cgroup's `memory.stat`, in bytes.
public struct CgroupMemoryStat: Equatable, Sendable {
    public var anon: UInt64 = 0
    public var file: UInt64 = 0
    public var kernel: UInt64 = 0
    public var shmem: UInt64 = 0
    public var fileMapped: UInt64 = 0
    public var activeAnon: UInt64 = 0
    public var inactiveAnon: UInt64 = 0
    public var activeFile: UInt64 = 0
    public var inactiveFile: UInt64 = 0
    public var unevictable: UInt64 = 0

    public init() {}

    /// Parses `name value` lines; unknown names are ignored.
    ///
    /// - Throws: `KernelFileError` for a line that is not `name number`, or when
    ///   `anon`, `file`, `active_file` or `inactive_file` is missing.
    public static func parse(_ text: KernelText) throws(KernelFileError) -> CgroupMemoryStat {
        var stat = CgroupMemoryStat()
        var seen = 0
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            guard let name = fields.next(), let valueField = fields.next(), fields.isAtEnd(),
                  let value = try line.plausibleUnsigned(valueField) else {
                throw text.error("expected 'name number'", at: line)
            }
            // Only 10 of the ~45 keys are used: their lengths (4, 5, 6, 11, 13) skip most lines at once.
            switch name.count {
            case 4, 5, 6, 11, 13: break
            default: return
            }
            switch true {
            case line.isEqual(name, to: "anon"): stat.anon = value; seen |= 1
            case line.isEqual(name, to: "file"): stat.file = value; seen |= 2
            case line.isEqual(name, to: "active_file"): stat.activeFile = value; seen |= 4
            case line.isEqual(name, to: "inactive_file"): stat.inactiveFile = value; seen |= 8
            case line.isEqual(name, to: "kernel"): stat.kernel = value
            case line.isEqual(name, to: "shmem"): stat.shmem = value
            case line.isEqual(name, to: "file_mapped"): stat.fileMapped = value
            case line.isEqual(name, to: "active_anon"): stat.activeAnon = value
            case line.isEqual(name, to: "inactive_anon"): stat.inactiveAnon = value
            case line.isEqual(name, to: "unevictable"): stat.unevictable = value
            default: break
            }
        }
        if seen & 1 == 0 { throw text.missing("anon") }
        if seen & 2 == 0 { throw text.missing("file") }
        if seen & 4 == 0 { throw text.missing("active_file") }
        if seen & 8 == 0 { throw text.missing("inactive_file") }
        return stat
    }
}

/// A cgroup's `memory.events` counters (hierarchical: they include descendants).
public struct CgroupMemoryEvents: Equatable, Sendable {
    public var low: UInt64 = 0
    public var high: UInt64 = 0
    public var max: UInt64 = 0
    public var oom: UInt64 = 0
    public var oomKill: UInt64 = 0
    public var oomGroupKill: UInt64 = 0

    public init() {}

    public static func parse(_ text: KernelText) throws(KernelFileError) -> CgroupMemoryEvents {
        var events = CgroupMemoryEvents()
        var seen = 0
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            guard let name = fields.next(), let valueField = fields.next(), fields.isAtEnd(),
                  let value = try line.plausibleUnsigned(valueField) else {
                throw text.error("expected 'name number'", at: line)
            }
            switch true {
            case line.isEqual(name, to: "low"): events.low = value; seen |= 1
            case line.isEqual(name, to: "high"): events.high = value; seen |= 2
            case line.isEqual(name, to: "max"): events.max = value; seen |= 4
            case line.isEqual(name, to: "oom"): events.oom = value; seen |= 8
            case line.isEqual(name, to: "oom_kill"): events.oomKill = value; seen |= 16
            case line.isEqual(name, to: "oom_group_kill"): events.oomGroupKill = value
            default: break
            }
        }
        for (bit, key) in ["low", "high", "max", "oom", "oom_kill"].enumerated() where seen & (1 << bit) == 0 {
            throw text.missing(key)
        }
        return events
    }
}
