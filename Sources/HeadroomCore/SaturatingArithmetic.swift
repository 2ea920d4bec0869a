/// Sums over kernel figures saturate: a cgroup file may say 18446744073709551615 (a broken or
/// hostile value, or a counter the kernel got wrong) and trapping on overflow would take the
/// daemon or a check down with it. A saturated figure is absurd, and still reported as such.
extension UInt64 {
    /// self + other, or UInt64.max when that overflows.
    public func saturatingAdd(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }

    /// max(0, self - limit).
    public func over(_ limit: UInt64) -> UInt64 { self > limit ? self - limit : 0 }
}

extension Sequence {
    /// The saturating sum of `value` over the elements.
    public func saturatingSum(_ value: (Element) -> UInt64) -> UInt64 {
        reduce(0) { $0.saturatingAdd(value($1)) }
    }
}

extension Int64 {
    /// a - b for two byte counts, clamped to Int64's range instead of trapping.
    public static func clampedDifference(_ a: UInt64, _ b: UInt64) -> Int64 {
        a >= b ? Int64(clamping: a - b) : -Int64(clamping: b - a)
    }
}
