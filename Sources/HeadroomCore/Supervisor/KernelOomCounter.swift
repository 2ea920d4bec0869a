/// /proc/vmstat's oom_kill, the system-wide count of kernel OOM kills. Tracked once, here:
/// the scan plan asks whether it moved, the supervisor files an incident when it rose.
struct KernelOomCounter: Sendable {
    private(set) var last: UInt64?

    /// Whether `total` differs from the last observation (or none was made yet).
    func changed(_ total: UInt64) -> Bool { last.map { $0 != total } ?? true }

    /// - Returns: the kills since the last observation; nil when none (or on the first).
    ///   A counter that went back (a corrupt read) is a new baseline, not a kill.
    mutating func observe(_ total: UInt64) -> UInt64? {
        defer { last = total }
        guard let previous = last, total > previous else { return nil }
        return total - previous
    }
}
