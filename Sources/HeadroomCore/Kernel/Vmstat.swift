/// The counters Headroom uses from `/proc/vmstat` (all monotonic since boot).
public struct Vmstat: Equatable, Sendable {
    /// Processes killed by the kernel OOM killer.
    public var oomKill: UInt64 = 0
    /// Pages swapped in and out.
    public var pswpin: UInt64 = 0
    public var pswpout: UInt64 = 0
    /// Pages scanned by kswapd and by direct reclaim.
    public var pgscanKswapd: UInt64 = 0
    public var pgscanDirect: UInt64 = 0
    public var pgmajfault: UInt64 = 0
    public var workingsetRefaultFile: UInt64 = 0

    public init() {}

    /// Parses `name value` lines; unknown names are ignored.
    ///
    /// - Throws: `KernelFileError` for a line that is not `name number`, or when
    ///   `oom_kill` (Linux 4.13+) is missing.
    public static func parse(_ text: KernelText) throws(KernelFileError) -> Vmstat {
        var stat = Vmstat()
        var seenOomKill = false
        try text.forEachLine { line throws(KernelFileError) in
            var fields = line.fields()
            guard let name = fields.next(), let valueField = fields.next(), fields.isAtEnd(),
                  let value = try line.plausibleUnsigned(valueField) else {
                throw text.error("expected 'name number'", at: line)
            }
            switch true {
            case line.isEqual(name, to: "oom_kill"): stat.oomKill = value; seenOomKill = true
            case line.isEqual(name, to: "pswpin"): stat.pswpin = value
            case line.isEqual(name, to: "pswpout"): stat.pswpout = value
            case line.isEqual(name, to: "pgscan_kswapd"): stat.pgscanKswapd = value
            case line.isEqual(name, to: "pgscan_direct"): stat.pgscanDirect = value
            case line.isEqual(name, to: "pgmajfault"): stat.pgmajfault = value
            case line.isEqual(name, to: "workingset_refault_file"): stat.workingsetRefaultFile = value
            default: break
            }
        }
        if !seenOomKill { throw text.missing("oom_kill") }
        return stat
    }
}
