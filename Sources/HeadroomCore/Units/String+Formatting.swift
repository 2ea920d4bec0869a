extension String {
    /// Two decimals, as the kernel prints PSI averages ("0.00", "12.34", "-0.50"); "?" for a
    /// value that is not finite or too large to be a figure.
    public init(format2 value: Double) {
        guard value.isFinite, abs(value) < 1e15 else {
            self = "?"
            return
        }
        let hundredths = Int64((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let fraction = abs(hundredths) % 100
        self = "\(sign)\(abs(hundredths) / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// A directory path without trailing slashes ("/var/lib/headroom/" -> "/var/lib/headroom");
    /// "/" stays "/".
    public var trimmingTrailingSlashes: String {
        var trimmed = self
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }
}
