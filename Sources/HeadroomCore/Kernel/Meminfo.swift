/// The figures Headroom uses from `/proc/meminfo`, in bytes.
public struct Meminfo: Equatable, Sendable {
    public var memTotal: UInt64 = 0
    public var memFree: UInt64 = 0
    public var memAvailable: UInt64 = 0
    public var buffers: UInt64 = 0
    public var cached: UInt64 = 0
    public var swapCached: UInt64 = 0
    public var activeAnon: UInt64 = 0
    public var inactiveAnon: UInt64 = 0
    public var activeFile: UInt64 = 0
    public var inactiveFile: UInt64 = 0
    public var shmem: UInt64 = 0
    public var swapTotal: UInt64 = 0
    public var swapFree: UInt64 = 0
    public var dirty: UInt64 = 0

    public init() {}

    /// Page cache the budget counts as the `cache` category: Active(file) + Inactive(file).
    public var fileCache: UInt64 { activeFile.saturatingAdd(inactiveFile) }
    public var swapUsed: UInt64 { swapTotal >= swapFree ? swapTotal - swapFree : 0 }

    /// Parses `/proc/meminfo`: every line is `Key: number [kB]`.
    ///
    /// - Throws: `KernelFileError` naming the line that is not of that shape, or
    ///   the first required key (MemTotal, MemFree, MemAvailable, Cached,
    ///   Active(file), Inactive(file), SwapTotal, SwapFree) that is missing.
    public static func parse(_ text: KernelText) throws(KernelFileError) -> Meminfo {
        var info = Meminfo()
        var seen: UInt16 = 0
        try text.forEachLine { line throws(KernelFileError) in
            guard let (key, rest) = line.splitAtColon() else {
                throw text.error("expected 'Key: value [kB]'", at: line)
            }
            var fields = rest.fields()
            guard let numberField = fields.next(), let number = line.unsigned(numberField) else {
                throw text.error("expected a number after the colon", at: line)
            }
            var value = number
            if let unit = fields.next() {
                guard line.isEqual(unit, to: "kB") else { throw text.error("unit must be 'kB'", at: line) }
                guard fields.isAtEnd() else { throw text.error("unexpected text after 'kB'", at: line) }
                let (bytes, overflow) = number.multipliedReportingOverflow(by: 1024)
                value = overflow ? UInt64.max : bytes
            }
            value = try text.plausible(value, at: line, shown: number)
            switch true {
            case line.isEqual(key, to: "MemTotal"): info.memTotal = value; seen |= 1 << 0
            case line.isEqual(key, to: "MemFree"): info.memFree = value; seen |= 1 << 1
            case line.isEqual(key, to: "MemAvailable"): info.memAvailable = value; seen |= 1 << 2
            case line.isEqual(key, to: "Cached"): info.cached = value; seen |= 1 << 3
            case line.isEqual(key, to: "Active(file)"): info.activeFile = value; seen |= 1 << 4
            case line.isEqual(key, to: "Inactive(file)"): info.inactiveFile = value; seen |= 1 << 5
            case line.isEqual(key, to: "SwapTotal"): info.swapTotal = value; seen |= 1 << 6
            case line.isEqual(key, to: "SwapFree"): info.swapFree = value; seen |= 1 << 7
            case line.isEqual(key, to: "Buffers"): info.buffers = value
            case line.isEqual(key, to: "SwapCached"): info.swapCached = value
            case line.isEqual(key, to: "Active(anon)"): info.activeAnon = value
            case line.isEqual(key, to: "Inactive(anon)"): info.inactiveAnon = value
            case line.isEqual(key, to: "Shmem"): info.shmem = value
            case line.isEqual(key, to: "Dirty"): info.dirty = value
            default: break
            }
        }
        if seen != 0xFF {
            let required = ["MemTotal", "MemFree", "MemAvailable", "Cached", "Active(file)", "Inactive(file)",
                            "SwapTotal", "SwapFree"]
            for (bit, key) in required.enumerated() where seen & (1 << bit) == 0 {
                throw text.missing(key)
            }
        }
        return info
    }
}
