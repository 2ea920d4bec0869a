/// Kernel counters are untrusted input: a corrupt or extreme value (18446744073709551615)
/// must not trap the daemon. Every conversion and sum over them saturates.
extension UInt64 {
    /// `value` rounded toward zero and clamped to 0...UInt64.max (NaN is 0).
    init(saturating value: Double) {
        if !(value > 0) { self = 0 } else if value >= 18_446_744_073_709_551_615.0 { self = .max } else { self = UInt64(value) }
    }

    func saturatingAdd(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}

extension Int64 {
    /// `a - b` of two unsigned figures, clamped to Int64's range.
    init(saturatingDifference a: UInt64, _ b: UInt64) {
        if a >= b {
            let difference = a - b
            self = difference > UInt64(Int64.max) ? .max : Int64(difference)
        } else {
            let difference = b - a
            self = difference > UInt64(Int64.max) ? .min : -Int64(difference)
        }
    }
}
