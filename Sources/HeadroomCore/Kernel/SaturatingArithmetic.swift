/// Kernel figures are untrusted input: a cgroup file may say 18446744073709551615 (a broken or
/// hostile value, or a counter the kernel got wrong), and trapping on overflow would take the
/// daemon or a check down with it. Every conversion and sum over them saturates; a saturated
/// figure is absurd, and still reported as such.
extension UInt64 {
    /// `value` rounded toward zero and clamped to 0...UInt64.max (NaN is 0).
    public init(saturating value: Double) {
        if !(value > 0) { self = 0 } else if value >= 18_446_744_073_709_551_615.0 { self = .max } else { self = UInt64(value) }
    }

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
    /// `a - b` of two unsigned figures, clamped to Int64's range.
    public init(saturatingDifference a: UInt64, _ b: UInt64) {
        if a >= b {
            let difference = a - b
            self = difference > UInt64(Int64.max) ? .max : Int64(difference)
        } else {
            let difference = b - a
            self = difference > UInt64(Int64.max) ? .min : -Int64(difference)
        }
    }
}
