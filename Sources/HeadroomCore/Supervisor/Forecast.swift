/// Slope of a quantity over a recent time window, and when it would reach zero.
///
/// PSI averages lag by seconds; the forecast is what lets Headroom act before the stall.
public struct Forecast: Sendable {
    private var times: [Double] = []
    private var values: [Double] = []
    public let window: Double

    public init(window: Double) {
        self.window = window
        times.reserveCapacity(64)
        values.reserveCapacity(64)
    }

    public mutating func add(time: Double, value: Double) {
        times.append(time)
        values.append(value)
        var drop = 0
        while drop < times.count - 1 && time - times[drop] > window { drop += 1 }
        if drop > 0 {
            times.removeFirst(drop)
            values.removeFirst(drop)
        }
    }

    public mutating func reset() {
        times.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    var firstTime: Double? { times.first }

    /// Least-squares slope per second; nil with fewer than 3 samples or under half a second of data.
    public var slope: Double? {
        guard times.count >= 3, let first = times.first, let last = times.last, last - first >= 0.5 else { return nil }
        let n = Double(times.count)
        var sumT = 0.0, sumV = 0.0
        for index in times.indices { sumT += times[index] - first; sumV += values[index] }
        let meanT = sumT / n, meanV = sumV / n
        var numerator = 0.0, denominator = 0.0
        for index in times.indices {
            let dt = times[index] - first - meanT
            numerator += dt * (values[index] - meanV)
            denominator += dt * dt
        }
        return denominator > 0 ? numerator / denominator : nil
    }

    /// Seconds until the latest value reaches zero at the current slope; nil when not falling.
    public var secondsUntilZero: Double? {
        guard let slope, slope < 0, let latest = values.last else { return nil }
        return max(0, latest / -slope)
    }
}
