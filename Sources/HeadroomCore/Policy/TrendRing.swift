/// A fixed-size ring of (time, value) points with a least-squares slope.
///
/// The decision policy keeps several of these per unit and one pair for the VM, and
/// updates them on every tick, so they must not allocate once built: the storage is
/// allocated in `init` and only overwritten afterwards. `spacing` makes a coarse ring
/// (one point a minute over two hours) as cheap as a fine one (every tick over 30 s):
/// that multi-resolution is what makes a slow creep visible without keeping every sample.
public struct TrendRing: Sendable {
    private var times: [Double]
    private var values: [Double]
    private var head = 0
    public private(set) var count = 0
    /// Minimum seconds between two stored points; 0 keeps every sample.
    public let spacing: Double

    /// - Parameters:
    ///   - capacity: points kept; the oldest is overwritten when full.
    ///   - spacing: seconds at least between stored points.
    public init(capacity: Int, spacing: Double) {
        precondition(capacity >= 3, "a trend needs at least 3 points")
        times = Array(repeating: 0, count: capacity)
        values = Array(repeating: 0, count: capacity)
        self.spacing = spacing
    }

    public var capacity: Int { times.count }

    /// Adds a point unless it is closer than `spacing` to the newest one.
    /// A time that goes backwards (a bad clock reading) is ignored.
    public mutating func add(time: Double, value: Double) {
        if let newest = newestTime, time < newest + spacing || time <= newest { return }
        let slot = (head + count) % capacity
        times[slot] = time
        values[slot] = value
        if count < capacity { count += 1 } else { head = (head + 1) % capacity }
    }

    public mutating func reset() {
        head = 0
        count = 0
    }

    private func slot(_ offset: Int) -> Int { (head + offset) % capacity }

    public var newestTime: Double? { count > 0 ? times[slot(count - 1)] : nil }
    public var newestValue: Double? { count > 0 ? values[slot(count - 1)] : nil }
    public var oldestTime: Double? { count > 0 ? times[head] : nil }
    /// The time of the `rank`-th newest point (1: the newest); nil with fewer points.
    public func time(ofNewest rank: Int) -> Double? {
        rank >= 1 && rank <= count ? times[slot(count - rank)] : nil
    }

    /// The largest value stored at or after `since`.
    public func maximum(since: Double) -> Double? {
        var best: Double?
        for offset in 0..<count where times[slot(offset)] >= since {
            best = Swift.max(best ?? -.infinity, values[slot(offset)])
        }
        return best
    }

    /// Least-squares slope (value per second) of the points at or after `since`.
    ///
    /// - Parameter minimumSpan: seconds the points must cover; a slope over less is noise.
    /// - Returns: nil with fewer than 3 points or less than `minimumSpan` covered.
    public func slope(since: Double, minimumSpan: Double) -> Double? {
        var n = 0.0, sumT = 0.0, sumV = 0.0
        var first = Double.infinity, last = -Double.infinity
        for offset in 0..<count where times[slot(offset)] >= since {
            let time = times[slot(offset)]
            n += 1
            sumT += time
            sumV += values[slot(offset)]
            first = Swift.min(first, time)
            last = Swift.max(last, time)
        }
        guard n >= 3, last - first >= minimumSpan else { return nil }
        let meanT = sumT / n, meanV = sumV / n
        var numerator = 0.0, denominator = 0.0
        for offset in 0..<count where times[slot(offset)] >= since {
            let dt = times[slot(offset)] - meanT
            numerator += dt * (values[slot(offset)] - meanV)
            denominator += dt * dt
        }
        return denominator > 0 ? numerator / denominator : nil
    }
}
